from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shequ.regions.models import CommunityType, Region


class RegionEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("region", "Name"), max_length=100)
    code = forms.CharField(label=_("Code"), max_length=32)
    community_type = forms.ChoiceField(
        label=_("Community type"),
        choices=[("", "—"), *CommunityType.choices],
        required=False,
    )
    is_special = forms.BooleanField(label=_("Special grid"), required=False)

    def __init__(self, *args: Any, level_key: str | None = None, **kwargs: Any) -> None:
        """With `level_key`, only the fields that mean something at that level."""
        super().__init__(*args, **kwargs)
        if level_key is not None and level_key != "community":
            del self.fields["community_type"]
        if level_key is not None and level_key not in ("grid", "subgrid", "cell"):
            del self.fields["is_special"]


class RegionCreateForm(RegionEditForm):
    level = forms.ChoiceField(label=_("Level"))

    def __init__(self, *args: Any, levels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, level_key=None, **kwargs)
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
