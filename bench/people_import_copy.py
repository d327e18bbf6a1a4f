"""Empty copies of the person and household tables (same columns, indexes and keys) for the
bare INSERT the import is compared with."""

from __future__ import annotations

from typing import Any


def table_copy_model(model: Any, table: str) -> Any:
    """An unmanaged-looking copy of `model` in the table `table`: its local fields (foreign
    keys still pointing at the real tables) and its Meta indexes, renamed to be unique."""
    from django.db import models

    attrs: dict[str, Any] = {"__module__": __name__}
    for field in model._meta.local_fields:
        _name, _path, args, kwargs = field.deconstruct()
        if isinstance(field, models.ForeignKey):
            kwargs["related_name"] = "+"
        attrs[field.name] = type(field)(*args, **kwargs)
    indexes = [
        models.Index(fields=list(index.fields), name=f"b{number}_{table}"[:30])
        for number, index in enumerate(model._meta.indexes)
    ]
    attrs["Meta"] = type(
        "Meta", (), {"app_label": model._meta.app_label, "db_table": table, "indexes": indexes}
    )
    name = "".join(part.title() for part in table.split("_"))
    return type(name, (models.Model,), attrs)


def person_copy_model() -> Any:
    from shequ.people.models import Person

    return table_copy_model(Person, "bench_import_person_copy")


def household_copy_model() -> Any:
    from shequ.people.models import Household

    return table_copy_model(Household, "bench_import_household_copy")
