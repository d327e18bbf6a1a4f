"""Fill the step moments (migration 0005) of the incidents that existed before them.

One UPDATE over the incidents, each counted from its timeline events by the timeline's case
index: the same MIN and MAX the triggers of migration 0005 keep. It counts every incident
again, so running it twice, or after events came in through the triggers, changes nothing.
"""

from django.db import migrations

FILL = """
UPDATE incidents_incident
SET (filed_at, not_filed_at, dispatched_at, handled_at, check_failed_at, postponed_at,
        closed_at) = (
    SELECT MIN(CASE WHEN e.action = 'file' THEN e.at END),
        MAX(CASE WHEN e.action = 'not_file' THEN e.at END),
        MIN(CASE WHEN e.action = 'dispatch' THEN e.at END),
        MAX(CASE WHEN e.action = 'feedback' THEN e.at END),
        MAX(CASE WHEN e.action = 'check_fail' THEN e.at END),
        MAX(CASE WHEN e.action = 'approve_postpone' THEN e.at END),
        MAX(CASE WHEN e.action = 'close' THEN e.at END)
    FROM cases_caseevent e
    WHERE e.case_id = incidents_incident.case_id
        AND e.action IN ('file', 'not_file', 'dispatch', 'feedback', 'check_fail',
            'approve_postpone', 'close')
)
"""


def fill(apps, schema_editor):
    schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_incident_steps")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
