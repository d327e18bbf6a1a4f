"""What every row of an import is checked against: the chosen node, its regions, its dwellings.

Regions of the node's subtree (within the importing user's scope) are read once; dwellings are
looked up a chunk of rows at a time and kept in a bounded cache, so that a file naming a
hundred thousand dwellings costs a few hundred queries and flat memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from shequ.lib.tabular import cell_text
from shequ.people.models import Dwelling
from shequ.regions.models import Region

# How many looked-up dwellings (and region names) are remembered between chunks.
CACHE_LIMIT = 100_000
DwellingKey = tuple[str, int, str]


@dataclass
class RowProblems:
    """The problems of one row: (column key, shown value, message)."""

    items: list[tuple[str, str, str]] = field(default_factory=list)

    def add(self, key: str, shown: Any, message: str) -> None:
        self.items.append((key, cell_text(shown), message))


class Regions:
    """Region nodes by code or name within the chosen node and the user's scope."""

    def __init__(self, actor: Any, node: Region) -> None:
        self.node = node
        regions = Region.objects.subtree(node)
        if actor is not None:
            regions = regions.visible_to(actor)
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.paths: dict[int, str] = {}
        for pk, code, name, path in regions.values_list("pk", "code", "name", "path"):
            self.by_code[code] = pk
            self.by_name[name].append((pk, code))
            self.paths[pk] = path
        self._answers: dict[str, tuple[int | None, str]] = {}

    def resolve(self, value: Any) -> tuple[int | None, str]:
        """(region id, "") or (None, the message saying why not)."""
        answer = self.lookup(value, offline=False)
        assert answer is not None
        return answer

    def lookup(self, value: Any, *, offline: bool) -> tuple[int | None, str] | None:
        """`resolve`; `offline` (in a worker process, which must not use the database):
        None when the answer needs a query, which the main process then makes."""
        text = value.strip() if type(value) is str else cell_text(value)
        if text in self._answers:
            return self._answers[text]
        answer = self._resolve(text, offline)
        if answer is not None and len(self._answers) < CACHE_LIMIT:
            self._answers[text] = answer
        return answer

    def _resolve(self, text: str, offline: bool = False) -> tuple[int | None, str] | None:
        if not text:
            return None, _("Enter the grid's code or name")
        if text in self.by_code:
            return self.by_code[text], ""
        named = self.by_name.get(text, [])
        if len(named) == 1:
            return named[0][0], ""
        if named:
            codes = "、".join(code for _pk, code in sorted(named, key=lambda item: item[1]))
            return None, _(
                "Several regions are named “%(name)s” (codes %(codes)s): write the code instead"
            ) % {"name": text, "codes": codes}
        if offline:
            return None
        if Region.objects.filter(code=text).exists() or Region.objects.filter(name=text).exists():
            return None, _(
                "“%(value)s” is outside %(node)s, the node chosen for this import, or outside "
                "your part of the tree"
            ) % {"value": text, "node": self.node.name}
        return None, _("No region within %(node)s has the code or name “%(value)s”") % {
            "node": self.node.name,
            "value": text,
        }


class Dwellings:
    """Dwellings of the chosen node by (building address, unit, number)."""

    def __init__(self, regions: Regions) -> None:
        self.regions = regions
        self._found: dict[DwellingKey, tuple[int, int] | None] = {}

    def load(self, keys: Iterable[DwellingKey]) -> None:
        """Look up the keys not yet known, in one query per chunk of addresses."""
        missing = {key for key in keys if key not in self._found}
        if not missing:
            return
        if len(self._found) + len(missing) > CACHE_LIMIT:
            self._found.clear()
        addresses = sorted({address for address, _unit, _number in missing})
        for start in range(0, len(addresses), 500):
            rows = Dwelling.objects.filter(
                building__address__in=addresses[start : start + 500],
                region__path__startswith=self.regions.node.path,
            ).values_list("pk", "region_id", "building__address", "unit", "number")
            for pk, region_id, address, unit, number in rows:
                if region_id in self.regions.paths:
                    self._found[(address, unit, number)] = (pk, region_id)
        for key in missing:
            self._found.setdefault(key, None)

    def get(self, key: DwellingKey) -> tuple[int, int] | None:
        """(dwelling id, its region id) or None; call `load` with the chunk's keys first."""
        return self._found.get(key)


def dwelling_missing(key: DwellingKey) -> str:
    address, unit, number = key
    return _(
        "No dwelling %(address)s unit %(unit)d number %(number)s is in the register within the "
        "chosen node: import it with the dwellings template first"
    ) % {"address": address, "unit": unit, "number": number}
