"""POST requests: a client's request becomes an incident case, scoped, audited, idempotent.

From the specification: `api_key` is required (403 when missing or invalid); service_code
and a location (lat and long, address_string or address_id) are required (400), an unknown
service_code is 404; attributes come as attribute[code]=value and attribute[code][]=value.
"""

from __future__ import annotations

import pytest
from django.test import Client

from shequ.audit.models import AuditEvent
from shequ.audit.services import audit_verify
from shequ.cases.models import Case, CaseEvent
from shequ.incidents.models_loop import Channel, Incident
from shequ.incidents.tests.loop import IN_GRID, IN_SIBLING
from shequ.incidents.tests.table import Table
from shequ.lib import crypto
from shequ.open311.models import ServiceAttribute, ServiceRequest
from shequ.open311.services import key_create, key_update
from shequ.open311.tests.helpers import Client311, client_key, data, errors_xml, fields, post, xml
from shequ.regions.tests.factories import World

pytestmark = pytest.mark.django_db

OUTSIDE_GRIDS = (117.5, 39.5)  # lng, lat: in China, in no grid


def nothing_made() -> bool:
    return not Case.objects.exists() and not ServiceRequest.objects.exists()


@pytest.mark.english
def test_a_posted_request_becomes_an_incident_of_the_grid_holding_its_point(
    client: Client, app: Client311, world: World, definition: list[ServiceAttribute]
) -> None:
    response = post(
        client,
        "json",
        api_key=app.raw,
        jurisdiction_id="xinhua.gov.cn",
        first_name="小明",
        last_name="王",
        phone="13912345678",
        email="wang@example.cn",
        device_id="phone-7",
        account_id="acc-42",
        media_url="https://img.example.cn/a.jpg",
        **{
            "attribute[place]": "sidewalk",
            "attribute[times][]": ["morning", "night"],
            "attribute[area]": "12.5",
            "attribute[since]": "2026-03-01T20:00:00Z",
            "attribute[landmark]": "",  # empty: the same as absent
        },
    )
    assert response.status_code == 200
    (answer,) = data(response)
    case = Case.objects.get()
    assert answer == {
        "service_request_id": case.pk,
        "service_notice": "To be handled within 4 Working hours once the report is filed.",
        "account_id": "acc-42",
    }
    # A case like any other: an incident reported at the grid, filed as the key's account.
    incident = Incident.objects.get()
    assert (case.type_key, case.state, case.region) == ("incident", "reported", world.grid)
    assert (incident.channel, incident.reporter, incident.located) == (
        Channel.OPEN311,
        app.user,
        True,
    )
    assert (case.address, case.lat, case.lng) == ("湖北路12号", IN_GRID[1], IN_GRID[0])
    assert list(CaseEvent.objects.filter(case=case).values_list("action", "actor")) == [
        ("open", app.user.pk)
    ]
    # The requester's name and phone, the phone sealed; the e-mail is kept nowhere.
    assert case.requester_name == "王小明"
    assert case.requester_phone_masked == "139****5678"
    assert case.requester_phone_tail == "5678"
    assert crypto.decrypt(case.requester_phone_enc) == "13912345678"
    # Staff read the client's text, the answers in words, the media link and the client.
    assert incident.description == (
        "路口垃圾堆了三天\n"
        "在哪里发现的？：人行道\n"
        "通常在什么时段出现？：早上、夜间\n"
        "大约多少平方米？：12.5\n"
        "什么时候开始有的？：2026-03-02T04:00:00+08:00\n"
        "Media sent by the client: https://img.example.cn/a.jpg\n"
        "Reported through Open311 by 市民通"
    )
    record = ServiceRequest.objects.get()
    assert (record.key, record.source, record.service_code, record.service_name) == (
        app.key,
        "incidents",
        "E0102",
        "暴露垃圾",
    )
    assert record.attributes == {
        "place": "sidewalk",
        "times": ["morning", "night"],
        "area": "12.5",
        "since": "2026-03-02T04:00:00+08:00",
    }
    assert (record.device_id, record.account_id, record.token) == ("phone-7", "acc-42", "")
    assert "wang@example.cn" not in str(ServiceRequest.objects.values().get())
    assert "wang@example.cn" not in str(Case.objects.values().get())
    # Audited as the key's account, without the personal data.
    event = AuditEvent.objects.get(object_type="open311.servicerequest")
    assert (event.actor_id, event.object_id, event.reason) == (
        app.user.pk,
        str(case.pk),
        "open311",
    )
    assert event.region_path == world.grid.path
    assert "13912345678" not in str(event.changes) and "王" not in str(event.changes)
    assert audit_verify().ok


def test_the_answer_in_xml(client: Client, app: Client311) -> None:
    response = post(client, "xml", api_key=app.raw)
    assert response.status_code == 200
    root = xml(response)
    assert root.tag == "service_requests"
    (request,) = root
    assert request.tag == "request"
    assert fields(request) == {
        "service_request_id": str(Case.objects.get().pk),
        "service_notice": request.findtext("service_notice"),
        "account_id": None,
    }
    assert "token" not in fields(request)  # realtime: the id at once, no token


def test_a_multipart_body_is_read_too(client: Client, app: Client311) -> None:
    response = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": app.raw,
            "service_code": "E0501",
            "address_string": "中山路与湖北路口",
            "description": "游商占道",
        },
    )
    assert response.status_code == 200
    assert Case.objects.get().address == "中山路与湖北路口"


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_missing_key_is_refused_with_403(client: Client, app: Client311, fmt: str) -> None:
    response = post(client, fmt)
    assert response.status_code == 403
    description = "api_key was not provided -- can't proceed with create_request."
    if fmt == "xml":
        assert errors_xml(response) == [("403", description)]
    else:
        assert data(response) == [{"code": 403, "description": description}]
    assert nothing_made()


def test_a_wrong_or_inactive_key_is_refused_with_403(
    client: Client, app: Client311, world: World
) -> None:
    invalid = [
        {
            "code": 403,
            "description": "Invalid api_key received -- can't proceed with create_request.",
        }
    ]
    assert data(post(client, "json", api_key="o311_not-a-key")) == invalid
    assert data(post(client, "json", api_key=app.raw[:-1])) == invalid
    key_update(actor=world.users["admin"], key=app.key, values={"is_active": False})
    response = post(client, "json", api_key=app.raw)
    assert (response.status_code, data(response)) == (403, invalid)
    key_update(actor=world.users["admin"], key=app.key, values={"is_active": True})
    app.user.is_active = False
    app.user.save(update_fields=["is_active"])
    assert post(client, "json", api_key=app.raw).status_code == 403
    assert nothing_made()


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_an_unknown_service_code_is_not_found(client: Client, app: Client311, fmt: str) -> None:
    response = post(client, fmt, api_key=app.raw, service_code="E9999")
    assert response.status_code == 404
    if fmt == "xml":
        assert errors_xml(response) == [("404", "service_code E9999 was not found")]
    assert nothing_made()


def test_a_retired_service_is_not_found(client: Client, app: Client311) -> None:
    assert post(client, "json", api_key=app.raw, service_code="C0211").status_code == 404


def test_every_problem_of_a_body_is_reported_at_once(client: Client, app: Client311) -> None:
    response = post(
        client,
        "xml",
        api_key=app.raw,
        service_code="",
        lat="",
        long="",
        address_string="",
        description="<b>垃圾</b>",
        phone="12345",
        media_url="ftp://example.cn/a.jpg",
        device_id="x" * 101,
    )
    assert response.status_code == 400
    assert errors_xml(response) == [
        ("400", "device_id is longer than 100 characters"),
        ("400", "service_code was not provided"),
        ("400", "a location was not provided: lat and long, address_string or address_id"),
        ("400", "description may not contain HTML or code"),
        ("400", "phone is not a valid phone number"),
        ("400", "media_url must be an http or https URL"),
    ]
    assert nothing_made()


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"long": ""}, "lat and long must be sent together"),
        ({"lat": "north"}, "lat must be a decimal number of degrees (WGS84), not 'north'"),
        ({"long": "nan"}, "long must be a decimal number of degrees (WGS84), not 'nan'"),
        (
            {"lat": "37.76", "long": "-122.42"},
            "lat/long lie outside the jurisdiction (China, WGS84 degrees)",
        ),
        ({"description": "x" * 4001}, "description is longer than 4000 characters"),
        ({"description": "<!-- code -->"}, "description may not contain HTML or code"),
        ({"token": "t" * 65}, "token is longer than 64 characters"),
    ],
)
def test_bad_arguments_are_refused_with_400(
    client: Client, app: Client311, changes: dict[str, str], error: str
) -> None:
    response = post(client, "json", api_key=app.raw, **changes)
    assert (response.status_code, data(response)) == (400, [{"code": 400, "description": error}])
    assert nothing_made()


def test_text_that_only_looks_like_html_is_kept(client: Client, app: Client311) -> None:
    response = post(client, "json", api_key=app.raw, description="垃圾 < 1 吨, 3>2\n第二行")
    assert response.status_code == 200
    assert ServiceRequest.objects.get().description == "垃圾 < 1 吨, 3>2\n第二行"


def test_an_address_alone_is_filed_at_the_keys_node(
    client: Client, app: Client311, world: World
) -> None:
    response = post(client, "json", api_key=app.raw, lat="", long="", address_string="新华路1号")
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.region, case.lat, case.address) == (world.district, None, "新华路1号")
    assert Incident.objects.get().located is False


@pytest.mark.english
def test_an_address_id_alone_is_a_location(client: Client, app: Client311, world: World) -> None:
    response = post(
        client, "json", api_key=app.raw, lat="", long="", address_string="", address_id="545483"
    )
    assert response.status_code == 200
    assert ServiceRequest.objects.get().address_id == "545483"
    assert "Address id: 545483" in Incident.objects.get().description


def test_a_point_in_no_grid_falls_back_to_the_keys_node(
    client: Client, app: Client311, world: World
) -> None:
    admin = world.users["admin"]
    raw = client_key("社区小程序", "community-app", world.community, actor=admin).raw
    response = post(
        client, "json", api_key=raw, lat=str(OUTSIDE_GRIDS[1]), long=str(OUTSIDE_GRIDS[0])
    )
    assert response.status_code == 200
    case = Case.objects.get()
    # Not a grid: the community's leaders verify it and dispatch it from there.
    assert (case.region, case.lat, Incident.objects.get().located) == (
        world.community,
        OUTSIDE_GRIDS[1],
        False,
    )
    assert Incident.objects.get().handling_region == world.community


def test_a_point_in_a_grid_of_the_keys_area_is_placed_there(
    client: Client, app: Client311, world: World
) -> None:
    response = post(
        client, "json", api_key=app.raw, lat=str(IN_SIBLING[1]), long=str(IN_SIBLING[0])
    )
    assert response.status_code == 200
    assert Case.objects.get().region == world.sibling


def test_a_point_outside_the_keys_area_is_refused(
    client: Client, app: Client311, world: World
) -> None:
    raw = client_key("楼栋群", "grid-app", world.grid, actor=world.users["admin"]).raw
    response = post(client, "json", api_key=raw, lat=str(IN_SIBLING[1]), long=str(IN_SIBLING[0]))
    assert (response.status_code, data(response)) == (
        400,
        [
            {
                "code": 400,
                "description": "lat/long lie outside the area this api_key may report into",
            }
        ],
    )
    assert nothing_made()
    # A point in no grid at all belongs to the key's own grid.
    response = post(
        client, "json", api_key=raw, lat=str(OUTSIDE_GRIDS[1]), long=str(OUTSIDE_GRIDS[0])
    )
    assert response.status_code == 200
    assert Case.objects.get().region == world.grid


def test_a_retry_with_the_same_token_makes_no_second_case(
    client: Client, app: Client311, world: World
) -> None:
    first = data(post(client, "json", api_key=app.raw, token="3f2b8c1e-7d4a", device_id="p-1"))
    again = xml(post(client, "xml", api_key=app.raw, token="3f2b8c1e-7d4a", device_id="p-1"))
    assert again.findtext("request/service_request_id") == str(first[0]["service_request_id"])
    retry = data(post(client, "json", api_key=app.raw, token="3f2b8c1e-7d4a", description="改"))
    assert first == retry
    assert Case.objects.count() == ServiceRequest.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="open311.servicerequest").count() == 1
    # Another request of the same client: another token, another case.
    other = data(post(client, "json", api_key=app.raw, token="9a0c"))
    assert other[0]["service_request_id"] != first[0]["service_request_id"]
    # Tokens belong to their key: another client may use the same one.
    raw = client_key("随手拍", "other-app", world.district, actor=world.users["admin"]).raw
    theirs = data(post(client, "json", api_key=raw, token="3f2b8c1e-7d4a"))
    assert theirs[0]["service_request_id"] not in (
        first[0]["service_request_id"],
        other[0]["service_request_id"],
    )
    assert Case.objects.count() == 3


def test_a_retry_that_raced_past_the_check_gets_the_first_request(
    client: Client, app: Client311, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = data(post(client, "json", api_key=app.raw, token="race-1"))
    # As if the second post had looked before the first committed: the incident's client id
    # (made from the key and the token) recognises it.
    monkeypatch.setattr("shequ.open311.services.request_replay", lambda key, token: None)
    monkeypatch.setattr("shequ.open311.views.request_replay", lambda key, token: None)
    assert data(post(client, "json", api_key=app.raw, token="race-1")) == first
    assert Case.objects.count() == 1


def test_a_grid_workers_account_cannot_hold_a_key(world: World, table: Table) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        key_create(
            actor=world.users["admin"],
            name="网格通",
            user=world.users["gridworker"],
            region=world.grid,
        )
    assert "user" in refused.value.message_dict
    stranger_region = world.other_street
    with pytest.raises(ValidationError) as blind:
        key_create(
            actor=world.users["admin"],
            name="街道通",
            user=world.users["director"],
            region=stranger_region,
        )
    assert "user" in blind.value.message_dict


def test_a_service_retired_while_posting_is_not_found(
    client: Client, app: Client311, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shequ.open311.registry import Service
    from shequ.open311.sources import incidents

    # The lamp (C0211) was retired between the service check and the intake.
    lamp = (incidents.SOURCE, Service(code="C0211", name="路灯"))
    monkeypatch.setattr("shequ.open311.views.find_service", lambda code: lamp)
    response = post(client, "json", api_key=app.raw, service_code="C0211")
    assert (response.status_code, data(response)) == (
        404,
        [{"code": 404, "description": "service_code C0211 was not found"}],
    )
    assert nothing_made()
