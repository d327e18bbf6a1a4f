"""The register import in a real browser: a community director downloads the template, uploads
a 1,000-row workbook with 5 bad rows, reads the problems and the report, uploads the corrected
file and finds an imported person in the register."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from shequ.people.models import Person
from shequ.people.tests.import_builders import as_xlsx, person_row
from shequ.regions.tests.factories import PASSWORD, make_world
from tests.browser.conftest import shot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def site(live_server: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    settings.MEDIA_ROOT = tmp_path
    # The task runs at once, in the request: the page shows the finished job.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    world = make_world()
    return {"world": world, "base": live_server.url}


def login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".sidebar")).to_be_visible()


def upload(page: Page, base: str, path: Path, region_id: int) -> None:
    page.goto(f"{base}/people/import/")
    page.select_option("select[name=kind]", "persons")
    page.select_option("select[name=region]", str(region_id))
    page.set_input_files("input[name=file]", str(path))
    page.click("#import-submit")


def test_director_imports_a_thousand_rows(page: Page, site: dict[str, Any], tmp_path: Path) -> None:
    world, base = site["world"], site["base"]
    login(page, base, "director")
    page.goto(f"{base}/people/import/")
    shot(page, "people-import-form")
    with page.expect_download() as template:
        page.click("a[href$='?kind=persons']")
    book = load_workbook(io.BytesIO(Path(template.value.path()).read_bytes()))
    header = [cell.value for cell in book.worksheets[0][1]]
    assert len(header) == 16 and len(book.sheetnames) == 2

    rows = [person_row(i, world.grid.code if i % 2 else world.sibling.name) for i in range(1000)]
    bad = {10: {"身份证号": "110105195001110000"}, 200: {"联系电话": "1234"},
           400: {"出生日期": "2023年13月1日"}, 600: {"居住状态": "外地"}, 999: {"网格": "月球网格"}}  # fmt: skip
    for index, change in bad.items():
        rows[index] = {**rows[index], **change}
    first = tmp_path / "居民花名册.xlsx"
    first.write_bytes(as_xlsx(rows))
    upload(page, base, first, world.community.pk)
    expect(page.locator("#import-result")).to_be_visible()
    expect(page.locator("#import-errors tbody tr")).to_have_count(5)
    shot(page, "people-import-errors")
    assert Person.objects.count() == 0
    with page.expect_download() as report:
        page.click("#report-link")
    sheet = load_workbook(io.BytesIO(Path(report.value.path()).read_bytes())).worksheets[0]
    lines = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [line[0] for line in lines] == [12, 202, 402, 602, 1001]
    assert lines[0][3].startswith("110105") and "*" in lines[0][3]

    fixed = tmp_path / "居民花名册-改.xlsx"
    good = [person_row(i, world.grid.code if i % 2 else world.sibling.name) for i in range(1000)]
    good[7]["姓名"] = "欧阳娜娜"
    fixed.write_bytes(as_xlsx(good))
    upload(page, base, fixed, world.community.pk)
    expect(page.locator("#import-result")).to_contain_text("1000")
    shot(page, "people-import-done")
    assert Person.objects.count() == 1000
    page.goto(f"{base}/people/?q={good[7]['姓名']}")
    expect(page.get_by_role("link", name=good[7]["姓名"])).to_be_visible()
    shot(page, "people-import-found")
    page.goto(f"{base}/people/import/")
    expect(page.locator("#import-jobs tbody tr")).to_have_count(2)
