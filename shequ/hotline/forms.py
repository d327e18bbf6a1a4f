"""Forms of the hotline's pages: a call, a dispatch, a send-back, the lists, an opinion."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.cases.deadlines import LimitKind
from shequ.hotline.models import CallbackResult, Category, RequestKind, Urgency
from shequ.regions.models import UnitKind


class CallForm(forms.Form):
    caller_phone = forms.CharField(label=_("Caller's phone"), max_length=32, required=False)
    caller_name = forms.CharField(label=_("Caller's name"), max_length=64, required=False)
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    confidential = forms.BooleanField(
        label=_("Confidential: hide the caller from the units"), required=False
    )
    address = forms.CharField(label=_("Place (address)"), max_length=200, required=False)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    region = forms.IntegerField(label=_("Community"), required=False)
    text = forms.CharField(label=_("Request"), widget=forms.Textarea(attrs={"rows": 4}))
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.filter(is_active=True), required=False
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=RequestKind.choices, initial=RequestKind.HELP)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices, initial=Urgency.NORMAL)
    merge = forms.IntegerField(required=False, widget=forms.HiddenInput)
    link = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("merge") and data.get("link"):
            raise forms.ValidationError(_("Merge or link, not both"))
        return data


class DispatchForm(forms.Form):
    lead_unit = forms.IntegerField(label=_("Lead unit"))
    assisting_units = forms.TypedMultipleChoiceField(
        label=_("Assisting units"), coerce=int, required=False, choices=()
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, unit_choices: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["assisting_units"].choices = unit_choices or []  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("Contribution"), widget=forms.Textarea(attrs={"rows": 3}))


class RevealForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


class CallbackForm(forms.Form):
    result = forms.ChoiceField(label=_("Result"), choices=CallbackResult.choices)
    note = forms.CharField(
        label=_("What the caller said"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = [
            "code",
            "name",
            "sign_for_hours",
            "handling_amount",
            "handling_kind",
            "urgent_hours",
            "is_active",
        ]
        widgets = {"handling_kind": forms.Select(choices=LimitKind.choices)}


class UnitForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=UnitKind.choices, initial=UnitKind.PARTNER)
    region = forms.IntegerField(label=_("Node"), required=False)


class HandlerForm(forms.Form):
    username = forms.CharField(label=_("Staff login"), max_length=150)


class ResponsibilityForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.all())
    region = forms.IntegerField(label=_("Applies in"))
    lead_unit = forms.IntegerField(label=_("Lead unit"))
    assisting_units = forms.TypedMultipleChoiceField(
        label=_("Assisting units"), coerce=int, required=False, choices=()
    )
    duty = forms.CharField(label=_("What the lead unit does"), max_length=200, required=False)

    def __init__(self, *args: Any, unit_choices: list[tuple[int, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.fields["assisting_units"].choices = unit_choices or []  # type: ignore[attr-defined]


class OpinionForm(forms.Form):
    community = forms.IntegerField(label=_("Your community"))
    text = forms.CharField(
        label=_("Your opinion or suggestion"),
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    address = forms.CharField(label=_("Where (optional)"), max_length=200, required=False)
