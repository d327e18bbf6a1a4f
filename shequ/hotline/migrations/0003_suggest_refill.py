"""The side table's keys moved to a new table: the next sync takes every open case in again."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def refill(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("hotline", "SuggestDoc").objects.all().delete()
    apps.get_model("hotline", "SuggestMark").objects.update(last_case_id=0)


class Migration(migrations.Migration):
    dependencies = [("hotline", "0002_suggest_entries")]

    operations = [migrations.RunPython(refill, migrations.RunPython.noop)]
