from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.workdays.calendar import MAX_DAYS
from shequ.workdays.models import DayKind
from shequ.workdays.services import MAX_YEAR, MIN_YEAR

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class CalcForm(forms.Form):
    """The working-day calculator: start + N working days, or working days from start to end."""

    start = forms.DateField(label=_("Start date (day of acceptance)"), widget=DateInput())
    days = forms.IntegerField(
        label=_("Working days"), min_value=0, max_value=MAX_DAYS // 2, required=False
    )
    end = forms.DateField(label=_("End date"), widget=DateInput(), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("days") is None and data.get("end") is None and not self.errors:
            raise forms.ValidationError(_("Enter a number of working days or an end date."))
        start, end = data.get("start"), data.get("end")
        if start and end and (end - start).days > MAX_DAYS:
            self.add_error("end", _("The period may not be longer than ten years."))
        return data


class SpecialDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.CharField(label=pgettext_lazy("holiday", "Name"), max_length=64, required=False)


class CalendarYearForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    note = forms.CharField(
        label=_("Note (for example the State Council notice)"), max_length=200, required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file."))
        if file.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return file
