"""Forms of the register's pages.

The forms only render fields and carry the typed text: every rule (and its message) lives in
the services, whose errors the views put back on the form with `apply_errors`. Fields are
therefore not required here; dates are plain text inputs of type date (the services also take
2023/5/1 and 2023年5月1日).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.lib.idnumbers import DocType
from shequ.people.models import CareKind, DwellingUse, Gender, MoveKind, Relation, ResidenceStatus

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

    # A field label: plain text or a lazily translated string.
    type Label = str | StrPromise


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("Identity number")), ("phone", _("Phone"))])
    reason = forms.CharField(label=_("Why do you need the full value?"), max_length=200)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _text(label: Label, **attrs: str) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=forms.TextInput(attrs=attrs))


def _date(label: Label) -> forms.CharField:
    return forms.CharField(label=label, required=False, widget=DateInput())


def _choice(
    label: Label, choices: Sequence[tuple[str, Label]], blank: bool = False
) -> forms.ChoiceField:
    options = [("", "—"), *choices] if blank else choices
    return forms.ChoiceField(label=label, choices=options, required=False)


class PersonEditForm(forms.Form):
    """The register's fields of a person; the identity number is typed only to correct it."""

    name = _text(_("Name"))
    doc_type = _choice(_("Document"), DocType.choices)
    id_number = _text(_("Corrected identity number"), autocomplete="off", spellcheck="false")
    gender = _choice(_("Gender"), Gender.choices, blank=True)
    birth_date = _date(_("Birth date"))
    phone = _text(_("Phone"), type="tel", autocomplete="off")
    residence_status = _choice(_("Residence status"), ResidenceStatus.choices)
    residence_permit_number = _text(_("Residence permit number"))
    residence_permit_expiry = _date(_("Residence permit expiry"))
    registration_place = _text(_("Household registration place"))
    relation = _choice(_("Relation to head"), Relation.choices, blank=True)


class BuildingForm(forms.Form):
    region = forms.TypedChoiceField(label=_("Grid"), coerce=int, choices=[], required=False)
    name = _text(_("Name"), placeholder="3号楼")
    address = _text(_("Address"), placeholder="幸福路12号")
    floors = forms.CharField(
        label=_("Floors"), required=False, widget=forms.NumberInput(attrs={"min": 1})
    )
    units = forms.CharField(
        label=_("Units"), required=False, widget=forms.NumberInput(attrs={"min": 1})
    )

    def __init__(self, *args: object, regions: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["region"].choices = regions  # type: ignore[attr-defined]


class DwellingForm(forms.Form):
    unit = forms.CharField(
        label=pgettext_lazy("dwelling", "Unit"), required=False, widget=forms.NumberInput()
    )
    floor = forms.CharField(label=_("Floor"), required=False, widget=forms.NumberInput())
    number = _text(_("Number"), placeholder="302")
    area = _text(_("Area (m²)"), inputmode="decimal")
    use = _choice(_("Use"), DwellingUse.choices)


class TenancyForm(forms.Form):
    landlord = forms.CharField(label=_("Landlord from the register"), required=False)
    landlord_name = _text(_("or the landlord's name"))
    tenants = forms.MultipleChoiceField(label=_("Tenants"), required=False, choices=[])
    starts_on = _date(_("From"))
    ends_on = _date(_("To"))
    registered_on = _date(_("Lease registered on"))

    def __init__(
        self,
        *args: object,
        people: list[tuple[int, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["tenants"].choices = people  # type: ignore[attr-defined]
        self.fields["landlord"].widget = forms.Select(choices=[("", "—"), *people])


class CareTagForm(forms.Form):
    kind = _choice(_("Kind"), [], blank=True)
    since = _date(_("Since"))
    grade = _choice(_("Disability grade"), [(str(g), str(g)) for g in range(1, 5)], blank=True)
    certificate = _text(_("Certificate number"), autocomplete="off")
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, sensitive: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        from shequ.people.models_care import SENSITIVE_KINDS

        kinds = [(k, v) for k, v in CareKind.choices if sensitive or k not in SENSITIVE_KINDS]
        self.fields["kind"].choices = [("", "—"), *kinds]  # type: ignore[attr-defined]


class TagEndForm(forms.Form):
    ended_on = _date(_("Ended on"))


class VisitForm(forms.Form):
    visited_on = _date(_("Visited on"))
    found = forms.CharField(
        label=_("What was found"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_up = forms.CharField(
        label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next_due = _date(_("Next visit due"))


class MoveForm(forms.Form):
    kind = _choice(_("What happened"), MoveKind.choices)
    on = _date(_("Date"))
    to_dwelling = forms.CharField(label=_("New dwelling"), required=False)
    to_household = forms.CharField(label=_("New household"), required=False)
    relation = _choice(_("Relation to the new head"), Relation.choices, blank=True)
    new_head = forms.CharField(label=_("New head of the household left behind"), required=False)
    note = _text(_("Note"))
