"""Fill `Incident.region` of the incidents reported before the column existed."""

from django.db import migrations

FILL = """
UPDATE incidents_incident
SET region_id = (SELECT region_id FROM cases_case WHERE cases_case.id = incidents_incident.case_id)
WHERE region_id IS NULL
"""


def fill(apps, schema_editor):
    schema_editor.execute(FILL)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0003_incident_region")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
