"""The register import as a whole: all or nothing, re-import, formats, the job, command, API."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from shequ.audit.models import Action, AuditEvent
from shequ.people.importing import persons
from shequ.people.importing.engine import register_import
from shequ.people.importing.jobs import import_job_create, import_job_execute
from shequ.people.models import Household, ImportJob, ImportStatus, Person
from shequ.people.tests.import_builders import as_csv, as_xlsx, person_row
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def rows(world: World, count: int) -> list[dict[str, Any]]:
    return [person_row(i, world.grid.code) for i in range(count)]


def state() -> list[tuple[Any, ...]]:
    return list(Person.objects.order_by("pk").values_list("pk", "name", "phone_hash", "updated_at"))


def test_a_bad_last_row_leaves_the_database_unchanged(world: World) -> None:
    register_import(
        actor=None, kind="persons", node=world.community,
        file=io.BytesIO(as_csv(rows(world, 10))), filename="first.csv",
    )  # fmt: skip
    before, households, events = state(), Household.objects.count(), AuditEvent.objects.count()
    data = rows(world, 1500)
    data[-1]["身份证号"] = "123"
    outcome = register_import(
        actor=None, kind="persons", node=world.community,
        file=io.BytesIO(as_csv(data)), filename="big.csv",
    )  # fmt: skip
    assert not outcome.ok and outcome.counts.errors == 1 and outcome.counts.rows == 1500
    assert outcome.first_errors[0][0] == 1501
    assert state() == before
    assert Household.objects.count() == households and AuditEvent.objects.count() == events


def test_a_failure_while_writing_rolls_everything_back(world: World, monkeypatch: Any) -> None:
    from shequ.people.importing import engine

    # Given chunks of 100 rows, each written as soon as it is checked, and a failure on the
    # third chunk's writes
    monkeypatch.setattr(engine, "CHUNK", 100)
    original = persons.PersonRows._write
    written: list[int] = []

    def failing(self: Any, ctx: Any, *args: Any) -> None:
        written.append(Person.objects.count())
        if len(written) == 3:
            raise RuntimeError("disk full")
        original(self, ctx, *args)

    monkeypatch.setattr(persons.PersonRows, "_write", failing)
    # When the file is imported, then the error comes through
    with pytest.raises(RuntimeError):
        register_import(
            actor=None, kind="persons", node=world.community,
            file=io.BytesIO(as_csv(rows(world, 450))), filename="a.csv",
        )  # fmt: skip
    # And the two chunks written before it are gone with everything else
    assert written == [0, 100, 200]
    assert Person.objects.count() == 0 and Household.objects.count() == 0
    assert not AuditEvent.objects.filter(action=Action.IMPORT).exists()


def test_a_household_whose_head_comes_later_gets_the_heads_grid_and_dwelling(
    world: World, monkeypatch: Any
) -> None:
    from shequ.people.importing import engine
    from shequ.people.models import Building, Dwelling

    building = Building.objects.create(region=world.grid, name="1号楼", address="幸福路1号")
    flat = Dwelling.objects.create(
        building=building, region=world.grid, unit=1, floor=3, number="301", use="owner"
    )
    # Given chunks of 2 rows, and a household whose members come before its head, in a
    # later chunk
    monkeypatch.setattr(engine, "CHUNK", 2)
    data = rows(world, 5)
    for index in (0, 1, 4):
        data[index].update({"户号": "H-9", "与户主关系": "子女"})
    data[4].update({"与户主关系": "户主", "楼栋地址": "幸福路1号", "单元": "1", "房号": "301"})
    # When it is imported
    outcome = register_import(
        actor=None, kind="persons", node=world.community,
        file=io.BytesIO(as_csv(data)), filename="a.csv",
    )  # fmt: skip
    # Then one household holds the three, with the head's dwelling
    assert outcome.ok and outcome.counts.created == 5
    household = Household.objects.get(number="H-9")
    assert household.dwelling_id == flat.pk and household.region_id == world.grid.pk
    assert sorted(household.members.values_list("relation", flat=True)) == [
        "child", "child", "head"
    ]  # fmt: skip
    assert Household.objects.count() == 3


def test_reimport_updates_instead_of_duplicating(world: World) -> None:
    data = rows(world, 20)

    def again(content: bytes, name: str) -> Any:
        return register_import(
            actor=world.users["director"], kind="persons", node=world.community,
            file=io.BytesIO(content), filename=name,
        )  # fmt: skip

    assert again(as_xlsx(data), "a.xlsx").counts.created == 20
    before = state()
    unchanged = again(as_xlsx(data), "a.xlsx").counts
    assert (unchanged.created, unchanged.updated, unchanged.unchanged) == (0, 0, 20)
    assert state() == before
    data[3]["联系电话"] = "13900000003"
    data[4]["居住状态"] = "常住"
    changed = again(as_csv(data), "a.csv").counts
    assert (changed.created, changed.updated, changed.unchanged) == (0, 2, 18)
    assert Person.objects.count() == 20 and Household.objects.count() == 20
    assert Person.objects.get(name=data[4]["姓名"]).residence_status == "resident"
    event = AuditEvent.objects.filter(action=Action.IMPORT).latest("id")
    assert event.changes["updated"] == 2 and event.changes["file"] == "a.csv"


def test_csv_xlsx_and_gbk_give_the_same_register(world: World) -> None:
    data = rows(world, 5)
    for content, name in (
        (as_csv(data, encoding="utf-8"), "a.csv"),
        (as_csv(data, encoding="gbk"), "b.csv"),
        (as_xlsx(data), "c.xlsx"),
    ):
        outcome = register_import(
            actor=None,
            kind="persons",
            node=world.community,
            file=io.BytesIO(content),
            filename=name,
        )
        assert outcome.ok
    assert Person.objects.count() == 5
    person = Person.objects.get(name=data[0]["姓名"])
    assert (person.name_pinyin, person.name_initials) == ("wangwei0", "ww0")
    assert person.id_last4 == data[0]["身份证号"][-4:]
    assert person.phone_masked == "138****0000"


def test_the_job_runs_with_progress_and_a_report(world: World) -> None:
    data = rows(world, 30)
    data[7]["联系电话"] = "123"
    upload = SimpleUploadedFile("people.csv", as_csv(data))
    job = import_job_create(
        actor=world.users["director"], kind="persons", region=world.community, upload=upload
    )
    assert job.status == ImportStatus.WAITING and "people" not in str(job.file.name)
    seen: list[tuple[str, int]] = []
    original = ImportJob.objects.filter

    import_job_execute(job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.error_count == 1 and job.total == 30
    assert job.report and Person.objects.count() == 0
    assert original is not None and seen == []
    client = Client()
    client.force_login(world.users["director"])
    page = client.get(f"/people/import/{job.pk}/")
    assert page.status_code == 200 and "138****" not in page.content.decode()
    report = client.get(f"/people/import/{job.pk}/report/")
    assert report.status_code == 200
    from openpyxl import load_workbook

    content = b"".join(report.streaming_content)  # type: ignore[attr-defined]
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    assert [cell.value for cell in sheet[2]][:4] == [9, "联系电话", "G", "***"]
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_id=str(job.pk)).exists()


def test_progress_is_written_while_checking(world: World, monkeypatch: Any) -> None:
    from shequ.people.importing import engine, jobs

    monkeypatch.setattr(engine, "CHUNK", 100)
    monkeypatch.setattr(engine.Context, "report", _always_report)
    upload = SimpleUploadedFile("people.csv", as_csv(rows(world, 350)))
    job = import_job_create(
        actor=world.users["director"], kind="persons", region=world.community, upload=upload
    )
    updates: list[tuple[str, int, int]] = []
    real = jobs.Progress.__call__

    def spy(self: Any, **values: Any) -> None:
        updates.append((values["status"], values["processed"], values["total"]))
        real(self, **values)

    monkeypatch.setattr(jobs.Progress, "__call__", spy)
    import_job_execute(job.pk)
    assert ("validating", 100, 350) in updates and ("validating", 300, 350) in updates
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created == 350 and job.percent == 100


@pytest.mark.django_db(transaction=True)
def test_progress_inside_the_transaction_is_seen_on_postgresql(
    world: World, monkeypatch: Any
) -> None:
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    from shequ.people.importing import engine

    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the import holds the one write lock: no progress until it ends")
    monkeypatch.setattr(engine, "CHUNK", 100)
    monkeypatch.setattr(engine.Context, "report", _always_report)
    upload = SimpleUploadedFile("people.csv", as_csv(rows(world, 350)))
    job = import_job_create(
        actor=world.users["director"], kind="persons", region=world.community, upload=upload
    )
    seen: list[tuple[str, int]] = []
    original = engine._first_pass

    def watched(ctx: Any, handler: Any, reader: Any) -> None:
        original(ctx, handler, reader)
        # Seen from another connection while the import's transaction is still open
        other = connections.create_connection(DEFAULT_DB_ALIAS)
        try:
            with other.cursor() as cursor:
                cursor.execute(
                    "SELECT status, processed FROM people_importjob WHERE id = %s", [job.pk]
                )
                seen.append(cursor.fetchone())
                cursor.execute("SELECT count(*) FROM people_person")
                seen.append(cursor.fetchone())
        finally:
            other.close()

    monkeypatch.setattr(engine, "_first_pass", watched)
    import_job_execute(job.pk)
    assert seen == [("validating", 350), (0,)]
    assert Person.objects.count() == 350


def _always_report(self: Any, phase: str, done: int, force: bool = False) -> None:
    if self.progress is not None:
        self.progress(phase, done, max(self.total, done))


def _set(job: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(job, name, value)


def test_the_command_imports_and_writes_the_report(world: World, tmp_path: Path) -> None:
    good = tmp_path / "people.xlsx"
    good.write_bytes(as_xlsx(rows(world, 12)))
    out = io.StringIO()
    call_command(
        "import_people",
        str(good),
        "--region",
        world.community.code,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "12 created" in out.getvalue() and Person.objects.count() == 12
    data = rows(world, 3)
    data[2]["网格"] = "nowhere"
    bad = tmp_path / "bad.csv"
    bad.write_bytes(as_csv(data))
    with pytest.raises(CommandError, match="1 problem"):
        call_command(
            "import_people", str(bad), "--region", world.community.code, "--user", "director",
            "--report", str(tmp_path / "r.xlsx"), stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip
    assert (tmp_path / "r.xlsx").stat().st_size > 0
    with pytest.raises(CommandError, match="may not import"):
        call_command(
            "import_people", str(good), "--region", world.sibling.code, "--user", "gridworker",
            stdout=io.StringIO(), stderr=io.StringIO(),
        )  # fmt: skip


def test_the_page_creates_a_job_within_scope_only(world: World) -> None:
    client = Client()
    client.force_login(world.users["gridworker"])
    assert client.get("/people/import/").status_code == 200
    upload = SimpleUploadedFile("p.csv", as_csv(rows(world, 2)))
    refused = client.post(
        "/people/import/", {"kind": "persons", "region": world.sibling.pk, "file": upload}
    )
    assert refused.status_code == 200 and not ImportJob.objects.exists()
    upload.seek(0)
    made = client.post(
        "/people/import/", {"kind": "persons", "region": world.grid.pk, "file": upload}
    )
    job = ImportJob.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/people/import/{job.pk}/"
    template = client.get("/people/import/template/?kind=dwellings")
    assert template.status_code == 200 and template.content[:2] == b"PK"
    stranger = Client()
    stranger.force_login(world.users["stranger"])
    assert stranger.get(f"/people/import/{job.pk}/").status_code == 404
    supervisor = Client()
    supervisor.force_login(world.users["supervisor"])
    assert supervisor.get("/people/import/").status_code == 403


def test_the_api_uploads_and_reports(world: World) -> None:
    client = Client()
    client.force_login(world.users["director"])
    upload = SimpleUploadedFile("p.csv", as_csv(rows(world, 4)))
    made = client.post(
        "/api/v1/people/imports",
        {"kind": "persons", "region_id": world.community.pk, "file": upload},
    )
    assert made.status_code == 201, made.content
    job_id = made.json()["id"]
    import_job_execute(job_id)
    status = client.get(f"/api/v1/people/imports/{job_id}").json()
    assert (status["status"], status["created"], status["has_report"]) == ("done", 4, False)
    assert client.get(f"/api/v1/people/imports/{job_id}/report").status_code == 404
    assert [job["id"] for job in client.get("/api/v1/people/imports").json()] == [job_id]
    assert client.get("/api/v1/people/imports/template?kind=tenancies").content[:2] == b"PK"
    stranger = Client()
    stranger.force_login(world.users["stranger"])
    assert stranger.get(f"/api/v1/people/imports/{job_id}").status_code == 404
    upload.seek(0)
    refused = stranger.post(
        "/api/v1/people/imports", {"kind": "persons", "region_id": world.grid.pk, "file": upload}
    )
    assert refused.status_code == 404
