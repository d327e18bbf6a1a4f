"""Forms that residents fill in without an account: status lookup, rating, taking a number.

None of them touches the database: a mistyped code is refused before any lookup.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.cases.models import RatingLevel
from shequ.lib.codes import is_valid_code, normalise_code

PHONE_TAIL = re.compile(r"^[0-9]{4}$")


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        help_text=_("Printed on your receipt, for example ABCD-EFGH-JKLM-N."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
            }
        ),
        error_messages={"required": _("Enter the tracking code from your receipt")},
    )
    phone_tail = forms.CharField(
        label=_("Last 4 digits of your phone"),
        max_length=8,
        help_text=_("The phone number you gave when the matter was registered."),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
        error_messages={"required": _("Enter the last 4 digits of your phone")},
    )

    def clean_code(self) -> str:
        value = str(self.cleaned_data["code"])
        if not is_valid_code(value):
            raise forms.ValidationError(
                _("The code is not valid: check it against your receipt and type it again.")
            )
        return normalise_code(value)

    def clean_phone_tail(self) -> str:
        value = "".join(str(self.cleaned_data["phone_tail"]).split())
        if not PHONE_TAIL.match(value):
            raise forms.ValidationError(_("Enter exactly the last 4 digits of your phone"))
        return value


class RatingForm(forms.Form):
    """The five levels of 好差评 from best to worst; none is chosen in advance."""

    level = forms.TypedChoiceField(
        label=_("How satisfied are you with our service?"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five levels")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].pop("level", None)
        super().__init__(*args, **kwargs)


class TicketForm(forms.Form):
    """The queue group a resident picked on the kiosk; the view passes the hall's groups."""

    group = forms.ChoiceField(error_messages={"required": _("Choose a queue")})

    def __init__(self, *args: Any, groups: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["group"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(g, g) for g in groups]
        field.error_messages["invalid_choice"] = _("This queue is not served in this hall")
