"""How fast the hotline desk suggests open cases while the operator types, among 100,000.

    python bench/hotline_suggest_bench.py                     # load 100,000 open cases, measure
    python bench/hotline_suggest_bench.py --reuse             # measure the loaded file again
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_hotline_bench \
        python bench/hotline_suggest_bench.py

1. Builds a district of 3 streets and 30 communities and inserts `--cases` open cases
   (incidents and hotline requests) with invented addresses (roads with numbers, compounds
   with buildings), request texts from common complaints, and points in the district, in
   var/bench/hotline_suggest.sqlite3 (or $DATABASE_URL when it names a PostgreSQL database
   whose name contains "bench"); `--reuse` keeps a database that already holds them.
2. Fills the suggestion's side table (`suggest_rebuild`, what `manage.py hotline_suggest
   --rebuild` runs) and times it.
3. Replays typing: for `--queries` calls about a case already open, the address typed one
   character more at a time, then the request text, then a map point; and as many calls
   about nothing open. Each keystroke (after the debounce) is one request.
4. Times the whole page path, the desk's GET /hotline/suggest/ through Django's test client
   (the user's scope, the search, the rows, the template), for an operator of the whole
   district and one of a street; and the search alone (`search.suggest`).
5. Prints p50/p95/max; writes bench/results/hotline_suggest-<time>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import fresh_database, print_table, setup_django, timed, write_result

GOAL_MS = 50.0
# About 300 roads and 900 compounds, as a district of half a million people has.
ROAD_HEADS = (
    "湖北", "中山", "建设", "和平", "裕华", "槐安", "体育", "平安", "自强", "友谊", "红旗",
    "维明", "范西", "谈固", "胜利", "民心河", "石清", "工农", "新华", "联盟", "育才", "汇通",
    "光华", "长安", "振头", "翟营", "塔谈", "东岗", "南二环", "北二环", "西三庄", "柏林",
    "中华", "休门", "青园", "建华", "跃进", "仓安", "广安", "站前",
)  # fmt: skip
ROAD_TAILS = ("路", "大街", "街", "东路", "西路", "南路", "北路", "南大街")
COMPOUND_HEADS = (
    *ROAD_HEADS,
    "幸福", "阳光", "金域", "翠屏", "东风", "铁路", "光明", "锦绣", "紫金", "丽景", "康乐",
    "水岸", "荣盛", "万达", "天山", "恒大", "保利", "电力", "棉三", "联强", "南高基", "北杜",
)  # fmt: skip
COMPOUND_TAILS = (
    "小区", "花园", "家园", "华府", "山庄", "里", "宿舍", "苑", "公寓", "新城", "名邸",
    "雅居", "佳苑", "广场", "世家", "华庭",
)  # fmt: skip
ROADS = tuple(head + tail for head in ROAD_HEADS for tail in ROAD_TAILS)
COMPOUNDS = tuple(head + tail for head in COMPOUND_HEADS for tail in COMPOUND_TAILS)
MATTERS = (
    "门口垃圾堆积多日无人清理", "夜间施工噪音扰民", "停水两天没有通知", "路灯不亮晚上很黑",
    "井盖缺失有安全隐患", "下水道堵塞污水外溢", "违章停车堵塞消防通道", "电梯经常故障困人",
    "暖气不热室温只有十几度", "占道经营早市影响通行", "楼道堆放杂物", "外墙瓷砖脱落",
    "小广告乱贴乱画", "绿化带被毁种菜", "飞线充电有火灾隐患", "楼顶漏水", "公厕无人保洁",
    "树枝压线需要修剪", "燃气味道很大", "物业乱收停车费", "宠物狗扰民", "烧烤油烟扰民",
)  # fmt: skip
DETAILS = (
    "", "，已经反映过好几次", "，希望尽快处理", "，老人出行不便", "，孩子上学要经过",
    "，物业不管", "，请相关部门来看看", "，附近居民意见很大", "，昨天开始的", "，持续一周了",
)  # fmt: skip
LAT, LNG = (37.98, 38.12), (114.38, 114.58)


def place(rng: random.Random) -> str:
    if rng.random() < 0.45:
        return f"{rng.choice(ROADS)}{rng.randint(1, 400)}号"
    return f"{rng.choice(COMPOUNDS)}{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元"


def load(count: int, rng: random.Random) -> dict[str, Any]:
    """The tree, the two operators, `count` open cases; then the side table."""
    from django.db import connection, transaction
    from django.utils import timezone

    from shequ.accounts.models import User
    from shequ.cases.models import Case, Clock
    from shequ.hotline.models import Channel, HotlineCase
    from shequ.hotline.search_index import suggest_rebuild
    from shequ.lib.codes import new_code
    from shequ.regions.models import Level, Region, RoleAssignment
    from shequ.regions.roles import Role

    levels = {level.key: level for level in Level.objects.all()}

    def node(code: str, name: str, key: str, parent: Region | None) -> Region:
        region = Region.objects.create(
            code=code, name=name, level=levels[key], parent=parent, path="", depth=0
        )
        region.path = f"{parent.path if parent else '/'}{region.pk}/"
        region.depth = parent.depth + 1 if parent else 0
        region.save(update_fields=["path", "depth"])
        return region

    with transaction.atomic():
        district = node("130105", "新华区", "district", None)
        streets = [node(f"130105{i:03d}", f"第{i}街道", "street", district) for i in range(1, 4)]
        communities = [
            node(f"{street.code}{j:03d}", f"{street.name}{j}社区", "community", street)
            for street in streets
            for j in range(1, 11)
        ]
        for username, region in (("operator", district), ("street_operator", streets[0])):
            user = User.objects.create(username=username, name=username)
            RoleAssignment.objects.create(user=user, role=Role.HOTLINE_OPERATOR, region=region)
        now = timezone.now()
        with timed() as insert:
            batch: list[Case] = []
            texts: list[str] = []
            for index in range(count):
                where = place(rng)
                text = f"{where}{rng.choice(MATTERS)}{rng.choice(DETAILS)}"
                hotline = index % 3 == 0
                batch.append(
                    Case(
                        type_key="hotline" if hotline else "incident",
                        state="handling" if hotline else "verified",
                        tracking_code=new_code(),
                        title=text[:60],
                        region=rng.choice(communities),
                        requester_name="市民",
                        address=where,
                        lat=rng.uniform(*LAT),
                        lng=rng.uniform(*LNG),
                        clock=Clock.RUNNING,
                        started_on=now.date(),
                        due_date=now.date(),
                        due_at=now,
                    )
                )
                texts.append(text if hotline else "")
                if len(batch) == 5000:
                    _flush(batch, texts, Case, HotlineCase, Channel)
                    batch, texts = [], []
            _flush(batch, texts, Case, HotlineCase, Channel)
    # Open cases accumulate over weeks: none was opened in the last minutes (those are read
    # from the case table until the minute's sync takes them in; see search.py).
    Case.objects.update(created_at=now - dt.timedelta(days=3))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    with timed() as index:
        result = suggest_rebuild()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"insert_s": insert.seconds, "index_s": index.seconds, "indexed": result.indexed}


def _flush(batch: list[Any], texts: list[str], case_model: Any, detail: Any, channel: Any) -> None:
    made = case_model.objects.bulk_create(batch)
    detail.objects.bulk_create(
        detail(case=case, channel=channel.PHONE, text=text)
        for case, text in zip(made, texts, strict=True)
        if text
    )


def typing(rng: random.Random, count: int) -> list[dict[str, str]]:
    """The requests of `count` calls about open cases and `count` about nothing open."""
    from shequ.cases.models import Case

    sample = list(Case.objects.order_by("?").values_list("address", "title", "lat", "lng")[:count])
    requests: list[dict[str, str]] = []
    for address, title, lat, lng in sample:
        # The operator types the address in a few bursts (the desk waits 300 ms between).
        for cut in sorted({4, len(address) // 2 + 2, len(address)}):
            requests.append({"address": address[:cut]})
        text = title[len(address) :] or title
        for cut in sorted({4, len(text)}):
            requests.append({"address": address, "text": text[:cut]})
        near_lat = (lat or LAT[0]) + rng.uniform(-0.0008, 0.0008)
        near_lng = (lng or LNG[0]) + rng.uniform(-0.0008, 0.0008)
        requests.append(
            {"address": address, "text": text, "lat": f"{near_lat:.6f}", "lng": f"{near_lng:.6f}"}
        )
    for _ in range(count):
        requests.append(
            {"address": f"不存在路{rng.randint(1, 999)}号", "text": "咨询医保报销的办理流程"}
        )
    return requests


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(requests: list[dict[str, str]], username: str) -> dict[str, Any]:
    from django.test import Client

    from shequ.accounts.models import User
    from shequ.hotline import search

    user = User.objects.get(username=username)
    client = Client()
    client.force_login(user)
    # Warm up (the URL map, the templates), then the floor: the same page asked for nothing,
    # which costs the request cycle (session, user, scope, template) and no search.
    for _ in range(5):
        client.get("/hotline/suggest/", requests[0])
    floor_ms: list[float] = []
    for _ in range(200):
        started = time.perf_counter()
        client.get("/hotline/suggest/")
        floor_ms.append((time.perf_counter() - started) * 1000)
    page_ms: list[float] = []
    found = 0
    for params in requests:
        started = time.perf_counter()
        response = client.get("/hotline/suggest/", params)
        page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
        found += b'data-testid="suggestion"' in response.content
    search_ms: list[float] = []
    for params in requests:
        fresh = User.objects.get(pk=user.pk)  # the scope read afresh, as in a request
        query = search.Query(
            address=params.get("address", ""),
            text=params.get("text", ""),
            lat=float(params["lat"]) if "lat" in params else None,
            lng=float(params["lng"]) if "lng" in params else None,
        )
        started = time.perf_counter()
        search.suggest(fresh, query)
        search_ms.append((time.perf_counter() - started) * 1000)
    return {
        "requests": len(requests),
        "with_suggestions": found,
        "floor_p50_ms": statistics.median(floor_ms),
        "floor_p95_ms": percentile(floor_ms, 0.95),
        "page_p50_ms": statistics.median(page_ms),
        "page_p95_ms": percentile(page_ms, 0.95),
        "page_max_ms": max(page_ms),
        "search_p50_ms": statistics.median(search_ms),
        "search_p95_ms": percentile(search_ms, 0.95),
        "search_max_ms": max(search_ms),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=150, help="calls about open cases")
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    url = setup_django("hotline_suggest")
    rng = random.Random(args.seed)
    from django.conf import settings

    from shequ.cases.models import Case

    settings.ALLOWED_HOSTS = ["*"]
    loaded: dict[str, Any] = {}
    try:
        reusable = args.reuse and Case.objects.count() >= args.cases
    except Exception:  # no tables yet: load
        reusable = False
    if reusable:
        print(f"Reusing {url.split('@')[-1]}: {Case.objects.count():,} cases")
    else:
        fresh_database()
        print(f"Loading {args.cases:,} open cases into {url.split('@')[-1]} …")
        loaded = load(args.cases, rng)
        print(
            f"  inserted in {loaded['insert_s']:.1f} s; side table of {loaded['indexed']:,} "
            f"cases filled in {loaded['index_s']:.1f} s"
        )
    requests = typing(rng, args.queries)
    results = {}
    for label, username in (
        ("district operator", "operator"),
        ("street operator", "street_operator"),
    ):
        results[label] = measure(requests, username)
    rows = [
        [
            label,
            r["requests"],
            r["with_suggestions"],
            r["floor_p50_ms"],
            r["floor_p95_ms"],
            r["page_p50_ms"],
            r["page_p95_ms"],
            r["page_max_ms"],
            r["search_p50_ms"],
            r["search_p95_ms"],
        ]
        for label, r in results.items()
    ]
    print_table(
        f"Suggestions among {Case.objects.count():,} open cases (goal: page p95 < {GOAL_MS:.0f} ms)",
        [
            "user",
            "requests",
            "with hits",
            "floor p50",
            "floor p95",
            "page p50",
            "page p95",
            "page max",
            "search p50",
            "search p95",
        ],
        rows,
    )
    load_average = os.getloadavg()
    print(
        f"\nMachine load average (1, 5, 15 min): {load_average[0]:.2f} {load_average[1]:.2f} "
        f"{load_average[2]:.2f} on {os.cpu_count()} cores"
    )
    path = write_result(
        "hotline_suggest",
        {
            "cases": Case.objects.count(),
            "load": loaded,
            "results": results,
            "goal_ms": GOAL_MS,
            "load_average": load_average,
        },
    )
    print(f"\nWritten to {path}")


if __name__ == "__main__":
    main()
