"""The incident's node on its own row, filled by the database, and the index of the figures.

`Incident.region` copies `case.region` (an incident's node never changes). A trigger fills it
on every INSERT that leaves it empty, so every path that writes incidents (the report service,
imports, bulk loads) keeps it without knowing about it; the indicators and the map then read
one node's incidents of a period off the index (region, reported_at) alone.
"""

import django.db.models.deletion
from django.db import migrations, models

POSTGRESQL_CREATE = """
CREATE OR REPLACE FUNCTION incident_region_fill() RETURNS trigger AS $$
BEGIN
    IF NEW.region_id IS NULL THEN
        SELECT region_id INTO NEW.region_id FROM cases_case WHERE id = NEW.case_id;
        IF NEW.region_id IS NULL THEN
            RAISE EXCEPTION 'an incident has no case to take its region from';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER incident_region_fill
    BEFORE INSERT ON incidents_incident
    FOR EACH ROW EXECUTE FUNCTION incident_region_fill();
"""
POSTGRESQL_DROP = """
DROP TRIGGER IF EXISTS incident_region_fill ON incidents_incident;
DROP FUNCTION IF EXISTS incident_region_fill();
"""
# SQLite cannot change NEW in a BEFORE trigger: the row is completed right after its INSERT,
# in the same statement's transaction.
SQLITE_CREATE = """
CREATE TRIGGER incident_region_fill
AFTER INSERT ON incidents_incident
FOR EACH ROW WHEN NEW.region_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'incident has no case to take its region from')
    WHERE NOT EXISTS (SELECT 1 FROM cases_case WHERE id = NEW.case_id);
    UPDATE incidents_incident
    SET region_id = (SELECT region_id FROM cases_case WHERE id = NEW.case_id)
    WHERE case_id = NEW.case_id;
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS incident_region_fill;"


def create_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRESQL_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_case_place"),
        ("incidents", "0002_incident_loop"),
        ("regions", "0004_assignment_per_unit"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="region",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="regions.region",
                verbose_name="region",
            ),
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(fields=["region", "reported_at"], name="incident_region_reported"),
        ),
        migrations.RunPython(create_trigger, drop_trigger),
    ]
