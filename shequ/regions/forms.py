from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from shequ.regions.models import CommunityType, Region


class RegionEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=32)
    community_type = forms.ChoiceField(
        label=_("Community type"),
        choices=[("", "—"), *CommunityType.choices],
        required=False,
    )
    is_special = forms.BooleanField(label=_("Special grid"), required=False)


class RegionCreateForm(RegionEditForm):
    level = forms.ChoiceField(label=_("Level"))

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level_field = self.fields["level"]
        assert isinstance(level_field, forms.ChoiceField)
        level_field.choices = levels


class RegionMoveForm(forms.Form):
    new_parent = forms.ModelChoiceField(label=_("New parent"), queryset=Region.objects.none())

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent_field = self.fields["new_parent"]
        assert isinstance(parent_field, forms.ModelChoiceField)
        parent_field.queryset = candidates
