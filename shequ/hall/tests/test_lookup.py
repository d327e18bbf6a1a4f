"""Status lookup without an account, and the resident's rating through it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from shequ.accounts.models import User
from shequ.cases.models import Case, Clock, Rating
from shequ.cases.services import case_transition
from shequ.hall import ratelimit
from shequ.hall.forms_public import LookupForm
from shequ.hall.models import ItemKind
from shequ.hall.services import item_save, window_accept
from shequ.hall.views_lookup import SESSION_KEY
from shequ.lib.codes import ALPHABET, display_code, new_code
from shequ.people.services import person_create
from shequ.regions.models import Unit, UnitKind
from shequ.regions.roles import Role
from shequ.regions.tests.factories import World, staff

# These tests assert the English source wording.
pytestmark = pytest.mark.english

LOOKUP = "/hall/lookup/"
KIOSK = "/hall/lookup/kiosk/"
RATE = "/hall/lookup/rate/"
NO_MATTER = "There is no matter with this code and phone number."


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def back(world: World) -> User:
    return staff(Role.BACK_OFFICE, world.district, "back")


@pytest.fixture
def case(world: World) -> Case:
    """An application accepted at the community's window, the applicant's phone ending 5678."""
    unit = Unit.objects.create(
        code="MZJ", name="新华区民政局", kind=UnitKind.DEPARTMENT, region=world.district
    )
    item = item_save(
        actor=None,
        code="MZ-001",
        values={
            "name": "居住证明办理",
            "kind": ItemKind.CERTIFICATE,
            "department_id": unit.pk,
            "promised_days": 5,
            "statutory_days": 10,
        },
        materials=[],
    )
    applicant = person_create(
        actor=world.users["admin"],
        region=world.grid,
        name="张伟",
        id_number="11010519491231002X",
        phone="13812345678",
    )
    return window_accept(
        actor=world.users["window"],
        item=item,
        applicant=applicant,
        region=world.community,
        materials=[],
    )


def finish(case: Case, back: User) -> Case:
    for name in ("take", "approve", "deliver"):
        case = case_transition(case=case, name=name, actor=back)
    return case


def look_up(client: Client, case: Case, tail: str = "5678", url: str = LOOKUP) -> str:
    response = client.post(url, {"code": display_code(case.tracking_code), "phone_tail": tail})
    assert response.status_code == 200
    return response.content.decode()


def mistyped(code: str) -> str:
    """The code with its first character changed: the check character no longer matches."""
    first = ALPHABET[(ALPHABET.index(code[0]) + 1) % len(ALPHABET)]
    return first + code[1:]


def test_the_lookup_shows_the_matter_in_plain_words(
    client: Client, world: World, case: Case
) -> None:
    body = look_up(client, case)
    assert "居住证明办理" in body
    assert "Your application has been accepted and sent to the office in charge." in body
    assert "Accepted at the service hall." in body
    assert "Due by " in body
    assert display_code(case.tracking_code) in body
    # No staff names, no applicant's data beyond the matter.
    assert world.users["window"].name not in body
    assert "张伟" not in body
    assert 'name="level"' not in body
    assert client.session[SESSION_KEY]["code"] == case.tracking_code
    assert client.session[SESSION_KEY]["channel"] == "portal"


def test_the_code_may_be_typed_in_lower_case_and_without_dashes(client: Client, case: Case) -> None:
    response = client.post(LOOKUP, {"code": case.tracking_code.lower(), "phone_tail": " 5678 "})
    assert "居住证明办理" in response.content.decode()


def test_wrong_digits_and_an_unknown_code_get_the_same_answer(client: Client, case: Case) -> None:
    wrong = look_up(client, case, tail="5679")
    unknown = client.post(LOOKUP, {"code": new_code(), "phone_tail": "5678"}).content.decode()
    for body in (wrong, unknown):
        assert NO_MATTER in body
        assert "居住证明办理" not in body
    assert SESSION_KEY not in client.session


def test_a_mistyped_code_is_refused_without_touching_the_database(
    client: Client, case: Case, django_assert_num_queries
) -> None:
    code = mistyped(case.tracking_code)
    with django_assert_num_queries(0):
        form = LookupForm(data={"code": code, "phone_tail": "5678"})
        assert not form.is_valid()
    assert form.errors["code"] == [
        "The code is not valid: check it against your receipt and type it again."
    ]
    with django_assert_num_queries(0):
        response = client.post(LOOKUP, {"code": code, "phone_tail": "5678"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "The code is not valid: check it against your receipt and type it again." in body
    assert NO_MATTER not in body


def test_the_phone_digits_must_be_four_digits(client: Client, case: Case) -> None:
    response = client.post(LOOKUP, {"code": case.tracking_code, "phone_tail": "567"})
    body = response.content.decode()
    assert "Enter exactly the last 4 digits of your phone" in body
    assert "居住证明办理" not in body


@override_settings(STATUS_LOOKUPS_PER_MINUTE=3)
def test_lookups_are_limited_per_address(
    client: Client, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # All attempts fall in one window, whatever the minute the test starts in.
    monkeypatch.setattr(ratelimit, "now", lambda: 1_800_000_000.0)
    for _attempt in range(3):
        look_up(client, case, tail="0000")
    response = client.post(
        LOOKUP, {"code": case.tracking_code, "phone_tail": "5678"}, REMOTE_ADDR="127.0.0.1"
    )
    body = response.content.decode()
    assert response.status_code == 429
    assert "Too many lookups from this device. Please wait a minute and try again." in body
    assert "居住证明办理" not in body
    assert SESSION_KEY not in client.session
    other = client.post(
        LOOKUP, {"code": case.tracking_code, "phone_tail": "5678"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 200
    assert "居住证明办理" in other.content.decode()


def test_a_code_from_the_receipt_qr_is_prefilled(client: Client, case: Case) -> None:
    response = client.get(LOOKUP, {"code": case.tracking_code})
    body = response.content.decode()
    assert response.status_code == 200
    assert f'value="{display_code(case.tracking_code)}"' in body
    assert "居住证明办理" not in body


def test_a_paused_matter_says_so(client: Client, case: Case, back: User) -> None:
    case = case_transition(case=case, name="take", actor=back)
    case_transition(case=case, name="request_correction", actor=back, note="缺户口本复印件")
    body = look_up(client, case)
    assert "Materials are missing: the office has told you what to bring." in body
    assert "Paused while materials are awaited (since " in body
    assert "The office in charge started handling it." in body
    assert "The office in charge asked for missing materials; the time limit is paused." in body
    assert "缺户口本复印件" not in body
    assert back.name not in body


def test_a_finished_matter_is_rated_once_through_the_lookup(
    client: Client, case: Case, back: User
) -> None:
    finish(case, back)
    body = look_up(client, case)
    assert 'name="level"' in body
    assert body.count('type="radio"') == 5
    assert "checked" not in body
    response = client.post(RATE, {"level": "5", "comment": "很快"})
    assert response.status_code == 302
    assert response["Location"] == f"{LOOKUP}?code={case.tracking_code}"
    rating = Rating.objects.get(case=case)
    assert (rating.level, rating.comment, rating.channel) == (5, "很快", "portal")
    after = client.get(response["Location"]).content.decode()
    assert "Thank you: your rating has been recorded." in after
    assert "You rated this matter: Very satisfied. Thank you." in after
    assert 'name="level"' not in after
    again = client.post(RATE, {"level": "1"})
    assert "This matter has been rated already" in again.content.decode()
    assert list(Rating.objects.values_list("case_id", "level")) == [(case.pk, 5)]
    assert not Case.objects.filter(type_key="rectification").exists()


def test_a_rating_needs_a_level(client: Client, case: Case, back: User) -> None:
    finish(case, back)
    look_up(client, case)
    response = client.post(RATE, {"comment": "还行"})
    assert "Choose one of the five levels" in response.content.decode()
    assert not Rating.objects.exists()


def test_a_poor_rating_on_the_kiosk_opens_a_rectification(
    client: Client, case: Case, back: User
) -> None:
    finish(case, back)
    look_up(client, case, url=KIOSK)
    response = client.post(RATE, {"level": "2", "comment": "跑了两趟"})
    assert response["Location"] == f"{KIOSK}?code={case.tracking_code}"
    assert Rating.objects.get(case=case).channel == "kiosk"
    fix = Case.objects.get(type_key="rectification")
    assert (fix.parent_id, fix.state, fix.owner_unit_id) == (case.pk, "open", case.owner_unit_id)
    assert fix.clock == Clock.RUNNING
    assert fix.data == {"rating": 2, "comment": "跑了两趟"}
    after = client.get(response["Location"]).content.decode()
    assert "We have your rating and will contact you within one working day." in after


def test_a_matter_is_not_ratable_before_it_is_finished(
    client: Client, case: Case, back: User
) -> None:
    case_transition(case=case, name="take", actor=back)
    body = look_up(client, case)
    assert 'name="level"' not in body
    response = client.post(RATE, {"level": "5"})
    assert "A matter can be rated once it is finished" in response.content.decode()
    assert not Rating.objects.exists()


def test_rating_needs_a_recent_lookup(client: Client, case: Case, back: User) -> None:
    finish(case, back)
    response = client.post(RATE, {"level": "5"})
    assert response.status_code == 302
    assert response["Location"] == LOOKUP
    look_up(client, case)
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "until": 0}
    session.save()
    response = client.post(RATE, {"level": "5"})
    assert response["Location"] == LOOKUP
    assert not Rating.objects.exists()


def test_the_kiosk_start_screen_forgets_the_last_lookup(client: Client, case: Case) -> None:
    body = look_up(client, case, url=KIOSK)
    assert 'data-idle-url="/hall/lookup/kiosk/"' in body
    assert "data-idle-home" not in body
    start = client.get(KIOSK).content.decode()
    assert "data-idle-home" in start
    assert SESSION_KEY not in client.session
    assert client.post(RATE, {"level": "5"})["Location"] == LOOKUP


@override_settings(STATUS_LOOKUPS_PER_MINUTE=1)
def test_the_next_window_opens_again(
    client: Client, case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [1_800_000_010.0]
    monkeypatch.setattr(ratelimit, "now", lambda: clock[0])
    data = {"code": case.tracking_code, "phone_tail": "5678"}
    first = client.post(LOOKUP, data)
    refused = client.post(LOOKUP, data)
    clock[0] += ratelimit.WINDOW_SECONDS
    later = client.post(LOOKUP, data)
    assert (first.status_code, refused.status_code, later.status_code) == (200, 429, 200)
