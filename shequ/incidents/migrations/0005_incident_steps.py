"""The moments of the steps the indicators read, on the incident row, kept by the database.

`Incident.filed_at` … `closed_at` copy from the case's timeline (`cases_caseevent`) the first
"file" and "dispatch" and the last "not_file", "feedback", "check_fail", "approve_postpone"
and "close": the MIN and MAX the indicators used to compute per incident over the timeline.
Triggers on the timeline table keep them, so every path that writes an event (the engine's
services, imports, bulk loads) keeps them without knowing about them:

- a new event of one of those actions moves its column when it is earlier (first) or later
  (last) than what the column holds; the UPDATE is by the incident's key (its case), and for
  a case that is not an incident it matches no row;
- an event whose case, action or time is changed, or that is deleted (the timeline is
  append-only, but the demo moves its events into the past), has its case's columns counted
  again from the timeline.

On PostgreSQL the incident table leaves room on each page (fill factor 85, as the case table
does) so that these updates, which touch no indexed column, are HOT: the new row version on the
same page, no index entry. The SQL lives here, frozen with the migration; migration 0006 fills
the incidents that exist.
"""

from django.db import migrations, models

from shequ.core.schema import run_for_vendor

# Column, action, and whether it keeps the first (MIN) or the last (MAX) moment.
STEPS = (
    ("filed_at", "file", "first"),
    ("not_filed_at", "not_file", "last"),
    ("dispatched_at", "dispatch", "first"),
    ("handled_at", "feedback", "last"),
    ("check_failed_at", "check_fail", "last"),
    ("postponed_at", "approve_postpone", "last"),
    ("closed_at", "close", "last"),
)
ACTIONS = ", ".join(f"'{action}'" for _column, action, _which in STEPS)
COLUMNS = ", ".join(column for column, _action, _which in STEPS)


def _moves(column: str, which: str) -> str:
    """The condition under which NEW.at replaces what the column holds."""
    return f"({column} IS NULL OR {column} {'>' if which == 'first' else '<'} NEW.at)"


def _set_one(column: str, which: str) -> str:
    return (
        f"UPDATE incidents_incident SET {column} = NEW.at "
        f"WHERE case_id = NEW.case_id AND {_moves(column, which)};"
    )


# Every column of the incidents named by `where`, counted again from the timeline.
RECOUNT = (
    f"UPDATE incidents_incident SET ({COLUMNS}) = (SELECT "
    + ", ".join(
        f"{'MIN' if which == 'first' else 'MAX'}(CASE WHEN e.action = '{action}' THEN e.at END)"
        for _column, action, which in STEPS
    )
    + f" FROM cases_caseevent e WHERE e.case_id = incidents_incident.case_id"
    f" AND e.action IN ({ACTIONS})) WHERE {{where}};"
)

POSTGRESQL_CREATE = [
    """
CREATE OR REPLACE FUNCTION incident_steps_insert() RETURNS trigger AS $$
BEGIN
    CASE NEW.action
"""
    + "".join(
        f"    WHEN '{action}' THEN\n        {_set_one(column, which)}\n"
        for column, action, which in STEPS
    )
    + """    ELSE NULL;
    END CASE;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    f"""
CREATE TRIGGER incident_steps_insert
    AFTER INSERT ON cases_caseevent
    FOR EACH ROW WHEN (NEW.action IN ({ACTIONS}))
    EXECUTE FUNCTION incident_steps_insert();
""",
    # NEW is null in a DELETE trigger: `IN` then matches on OLD's case alone.
    """
CREATE OR REPLACE FUNCTION incident_steps_recount() RETURNS trigger AS $$
BEGIN
    """
    + RECOUNT.format(where="case_id IN (OLD.case_id, NEW.case_id)")
    + """
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
""",
    f"""
CREATE TRIGGER incident_steps_update
    AFTER UPDATE OF case_id, action, at ON cases_caseevent
    FOR EACH ROW WHEN ((OLD.action IN ({ACTIONS}) OR NEW.action IN ({ACTIONS}))
        AND (OLD.case_id, OLD.action, OLD.at) IS DISTINCT FROM (NEW.case_id, NEW.action, NEW.at))
    EXECUTE FUNCTION incident_steps_recount();
""",
    f"""
CREATE TRIGGER incident_steps_delete
    AFTER DELETE ON cases_caseevent
    FOR EACH ROW WHEN (OLD.action IN ({ACTIONS}))
    EXECUTE FUNCTION incident_steps_recount();
""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS incident_steps_insert ON cases_caseevent;",
    "DROP TRIGGER IF EXISTS incident_steps_update ON cases_caseevent;",
    "DROP TRIGGER IF EXISTS incident_steps_delete ON cases_caseevent;",
    "DROP FUNCTION IF EXISTS incident_steps_insert();",
    "DROP FUNCTION IF EXISTS incident_steps_recount();",
]
# SQLite: one insert trigger per action, so that an event runs the one UPDATE of its column.
SQLITE_CREATE = [
    f"""
CREATE TRIGGER incident_steps_{action}
AFTER INSERT ON cases_caseevent
FOR EACH ROW WHEN NEW.action = '{action}'
BEGIN
    {_set_one(column, which)}
END;
"""
    for column, action, which in STEPS
] + [
    f"""
CREATE TRIGGER incident_steps_update
AFTER UPDATE OF case_id, action, at ON cases_caseevent
FOR EACH ROW WHEN (OLD.action IN ({ACTIONS}) OR NEW.action IN ({ACTIONS}))
    AND (OLD.case_id IS NOT NEW.case_id OR OLD.action IS NOT NEW.action OR OLD.at IS NOT NEW.at)
BEGIN
    {RECOUNT.format(where="case_id IN (OLD.case_id, NEW.case_id)")}
END;
""",
    f"""
CREATE TRIGGER incident_steps_delete
AFTER DELETE ON cases_caseevent
FOR EACH ROW WHEN OLD.action IN ({ACTIONS})
BEGIN
    {RECOUNT.format(where="case_id = OLD.case_id")}
END;
""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS incident_steps_{action};" for _column, action, _which in STEPS
] + [
    "DROP TRIGGER IF EXISTS incident_steps_update;",
    "DROP TRIGGER IF EXISTS incident_steps_delete;",
]


def create_triggers(apps, schema_editor):
    run_for_vendor(schema_editor, {"postgresql": POSTGRESQL_CREATE, "sqlite": SQLITE_CREATE})


def drop_triggers(apps, schema_editor):
    run_for_vendor(schema_editor, {"postgresql": POSTGRESQL_DROP, "sqlite": SQLITE_DROP})


def set_fill_factor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE incidents_incident SET (fillfactor = 85)")


def reset_fill_factor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE incidents_incident RESET (fillfactor)")


def _column(name):
    return migrations.AddField(
        model_name="incident",
        name=name,
        field=models.DateTimeField(blank=True, editable=False, null=True),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_deadline_scan_hot"),
        ("incidents", "0004_incident_region_backfill"),
    ]

    operations = [
        *(_column(column) for column, _action, _which in STEPS),
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(set_fill_factor, reset_fill_factor),
    ]
