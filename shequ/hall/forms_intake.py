"""Forms of window intake: identify the applicant, register a new one, decide the outcome."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.hall.models import ServiceItem
from shequ.lib.idnumbers import DocType, IdentityError, parse_identity


class IdentifyForm(forms.Form):
    """Step 1: the identity number, typed or typed by a card reader followed by Enter."""

    doc_type = forms.ChoiceField(
        label=_("Document"), choices=DocType.choices, initial=DocType.ID_CARD
    )
    id_number = forms.CharField(
        label=_("Identity number"),
        max_length=32,
        error_messages={"required": _("Enter the identity number")},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "id_number" in data and "doc_type" in data:
            try:
                data["identity"] = parse_identity(data["id_number"], data["doc_type"])
            except IdentityError as exc:
                self.add_error("id_number", str(exc))
        return data


class RegisterForm(forms.Form):
    """A new applicant, registered at the window: the register's service checks every field."""

    doc_type = forms.ChoiceField(
        label=_("Document"), choices=DocType.choices, initial=DocType.ID_CARD
    )
    id_number = forms.CharField(label=_("Identity number"), max_length=32, required=False)
    name = forms.CharField(label=_("Name"), max_length=64, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class Outcome:
    ACCEPT = "accept"
    NOTICE = "notice"
    REFUSE = "refuse"


class OutcomeForm(forms.Form):
    """Step 3: the materials ticked at the window and what the worker decides."""

    action = forms.ChoiceField(
        choices=[
            (Outcome.ACCEPT, _("Accept")),
            (Outcome.NOTICE, _("Give a one-time notice")),
            (Outcome.REFUSE, _("Refuse")),
        ],
        error_messages={"required": _("Choose accept, one-time notice or refuse")},
    )
    materials = forms.TypedMultipleChoiceField(
        label=_("Materials received"), coerce=int, required=False
    )
    phone = forms.CharField(
        label=_("Contact phone"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    reason = forms.CharField(
        label=_("Reason for refusing"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, item: ServiceItem, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["materials"].choices = [(m.pk, m.name) for m in item.materials.all()]  # type: ignore[attr-defined]
