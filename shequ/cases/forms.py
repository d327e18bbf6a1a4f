"""Forms of the staff case pages: queue filters, a transition, an extension, a call-back rating,
an attachment."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.cases.models import RatingLevel

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


class TransitionForm(forms.Form):
    """One action button: the transition's name, the state the user saw, an optional note."""

    name = forms.CharField(max_length=32)
    expected_state = forms.CharField(max_length=32)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea)


def transition_data(post: Any) -> dict[str, str]:
    """Extra fields named data_<key> of a transition form, as {key: value}."""
    return {
        key.removeprefix("data_"): str(value).strip()[:200]
        for key, value in post.items()
        if key.startswith("data_") and len(key) > len("data_")
    }


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Working days"), min_value=1, max_value=365)
    note = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: inspection, testing or expert review, and who approved it."),
    )


class CallbackRatingForm(forms.Form):
    """The requester's rating, given on a call-back and entered by the worker (never pre-filled)."""

    level = forms.TypedChoiceField(
        label=_("The requester's rating"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("What the requester said"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_ATTACHMENT_BYTES:
            raise forms.ValidationError(
                _("The file is %(size).1f MB; the limit is 10 MB.")
                % {"size": upload.size / 1024 / 1024}
            )
        return upload
