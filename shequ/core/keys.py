"""Field-key rotation: re-seal every encrypted column under the current key.

Keys rotate without a flag day: the operator puts a new key first in FIELD_ENCRYPTION_KEYS
(every listed key still opens values), restarts, and runs `manage.py rotate_keys`, which calls
`reencrypt_all`. An old key may be removed once a run has re-sealed everything under it.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import models, transaction

from shequ.audit.models import Action
from shequ.audit.services import Target, audit_record
from shequ.lib import crypto

# Encrypted columns are TextFields named "<something>_enc" (see people.models).
SUFFIX = "_enc"


class RotationError(RuntimeError):
    """A stored value that no configured key opens: the rotation stops at that batch."""


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every concrete model of the project with its encrypted columns, in a stable order."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [
            field.attname
            for field in model._meta.local_concrete_fields
            if isinstance(field, models.TextField) and field.name.endswith(SUFFIX)
        ]
        if names:
            found.append((model, names))
    return sorted(found, key=lambda item: item[0]._meta.label_lower)


def _stale(names: list[str], prefix: str) -> models.Q:
    """Rows where one of the columns holds a value not sealed under the current key."""
    query = models.Q(pk__in=[])
    for name in names:
        query |= (
            ~models.Q(**{f"{name}__startswith": prefix})
            & ~models.Q(**{name: ""})
            & models.Q(**{f"{name}__isnull": False})
        )
    return query


def _reseal_model(
    model: type[models.Model], names: list[str], batch: int, counts: dict[str, int]
) -> None:
    key_id = crypto.current_key_id()
    prefix = f"{crypto.VERSION}:{key_id}:"
    label = model._meta.label_lower
    stale = model._base_manager.filter(_stale(names, prefix)).order_by("pk")
    last_pk: Any = None
    while True:
        # One transaction per batch with the rows locked, so that a write made meanwhile is
        # neither lost nor overwritten by its older value.
        with transaction.atomic():
            rows = stale if last_pk is None else stale.filter(pk__gt=last_pk)
            page = list(rows.select_for_update().only("pk", *names)[:batch])
            if not page:
                return
            for row in page:
                for name in names:
                    token = getattr(row, name)
                    if not token or token.startswith(prefix):
                        continue
                    try:
                        plain = crypto.decrypt(token)
                    except crypto.DecryptionError as exc:
                        raise RotationError(f"{label} #{row.pk} {name}: {exc}") from exc
                    setattr(row, name, crypto.encrypt(plain))
                    counts[f"{label}.{name}"] += 1
            model._base_manager.bulk_update(page, names, batch_size=batch)
        last_pk = page[-1].pk


def reencrypt_all(batch: int = 1000, *, actor: Any = None) -> dict[str, int]:
    """Re-seal every non-empty encrypted value not yet under the current key.

    Returns the number of values re-sealed per column ("people.person.phone_enc"), zero for
    columns that needed nothing, and records one audit event with these counts. Each batch
    commits on its own: a run that stops part-way (a value no configured key opens raises
    `RotationError`) can simply be run again.
    """
    counts: dict[str, int] = {}
    for model, names in encrypted_fields():
        for name in names:
            counts[f"{model._meta.label_lower}.{name}"] = 0
        _reseal_model(model, names, batch, counts)
    key_id = crypto.current_key_id()
    audit_record(
        actor=actor,
        action=Action.ROTATE,
        obj=Target("core.keys", key_id, "field keys"),
        changes={"resealed": counts, "total": sum(counts.values())},
    )
    return counts


def next_key_id(raw: str) -> str:
    """A key id not yet used in FIELD_ENCRYPTION_KEYS: k1, k2, ... after the highest kN."""
    ids = {item.strip().partition(":")[0] for item in raw.split(",") if item.strip()}
    numbers = [int(key[1:]) for key in ids if key[:1] == "k" and key[1:].isdigit()]
    number = max(numbers, default=0) + 1
    while f"k{number}" in ids:
        number += 1
    return f"k{number}"
