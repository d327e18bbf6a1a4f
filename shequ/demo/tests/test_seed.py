"""The demo district: its tree, its register, determinism, its logins and its commands."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import Client

from shequ.accounts.models import User
from shequ.accounts.services import resident_login
from shequ.audit.models import AuditEvent
from shequ.audit.services import audit_verify
from shequ.demo.generator import (
    DEMO_RESIDENT_PHONE,
    PERSON_FIELDS,
    PeopleMaker,
    grid_targets,
    plan_tree,
)
from shequ.demo.logins import DEMO_ACCOUNTS, DEMO_PASSWORD, demo_login_rows
from shequ.demo.places import HEBEI_COUNTIES, OTHER_COUNTIES, bounding
from shequ.demo.services import DemoError, SeedReport, demo_seed
from shequ.lib import crypto
from shequ.lib.divisions import county_known
from shequ.lib.idnumbers import parse_identity
from shequ.lib.phones import parse_phone
from shequ.lib.pinyin import name_keys
from shequ.people.models import Dwelling, DwellingUse, Household, Person, Relation
from shequ.regions.models import Region, RoleAssignment

PERSONS = 600
SEED = 7


@pytest.fixture
def demo(db: None) -> SeedReport:
    return demo_seed(seed=SEED, persons=PERSONS)


def pure_people(seed: int, persons: int) -> list[dict[str, object]]:
    """Person rows of the generator alone, without the encrypted columns (nonces are random)."""
    rng = random.Random(seed)
    nodes = plan_tree(rng)
    grids = [node for node in nodes if node.level == "grid"]
    ids = dict.fromkeys(("building", "dwelling", "household", "person"), 1)
    maker = PeopleMaker(rng, ids=ids, stamp=None)
    rows = []
    for grid, count in zip(grids, grid_targets(grids, persons), strict=True):
        for row in maker.grid_rows(grid, count).persons:
            values = dict(zip(PERSON_FIELDS, row, strict=True))
            rows.append({k: v for k, v in values.items() if not k.endswith("_enc")})
    return rows


def box(region: Region) -> tuple[float, float, float, float]:
    assert region.boundary is not None and region.boundary["type"] == "Polygon"
    ring = region.boundary["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    return min(lngs), min(lats), max(lngs), max(lats)


def test_the_tree_has_the_shape_of_seed_000(demo: SeedReport) -> None:
    district = Region.objects.get(level__key="district")
    assert (district.code, district.name, district.path) == ("130105", "新华区", f"/{district.pk}/")
    streets = list(Region.objects.filter(level__key="street").order_by("code"))
    assert [(s.code, s.name) for s in streets] == [
        ("130105001", "古楼街道"),
        ("130105002", "新区街道"),
        ("130105003", "柳园街道"),
    ]
    assert [s.children.count() for s in streets] == [20, 25, 17]
    communities = Region.objects.filter(level__key="community")
    assert communities.count() == 62
    assert {"湖北社区", "八一社区", "御苑社区"} <= set(communities.values_list("name", flat=True))
    assert Region.objects.get(code="130105001001").name == "湖北社区"
    assert Region.objects.get(code="130105002001").name == "御苑社区"
    assert len(set(communities.values_list("community_type", flat=True))) == 5
    grids_per_community = Counter(
        Region.objects.filter(level__key="grid").values_list("parent__code", flat=True)
    )
    assert set(grids_per_community.values()) == {3, 4}
    assert sum(grids_per_community.values()) == 221
    for region in Region.objects.exclude(parent=None).select_related("parent"):
        parent = region.parent
        assert parent is not None
        assert region.path == f"{parent.path}{region.pk}/"
        assert region.depth == parent.depth + 1
        assert region.code.startswith(parent.code)
        assert len(region.code) == len(parent.code) + 3
    assert demo.counts["grids"] == 221 and demo.counts["communities"] == 62


def test_boundaries_nest_and_grids_do_not_overlap(demo: SeedReport) -> None:
    regions = list(Region.objects.select_related("level"))
    children: dict[int, list[Region]] = {}
    for region in regions:
        if region.parent_id:
            children.setdefault(region.parent_id, []).append(region)
    for region in regions:
        if region.pk in children:
            assert box(region) == pytest.approx(bounding([box(c) for c in children[region.pk]]))
    grids = [box(r) for r in regions if r.level.key == "grid"]
    for a, b in itertools.combinations(grids, 2):
        overlap_w = min(a[2], b[2]) - max(a[0], b[0])
        overlap_h = min(a[3], b[3]) - max(a[1], b[1])
        assert overlap_w <= 1e-9 or overlap_h <= 1e-9
    lng, lat = box(next(r for r in regions if r.parent_id is None))[:2]
    assert 114.3 < lng < 114.5 and 37.9 < lat < 38.1


def test_every_identity_number_opens_and_parses(demo: SeedReport) -> None:
    persons = list(Person.objects.all())
    assert len(persons) == demo.counts["persons"] >= PERSONS
    numbers = set()
    for person in persons:
        number = crypto.decrypt(person.id_number_enc)
        identity = parse_identity(number, person.doc_type)
        assert identity.warnings == ()
        assert (identity.gender, identity.birth_date) == (person.gender, person.birth_date)
        assert person.id_number_hash == crypto.keyed_hash(number)
        assert person.id_number_masked == identity.masked
        assert 0 <= (2026 - identity.birth_date.year) <= 96
        numbers.add(number)
        if person.phone_enc:
            phone = crypto.decrypt(person.phone_enc)
            assert parse_phone(phone) == phone
            assert person.phone_masked == f"{phone[:3]}****{phone[-4:]}"
    assert len(numbers) == len(persons)
    assert any(number.endswith("X") for number in numbers)
    assert any(not number.startswith("13") for number in numbers)
    assert {p.residence_status for p in persons} == {"registered", "resident", "floating"}


def test_names_keep_rare_characters_and_middle_dots(demo: SeedReport) -> None:
    names = list(Person.objects.values_list("name", "name_pinyin", "name_initials"))
    assert any("𠮷" in name for name, _, _ in names)
    assert any(ord(char) > 0xFFFF for name, _, _ in names for char in name)
    assert any("·" in name for name, _, _ in names)
    for name, pinyin, initials in names:
        assert (pinyin, initials) == name_keys(name)


def test_households_have_one_head_and_live_in_dwellings(demo: SeedReport) -> None:
    heads = Counter(
        Person.objects.filter(relation=Relation.HEAD).values_list("household", flat=True)
    )
    assert set(heads.values()) == {1}
    assert len(heads) == Household.objects.count() == demo.counts["households"]
    sizes = Counter(Person.objects.values_list("household", flat=True))
    assert set(sizes.values()) <= {1, 2, 3, 4, 5}
    assert not Household.objects.filter(
        dwelling__use__in=[DwellingUse.VACANT, DwellingUse.COMMERCIAL]
    ).exists()
    assert not Person.objects.exclude(region=F("household__region")).exists()
    assert {d.use for d in Dwelling.objects.all()} >= {"owner", "rented", "vacant"}


def test_a_seed_gives_the_same_people_every_time(demo: SeedReport) -> None:
    stored = list(
        Person.objects.order_by("pk").values_list("name", "id_number_masked", "phone_masked")
    )
    first = pure_people(SEED, PERSONS)
    assert first == pure_people(SEED, PERSONS)
    assert stored == [(r["name"], r["id_number_masked"], r["phone_masked"]) for r in first]
    assert pure_people(SEED + 1, PERSONS) != first


def test_the_county_codes_are_known() -> None:
    for code, _place in (*HEBEI_COUNTIES, *OTHER_COUNTIES):
        assert county_known(code), code


def test_one_audit_event_sums_up_the_load(demo: SeedReport) -> None:
    event = AuditEvent.objects.get(action="import")
    assert event.object_type == "demo.seed"
    assert event.changes["persons"] == demo.counts["persons"]
    assert event.changes["seed"] == SEED
    assert audit_verify().ok


def test_the_demo_logins_work(demo: SeedReport) -> None:
    assert demo.logins_created == [account.username for account in DEMO_ACCOUNTS]
    for account in DEMO_ACCOUNTS:
        assert Client().login(username=account.username, password=DEMO_PASSWORD), account
        unit = {"unit__code": account.unit_code} if account.unit_code else {"unit__isnull": True}
        assignment = RoleAssignment.objects.get(user__username=account.username, **unit)
        assert (assignment.role, assignment.region.code) == (account.role, account.region_code)
    assert RoleAssignment.objects.get(user__username="grid").region.name == "湖北社区第一网格"
    result = resident_login(phone=DEMO_RESIDENT_PHONE, password=DEMO_PASSWORD, request=None)
    assert result.account is not None
    head = Person.objects.get(phone_hash=crypto.keyed_hash(DEMO_RESIDENT_PHONE))
    assert result.account.name == head.name
    assert head.region.code == "130105001001001"


def test_demo_logins_prints_the_accounts(demo: SeedReport) -> None:
    out = StringIO()
    call_command("demo_logins", url="http://127.0.0.1:8000", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    rows = {line.split()[0]: line.split() for line in text.splitlines() if line.strip()}
    assert rows["admin"][-1] == DEMO_PASSWORD
    assert rows["director"][-2:] == ["湖北社区", DEMO_PASSWORD]
    assert rows[DEMO_RESIDENT_PHONE][-1] == DEMO_PASSWORD
    # The back-office login also works for two units (区民政局, 区人社局): two more rows.
    assert len(demo_login_rows()) == len(DEMO_ACCOUNTS) + 1 + 2


def test_a_taken_user_name_is_left_alone_and_not_listed(db: None) -> None:
    User.objects.create_user(username="admin", password="Another-pass-2026")
    report = demo_seed(seed=SEED, persons=300)
    assert report.logins_skipped == ["admin"]
    assert not RoleAssignment.objects.filter(user__username="admin").exists()
    assert "admin" not in [row.login for row in demo_login_rows()]
    assert Client().login(username="admin", password="Another-pass-2026")


def test_seed_demo_refuses_a_database_with_a_tree(world: object) -> None:
    before = Person.objects.count(), Region.objects.count()
    with pytest.raises(CommandError, match="already holds a region tree"):
        call_command("seed_demo", persons=300, verbosity=0)
    out = StringIO()
    call_command("seed_demo", persons=300, if_empty=True, stdout=out)
    assert "demo not loaded" in out.getvalue()
    assert (Person.objects.count(), Region.objects.count()) == before
    with pytest.raises(DemoError):
        demo_seed(persons=300)


def test_seed_demo_loads_a_small_district(db: None) -> None:
    out = StringIO()
    call_command("seed_demo", scale=0.01, stdout=out)
    assert "221 grids" in out.getvalue()
    # At least one household per grid: a tiny scale gives a little more than it asks for.
    assert 500 <= Person.objects.count() < 1000
    with pytest.raises(CommandError, match="scale"):
        call_command("seed_demo", "--scale", "0")


def test_the_demo_runs_matters_through_the_hall(db: None) -> None:
    from shequ.audit.services import audit_verify
    from shequ.cases.models import Case
    from shequ.hall.models import Application

    report = demo_seed(seed=SEED, persons=4200)
    applications = Case.objects.filter(type_key="application")
    assert report.counts["cases"] == applications.count() == 20
    assert Application.objects.count() == 20
    assert applications.filter(state="delivered").exists()
    # Dates lie in the past, finishes after starts, and the audit chain holds.
    for case in applications.exclude(finished_at=None):
        assert case.started_on is not None and case.finished_at is not None
        assert case.started_on <= case.finished_at.date()
    assert audit_verify().ok


def test_the_demo_has_incidents_through_the_loop(demo: SeedReport) -> None:
    from shequ.cases.models import Case, CaseEvent
    from shequ.incidents.models_loop import Incident

    incidents = Case.objects.filter(type_key="incident")
    assert demo.counts["incidents"] == incidents.count() == Incident.objects.count() > 0
    # Every one has its opening on the timeline, dated in the past two months.
    assert CaseEvent.objects.filter(case__in=incidents, action="open").count() == incidents.count()
    assert incidents.filter(state="closed").exists()
    assert RoleAssignment.objects.filter(user__username="chengguan", unit__code="D-CG").exists()


class RecordingSender:
    """A text gateway that keeps what it was asked to send."""

    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> str:
        RecordingSender.sent.append((phone, text))
        return "recorded"


def test_demo_history_texts_nobody(db: None, settings, django_capture_on_commit_callbacks) -> None:
    """The demo's cases move through steps that text requesters; loading them sends nothing,
    also when its transaction commits (the console of `make run` stays readable)."""
    settings.SMS_SENDER = f"{__name__}.RecordingSender"
    RecordingSender.sent = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        demo_seed(seed=SEED, persons=PERSONS)
    assert callbacks, "the demo's steps queue their messages on commit"
    assert RecordingSender.sent == []
    # Outside the demo the same sender is used again.
    from shequ.core.sms import get_sender

    get_sender().send("13800138000", "测试")
    assert RecordingSender.sent == [("13800138000", "测试")]


def test_demo_history_leaves_no_unread_messages(demo: SeedReport) -> None:
    """The history's steps put messages in the staff's inboxes; they are read already."""
    from shequ.cases.models import Notification

    assert Notification.objects.exists()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
