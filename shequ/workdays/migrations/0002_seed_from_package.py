"""Seed the holiday table from the chinese-calendar package (data migration, reversible).

The logic is written out here rather than imported from the services so that this migration
keeps working when the services change; it writes no audit events (the schema is new).
"""

from django.db import migrations

PACKAGE = "package"


def seed(apps, schema_editor):
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    SpecialDay = apps.get_model("workdays", "SpecialDay")
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    years = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)
    chinese = {holiday.value: holiday.chinese for holiday in Holiday}
    rows = {}
    for source, kind in ((chinese_calendar.holidays, "holiday"), (chinese_calendar.workdays, "workday")):
        for date, name in source.items():
            if date.year in years:
                value = getattr(name, "value", name)
                rows[date] = (kind, chinese.get(value, str(value))[:64])
    taken = set(SpecialDay.objects.filter(date__in=list(rows)).values_list("date", flat=True))
    SpecialDay.objects.bulk_create(
        [
            SpecialDay(date=date, kind=kind, name=name, source=PACKAGE)
            for date, (kind, name) in sorted(rows.items())
            if date not in taken
        ]
    )
    known = set(CalendarYear.objects.values_list("year", flat=True))
    CalendarYear.objects.bulk_create(
        [CalendarYear(year=year, source=PACKAGE) for year in years if year not in known]
    )


def unseed(apps, schema_editor):
    apps.get_model("workdays", "SpecialDay").objects.filter(source=PACKAGE).delete()
    apps.get_model("workdays", "CalendarYear").objects.filter(source=PACKAGE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workdays", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(seed, unseed),
    ]
