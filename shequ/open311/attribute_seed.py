"""The starting service definitions: a few questions that help the unit in charge.

Rules by service-code prefix (C: every component; E01: every event of 市容环境 …); a service
gets every attribute whose prefix its code starts with, in this order. District
administrators change them in the admin afterwards; `seed_open311_attributes` adds only the
attributes a service does not have yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shequ.open311.models import Datatype


@dataclass(frozen=True)
class SeedAttribute:
    prefix: str
    code: str
    datatype: str
    description: str
    required: bool = False
    datatype_description: str = ""
    values: tuple[tuple[str, str], ...] = field(default_factory=tuple)


SEED = (
    SeedAttribute(
        "C",
        "condition",
        Datatype.SINGLE,
        "设施现在是什么状况？",
        required=True,
        values=(
            ("missing", "丢失"),
            ("broken", "破损"),
            ("displaced", "移位"),
            ("dirty", "污损"),
            ("other", "其他"),
        ),
    ),
    SeedAttribute(
        "E01",
        "place",
        Datatype.SINGLE,
        "在哪里发现的？",
        required=True,
        values=(
            ("road", "道路"),
            ("sidewalk", "人行道"),
            ("square", "广场"),
            ("green", "绿地"),
            ("compound", "小区内"),
            ("water", "河道水边"),
            ("other", "其他"),
        ),
    ),
    *(
        SeedAttribute(
            code,
            "size",
            Datatype.SINGLE,
            "大约有多少？",
            values=(("bags", "几袋"), ("heap", "一堆"), ("area", "大片")),
        )
        for code in ("E0102", "E0103", "E0107")
    ),
    SeedAttribute(
        "E0301",
        "seen_at",
        Datatype.DATETIME,
        "施工声音是什么时候听到的？",
        datatype_description="日期和时间，如 2026-03-02T23:30:00+08:00",
    ),
    SeedAttribute(
        "E04",
        "blocking",
        Datatype.SINGLE,
        "是否影响通行或有人身危险？",
        required=True,
        values=(("yes", "是"), ("partly", "部分影响"), ("no", "否")),
    ),
    SeedAttribute(
        "E0406",
        "depth_cm",
        Datatype.NUMBER,
        "积水大约多深？",
        datatype_description="厘米",
    ),
    SeedAttribute(
        "E05",
        "times",
        Datatype.MULTI,
        "通常在什么时段出现？",
        values=(("morning", "早上"), ("noon", "中午"), ("evening", "傍晚"), ("night", "夜间")),
    ),
)
