"""Invented names for the demo register: common surnames by weight, given names by generation.

A few names carry characters outside the Basic Multilingual Plane (𠮷 and characters of the
通用规范汉字表 in CJK extensions B-F) and a few are written with the middle dot (·), as Uyghur
and other transcribed names are: the register must store, search and show both.
"""

from __future__ import annotations

import itertools
import random

# Surnames with their approximate share per ten thousand people (2020 census order).
SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("王", 710), ("李", 700), ("张", 670), ("刘", 540), ("陈", 450), ("杨", 310), ("黄", 250),
    ("赵", 230), ("吴", 200), ("周", 190), ("徐", 160), ("孙", 150), ("马", 150), ("朱", 130),
    ("胡", 120), ("郭", 120), ("何", 110), ("林", 100), ("高", 100), ("罗", 90), ("郑", 90),
    ("梁", 80), ("谢", 70), ("宋", 70), ("唐", 70), ("许", 70), ("韩", 70), ("邓", 70),
    ("冯", 70), ("曹", 60), ("彭", 60), ("曾", 60), ("肖", 60), ("田", 60), ("董", 60),
    ("潘", 50), ("袁", 50), ("蔡", 50), ("蒋", 50), ("余", 50), ("于", 50), ("杜", 50),
    ("叶", 50), ("程", 50), ("魏", 40), ("苏", 40), ("吕", 40), ("丁", 40), ("任", 40),
    ("卢", 40), ("姚", 40), ("沈", 40), ("钟", 40), ("姜", 40), ("崔", 40), ("谭", 40),
    ("陆", 40), ("范", 30), ("汪", 30), ("廖", 30), ("石", 30), ("金", 30), ("韦", 30),
    ("贾", 30), ("夏", 30), ("付", 30), ("方", 30), ("邹", 30), ("熊", 30), ("白", 30),
    ("孟", 30), ("秦", 30), ("邱", 30), ("侯", 30), ("江", 30), ("尹", 30), ("薛", 30),
    ("闫", 30), ("段", 30), ("雷", 20), ("龙", 20), ("黎", 20), ("史", 20), ("陶", 20),
    ("贺", 20), ("毛", 20), ("郝", 20), ("顾", 20), ("龚", 20), ("邵", 20), ("万", 20),
    ("武", 20), ("钱", 20), ("戴", 20), ("严", 20), ("孔", 20), ("常", 20), ("康", 20),
    ("牛", 20), ("耿", 10), ("左", 10), ("温", 10), ("乔", 10), ("葛", 10), ("单", 10),
    ("欧阳", 5), ("上官", 2), ("司马", 2), ("诸葛", 1), ("皇甫", 1), ("慕容", 1),
)  # fmt: skip
SURNAMES = tuple(name for name, _ in SURNAME_WEIGHTS)
SURNAME_CUMULATIVE = tuple(itertools.accumulate(weight for _, weight in SURNAME_WEIGHTS))

# Given names by generation (born before 1960, 1960-1989, from 1990) and gender.
GIVEN: dict[tuple[int, str], tuple[str, ...]] = {
    (0, "M"): (
        "建国", "国庆", "建军", "国华", "振华", "德明", "志强", "文华", "保国", "国栋", "玉田",
        "福生", "长青", "树林", "永胜", "海山", "金山", "庆祥", "德胜", "顺利", "德", "福",
        "贵", "荣", "明", "林", "山", "海", "军", "忠", "义", "才", "富", "宝", "成", "喜",
    ),
    (0, "F"): (
        "秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤英", "玉珍", "玉梅", "秀珍", "凤兰",
        "素珍", "淑英", "桂芳", "秀芳", "桂珍", "玉英", "兰英", "金凤", "翠花", "兰", "英",
        "珍", "芳", "凤", "梅", "秀", "琴", "香", "霞",
    ),
    (1, "M"): (
        "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏",
        "华", "飞", "鑫", "波", "宁", "健", "亮", "峰", "建华", "建平", "志刚", "海涛", "志勇",
        "晓东", "红军", "立新", "卫东", "永强", "文斌", "海波", "晓明", "国强", "春雷", "东升",
        "志国", "建新", "立军", "红兵", "伟东", "新民",
    ),
    (1, "F"): (
        "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "红", "萍", "琳", "晶",
        "颖", "丽娟", "红梅", "海燕", "晓燕", "雪梅", "春梅", "丽华", "秀梅", "艳红", "丽丽",
        "小红", "晓丽", "慧", "欣", "淑芬", "美玲", "春燕", "桂香", "晓红", "文静",
    ),
    (2, "M"): (
        "浩", "宇", "轩", "博", "睿", "航", "泽", "晨", "阳", "子轩", "浩然", "宇轩", "俊杰",
        "浩宇", "梓豪", "一鸣", "明轩", "宇航", "子豪", "皓轩", "思远", "天佑", "睿泽", "博文",
        "嘉豪", "家乐", "奕辰", "沐阳", "锦程", "子墨", "逸凡", "俊熙", "昊天", "嘉懿",
    ),
    (2, "F"): (
        "欣怡", "梓涵", "诗涵", "子涵", "雨涵", "梦瑶", "一诺", "欣妍", "可馨", "语嫣", "思琪",
        "佳怡", "雨桐", "若汐", "芷若", "紫涵", "依诺", "心怡", "梓萱", "雨欣", "婷", "悦",
        "萱", "琪", "妍", "瑶", "彤", "璐", "佳琪", "梦琪", "诗琪", "可欣",
    ),
}  # fmt: skip
# Characters that combine into two-character given names, for variety beyond the lists.
GIVEN_FIRST = "子文思嘉佳俊志晓海春秋明建永家天雨梦一美"
GIVEN_SECOND = {
    "M": "华明军强伟杰涛斌峰龙成东鹏宇航博睿轩豪阳",
    "F": "华芳丽娟婷琳燕霞颖怡涵萱琪雪梅兰玲静瑶悦",
}

# Characters outside the BMP: 𠮷 has no standard reading; the others are name characters of
# the 通用规范汉字表 (CJK Extensions B-F) with readings.
RARE_SURNAME = "𠮷"
RARE_GIVEN = "𬘭𬭚𫖳𬊈𬍛𬀩𬸚𬇙𫓶𬤇𬍤𫘝𬭎𬶋𫗴"

# Names written with the middle dot: own name · father's name.
DOTTED_OWN = {
    "M": ("买买提", "艾力", "艾尔肯", "阿不都拉", "吐尔逊", "热合曼", "依明", "努尔"),
    "F": (
        "阿依古丽",
        "古丽娜尔",
        "热依拉",
        "迪丽娜尔",
        "帕提古丽",
        "米热古丽",
        "阿依努尔",
        "再努尔",
    ),
}
DOTTED_FATHER = ("买买提", "吐尔逊", "艾力", "阿不都拉", "依明", "热合曼", "卡德尔", "托合提")


def generation(birth_year: int) -> int:
    if birth_year < 1960:
        return 0
    return 1 if birth_year < 1990 else 2


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, cum_weights=SURNAME_CUMULATIVE)[0]


def given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    if rng.random() < 0.25:
        return rng.choice(GIVEN_FIRST) + rng.choice(GIVEN_SECOND[gender])
    return rng.choice(GIVEN[generation(birth_year), gender])


def rare_name(rng: random.Random, family: str) -> str:
    """A name with a character outside the BMP: the surname 𠮷 or a rare given character."""
    if family == RARE_SURNAME:
        return family + rng.choice(GIVEN_SECOND["M"])
    return family + rng.choice(RARE_GIVEN) + rng.choice(("", "", rng.choice(GIVEN_FIRST)))


def dotted_name(rng: random.Random, gender: str, father: str = "") -> str:
    return f"{rng.choice(DOTTED_OWN[gender])}·{father or rng.choice(DOTTED_FATHER)}"


def own_part(name: str) -> str:
    """The person's own part of a dotted name: what a child carries as father's name."""
    return name.partition("·")[0]
