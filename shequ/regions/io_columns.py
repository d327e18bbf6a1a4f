"""The columns of the region tree's spreadsheets, and the export formats."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, pgettext_lazy


@dataclass(frozen=True)
class Column:
    """A column of the spreadsheets: its key, its header in exports, other names it may have."""

    key: str
    label: Promise
    synonyms: tuple[str, ...]


COLUMNS = (
    Column("code", gettext_lazy("Code"), ("编码", "代码", "区划代码", "code")),
    Column("name", pgettext_lazy("region", "Name"), ("名称", "名字", "name")),
    Column("level", gettext_lazy("Level"), ("层级", "级别", "level")),
    Column("parent_code", gettext_lazy("Parent code"), ("上级编码", "上级代码", "parent")),
    Column("community_type", gettext_lazy("Community type"), ("社区类型",)),
    Column("is_special", gettext_lazy("Special grid"), ("专属网格", "special")),
    Column("boundary", gettext_lazy("Boundary (GeoJSON)"), ("边界", "boundary", "geometry")),
)
REQUIRED = ("code", "name", "level", "parent_code")
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
}


def in_every_language(text: Promise) -> list[str]:
    """A translatable text in the current language first, then in every language of the site."""
    names = [str(text)]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.append(str(text))
    return list(dict.fromkeys(names))


def column_aliases() -> dict[str, list[str]]:
    """The names a column may have: its label in the current language first (it names the column
    in messages), then in every language of the site, then the usual Chinese and English names."""
    return {
        column.key: list(dict.fromkeys([*in_every_language(column.label), *column.synonyms]))
        for column in COLUMNS
    }
