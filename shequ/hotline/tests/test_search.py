"""The duplicate suggestion: same address, nearby point, similar text, every type, the scope,
cases not yet synced, finished cases dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from shequ.cases.models import Case, Clock
from shequ.cases.services import case_open, case_transition
from shequ.hotline.models import SuggestDoc, SuggestEntry, SuggestGram, SuggestMark
from shequ.hotline.search import Query, suggest
from shequ.hotline.search_index import normalise, suggest_rebuild, suggest_sync
from shequ.hotline.tests.conftest import Hotline
from shequ.regions.roles import Role
from shequ.regions.tests.factories import staff

pytestmark = pytest.mark.django_db


def application(hotline: Hotline, title: str, address: str = "", **kw: object) -> Case:
    return case_open(
        case_type="application",
        actor=None,
        region=kw.pop("region", hotline.world.grid),  # type: ignore[arg-type]
        title=title,
        requester_name="张三",
        address=address,
        **kw,  # type: ignore[arg-type]
    )


def ids(found: list[Any]) -> list[int]:
    return [s.case_id for s in found]


def test_normalise_drops_spaces_and_width() -> None:
    assert normalise("幸福 小区３栋，２单元") == "幸福小区3栋2单元"


def test_same_address_of_another_type_is_suggested(hotline: Hotline) -> None:
    other = application(hotline, "楼道灯不亮", "幸福小区3栋2单元")
    suggest_rebuild()
    found = suggest(hotline.operator, Query(address="幸福小区 3栋"))
    assert ids(found) == [other.pk]
    assert found[0].same_address


def test_a_nearby_point_is_suggested_with_its_distance(hotline: Hotline) -> None:
    near = application(hotline, "井盖缺失", "某路口", lat=38.0501, lng=114.4801)
    application(hotline, "井盖缺失", "另一路口", lat=38.0801, lng=114.5201)
    suggest_rebuild()
    found = suggest(hotline.operator, Query(lat=38.0505, lng=114.4805))
    assert ids(found) == [near.pk]
    assert found[0].metres is not None and found[0].metres < 100


def test_similar_text_is_suggested(hotline: Hotline) -> None:
    similar = hotline.call("楼下烧烤店油烟太大，窗户都不敢开").case
    hotline.call("咨询医保报销流程")
    found = suggest(hotline.operator, Query(text="烧烤店油烟扰民"))
    assert ids(found) == [similar.pk]


def test_finished_cases_are_not_suggested_and_are_pruned(hotline: Hotline) -> None:
    case = hotline.call("湖北路12号停水", address="湖北路12号").case
    suggest_sync()
    assert SuggestDoc.objects.filter(case=case).exists()
    assert ids(suggest(hotline.operator, Query(address="湖北路12号"))) == [case.pk]
    case_transition(case=case, name="answer_directly", actor=hotline.operator, note="已答复")
    assert suggest(hotline.operator, Query(address="湖北路12号")) == []
    assert suggest_sync().pruned == 1
    assert not SuggestDoc.objects.filter(case=case).exists()
    assert not SuggestEntry.objects.filter(case=case).exists()


def test_cases_opened_since_the_sync_are_found_in_the_case_table(hotline: Hotline) -> None:
    suggest_sync()
    fresh = application(hotline, "路灯不亮", "和平路8号")
    assert not SuggestDoc.objects.filter(case=fresh).exists()
    assert ids(suggest(hotline.operator, Query(address="和平路8号"))) == [fresh.pk]


def test_the_mark_stays_behind_recent_cases(hotline: Hotline) -> None:
    old = application(hotline, "旧事项", "和平路1号")
    Case.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    recent = application(hotline, "新事项", "和平路2号")
    result = suggest_sync()
    assert result.mark == old.pk
    assert SuggestDoc.objects.filter(case=recent).exists()
    assert SuggestMark.objects.get().last_case_id == old.pk


def test_the_search_stays_within_the_users_node(hotline: Hotline) -> None:
    inside = application(hotline, "垃圾", "八一路1号", region=hotline.world.grid)
    outside = application(hotline, "垃圾", "八一路1号", region=hotline.world.other_street)
    suggest_rebuild()
    street_operator = staff(Role.HOTLINE_OPERATOR, hotline.world.street)
    assert ids(suggest(street_operator, Query(address="八一路1号"))) == [inside.pk]
    assert set(ids(suggest(hotline.operator, Query(address="八一路1号")))) == {
        inside.pk,
        outside.pk,
    }


def test_nothing_typed_suggests_nothing(hotline: Hotline) -> None:
    hotline.call()
    assert suggest(hotline.operator, Query(address="幸")) == []


def test_a_stopped_clock_case_is_never_in_the_tail(hotline: Hotline) -> None:
    case = application(hotline, "已办结", "和平路9号")
    Case.objects.filter(pk=case.pk).update(clock=Clock.STOPPED)
    assert suggest(hotline.operator, Query(address="和平路9号")) == []


def test_key_counts_follow_the_cases(hotline: Hotline) -> None:
    one = application(hotline, "停水", "和平路1号")
    application(hotline, "停水", "和平路1号")
    Case.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    suggest_sync()
    held = dict(SuggestGram.objects.values_list("key", "docs"))
    from shequ.hotline.search_index import Doc

    key = next(iter(Doc(0, "/1/", "停水", "", None, None).search_keys()))
    assert held[key] == 2
    Case.objects.filter(pk=one.pk).update(clock=Clock.STOPPED)
    suggest_sync()
    assert SuggestGram.objects.get(key=key).docs == 1
    suggest_rebuild()
    assert SuggestGram.objects.get(key=key).docs == 1
