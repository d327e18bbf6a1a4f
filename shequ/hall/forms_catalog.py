"""Forms of the service catalog: the search filters, the item form and its materials formset."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shequ.hall import catalog_io
from shequ.hall.models import ItemKind, MaterialForm, ServiceItem
from shequ.regions.models import Unit

CHANNELS = (
    ("", gettext_lazy("Any channel")),
    ("online", gettext_lazy("Can be done online")),
    ("proxy", gettext_lazy("Can be done by proxy")),
    ("delivery", gettext_lazy("Result can be delivered")),
)
# Characters that separate materials and their parts in the catalog spreadsheet.
_SEPARATORS = (";", "；", "|", "｜")


class CatalogFilterForm(forms.Form):
    """The search box and filters of the catalog lists (a GET form: bad values are ignored)."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All departments"),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        choices=[("", gettext_lazy("All kinds")), *ItemKind.choices],
        required=False,
    )
    channel = forms.ChoiceField(label=gettext_lazy("Channel"), choices=CHANNELS, required=False)

    def __init__(self, *args: Any, departments: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Item name, code or department")}
        )

    def filters(self) -> dict[str, Any]:
        """The valid filters; an invalid one counts as not given."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {key: self.cleaned_data.get(key) for key in ("q", "department", "kind", "channel")}


def _no_separator(value: str) -> str:
    if any(mark in value for mark in _SEPARATORS):
        raise forms.ValidationError(
            _("Leave out ; and | here: they separate materials in the catalog spreadsheet")
        )
    return value


class MaterialRowForm(forms.Form):
    """One material of an item; an empty row is left out."""

    name = forms.CharField(label=gettext_lazy("Material"), max_length=200)
    form = forms.ChoiceField(
        label=gettext_lazy("Form"), choices=MaterialForm.choices, initial=MaterialForm.BOTH
    )
    count = forms.IntegerField(label=gettext_lazy("Copies"), min_value=1, max_value=99, initial=1)
    electronic_ok = forms.BooleanField(label=gettext_lazy("Electronic accepted"), required=False)
    required = forms.BooleanField(label=gettext_lazy("Required"), required=False, initial=True)
    note = forms.CharField(label=gettext_lazy("Note"), max_length=200, required=False)

    def clean_name(self) -> str:
        return _no_separator(self.cleaned_data["name"].strip())

    def clean_note(self) -> str:
        return _no_separator(self.cleaned_data["note"].strip())


class BaseMaterialFormSet(forms.BaseFormSet):
    def materials(self) -> list[dict[str, Any]]:
        """The kept rows, in order, as `item_save` takes them."""
        rows = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE"):
                continue
            rows.append({key: value for key, value in data.items() if key != "DELETE"})
        return rows


MaterialFormSet: type[BaseMaterialFormSet] = forms.formset_factory(  # type: ignore[assignment]
    MaterialRowForm, formset=BaseMaterialFormSet, extra=3, can_delete=True, max_num=60
)


def material_initial(item: ServiceItem) -> list[dict[str, Any]]:
    return [
        {
            "name": m.name,
            "form": m.form,
            "count": m.count,
            "electronic_ok": m.electronic_ok,
            "required": m.required,
            "note": m.note,
        }
        for m in item.materials.all()
    ]


class ItemForm(forms.Form):
    """The elements of an item; the code only when the item is new."""

    code = forms.CharField(
        label=gettext_lazy("Item code"),
        max_length=32,
        help_text=gettext_lazy("A code cannot be changed once the item exists."),
    )
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=ItemKind.choices)
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=Unit.objects.none()
    )
    legal_basis = forms.CharField(
        label=gettext_lazy("Legal basis"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    conditions = forms.CharField(
        label=gettext_lazy("Conditions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    procedure = forms.CharField(
        label=gettext_lazy("Procedure"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    promised_days = forms.IntegerField(
        label=gettext_lazy("Promised working days"), min_value=0, max_value=999
    )
    statutory_days = forms.IntegerField(
        label=gettext_lazy("Statutory working days"), min_value=0, max_value=999
    )
    fee = forms.CharField(label=gettext_lazy("Fee"), max_length=200, initial="不收费")
    online = forms.BooleanField(label=gettext_lazy("Can be done online"), required=False)
    by_proxy = forms.BooleanField(
        label=gettext_lazy("Can be done by proxy"), required=False, initial=True
    )
    delivery = forms.BooleanField(label=gettext_lazy("Result can be delivered"), required=False)
    queue_group = forms.CharField(
        label=gettext_lazy("Queue group"),
        max_length=8,
        initial="A",
        help_text=gettext_lazy("The letter of the queue tickets for this item, such as A or B."),
    )

    def __init__(
        self, *args: Any, departments: QuerySet[Unit], item: ServiceItem | None, **kwargs: Any
    ) -> None:
        if item is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": item.name,
                    "kind": item.kind,
                    "department": item.department_id,
                    "legal_basis": item.legal_basis,
                    "conditions": item.conditions,
                    "procedure": item.procedure,
                    "promised_days": item.promised_days,
                    "statutory_days": item.statutory_days,
                    "fee": item.fee,
                    "online": item.online,
                    "by_proxy": item.by_proxy,
                    "delivery": item.delivery,
                    "queue_group": item.queue_group,
                },
            )
        super().__init__(*args, **kwargs)
        self.item = item
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments
        if item is not None:
            del self.fields["code"]

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if ServiceItem.objects.filter(code=code).exists():
            raise forms.ValidationError(
                _("An item with the code %(code)s exists: edit that item instead") % {"code": code}
            )
        return code

    def clean_queue_group(self) -> str:
        group: str = self.cleaned_data["queue_group"].strip().upper()
        if not group.isalnum():
            raise forms.ValidationError(_("Use letters or digits, such as A or B"))
        return group

    def values(self) -> dict[str, Any]:
        """The item's values as `item_save` takes them."""
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "kind": data["kind"],
            "department_id": data["department"].pk,
            "legal_basis": data["legal_basis"].strip(),
            "conditions": data["conditions"].strip(),
            "procedure": data["procedure"].strip(),
            "promised_days": data["promised_days"],
            "statutory_days": data["statutory_days"],
            "fee": data["fee"].strip(),
            "online": data["online"],
            "by_proxy": data["by_proxy"],
            "delivery": data["delivery"],
            "queue_group": data["queue_group"],
        }


class CatalogImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file"),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in catalog_io.IMPORT_SUFFIXES:
            raise forms.ValidationError(
                _("Upload an .xlsx or .csv file; this one is “%(name)s”") % {"name": upload.name}
            )
        if (upload.size or 0) > catalog_io.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d MB")
                % {"size": catalog_io.MAX_UPLOAD_BYTES >> 20}
            )
        return upload
