"""An empty copy of the person table (same columns, indexes and keys) for the bare INSERT."""

from __future__ import annotations

from typing import Any


def person_copy_model() -> Any:
    from django.db import models

    from shequ.people.models import Person

    attrs: dict[str, Any] = {"__module__": __name__}
    for field in Person._meta.local_fields:
        _name, _path, args, kwargs = field.deconstruct()
        if isinstance(field, models.ForeignKey):
            kwargs["related_name"] = "+"
        attrs[field.name] = type(field)(*args, **kwargs)
    attrs["Meta"] = type(
        "Meta", (), {"app_label": "people", "db_table": "bench_import_person_copy"}
    )
    return type("BenchImportPersonCopy", (models.Model,), attrs)
