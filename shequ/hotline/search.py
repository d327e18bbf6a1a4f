"""The duplicate suggestion: open cases at the same place or with similar text, while typing.

Every open case (of every type: incidents, applications, hotline requests) is kept in a side
table as search keys: the character pairs of its text and of its address (Chinese needs no
word splitting: pairs of characters are what two ways of writing the same matter share), its
whole normalised address, and the cell of its point (about 100 m). A search:

1. turns the typed address, text and point into keys;
2. counts how many cases hold each key, stopping at `COMMON` (one statement): a pair held by
   thousands of cases (小区, 楼下) says nothing and is dropped; rarer pairs weigh more;
3. adds up the weights per case over the remaining keys, within the user's node (one
   statement on the (key, case) primary key: it reads at most `COMMON` entries per key);
4. re-ranks the best candidates in Python on their text, address and distance, and reads the
   survivors from the case table through the engine's scope, open ones only.

The side table and its sync are in `shequ.hotline.search_index`. Cases opened since the last
sync (`suggest_sync`, every minute) are not in the side table yet:
they are read from the case table (above the mark) and scored in Python, so a case reported a
second ago is suggested too. Cases that finished since are dropped by step 4 and pruned by the
next sync.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from shequ.cases.models import Case, Clock
from shequ.core.sql import Reader
from shequ.hotline.models import HotlineCase, SuggestDoc, SuggestEntry, SuggestGram, SuggestMark
from shequ.hotline.search_index import (
    TEXT_CHARS,
    Doc,
    area_of,
    cell_of,
    distance_m,
    doc_text,
    key_hash,
    normalise,
    pairs,
)
from shequ.regions.models import Region, Unit
from shequ.regions.permissions import unit_ids
from shequ.regions.scoping import scope_prefixes

# A key held by this many cases is too common to say anything (1 % of 100,000); the search
# adds up at most MAX_KEYS of the rarest keys, and at most BUDGET entries of the index.
COMMON = 1000
MAX_KEYS = 14
BUDGET = 12000
# Candidates re-ranked in Python, and suggestions returned.
CANDIDATES = 60
SHOWN = 6
# "Nearby" is within NEAR_METRES.
NEAR_METRES = 200.0
# Cases above the mark read straight from the case table at most (newest first).
TAIL_LIMIT = 500


@dataclass(frozen=True)
class Query:
    address: str = ""
    text: str = ""
    lat: float | None = None
    lng: float | None = None

    @property
    def empty(self) -> bool:
        return (
            len(normalise(self.address)) < 2
            and len(normalise(self.text)) < 2
            and (self.lat is None or self.lng is None)
        )


@dataclass
class Suggestion:
    case_id: int
    score: float
    same_address: bool = False
    metres: float | None = None
    text_similarity: float = 0.0
    address_similarity: float = 0.0
    case: Any = None
    reasons: list[str] = field(default_factory=list)


def _dice(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


@dataclass(frozen=True)
class _Prepared:
    address: str
    address_pairs: set[str]
    text_pairs: set[str]
    lat: float | None
    lng: float | None
    weights: dict[int, float]  # key -> weight before the frequency test
    cells: set[int]


def _prepare(query: Query) -> _Prepared:
    address = normalise(query.address)[:200]
    text = normalise(query.text)[:TEXT_CHARS]
    address_pairs, text_pairs = pairs(address), pairs(text)
    weights: dict[int, float] = {}
    for p in text_pairs:
        weights[key_hash("t", p)] = 1.0
    for p in address_pairs:
        weights[key_hash("a", p)] = 2.0
    if len(address) >= 4:
        weights[key_hash("A", address)] = 8.0
    cells: set[int] = set()
    if query.lat is not None and query.lng is not None:
        row, col = cell_of(query.lat, query.lng)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                cells.add(key_hash("c", f"{row + dr},{col + dc}"))
    return _Prepared(address, address_pairs, text_pairs, query.lat, query.lng, weights, cells)


# The search's statements are written by hand: each is a lookup on a primary key, and
# building and compiling ORM queries cost the search more than the database did.


def _table(model: type[Any]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


def _marks(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def _frequencies(keys: Sequence[int]) -> dict[int, int]:
    """How many open cases hold each key (as of the last sync; one indexed lookup)."""
    if not keys:
        return {}
    key = connection.ops.quote_name("key")
    sql = f"SELECT {key}, docs FROM {_table(SuggestGram)} WHERE {key} IN ({_marks(keys)})"
    return {row[0]: row[1] for row in _fetch(sql, keys)}


def _current_mark() -> int:
    rows = _fetch(f"SELECT last_case_id FROM {_table(SuggestMark)} ORDER BY id LIMIT 1", [])
    return int(rows[0][0]) if rows else 0


def _searched_docs(ids: Sequence[int]) -> list[Doc]:
    if not ids:
        return []
    sql = (
        f"SELECT case_id, path, text, address, lat, lng FROM {_table(SuggestDoc)} "
        f"WHERE case_id IN ({_marks(ids)})"
    )
    return [Doc(*row) for row in _fetch(sql, ids)]


_CASE_READER: Reader | None = None
CASE_FIELDS = (
    "id", "type_key", "state", "tracking_code", "title", "region", "owner_unit", "address",
    "lat", "lng", "created_at",
)  # fmt: skip


def _shown_cases(ids: Sequence[int]) -> list[tuple[Case, str]]:
    """The open cases of these ids with their node (name, path) and unit (name): (case, path)."""
    global _CASE_READER
    if _CASE_READER is None:
        _CASE_READER = Reader(Case, CASE_FIELDS)
    reader = _CASE_READER
    sql = (
        f"SELECT {reader.columns('c')}, r.name, r.path, u.name FROM {_table(Case)} c "
        f"JOIN {_table(Region)} r ON r.id = c.region_id "
        f"LEFT JOIN {_table(Unit)} u ON u.id = c.owner_unit_id "
        f"WHERE c.id IN ({_marks(ids)}) AND c.clock <> %s"
    )
    found = []
    for row in _fetch(sql, [*ids, Clock.STOPPED]):
        case = reader.load(row)
        region_name, path, unit_name = row[reader.width :]
        case.region = Region(pk=case.region_id, name=region_name, path=path)
        if case.owner_unit_id is not None:
            case.owner_unit = Unit(pk=case.owner_unit_id, name=unit_name)
        found.append((case, path))
    return found


def _areas(prefixes: list[str]) -> list[int] | None:
    """The areas the user's nodes lie in; None when a node is a root (every area)."""
    if any(prefix.count("/") == 2 for prefix in prefixes):
        return None
    return sorted({area_of(prefix) for prefix in prefixes})


def _candidates(prepared: _Prepared, prefixes: list[str]) -> list[int]:
    """The best-scoring cases of the side table, by summed key weights."""
    counts = _frequencies(sorted({*prepared.weights, *prepared.cells}))
    weights: dict[int, float] = {}
    read = 0
    # The rarest keys first: they say most, and cost least to read.
    for key in sorted(counts, key=lambda k: (k not in prepared.cells, counts[k], k)):
        held = counts[key]
        if held >= COMMON or len(weights) >= MAX_KEYS or read + held > BUDGET:
            continue
        read += held
        if key in prepared.cells:
            weights[key] = 6.0
        else:
            # Rarer keys weigh more (the inverse document frequency of text search).
            weights[key] = prepared.weights[key] * math.log(COMMON / held + 1)
    if not weights:
        return []
    table = connection.ops.quote_name(SuggestEntry._meta.db_table)
    k = connection.ops.quote_name("key")
    keys = sorted(weights)
    cases = " ".join("WHEN %s THEN %s" for _ in keys)
    params: list[Any] = [value for key in keys for value in (key, weights[key])]
    marks = ", ".join("%s" for _ in keys)
    params += keys
    where = f"k.{k} IN ({marks})"
    areas = _areas(prefixes)
    limit = CANDIDATES
    if areas is not None:
        # The (key, area, case) index: only the entries of the user's streets are read.
        where += f" AND k.area IN ({', '.join('%s' for _ in areas)})"
        params += areas
        if any(prefix.count("/") > 3 for prefix in prefixes):
            limit *= 4  # a node below a street: more candidates before the path test
    sql = (
        f"SELECT k.case_id, SUM(CASE k.{k} {cases} ELSE 0 END) AS score FROM {table} k "
        f"WHERE {where} GROUP BY k.case_id ORDER BY score DESC, k.case_id DESC LIMIT {limit}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _score(prepared: _Prepared, doc: Doc) -> Suggestion:
    suggestion = Suggestion(case_id=doc.case_id, score=0.0)
    if prepared.address and doc.address:
        short, long = sorted((prepared.address, doc.address), key=len)
        suggestion.same_address = short == long or (len(short) >= 6 and short in long)
        suggestion.address_similarity = _dice(prepared.address_pairs, pairs(doc.address))
    if None not in (prepared.lat, prepared.lng, doc.lat, doc.lng):
        suggestion.metres = distance_m(prepared.lat, prepared.lng, doc.lat, doc.lng)  # type: ignore[arg-type]
    if prepared.text_pairs:
        suggestion.text_similarity = _dice(prepared.text_pairs, pairs(doc.text))
    near = 0.0
    if suggestion.metres is not None and suggestion.metres <= NEAR_METRES:
        near = 1.0 - suggestion.metres / (2 * NEAR_METRES)
    place = 1.0 if suggestion.same_address else suggestion.address_similarity
    suggestion.score = round(
        max(place, near) * 0.6 + suggestion.text_similarity * 0.4 + min(place, near) * 0.1, 4
    )
    return suggestion


def _relevant(suggestion: Suggestion) -> bool:
    near = suggestion.metres is not None and suggestion.metres <= NEAR_METRES
    return (
        suggestion.same_address
        or near
        or suggestion.address_similarity >= 0.5
        or suggestion.text_similarity >= 0.3
    )


def _reaches(user: Any, prefixes: list[str], path: str, unit_id: int | None) -> bool:
    """The engine's reach of a case (`cases_for`), asked of one row: the case's node lies in
    the user's nodes, or one of the user's units owns it."""
    return any(path.startswith(prefix) for prefix in prefixes) or (
        unit_id is not None and unit_id in unit_ids(user)
    )


def _tail(user: Any, prefixes: list[str], mark: int) -> list[Doc]:
    """Open cases above the mark (opened since the last sync), read from the case table: one
    statement on the primary key's range."""
    sql = (
        f"SELECT c.id, r.path, c.title, c.address, c.lat, c.lng, h.text, c.owner_unit_id "
        f"FROM {_table(Case)} c JOIN {_table(Region)} r ON r.id = c.region_id "
        f"LEFT JOIN {_table(HotlineCase)} h ON h.case_id = c.id "
        f"WHERE c.id > %s AND c.clock <> %s ORDER BY c.id DESC LIMIT {TAIL_LIMIT}"
    )
    return [
        Doc(pk, path, doc_text(title, extra or ""), normalise(address)[:200], lat, lng)
        for pk, path, title, address, lat, lng, extra, unit in _fetch(sql, [mark, Clock.STOPPED])
        if _reaches(user, prefixes, path, unit)
    ]


def suggest(user: Any, query: Query, *, exclude: Iterable[int] = ()) -> list[Suggestion]:
    """The open cases within the user's reach most like the call being typed, best first."""
    if query.empty:
        return []
    prefixes = scope_prefixes(user)
    if not prefixes:
        return []
    prepared = _prepare(query)
    ids = _candidates(prepared, prefixes)
    docs = [
        doc
        for doc in _searched_docs(ids)
        if any(doc.path.startswith(prefix) for prefix in prefixes)
    ]
    mark = _current_mark()
    seen = {doc.case_id for doc in docs}
    docs += [doc for doc in _tail(user, prefixes, mark) if doc.case_id not in seen]
    skip = set(exclude)
    scored = [_score(prepared, doc) for doc in docs if doc.case_id not in skip]
    ranked = sorted((s for s in scored if _relevant(s)), key=lambda s: (-s.score, -s.case_id))[
        : SHOWN * 2
    ]
    if not ranked:
        return []
    # The survivors, open ones within the engine's reach (the rule of `cases_for`).
    cases = {
        case.pk: case
        for case, path in _shown_cases([s.case_id for s in ranked])
        if _reaches(user, prefixes, path, case.owner_unit_id)
    }
    shown = []
    for suggestion in ranked:
        case = cases.get(suggestion.case_id)
        if case is None:
            continue
        suggestion.case = case
        shown.append(suggestion)
        if len(shown) == SHOWN:
            break
    return shown


def hotline_text(case_ids: Iterable[int]) -> dict[int, str]:
    """The request texts of hotline cases among these, for the suggestion list."""
    return dict(
        HotlineCase.objects.filter(case_id__in=list(case_ids)).values_list("case_id", "text")
    )
