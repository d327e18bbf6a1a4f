"""The six levels of DOMAIN.md; a deployment may delete the lower ones or rename any."""

from django.db import migrations

LEVELS = [
    ("district", "区", 0, 6),
    ("street", "街道", 1, 9),
    ("community", "社区", 2, 12),
    ("grid", "网格", 3, None),
    ("subgrid", "三级网格", 4, None),
    ("cell", "四级网格", 5, None),
]


def create(apps, schema_editor):
    Level = apps.get_model("regions", "Level")
    for key, name, depth, digits in LEVELS:
        Level.objects.get_or_create(
            key=key, defaults={"name": name, "depth": depth, "code_digits": digits}
        )


def remove(apps, schema_editor):
    Level = apps.get_model("regions", "Level")
    Level.objects.filter(key__in=[row[0] for row in LEVELS], region__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
