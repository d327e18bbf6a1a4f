"""Writing to the audit log and verifying its chain.

Call `audit_record` inside the same transaction as the write it describes: the event lands
with the change or not at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from shequ.audit.models import AuditEvent, AuditHead
from shequ.core.sql import insert_row, pg_type, prepared_cursor
from shequ.core.sql_write import KeyOf

# Field names whose values must never reach the log: encrypted columns and their hashes.
SECRET_SUFFIXES = ("_enc", "_hash", "password")


def _canonical(event: AuditEvent) -> bytes:
    return ("[" + ",".join(_canonical_items(event)) + "]").encode()


def _canonical_items(event: AuditEvent) -> list[str]:
    """The JSON of each item of the hashed list (`json.dumps` of the whole list joins them
    with commas between brackets): the previous hash first, the object's key eighth."""
    at = event.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    payload = [
        event.prev_hash,
        at,
        event.actor_id,
        event.actor_kind,
        event.actor_name,
        event.action,
        event.object_type,
        event.object_id,
        event.object_repr,
        event.region_path,
        event.changes,
        event.reason,
        event.ip,
    ]
    return [_JSON.encode(item) for item in payload]


# What `json.dumps(..., ensure_ascii=False, sort_keys=True, separators=(",", ":"))` uses.
_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(_canonical(event)).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _actor(actor: Any) -> tuple[int | None, str, str]:
    if actor is None:
        return None, "system", "system"
    from shequ.accounts.models import Resident

    if isinstance(actor, Resident):
        return actor.pk, "resident", f"{actor.name} {actor.phone_masked}"
    if getattr(actor, "is_authenticated", False):
        return actor.pk, "staff", str(actor.get_username())
    return None, "anonymous", "anonymous"


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """Changed fields as {"field": [old, new]}; secret fields as {"field": "changed"}."""
    changes: dict[str, Any] = {}
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        if name.endswith(SECRET_SUFFIXES):
            changes[name.removesuffix("_enc")] = "changed"
        else:
            changes[name] = [_plain(old), _plain(new)]
    return changes


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


@dataclass(frozen=True)
class Target:
    """What an event is about, when it is not a model instance."""

    object_type: str
    object_id: str = ""
    object_repr: str = ""
    region_path: str = ""


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | Target | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    region_path: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Runs in (or opens) a transaction and locks the head."""
    draft = audit_draft(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes,
        reason=reason,
        request=request,
        region_path=region_path,
    )
    # No savepoint of its own: the event stands or falls with the write it describes.
    with transaction.atomic(savepoint=False):
        return audit_append(draft)


@dataclass
class Draft:
    """An event made ahead of its append: all but its place in the chain.

    A model instance not yet saved may be the object: its key is read at the append.
    """

    event: AuditEvent
    obj: models.Model | None


def audit_draft(
    *,
    actor: Any,
    action: str,
    obj: models.Model | Target | None = None,
    changes: Mapping[str, Any] | None = None,
    reason: str = "",
    request: HttpRequest | None = None,
    region_path: str | None = None,
) -> Draft:
    """The event `audit_record` would append, built now (before the write transaction)."""
    actor_id, actor_kind, actor_name = _actor(actor)
    instance = None
    if isinstance(obj, Target):
        object_type, object_id, object_repr = obj.object_type, obj.object_id, obj.object_repr
        path = obj.region_path
    elif obj is not None:
        instance = obj
        object_type = obj._meta.label_lower
        object_id = str(obj.pk)
        object_repr = str(obj)[:200]
        path = _region_path_of(obj)
    else:
        object_type = object_id = object_repr = path = ""
    if region_path is not None:
        path = region_path
    event = AuditEvent(
        at=timezone.now(),
        actor_id=actor_id,
        actor_kind=actor_kind,
        actor_name=actor_name[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        region_path=path,
        changes=dict(changes or {}),
        reason=reason[:500],
        ip=client_ip(request),
    )
    return Draft(event, instance)


def audit_append(draft: Draft, *, last: bool = False) -> AuditEvent:
    """Append a drafted event to the chain, in the caller's transaction.

    On PostgreSQL one statement locks the head, inserts the event with its hash (computed
    by the database over the same canonical text) and advances the head. With `last` (the
    caller's transaction writes nothing after it and schedules nothing on its commit) the
    transaction commits without waiting for its WAL to reach the disk, which releases the
    head's lock at once, and the WAL is flushed right after the commit, before the caller
    goes on (`_flush_wal`): what the caller then reports is on disk, and concurrent appends
    do not queue behind each other's disk writes. Elsewhere the head is read (the write
    transaction holds the database's one write lock), the hash computed here, the event
    inserted and the head advanced.
    """
    event = draft.event
    if draft.obj is not None:
        event.object_id = str(draft.obj.pk)
    if connection.vendor == "postgresql" and _append_in_database(event, last=last):
        return event
    event.prev_hash = _lock_head()
    event.hash = event_hash(event)
    insert_row(event)
    with connection.cursor() as cursor:
        cursor.execute(_ADVANCE_HEAD, [event.hash])
    return event


_ADVANCE_HEAD = "UPDATE audit_audithead SET last_hash = %s, count = count + 1 WHERE id = 1"
_APPEND_SQL: list[str] = []
# Transaction-local: this transaction's COMMIT does not wait for the disk.
_ASYNC_SETTING = "SELECT set_config('synchronous_commit', 'off', true)"
_ASYNC_COMMIT = f"WITH a AS ({_ASYNC_SETTING}), "


def _flush_wal() -> None:
    """Wait until the WAL is on disk up to now (a transactional WAL record, committed
    synchronously: PostgreSQL flushes the WAL in order, so earlier commits with it)."""
    with prepared_cursor() as cursor:
        cursor.execute("SELECT pg_logical_emit_message(true, 'shequ', 'flush')")


def _append_sql() -> str:
    if not _APPEND_SQL:
        quote = connection.ops.quote_name
        fields = [
            cast(models.Field, f) for f in AuditEvent._meta.concrete_fields if not f.primary_key
        ]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        digest = "encode(sha256(convert_to(%s || h.last_hash || %s, 'UTF8')), 'hex')"
        values = ", ".join(
            "h.last_hash"
            if f.name == "prev_hash"
            else digest
            if f.name == "hash"
            else f"CAST(%s AS {pg_type(f)})"  # typed: the statement is bound on the server
            for f in fields
        )
        table = quote(AuditEvent._meta.db_table)
        _APPEND_SQL.append(
            "WITH h AS (SELECT last_hash FROM audit_audithead WHERE id = 1 FOR UPDATE), "
            f"e AS (INSERT INTO {table} ({columns}) SELECT {values} FROM h "
            "RETURNING id, prev_hash, hash) "
            "UPDATE audit_audithead SET last_hash = e.hash, count = audit_audithead.count + 1 "
            "FROM e WHERE audit_audithead.id = 1 RETURNING e.id, e.prev_hash, e.hash"
        )
    return _APPEND_SQL[0]


def _append_in_database(event: AuditEvent, *, last: bool) -> bool:
    """The PostgreSQL append in one statement; False when the head row does not exist yet.

    The canonical text is `["<previous hash>",` followed by the rest of `_canonical`'s list:
    the database puts the head's hash in between and hashes it with the same SHA-256.
    """
    event.prev_hash = ""
    rest = _canonical(event)
    start = b'["",'
    assert rest.startswith(start)
    tail = rest[len(start) :].decode()
    params: list[Any] = []
    db = connections[DEFAULT_DB_ALIAS]
    for f in AuditEvent._meta.concrete_fields:
        if f.primary_key or f.name == "prev_hash":
            continue
        if f.name == "hash":
            params += ['["', '",' + tail]
        else:
            field = cast(models.Field, f)
            params.append(field.get_db_prep_save(field.pre_save(event, True), db))
    sql = _append_sql()
    if last:
        sql = _ASYNC_COMMIT + sql.removeprefix("WITH ").replace(" FROM h ", " FROM h, a ", 1)
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if last:
        transaction.on_commit(_flush_wal)
    if row is None:
        return False
    event.pk, event.prev_hash, event.hash = row
    event._state.adding = False
    event._state.db = connection.alias
    return True


class AuditAppend:
    """The append of a drafted event as a piece of `core.sql_write.insert_all`: on PostgreSQL the
    rows, the event and the head's advance are one statement, the event's object key read
    from its row there (the event is written only with the rows); elsewhere `audit_append`
    after the rows, in their transaction. `last` as for `audit_append`.
    """

    def __init__(self, draft: Draft, *, last: bool = False) -> None:
        self.draft = draft
        self.last = last

    def _ref(self, key_of: KeyOf) -> tuple[str, str] | None:
        return key_of(self.draft.obj) if self.draft.obj is not None else None

    def shape(self, key_of: KeyOf) -> Hashable:
        return ("audit", self.last, self._ref(key_of))

    def condition(self) -> str:
        # The head row is made by the first event ever, through `audit_append`.
        return "EXISTS (SELECT 1 FROM audit_audithead WHERE id = 1)"

    def ctes(self, key_of: KeyOf) -> list[str]:
        ref = self._ref(key_of)
        quote = connection.ops.quote_name
        fields = _event_fields()
        key = f"CAST({ref[1]} AS text)" if ref is not None else None
        parts = ["%s", "audit_h.last_hash", "%s", *([key, "%s"] if key else [])]
        digest = f"encode(sha256(convert_to({' || '.join(parts)}, 'UTF8')), 'hex')"
        values = []
        for f in fields:
            if f.name == "prev_hash":
                values.append("audit_h.last_hash")
            elif f.name == "hash":
                values.append(digest)
            elif f.name == "object_id" and key is not None:
                values.append(f"CAST({key} AS varchar)")
            else:
                values.append(f"CAST(%s AS {pg_type(f)})")
        sources = ["audit_h", *([ref[0]] if ref else []), *(["audit_a"] if self.last else [])]
        columns = ", ".join(quote(str(f.column)) for f in fields)
        table = quote(AuditEvent._meta.db_table)
        return [
            *([f"audit_a AS ({_ASYNC_SETTING})"] if self.last else []),
            "audit_h AS (SELECT last_hash FROM audit_audithead WHERE id = 1 FOR UPDATE)",
            f"audit_e AS (INSERT INTO {table} ({columns}) SELECT {', '.join(values)} "
            f"FROM {', '.join(sources)} RETURNING id, prev_hash, hash)",
            "audit_u AS (UPDATE audit_audithead SET last_hash = audit_e.hash, "
            "count = audit_audithead.count + 1 FROM audit_e WHERE audit_audithead.id = 1)",
        ]

    def params(self, key_of: KeyOf) -> list[Any]:
        event = self.draft.event
        by_key = self._ref(key_of) is not None
        event.prev_hash = ""
        items = _canonical_items(event)
        if by_key:  # the key, eighth in the list, is the row's: put in by the database
            pieces = ['["', '",' + ",".join(items[1:7]) + ',"', '",' + ",".join(items[8:]) + "]"]
        else:
            pieces = ['["', '",' + ",".join(items[1:]) + "]"]
        db = connections[DEFAULT_DB_ALIAS]
        params: list[Any] = []
        for f in _event_fields():
            if f.name == "hash":
                params += pieces
            elif f.name != "prev_hash" and not (f.name == "object_id" and by_key):
                params.append(f.get_db_prep_save(f.pre_save(event, True), db))
        return params

    def columns(self) -> list[str]:
        return [f"(SELECT {name} FROM audit_e)" for name in ("id", "prev_hash", "hash")]

    def done(self, values: Sequence[Any]) -> None:
        event = self.draft.event
        event.pk, event.prev_hash, event.hash = values
        if self.draft.obj is not None:
            event.object_id = str(self.draft.obj.pk)
        event._state.adding = False
        event._state.db = connection.alias
        if self.last:
            transaction.on_commit(_flush_wal)

    def run(self) -> None:
        audit_append(self.draft, last=self.last)


def _event_fields() -> list[models.Field[Any, Any]]:
    return [cast(models.Field, f) for f in AuditEvent._meta.concrete_fields if not f.primary_key]


def _lock_head() -> str:
    """The chain's last hash, its head row locked until the transaction ends.

    On SQLite the write transaction (BEGIN IMMEDIATE) already holds the database's one write
    lock; on PostgreSQL the row lock queues concurrent appends. The head row is made by the
    first event ever.
    """
    sql = "SELECT last_hash FROM audit_audithead WHERE id = 1"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    if row is not None:
        return str(row[0])
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    return head.last_hash


def _region_path_of(obj: models.Model) -> str:
    path = getattr(obj, "path", None)
    if isinstance(path, str) and obj._meta.model_name == "region":
        return path
    region = getattr(obj, "region", None)
    return getattr(region, "path", "") if region is not None else ""


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_broken_id: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None and not self.problem


def audit_verify(batch: int = 5000) -> ChainReport:
    """Recompute the chain from the first event; report the first row that does not fit."""
    prev = "0" * 64
    checked = 0
    last_id = 0
    while True:
        rows = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            break
        for event in rows:
            if event.prev_hash != prev:
                return ChainReport(checked, event.pk, "previous hash does not match")
            if event_hash(event) != event.hash:
                return ChainReport(checked, event.pk, "content does not match its hash")
            prev = event.hash
            checked += 1
            last_id = event.pk
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash != prev or head.count != checked):
        return ChainReport(checked, None, "the chain head does not match the last event")
    return ChainReport(checked, None, "")
