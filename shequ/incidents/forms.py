"""Forms of the incident category pages: the search filters, one subclass, the import upload."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.incidents import category_io
from shequ.incidents.models import (
    IncidentCategory,
    IncidentCategoryQuerySet,
    IncidentClass,
    IncidentKind,
    Tier,
    TimeLimitKind,
)
from shequ.incidents.services import CATEGORY_FIELDS, TIME_LIMIT_MAX
from shequ.regions.models import Unit

STATES = (
    ("", gettext_lazy("Active and retired")),
    ("active", gettext_lazy("Active")),
    ("retired", gettext_lazy("Retired")),
)


class CategoryFilterForm(forms.Form):
    """The search box and filters of the list (a GET form: a bad value counts as not given)."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("Components and events")), *IncidentKind.choices],
        required=False,
    )
    incident_class = forms.ModelChoiceField(
        label=gettext_lazy("Class"),
        queryset=IncidentClass.objects.all(),
        required=False,
        empty_label=gettext_lazy("All classes"),
    )
    state = forms.ChoiceField(label=gettext_lazy("State"), choices=STATES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Name, code or pinyin initials")}
        )

    def filters(self) -> dict[str, Any]:
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: self.cleaned_data.get(key) for key in self.fields}

    def apply(self, categories: IncidentCategoryQuerySet) -> IncidentCategoryQuerySet:
        found = self.filters()
        categories = categories.search(found.get("q") or "")
        if found.get("kind"):
            categories = categories.of_kind(found["kind"])
        if found.get("incident_class"):
            categories = categories.filter(incident_class=found["incident_class"])
        if found.get("state") == "active":
            categories = categories.active()
        elif found.get("state") == "retired":
            categories = categories.filter(Q(is_active=False) | Q(incident_class__is_active=False))
        return categories


class CategoryForm(forms.Form):
    """One subclass. A new one also names its class and its two-digit code."""

    incident_class = forms.ModelChoiceField(
        label=gettext_lazy("Class"), queryset=IncidentClass.objects.all()
    )
    code = forms.RegexField(
        label=gettext_lazy("Subclass code"),
        regex=r"^(0[1-9]|[1-9]\d)$",
        error_messages={"invalid": gettext_lazy("A code is two digits from 01 to 99")},
    )
    name = forms.CharField(label=gettext_lazy("Subclass name"), max_length=50)
    filing_condition = forms.CharField(
        label=gettext_lazy("Filing condition"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("When a report is taken on as a case (立案)."),
    )
    closing_condition = forms.CharField(
        label=gettext_lazy("Closing condition"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the verifier must find before the case is closed (结案)."),
    )
    time_limit = forms.IntegerField(
        label=gettext_lazy("Time limit"), min_value=1, max_value=TIME_LIMIT_MAX
    )
    time_limit_kind = forms.ChoiceField(
        label=gettext_lazy("Counted in"), choices=TimeLimitKind.choices
    )
    default_unit = forms.ModelChoiceField(
        label=gettext_lazy("Default handling unit"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("None: the tier handles it"),
    )
    default_tier = forms.ChoiceField(label=gettext_lazy("Default tier"), choices=Tier.choices)
    is_active = forms.BooleanField(
        label=gettext_lazy("Active: new reports may use it"), required=False, initial=True
    )

    def __init__(
        self, *args: Any, units: QuerySet[Unit], category: IncidentCategory | None, **kwargs: Any
    ) -> None:
        if category is not None and not kwargs.get("data"):
            kwargs["initial"] = {
                "incident_class": category.incident_class,
                "code": category.code,
                **{field: getattr(category, field) for field in CATEGORY_FIELDS},
            }
        super().__init__(*args, **kwargs)
        unit_field = self.fields["default_unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units
        if category is not None:
            # Class and code are the subclass's identity in files and other systems.
            for name in ("incident_class", "code"):
                self.fields[name].disabled = True

    def values(self) -> dict[str, Any]:
        return {field: self.cleaned_data[field] for field in CATEGORY_FIELDS}


class CategoryImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file, one row per subclass"),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in category_io.IMPORT_SUFFIXES:
            raise forms.ValidationError(
                _("Upload an .xlsx or .csv file; this one is “%(name)s”") % {"name": upload.name}
            )
        if (upload.size or 0) > category_io.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB")
                % {"size": category_io.MAX_UPLOAD_BYTES >> 20}
            )
        return upload
