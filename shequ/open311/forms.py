"""The admin forms of Open311: a client's key, a service attribute and its list of values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext as _

from shequ.open311 import definitions
from shequ.open311.models import LIST_DATATYPES, Open311Key, ServiceAttribute
from shequ.open311.registry import find_service
from shequ.open311.services import key_problems


class KeyForm(forms.ModelForm):
    class Meta:
        model = Open311Key
        fields = ["name", "user", "region", "is_active"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("is_active", True):
            problems = key_problems(
                name=data.get("name", ""), user=data.get("user"), region=data.get("region")
            )
            for field, messages in problems.items():
                for message in messages:
                    self.add_error(field, message)
        return data


class AttributeForm(forms.ModelForm):
    class Meta:
        model = ServiceAttribute
        fields = [
            "service_code",
            "order",
            "code",
            "description",
            "datatype",
            "required",
            "variable",
            "datatype_description",
        ]

    def clean_service_code(self) -> str:
        code: str = self.cleaned_data["service_code"].strip()
        if find_service(code) is None:
            raise ValidationError(_("No active service has the code %(code)s") % {"code": code})
        return code

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not definitions.CODE.match(code):
            raise ValidationError(_("Use letters, digits, - and _ only"))
        return code


class ValueFormSet(BaseInlineFormSet):
    """A list attribute needs its values; any other datatype takes none."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE", False)
        ]
        is_list = self.instance.datatype in LIST_DATATYPES
        if is_list and not kept:
            raise ValidationError(_("A list needs at least one value to choose from"))
        if not is_list and kept:
            raise ValidationError(_("Only a list takes values: remove them or choose a list"))
