# The deadline scan's index without `alert`, and room on each page of the case table for
# the scan's updates: on PostgreSQL raising an alert becomes a HOT update (the new row
# version on the same page, no index entry), instead of an entry in each of the table's
# indexes. The fill factor applies to pages written from now on; an existing table gets it
# for all its pages after `VACUUM FULL cases_case` (docs/decisions.md).

from typing import Any

from django.db import migrations, models

FILL_FACTOR = 85


def set_fill_factor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE cases_case SET (fillfactor = {FILL_FACTOR})")


def reset_fill_factor(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE cases_case RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_place"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="case_scan",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["clock", "due_date"], name="case_due"),
        ),
        migrations.RunPython(set_fill_factor, reset_fill_factor),
    ]
