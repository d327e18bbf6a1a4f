"""The incident category table in a real browser: a district administrator searches it, then
imports a file that has a mistake, reads the problem, and imports the corrected file."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from shequ.incidents.category_seed import incident_categories_seed
from shequ.incidents.models import IncidentCategory
from shequ.incidents.tests.table import csv_file, row
from shequ.regions.tests.factories import make_world
from tests.browser.conftest import shot
from tests.browser.test_hall_journey import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_searches_and_imports_the_category_table(
    page: Page, live_server: object, tmp_path: Path
) -> None:
    world = make_world()
    incident_categories_seed(district=world.district)
    base = live_server.url  # type: ignore[attr-defined]
    login(page, base, "admin")

    # Search by pinyin initials: the list narrows as the administrator types.
    page.goto(f"{base}/incidents/categories/")
    page.fill("input[name=q]", "zdjy")
    expect(page.locator("[data-testid=category-row]")).to_have_count(1)
    expect(page.locator("[data-testid=category-row]")).to_contain_text("占道经营")
    page.select_option("select[name=kind]", "component")
    page.fill("input[name=q]", "井盖")
    expect(page.locator("[data-testid=category-row]")).to_have_count(8)
    shot(page, "incident-categories-1-search")

    # A file with a tier that does not exist: refused whole, the cell named.
    bad = tmp_path / "categories.csv"
    rows = [
        row(小类代码="17", 小类名称="违规占用绿地", 处置层级="市"),
        row(小类代码="18", 小类名称="沿街乱挂条幅", 处置单位编码="D-JD", 处置层级="街道"),
    ]
    bad.write_bytes(csv_file(rows).getvalue())
    page.goto(f"{base}/incidents/categories/import/")
    page.set_input_files("input[name=file]", str(bad))
    page.locator("form[enctype] button[type=submit]").click()
    errors = page.locator("#import-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("处置层级")
    expect(errors.first).to_contain_text("市")
    assert not IncidentCategory.objects.filter(
        incident_class__kind="event", code__in=["17", "18"]
    ).exists()
    shot(page, "incident-categories-2-import-refused")

    # The corrected file lands whole.
    rows[0] = row(小类代码="17", 小类名称="违规占用绿地", 处置层级="街道", 处置单位编码="D-JD")
    fixed = tmp_path / "categories-fixed.csv"
    fixed.write_bytes(csv_file(rows).getvalue())
    page.set_input_files("input[name=file]", str(fixed))
    page.locator("form[enctype] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/incidents/categories/")
    expect(page.locator(".messages")).to_contain_text("2")
    page.fill("input[name=q]", "0117")  # 部件 0117 健身设施 and the new 事件 0117
    found = page.locator("[data-testid=category-row]")
    expect(found).to_have_count(2)
    expect(found.filter(has_text="违规占用绿地")).to_have_count(1)
    shot(page, "incident-categories-3-imported")
    added = IncidentCategory.objects.get(incident_class__kind="event", code="17")
    assert (added.default_tier, added.default_unit.code if added.default_unit else None) == (
        "street",
        "D-JD",
    )
