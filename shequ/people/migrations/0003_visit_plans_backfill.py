"""Default visit plans, and the new search and dwelling columns of persons already registered."""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Right

# Days between visits per care group (local practice: elders living alone monthly).
PLANS = {
    "aged_70": 90,
    "living_alone": 30,
    "disabled": 90,
    "low_income": 90,
    "extreme_poverty": 30,
    "left_behind_child": 30,
    "left_behind_elder": 30,
}


def forward(apps, schema_editor):
    VisitPlan = apps.get_model("people", "VisitPlan")
    for kind, days in PLANS.items():
        VisitPlan.objects.get_or_create(kind=kind, defaults={"interval_days": days})
    Person = apps.get_model("people", "Person")
    Household = apps.get_model("people", "Household")
    Person.objects.filter(id_last4="").update(id_last4=Right(F("id_number_masked"), 4))
    Person.objects.filter(dwelling__isnull=True, household__isnull=False).update(
        dwelling=Subquery(
            Household.objects.filter(pk=OuterRef("household_id")).values("dwelling_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0002_register_full")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
