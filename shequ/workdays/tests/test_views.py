"""The staff year view, the public view, the calculator and administrators' edits."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shequ.audit.models import AuditEvent
from shequ.workdays import calendar
from shequ.workdays.models import CalendarYear, SpecialDay

D = dt.date

pytestmark = pytest.mark.django_db

URL = "/workdays/"


def state() -> tuple[list[tuple], list[tuple], int]:
    return (
        list(SpecialDay.objects.values_list("date", "kind", "name", "source")),
        list(CalendarYear.objects.values_list("year", "source", "note")),
        AuditEvent.objects.count(),
    )


def test_urls() -> None:
    assert reverse("workdays:calendar") == "/workdays/"
    assert reverse("workdays:public") == "/workdays/public/"


def test_the_staff_page_needs_a_login(client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_grid_worker_sees_the_year_without_edit_controls(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(URL, {"year": 2026})
    assert response.status_code == 200
    assert response.context["year"] == 2026
    assert response.context["covered"] is True
    assert response.context["can_edit"] is False
    # 261 weekdays, less 19 holidays that fall on a weekday, plus 6 make-up days.
    assert response.context["working_days"].value == 248
    assert (response.context["holiday_count"], response.context["workday_count"]) == (33, 6)
    html = response.content.decode()
    assert 'id="provisional"' not in html
    assert reverse("workdays:day-create") not in html
    assert reverse("workdays:day-import") not in html
    months = response.context["months"]
    assert len(months) == 12
    february = [cell for week in months[1]["weeks"] for cell in week if cell]
    assert [(c["date"].day, c["kind"]) for c in february if c["kind"]][:4] == [
        (1, "weekend"),
        (7, "weekend"),
        (8, "weekend"),
        (14, "workday"),
    ]
    assert {c["kind"] for c in february if D(2026, 2, 15) <= c["date"] <= D(2026, 2, 23)} == {
        "holiday"
    }


def test_a_year_without_a_schedule_shows_the_provisional_banner(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(URL, {"year": 2027})
    assert response.context["covered"] is False
    assert 'id="provisional"' in response.content.decode()
    assert list(response.context["days"]) == []


def test_the_administrator_sees_the_edit_forms(client, world) -> None:
    client.force_login(world.users["admin"])
    html = client.get(URL, {"year": 2026}).content.decode()
    assert reverse("workdays:day-create") in html
    assert reverse("workdays:year-set") in html
    assert reverse("workdays:day-import") in html
    assert reverse("workdays:import-template") in html


def test_the_calculator_answers_htmx_with_the_partial(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(
        URL, {"year": 2026, "start": "2026-09-30", "days": "3"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="calc"')
    assert "<html" not in html
    assert response.context["calc_result"] == calendar.WorkdayResult(D(2026, 10, 10), False, ())
    assert "2026-10-10" in html
    assert 'class="notice ok"' in html


def test_the_calculator_counts_days_between_dates_and_marks_2027_provisional(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(
        URL, {"start": "2026-12-25", "end": "2027-01-08"}, headers={"HX-Request": "true"}
    )
    assert response.context["calc_result"] == calendar.WorkdayResult(10, True, (2027,))
    assert 'class="notice warn"' in response.content.decode()


def test_the_calculator_without_htmx_renders_the_whole_page(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(URL, {"start": "2026-02-11", "days": "5"})
    assert "<html" in response.content.decode()
    assert response.context["calc_result"].value == D(2026, 2, 25)


def test_the_calculator_reports_bad_input(client, world) -> None:
    client.force_login(world.users["gridworker"])
    response = client.get(
        URL, {"start": "2026-02-30", "days": "-1"}, headers={"HX-Request": "true"}
    )
    assert response.context["calc_result"] is None
    assert set(response.context["add_form"].errors) == {"start", "days"}


def test_the_public_page_needs_no_login_and_has_no_edit_controls(
    client, world, django_assert_num_queries
) -> None:
    calendar.current()  # the table is cached per process
    with django_assert_num_queries(2):
        response = client.get("/workdays/public/", {"year": 2026})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["public"] is True
    assert response.context["can_edit"] is False
    assert reverse("workdays:day-create") not in html
    assert reverse("portal:home") in html
    assert 'class="shell"' not in html


def test_the_public_calculator_answers_htmx(client, world) -> None:
    response = client.get(
        "/workdays/public/", {"start": "2026-02-13", "days": "1"}, headers={"HX-Request": "true"}
    )
    assert response.context["calc_result"].value == D(2026, 2, 14)
    assert 'hx-get="/workdays/public/"' in response.content.decode()


def test_the_administrator_adds_a_2027_day_and_marks_2027_covered(client, world) -> None:
    client.force_login(world.users["admin"])

    response = client.post(
        reverse("workdays:day-create") + "?year=2027",
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/workdays/?year=2027"
    assert calendar.add_working_days(D(2026, 12, 30), 5).provisional is True

    response = client.post(reverse("workdays:year-set"), {"year": "2027", "note": "国务院通知"})
    assert response.status_code == 302

    day = SpecialDay.objects.get(date=D(2027, 1, 1))
    assert (day.kind, day.name, day.source) == ("holiday", "元旦", "manual")
    assert CalendarYear.objects.get(year=2027).note == "国务院通知"
    assert calendar.add_working_days(D(2026, 12, 30), 5) == calendar.WorkdayResult(
        D(2027, 1, 7), False, ()
    )
    page = client.get(URL, {"year": 2027})
    assert page.context["covered"] is True


def test_a_form_error_re_renders_the_page(client, world) -> None:
    client.force_login(world.users["admin"])
    before = state()
    response = client.post(
        reverse("workdays:day-create") + "?year=2027",
        {"date": "2027-01-04", "kind": "workday", "name": ""},
    )
    assert response.status_code == 200
    assert list(response.context["day_form"].errors) == ["kind"]
    assert response.context["year"] == 2027
    assert state() == before


def test_the_administrator_removes_a_day_and_a_years_coverage(client, world) -> None:
    client.force_login(world.users["admin"])
    day = SpecialDay.objects.get(date=D(2026, 10, 10))

    response = client.post(reverse("workdays:day-delete", args=[day.pk]))
    assert response["Location"] == "/workdays/?year=2026"
    assert not SpecialDay.objects.filter(pk=day.pk).exists()

    response = client.post(reverse("workdays:year-delete", args=[2026]))
    assert response["Location"] == "/workdays/?year=2026"
    assert not CalendarYear.objects.filter(year=2026).exists()
    assert client.post(reverse("workdays:year-delete", args=[2026])).status_code == 404


def test_the_import_page_reports_every_bad_row_in_chinese_and_changes_nothing(
    client, world, zh
) -> None:
    client.force_login(world.users["admin"])
    before = state()
    upload = SimpleUploadedFile(
        "2027.csv", "日期,类型,名称\n2027-01-01,休,元旦\n2027-02-30,班,春节\n".encode("utf-8-sig")
    )

    response = client.post(reverse("workdays:day-import"), {"file": upload})

    assert response.status_code == 200
    assert [(e.row, e.column, e.value, e.reason) for e in response.context["import_errors"]] == [
        (3, "日期", "2027-02-30", "输入一个有效的日期。")
    ]
    html = response.content.decode()
    assert 'id="import-errors"' in html
    assert '<td class="num">3</td><td>日期</td>' in html
    assert "输入一个有效的日期。" in html
    assert state() == before


def test_the_import_page_imports_a_good_file(client, world) -> None:
    client.force_login(world.users["admin"])
    upload = SimpleUploadedFile(
        "2027.csv", "日期,类型,名称\n2027-01-01,休,元旦\n2027-02-20,班,春节\n".encode()
    )
    response = client.post(reverse("workdays:day-import"), {"file": upload})
    assert response["Location"] == "/workdays/?year=2027"
    assert CalendarYear.objects.get(year=2027).source == "import"
    assert SpecialDay.objects.filter(date__year=2027).count() == 2


def test_the_import_refuses_other_file_types(client, world) -> None:
    client.force_login(world.users["admin"])
    before = state()
    upload = SimpleUploadedFile("2027.txt", b"2027-01-01")
    response = client.post(reverse("workdays:day-import"), {"file": upload})
    assert list(response.context["import_form"].errors) == ["file"]
    assert state() == before


def test_the_import_template_downloads(client, world) -> None:
    from openpyxl import load_workbook

    client.force_login(world.users["admin"])
    response = client.get(reverse("workdays:import-template"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="workdays-template.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book.worksheets[0][1]] == ["日期", "类型", "名称"]


@pytest.mark.parametrize(
    ("name", "args", "data"),
    [
        ("workdays:day-create", [], {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}),
        ("workdays:day-delete", "day", {}),
        ("workdays:year-set", [], {"year": "2027", "note": ""}),
        ("workdays:year-delete", [2026], {}),
        ("workdays:day-import", [], "file"),
    ],
)
def test_a_grid_worker_may_not_edit(client, world, name, args, data) -> None:
    client.force_login(world.users["gridworker"])
    if args == "day":
        args = [SpecialDay.objects.get(date=D(2026, 10, 10)).pk]
    if data == "file":
        data = {"file": SimpleUploadedFile("a.csv", "日期,类型\n2027-01-01,休\n".encode())}
    before = state()

    response = client.post(reverse(name, args=args), data)

    assert response.status_code == 403
    assert state() == before
