"""Working-day arithmetic on the package-seeded table, and the services that edit it."""

import datetime as dt

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError

from shequ.audit.models import AuditEvent
from shequ.workdays import calendar, services
from shequ.workdays.models import CalendarYear, DayKind, Source, SpecialDay

D = dt.date

pytestmark = pytest.mark.django_db


def test_the_migration_seeds_every_year_the_package_covers() -> None:
    assert SpecialDay.objects.count() == len(chinese_calendar.holidays) + len(
        chinese_calendar.workdays
    )
    assert list(CalendarYear.objects.values_list("year", flat=True)) == list(range(2004, 2027))
    assert set(SpecialDay.objects.values_list("source", flat=True)) == {Source.PACKAGE}
    new_year = SpecialDay.objects.get(date=D(2026, 1, 1))
    assert (new_year.kind, new_year.name) == (DayKind.HOLIDAY, "元旦")
    # Holidays that fall on a weekend are kept, and so is every make-up working day.
    assert SpecialDay.objects.get(date=D(2026, 2, 15)).kind == DayKind.HOLIDAY  # a Sunday
    assert SpecialDay.objects.get(date=D(2026, 2, 14)).kind == DayKind.WORKDAY  # a Saturday


def test_the_2026_spring_festival_is_skipped_and_its_make_up_days_count() -> None:
    # 2026-02-15 to 02-23 are off; Saturdays 02-14 and 02-28 are make-up working days.
    assert calendar.add_working_days(D(2026, 2, 13), 1).value == D(2026, 2, 14)
    assert calendar.add_working_days(D(2026, 2, 14), 1).value == D(2026, 2, 24)
    assert calendar.add_working_days(D(2026, 2, 11), 5).value == D(2026, 2, 25)
    assert calendar.add_working_days(D(2026, 2, 24), 4).value == D(2026, 2, 28)
    result = calendar.add_working_days(D(2026, 2, 11), 8)
    assert result == calendar.WorkdayResult(D(2026, 2, 28), False, ())


def test_the_2026_national_day_holiday_is_skipped_and_its_make_up_days_count() -> None:
    # 09-25 to 09-27 (Mid-autumn) and 10-01 to 10-07 are off; Sunday 09-20 and Saturday 10-10
    # are make-up working days.
    assert calendar.add_working_days(D(2026, 9, 18), 1).value == D(2026, 9, 20)
    assert calendar.add_working_days(D(2026, 9, 24), 1).value == D(2026, 9, 28)
    assert calendar.add_working_days(D(2026, 9, 30), 1).value == D(2026, 10, 8)
    assert calendar.add_working_days(D(2026, 9, 30), 3).value == D(2026, 10, 10)
    assert calendar.add_working_days(D(2026, 9, 30), 4).value == D(2026, 10, 12)


def test_counting_working_days_between_two_dates() -> None:
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)).value == 3
    assert calendar.working_days_between(D(2026, 9, 18), D(2026, 10, 10)).value == 11
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 28)).value == 6
    assert calendar.working_days_between(D(2026, 3, 2), D(2026, 3, 2)).value == 0
    assert calendar.working_days_between(D(2026, 3, 9), D(2026, 3, 2)).value == 0


def test_a_period_into_2027_is_provisional_by_the_monday_to_friday_rule() -> None:
    result = calendar.add_working_days(D(2026, 12, 30), 5)
    # 2026-12-31, then 2027-01-01 (a Friday: a working day by the fallback rule), 01-04 to 01-06.
    assert result == calendar.WorkdayResult(D(2027, 1, 6), True, (2027,))
    between = calendar.working_days_between(D(2026, 12, 25), D(2027, 1, 8))
    assert between == calendar.WorkdayResult(10, True, (2027,))
    assert calendar.next_year_missing(D(2026, 11, 22)) == 2027


def test_an_administrator_enters_2027_and_it_is_no_longer_provisional(world) -> None:
    admin = world.users["admin"]
    services.special_day_set(actor=admin, date=D(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    assert calendar.add_working_days(D(2026, 12, 30), 5).provisional is True

    entry = services.calendar_year_set(actor=admin, year=2027, note="国办发明电〔2026〕")

    assert (entry.year, entry.source) == (2027, Source.MANUAL)
    assert calendar.add_working_days(D(2026, 12, 30), 5) == calendar.WorkdayResult(
        D(2027, 1, 7), False, ()
    )
    assert calendar.next_year_missing(D(2026, 11, 22)) is None


def test_setting_and_deleting_a_day_is_audited(world) -> None:
    admin = world.users["admin"]
    before = AuditEvent.objects.count()

    day = services.special_day_set(
        actor=admin, date=D(2026, 10, 8), kind=DayKind.HOLIDAY, name=" 调整 "
    )
    services.special_day_set(actor=admin, date=D(2026, 10, 8), kind=DayKind.HOLIDAY, name="调整二")
    assert calendar.add_working_days(D(2026, 9, 30), 1).value == D(2026, 10, 9)
    day_id = day.pk
    services.special_day_delete(actor=admin, day=day)

    assert not SpecialDay.objects.filter(date=D(2026, 10, 8)).exists()
    assert calendar.add_working_days(D(2026, 9, 30), 1).value == D(2026, 10, 8)
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.object_type, e.actor_name) for e in events] == [
        ("create", "workdays.specialday", "admin"),
        ("update", "workdays.specialday", "admin"),
        ("delete", "workdays.specialday", "admin"),
    ]
    assert events[0].changes == {
        "date": [None, "2026-10-08"],
        "kind": [None, "holiday"],
        "name": [None, "调整"],
        "source": [None, "manual"],
    }
    assert events[1].changes == {"name": ["调整", "调整二"]}
    assert events[2].object_id == str(day_id)


def test_a_package_day_changed_by_hand_becomes_manual(world) -> None:
    day = services.special_day_set(
        actor=world.users["admin"], date=D(2026, 10, 10), kind=DayKind.WORKDAY, name="国庆节补班"
    )
    assert SpecialDay.objects.filter(date=D(2026, 10, 10)).count() == 1
    assert (day.kind, day.name, day.source) == (DayKind.WORKDAY, "国庆节补班", Source.MANUAL)


def test_a_make_up_working_day_on_a_weekday_is_refused(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.special_day_set(
            actor=world.users["admin"], date=D(2027, 1, 4), kind=DayKind.WORKDAY, name=""
        )
    assert list(error.value.message_dict) == ["kind"]
    assert not SpecialDay.objects.filter(date=D(2027, 1, 4)).exists()


def test_a_year_out_of_range_is_refused(world) -> None:
    with pytest.raises(ValidationError) as error:
        services.calendar_year_set(actor=world.users["admin"], year=1999)
    assert list(error.value.message_dict) == ["year"]
    assert not CalendarYear.objects.filter(year=1999).exists()


def test_removing_a_years_coverage_makes_it_provisional_again(world) -> None:
    entry = CalendarYear.objects.get(year=2026)
    services.calendar_year_delete(actor=world.users["admin"], calendar_year=entry)
    assert calendar.add_working_days(D(2026, 9, 30), 3).provisional is True
    assert AuditEvent.objects.order_by("-id")[0].changes == {
        "note": ["", None],
        "source": ["package", None],
        "year": [2026, None],
    }


def test_seeding_again_changes_nothing() -> None:
    events = AuditEvent.objects.count()
    assert services.calendar_seed_from_package() == 0
    assert AuditEvent.objects.count() == events


def test_seeding_restores_package_rows_and_keeps_manual_and_imported_ones(world) -> None:
    admin = world.users["admin"]
    services.special_day_set(actor=admin, date=D(2026, 10, 1), kind=DayKind.HOLIDAY, name="手工")
    SpecialDay.objects.filter(date=D(2026, 10, 2)).update(name="wrong")
    SpecialDay.objects.filter(date=D(2026, 10, 3)).delete()
    SpecialDay.objects.create(
        date=D(2026, 10, 12), kind=DayKind.HOLIDAY, name="", source=Source.PACKAGE
    )
    services.calendar_year_set(actor=admin, year=2025, note="手工")

    written = services.calendar_seed_from_package(years=range(2025, 2030))

    assert written == 3  # 10-02 corrected, 10-03 restored, 10-12 removed
    rows = SpecialDay.objects.filter(date__range=(D(2026, 10, 1), D(2026, 10, 12)))
    assert [(d.date.day, d.name, d.source) for d in rows] == [
        (1, "手工", "manual"),
        (2, "国庆节", "package"),
        (3, "国庆节", "package"),
        (4, "国庆节", "package"),
        (5, "国庆节", "package"),
        (6, "国庆节", "package"),
        (7, "国庆节", "package"),
        (10, "国庆节", "package"),
    ]
    assert CalendarYear.objects.get(year=2025).source == Source.MANUAL
    assert not CalendarYear.objects.filter(year__gt=2026).exists()
    event = AuditEvent.objects.order_by("-id")[0]
    assert (event.action, event.actor_kind) == ("import", "system")
    assert event.changes == {"created": 1, "updated": 1, "deleted": 1, "years": []}


def test_seeding_an_empty_table_fills_it() -> None:
    SpecialDay.objects.all().delete()
    CalendarYear.objects.all().delete()
    expected = len(chinese_calendar.holidays) + len(chinese_calendar.workdays) + 23
    assert services.calendar_seed_from_package() == expected
    assert calendar.add_working_days(D(2026, 9, 30), 3).value == D(2026, 10, 10)
