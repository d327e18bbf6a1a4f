"""The case's owning unit, deadline and on-time verdict copied onto the incident row.

The indicators read, per incident of a period, three columns of its case (the unit that owns
it, the moment it is due, whether it was finished in time). Reading each case row by key costs
a random read per incident: for the quarter of a street that holds half a district of a
million incidents that was 62,000 of them. The incident row now carries the three, kept by
the database like the step columns (migration 0005), whatever code writes them:
- an incident inserted takes them from its case (PostgreSQL: before the row is written;
  SQLite, which cannot change the row in a BEFORE trigger: right after, only when they differ);
- an incident's case updated in one of them passes it on (the engine's transitions:
  dispatch to a unit, a postponement, the close; direct updates alike).
The application never writes them.
"""

import django.db.models.deletion
from django.db import migrations, models

from shequ.core.schema import run_for_vendor

COLUMNS = ("owner_unit_id", "due_at", "finished_on_time")
DIFFER = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COLUMNS)
SQLITE_DIFFER = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)
SET_FROM_NEW = ", ".join(f"{c} = NEW.{c}" for c in COLUMNS)
LIST = ", ".join(COLUMNS)

POSTGRESQL_CREATE = [
    f"""
CREATE OR REPLACE FUNCTION incident_case_copy() RETURNS trigger AS $$
BEGIN
    SELECT {LIST} INTO {", ".join(f"NEW.{c}" for c in COLUMNS)}
    FROM cases_case WHERE id = NEW.case_id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
""",
    """
CREATE TRIGGER incident_case_copy
    BEFORE INSERT ON incidents_incident
    FOR EACH ROW EXECUTE FUNCTION incident_case_copy();
""",
    f"""
CREATE OR REPLACE FUNCTION incident_case_follow() RETURNS trigger AS $$
BEGIN
    UPDATE incidents_incident SET {SET_FROM_NEW} WHERE case_id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    f"""
CREATE TRIGGER incident_case_follow
    AFTER UPDATE OF {LIST} ON cases_case
    FOR EACH ROW WHEN (NEW.type_key = 'incident' AND ({DIFFER}))
    EXECUTE FUNCTION incident_case_follow();
""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS incident_case_copy ON incidents_incident;",
    "DROP TRIGGER IF EXISTS incident_case_follow ON cases_case;",
    "DROP FUNCTION IF EXISTS incident_case_copy();",
    "DROP FUNCTION IF EXISTS incident_case_follow();",
]
SQLITE_CREATE = [
    f"""
CREATE TRIGGER incident_case_copy
AFTER INSERT ON incidents_incident
FOR EACH ROW WHEN EXISTS (
    SELECT 1 FROM cases_case c WHERE c.id = NEW.case_id
    AND ({" OR ".join(f"c.{c} IS NOT NEW.{c}" for c in COLUMNS)})
)
BEGIN
    UPDATE incidents_incident
    SET ({LIST}) = (SELECT {LIST} FROM cases_case WHERE id = NEW.case_id)
    WHERE case_id = NEW.case_id;
END;
""",
    f"""
CREATE TRIGGER incident_case_follow
AFTER UPDATE OF {LIST} ON cases_case
FOR EACH ROW WHEN NEW.type_key = 'incident' AND ({SQLITE_DIFFER})
BEGIN
    UPDATE incidents_incident SET {SET_FROM_NEW} WHERE case_id = NEW.id;
END;
""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS incident_case_copy;",
    "DROP TRIGGER IF EXISTS incident_case_follow;",
]
BACKFILL = {
    "postgresql": f"""
UPDATE incidents_incident i SET {", ".join(f"{c} = c.{c}" for c in COLUMNS)}
FROM cases_case c
WHERE c.id = i.case_id AND ({" OR ".join(f"c.{c} IS NOT NULL" for c in COLUMNS)})
""",
    "sqlite": f"""
UPDATE incidents_incident
SET ({LIST}) = (SELECT {LIST} FROM cases_case c WHERE c.id = incidents_incident.case_id)
""",
}


def create_triggers(apps, schema_editor):
    run_for_vendor(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor):
    run_for_vendor(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


def backfill(apps, schema_editor):
    sql = BACKFILL.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_incident_steps_backfill"),
        ("regions", "0004_assignment_per_unit"),
    ]

    operations = [
        migrations.AddField(
            model_name="incident",
            name="owner_unit",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="regions.unit",
            ),
        ),
        migrations.AddField(
            model_name="incident",
            name="due_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="incident",
            name="finished_on_time",
            field=models.BooleanField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
