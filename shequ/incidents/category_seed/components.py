"""Seed subclasses of components 部件: facilities in public space that are broken or missing.

Covers (井盖) missing or broken are a danger to people and are counted in urgent hours; the
rest in working hours or working days, as city tables usually set them.
"""

from __future__ import annotations

from shequ.incidents.category_seed.vocabulary import (
    COMPONENT,
    DISTRICT,
    STREET,
    UH,
    WD,
    WH,
    SeedCategory,
    rows,
)

_COVER_FILING = "井盖丢失、破损、移位或与路面高差超过2厘米"
_COVER_CLOSING = "井盖齐全完好、复位平整；缺失的先设警示再补装"

PUBLIC_UTILITIES = rows(COMPONENT, "01", (
    ("01", "上水井盖", _COVER_FILING, _COVER_CLOSING, 2, UH, "P-ZLS", DISTRICT),
    ("02", "污水井盖", _COVER_FILING, _COVER_CLOSING, 2, UH, "D-SZ", DISTRICT),
    ("03", "雨水井盖", _COVER_FILING, _COVER_CLOSING, 2, UH, "D-SZ", DISTRICT),
    ("04", "雨水箅子", "雨水箅子丢失、破损、移位或被垃圾杂物堵塞", "箅子齐全完好、复位，进水口畅通", 4, WH, "D-SZ", DISTRICT),
    ("05", "电力井盖", _COVER_FILING, _COVER_CLOSING, 2, UH, "P-GD", DISTRICT),
    ("06", "路灯井盖", _COVER_FILING, _COVER_CLOSING, 4, UH, "D-SZ", DISTRICT),
    ("07", "通信井盖", _COVER_FILING, _COVER_CLOSING, 4, UH, "P-TX", DISTRICT),
    ("08", "燃气井盖", _COVER_FILING + "，或井内有燃气异味", _COVER_CLOSING + "，无燃气异味", 1, UH, "P-RQ", DISTRICT),
    ("09", "热力井盖", _COVER_FILING + "，或井口冒汽", _COVER_CLOSING, 2, UH, "P-RL", DISTRICT),
    ("10", "消防栓", "消防栓损坏、漏水、缺少部件，或被圈占、遮挡、埋压", "消防栓完好可用，周边无遮挡", 2, WD, "P-ZLS", DISTRICT),
    ("11", "路灯", "路灯夜间不亮、白天常亮、灯杆倾斜或灯具破损脱落", "路灯正常亮灭，灯杆扶正，灯具完好", 2, WD, "D-SZ", DISTRICT),
    ("12", "景观灯", "景观灯具破损、线路裸露或成片不亮", "灯具完好，无裸露线路，正常亮灭", 3, WD, "D-SZ", DISTRICT),
    ("13", "变压器箱", "箱变、配电箱箱门破损或敞开、线路裸露", "箱体完好并关闭上锁，无裸露线路", 4, WH, "P-GD", DISTRICT),
    ("14", "通信交接箱", "交接箱破损、箱门敞开、倾斜或线缆外露", "箱体完好关闭，线缆规整", 3, WD, "P-TX", DISTRICT),
    ("15", "电线杆", "电线杆倾斜、破损或拉线松脱", "电线杆扶正加固，拉线完好", 1, WD, "P-GD", DISTRICT),
    ("16", "报刊亭", "报刊亭破损、废弃或超出许可范围经营", "修复、拆除或恢复规范经营", 5, WD, "D-CG", DISTRICT),
    ("17", "健身设施", "公共健身器材损坏、松动、缺件或有尖锐部位", "器材修复或拆除，无安全隐患", 3, WD, "D-JD", STREET),
    ("18", "高压线铁塔", "铁塔塔材缺失、倾斜或塔下堆物、攀爬隐患", "塔材补齐，隐患消除", 5, WD, "P-GD", DISTRICT),
    ("19", "监控电子眼", "公共视频监控设备损坏、倾斜或被遮挡", "设备修复、扶正，视野无遮挡", 3, WD, "D-GA", DISTRICT),
))  # fmt: skip

ROADS_AND_TRAFFIC = rows(COMPONENT, "02", (
    ("01", "停车场", "公共停车场设施损坏、标线模糊或出入口被占", "设施修复，标线清晰，出入口畅通", 5, WD, "D-JT", DISTRICT),
    ("02", "停车咪表", "咪表损坏、不能收费或缺失", "咪表修复或补装，收费正常", 3, WD, "D-JT", DISTRICT),
    ("03", "交通信号灯", "信号灯不亮、灯色错乱、灯头偏转或灯杆倾斜", "信号灯运行正常，灯头、灯杆复位", 2, UH, "D-JJ", DISTRICT),
    ("04", "交通标志牌", "交通标志牌缺失、倾斜、破损、被遮挡或内容错误", "标志牌完好、正确、清晰可见", 3, WD, "D-JJ", DISTRICT),
    ("05", "护栏", "道路护栏、隔离栏缺失、破损、倾倒或变形", "护栏补齐、修复、扶正", 2, WD, "D-SZ", DISTRICT),
    ("06", "隔离墩", "隔离墩、防撞墩缺失、破损或移位", "隔离墩补齐、修复、复位", 2, WD, "D-SZ", DISTRICT),
    ("07", "公交站亭", "公交站亭玻璃、顶棚、座椅破损或站牌缺失", "站亭修复，站牌齐全清晰", 3, WD, "D-JT", DISTRICT),
    ("08", "过街天桥", "天桥踏步、栏杆、桥面破损或照明损坏", "破损部位修复，照明正常", 3, WD, "D-SZ", DISTRICT),
    ("09", "地下通道", "地下通道破损、积水、照明损坏", "设施修复，无积水，照明正常", 3, WD, "D-SZ", DISTRICT),
    ("10", "路名牌", "路名牌缺失、倾斜、破损或字迹不清", "路名牌补装、扶正或更新", 5, WD, "D-SZ", DISTRICT),
    ("11", "人行道板", "人行道板缺失、松动、破碎或塌陷，面积超过1平方米", "铺装平整完好", 3, WD, "D-SZ", DISTRICT),
    ("12", "盲道", "盲道砖缺失、破损或被设施阻断", "盲道连续完好", 5, WD, "D-SZ", DISTRICT),
    ("13", "存车支架", "非机动车存车支架损坏、缺失或倾倒", "支架修复、补齐", 5, WD, "D-JD", STREET),
    ("14", "电子警察", "电子警察、测速设备损坏、偏转或被遮挡", "设备修复复位，无遮挡", 3, WD, "D-JJ", DISTRICT),
))  # fmt: skip

SANITATION = rows(COMPONENT, "03", (
    ("01", "公共厕所", "公厕设施损坏、不开放、无保洁或异味严重", "设施修复，按时开放，保洁到位", 1, WD, "D-HW", DISTRICT),
    ("02", "垃圾箱", "果皮箱、垃圾桶缺失、破损或满溢", "补齐、修复，清运后无满溢", 4, WH, "D-HW", DISTRICT),
    ("03", "垃圾房", "垃圾房破损、门窗损坏或周边脏乱", "垃圾房修复，周边清洁", 2, WD, "D-HW", DISTRICT),
    ("04", "垃圾收集点", "垃圾收集点满溢、未分类或周边散落垃圾", "清运完毕，分类容器齐全，周边干净", 4, WH, "D-HW", DISTRICT),
    ("05", "广告牌匾", "牌匾破损、松动、褪色，或有坠落危险", "修复、加固或拆除", 2, WD, "D-CG", DISTRICT),
    ("06", "化粪池", "化粪池满溢、盖板破损或缺失", "清掏完毕，盖板完好", 4, WH, "D-HW", DISTRICT),
    ("07", "灯箱霓虹灯", "灯箱、霓虹灯破损、残缺不亮或线路裸露", "修复或拆除，无裸露线路", 5, WD, "D-CG", DISTRICT),
    ("08", "户外电子屏", "户外电子屏破损、花屏或显示内容残缺", "修复或关闭", 5, WD, "D-CG", DISTRICT),
))  # fmt: skip

GREENERY = rows(COMPONENT, "04", (
    ("01", "古树名木", "古树名木枯枝、倾斜、病虫害或保护设施损坏", "采取救护措施，保护设施修复", 2, WD, "D-YL", DISTRICT),
    ("02", "行道树", "行道树缺株、枯死、倾斜或遮挡交通设施", "补植、扶正或修剪到位", 2, WD, "D-YL", DISTRICT),
    ("03", "护树设施", "树池盖板、护树架缺失或破损", "护树设施补齐完好", 5, WD, "D-YL", DISTRICT),
    ("04", "绿地", "绿地缺株、黄土裸露或被踩踏成路，面积超过2平方米", "补植、覆绿，绿地完整", 5, WD, "D-YL", DISTRICT),
    ("05", "花箱花钵", "花箱、花钵破损、缺失或花卉枯死", "修复补齐，花卉更换", 5, WD, "D-YL", DISTRICT),
    ("06", "街头坐椅", "街头坐椅破损、松动或缺失", "坐椅修复或补装", 5, WD, "D-YL", DISTRICT),
    ("07", "城市雕塑", "雕塑破损、污损或有倾倒危险", "修复、清洗或加固", 10, WD, "D-YL", DISTRICT),
    ("08", "绿地护栏", "绿地护栏缺失、破损或倾倒", "护栏补齐、修复、扶正", 5, WD, "D-YL", DISTRICT),
))  # fmt: skip

BUILDINGS_AND_LAND = rows(COMPONENT, "05", (
    ("01", "宣传栏", "宣传栏破损、内容过期或残缺", "宣传栏修复，内容更新", 5, WD, "D-JD", STREET),
    ("02", "人防设施", "人防工程出入口破损、被占用或设施缺失", "设施修复，占用清除", 5, WD, "D-ZJ", DISTRICT),
    ("03", "公房地下室", "公房地下室积水、堆放杂物或违规住人", "积水排除，杂物清理，违规使用停止", 5, WD, "D-ZJ", DISTRICT),
    ("04", "房屋外立面", "外墙面砖、保温层、空调支架松动脱落或有坠落危险", "危险部位拆除或加固，设置警示至修复完毕", 4, UH, "D-ZJ", DISTRICT),
))  # fmt: skip

OTHER_FACILITIES = rows(COMPONENT, "06", (
    ("01", "重大危险源", "加油站、液化气站等危险源周边违规用火、堆物或设施损坏", "隐患消除", 4, UH, "D-YJ", DISTRICT),
    ("02", "水域护栏", "河道、湖边护栏缺失、破损或倾倒", "护栏补齐、修复，设置警示", 3, WD, "D-SW", DISTRICT),
    ("03", "河道堤岸", "堤岸坍塌、裂缝或护坡破损", "堤岸修复加固", 5, WD, "D-SW", DISTRICT),
    ("04", "微型消防站", "社区微型消防站器材缺失、损坏或过期", "器材补齐、更换到位", 3, WD, "D-YJ", DISTRICT),
    ("05", "电动自行车充电设施", "集中充电桩损坏、线路裸露或充电棚破损", "设施修复，无裸露线路", 3, WD, "D-JD", STREET),
))  # fmt: skip

COMPONENTS: tuple[SeedCategory, ...] = (
    PUBLIC_UTILITIES
    + ROADS_AND_TRAFFIC
    + SANITATION
    + GREENERY
    + BUILDINGS_AND_LAND
    + OTHER_FACILITIES
)
