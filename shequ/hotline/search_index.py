"""The duplicate suggestion's side table: every open case as search keys, kept by the sync.

Every open case (of every type: incidents, applications, hotline requests) is kept in a side
table as search keys: the character pairs of its text and of its address, its whole normalised
address, and the cell of its point (about 100 m). `suggest_sync` (every minute) takes in the
open cases above a mark and prunes finished ones; `suggest_rebuild` empties and refills the
table. The search itself is in `shequ.hotline.search`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from shequ.cases.models import Case, Clock
from shequ.core.sql import insert_rows
from shequ.hotline.models import SuggestDoc, SuggestEntry, SuggestGram, SuggestMark

# Map cells of CELL degrees (about 110 m north-south).
CELL = 0.001
# The sync leaves the mark this far behind the newest case, so a transaction that committed
# late (its case id is lower than one already seen) is still taken in by the next sync.
SETTLE = dt.timedelta(minutes=2)
TEXT_CHARS = 200

_DROP = re.compile(r"[^0-9a-z\u3400-\u9fff\U00020000-\U0002ffff]+")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, only letters, digits and Chinese characters."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def pairs(text: str) -> set[str]:
    """The character pairs of a normalised text (a single character stands for itself)."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def key_hash(kind: str, token: str) -> int:
    digest = hashlib.blake2b(f"{kind}:{token}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def cell_of(lat: float, lng: float) -> tuple[int, int]:
    return math.floor(lat / CELL), math.floor(lng / CELL)


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Metres between two points (equirectangular: exact enough below a few kilometres)."""
    x = math.radians(lng2 - lng1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6_371_000 * math.hypot(x, y)


@dataclass(frozen=True)
class Doc:
    """What the search knows of a case: normalised text and address, point, node path."""

    case_id: int
    path: str
    text: str
    address: str
    lat: float | None
    lng: float | None

    def search_keys(self) -> set[int]:
        keys = {key_hash("t", p) for p in pairs(self.text)}
        keys |= {key_hash("a", p) for p in pairs(self.address)}
        if len(self.address) >= 4:
            keys.add(key_hash("A", self.address))
        if self.lat is not None and self.lng is not None:
            row, col = cell_of(self.lat, self.lng)
            keys.add(key_hash("c", f"{row},{col}"))
        return keys


def doc_text(title: str, extra: str) -> str:
    text = normalise(title)
    more = normalise(extra)
    if more and more not in text:
        text = f"{text}{more}"
    return text[:TEXT_CHARS]


def _docs_from_cases(cases: QuerySet[Case]) -> list[Doc]:
    """Docs of cases read as plain rows, with the hotline request's text where there is one."""
    rows = list(
        cases.values_list("id", "region__path", "title", "address", "lat", "lng", "hotline__text")
    )
    return [
        Doc(pk, path, doc_text(title, extra or ""), normalise(address)[:200], lat, lng)
        for pk, path, title, address, lat, lng, extra in rows
    ]


def area_of(path: str) -> int:
    """The area of a node's path: the street it lies in, or the root for the root itself."""
    parts = [int(part) for part in path.strip("/").split("/") if part]
    return parts[1] if len(parts) > 1 else parts[0]


def _stored_docs(ids: Sequence[int]) -> list[Doc]:
    rows = SuggestDoc.objects.filter(case_id__in=list(ids)).values_list(
        "case_id", "path", "text", "address", "lat", "lng"
    )
    return [Doc(*row) for row in rows]


def _delete(ids: Sequence[int], counts: Counter[int]) -> None:
    """Remove these cases' rows, counting their keys out of `counts`."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for doc in _stored_docs(chunk):
            counts.subtract(doc.search_keys())
        SuggestEntry.objects.filter(case_id__in=chunk).delete()
        SuggestDoc.objects.filter(case_id__in=chunk).delete()


def _grams(counts: Counter[int]) -> None:
    """Add the changes of the keys' case counts (one UPSERT per few hundred keys)."""
    changes = [(key, value) for key, value in counts.items() if value]
    if not changes:
        return
    quote = connection.ops.quote_name
    table = quote(SuggestGram._meta.db_table)
    key, docs = quote("key"), quote("docs")
    with connection.cursor() as cursor:
        for start in range(0, len(changes), 400):
            chunk = changes[start : start + 400]
            values = ", ".join(["(%s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({key}, {docs}) VALUES {values} ON CONFLICT ({key}) "
                f"DO UPDATE SET {docs} = {table}.{docs} + excluded.{docs}",
                [value for row in chunk for value in row],
            )
        cursor.execute(f"DELETE FROM {table} WHERE {docs} <= 0")


def _write(docs: Sequence[Doc]) -> None:
    """Replace the side-table rows of these cases (call inside the sync's transaction)."""
    counts: Counter[int] = Counter()
    _delete([doc.case_id for doc in docs], counts)
    # Plain multi-row INSERTs: a rebuild writes millions of keys, and building model
    # instances for them cost ten times the database's own work.
    insert_rows(
        SuggestDoc,
        ("case", "path", "text", "address", "lat", "lng"),
        [(d.case_id, d.path, d.text, d.address, d.lat, d.lng) for d in docs],
    )
    entries = []
    for doc in docs:
        keys = doc.search_keys()
        counts.update(keys)
        area = area_of(doc.path)
        entries += [(key, area, doc.case_id) for key in sorted(keys)]
    insert_rows(SuggestEntry, ("key", "area", "case"), entries)
    _grams(counts)


def suggest_forget(case_ids: Iterable[int]) -> int:
    """Take cases out of the side table (they finished)."""
    ids = list(case_ids)
    counts: Counter[int] = Counter()
    _delete(ids, counts)
    _grams(counts)
    return len(ids)


def _mark() -> SuggestMark:
    """The mark's row, locked: one sync at a time (the sync is the table's only writer)."""
    mark = SuggestMark.objects.select_for_update().order_by("pk").first()
    return mark if mark is not None else SuggestMark.objects.create(last_case_id=0)


@dataclass(frozen=True)
class SyncResult:
    indexed: int
    pruned: int
    mark: int


@transaction.atomic
def suggest_sync(batch: int = 5000) -> SyncResult:
    """Take in the open cases above the mark, prune finished ones, move the mark on.

    The mark stops short of cases opened in the last SETTLE, so a case whose transaction
    committed after a higher one is not skipped; those recent cases are indexed again next
    time (the write replaces their rows).
    """
    mark = _mark()
    indexed = 0
    last = new_mark = mark.last_case_id
    settled = timezone.now() - SETTLE
    frozen = False
    while True:
        rows = list(
            Case.objects.filter(pk__gt=last)
            .order_by("pk")
            .values_list("id", "clock", "created_at")[:batch]
        )
        if not rows:
            break
        open_ids = [pk for pk, clock, _at in rows if clock != Clock.STOPPED]
        docs = _docs_from_cases(Case.objects.filter(pk__in=open_ids))
        _write(docs)
        indexed += len(docs)
        for pk, _clock, at in rows:
            frozen = frozen or at > settled
            if not frozen:
                new_mark = pk
        last = rows[-1][0]
    stopped = list(
        SuggestDoc.objects.filter(case__clock=Clock.STOPPED).values_list("case_id", flat=True)
    )
    pruned = suggest_forget(stopped)
    mark.last_case_id = new_mark
    mark.synced_at = timezone.now()
    mark.save(update_fields=["last_case_id", "synced_at"])
    return SyncResult(indexed=indexed, pruned=pruned, mark=new_mark)


@transaction.atomic
def suggest_rebuild() -> SyncResult:
    """Empty the side table and take in every open case again (`manage.py hotline_suggest`)."""
    mark = _mark()
    SuggestEntry.objects.all().delete()
    SuggestDoc.objects.all().delete()
    SuggestGram.objects.all().delete()
    mark.last_case_id = 0
    mark.save(update_fields=["last_case_id"])
    return suggest_sync()
