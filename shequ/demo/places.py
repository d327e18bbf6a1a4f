"""The places of the demo district: the tree of seed 000, its map and the roads and compounds.

新华区 (code 130105) with the three streets and 62 communities that the inspection report of
seed 000 counts (古楼街道 20, 新区街道 25, 柳园街道 17). The people and the map are invented;
community names mix those the seed mentions (湖北, 八一, 御苑, 铁塔, 兴华, 站前, 中巨, 利民,
新时代, 化机, 水城) with common ones.
"""

from __future__ import annotations

from typing import Any

DISTRICT_CODE = "130105"
DISTRICT_NAME = "新华区"
# Where the household registration of a registered (户籍) resident is kept.
DISTRICT_PLACE = "河北省石家庄市新华区"

# (street name, short names of its communities): the first names are fixed because the demo
# logins and the tests name them (湖北社区 and 八一社区 in 古楼街道, 御苑社区 first in 新区街道).
STREETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "古楼街道",
        (
            "湖北", "八一", "铁塔", "兴华", "站前", "东风", "建设", "光明", "和平", "胜利",
            "友谊", "红旗", "团结", "民主", "文化", "南关", "北关", "西关", "东关", "振兴",
        ),
    ),
    (
        "新区街道",
        (
            "御苑", "中巨", "利民", "新时代", "幸福", "育才", "朝阳", "长安", "花园", "西苑",
            "北苑", "南苑", "滨河", "运河", "水城", "龙湾", "金桥", "阳光", "锦绣", "翠苑",
            "丽景", "怡园", "康乐", "安居", "嘉苑",
        ),
    ),
    (
        "柳园街道",
        (
            "柳园", "化机", "铁路", "电业", "棉纺", "光华", "星光", "春晖", "祥和", "凤凰",
            "裕华", "盛世", "新村", "工农", "青年", "前进", "联盟",
        ),
    ),
)  # fmt: skip

# Seed 002 governs each kind of community differently; a community not listed is ordinary.
COMMUNITY_TYPES: dict[str, str] = {
    **dict.fromkeys(("湖北", "铁塔", "南关", "北关", "西关", "东关", "站前", "八一"), "old_town"),
    **dict.fromkeys(("铁路", "电业", "棉纺", "化机", "东风"), "abandoned"),
    **dict.fromkeys(("御苑", "翠苑", "丽景", "嘉苑", "锦绣", "盛世"), "gated"),
    **dict.fromkeys(("工农", "前进", "联盟", "青年", "新村"), "fringe"),
}

# Grids per community: 3 or 4, so that the district has the 221 second-level grids of seed 002.
GRID_TOTAL = 221
GRID_NUMERALS = ("一", "二", "三", "四")

ROADS = (
    "中华北大街", "和平西路", "友谊北大街", "新华路", "联盟路", "民族路", "建设北大街",
    "红旗大街", "泰华街", "北二环西路", "西三庄街", "石岗大街", "新石北路", "维明北大街",
    "长征街", "合作路", "柏林北路", "槐中路", "水源街", "义堂路",
)  # fmt: skip

# Compound (小区) names: a word and a suffix that fits the kind of community.
COMPOUND_WORDS = (
    "化机", "水城", "电业", "纺织", "铁路", "供电", "粮食", "交通", "建工", "锦华", "世纪",
    "海天", "阳光", "翠湖", "名都", "和美", "尚品", "龙泉", "枫林", "丽都", "金色", "长青",
    "福美", "天河", "紫云", "康居", "盛景", "恒大", "景苑", "泰和",
)  # fmt: skip
COMPOUND_SUFFIXES: dict[str, tuple[str, ...]] = {
    "old_town": ("小区", "宿舍", "南院", "北院"),
    "abandoned": ("宿舍", "家属院", "小区"),
    "gated": ("花园", "名苑", "公馆", "华庭"),
    "fringe": ("村", "新村", "家园"),
    "ordinary": ("小区", "家园", "花园", "苑"),
}

# Buildings by kind of community: (floors low, high), (units low, high), (doors low, high).
BUILDING_SHAPES: dict[str, tuple[tuple[int, int], tuple[int, int], tuple[int, int]]] = {
    "old_town": ((5, 7), (2, 4), (2, 2)),
    "abandoned": ((4, 6), (1, 3), (2, 2)),
    "gated": ((11, 33), (1, 3), (2, 4)),
    "fringe": ((2, 6), (1, 3), (2, 4)),
    "ordinary": ((6, 18), (2, 4), (2, 3)),
}

# County-level address codes (GB/T 2260) of identity numbers, with the place a person's
# household registration is kept when it is not here. Every code is a known county code, so
# parsing the numbers gives no warning.
HEBEI_COUNTIES: tuple[tuple[str, str], ...] = (
    ("130102", "河北省石家庄市长安区"),
    ("130104", "河北省石家庄市桥西区"),
    ("130108", "河北省石家庄市裕华区"),
    ("130109", "河北省石家庄市藁城区"),
    ("130110", "河北省石家庄市鹿泉区"),
    ("130111", "河北省石家庄市栾城区"),
    ("130121", "河北省石家庄市井陉县"),
    ("130123", "河北省石家庄市正定县"),
    ("130125", "河北省石家庄市行唐县"),
    ("130126", "河北省石家庄市灵寿县"),
    ("130132", "河北省石家庄市元氏县"),
    ("130181", "河北省辛集市"),
    ("130183", "河北省晋州市"),
    ("130184", "河北省新乐市"),
    ("130203", "河北省唐山市路北区"),
    ("130302", "河北省秦皇岛市海港区"),
    ("130402", "河北省邯郸市邯山区"),
    ("130503", "河北省邢台市信都区"),
    ("130602", "河北省保定市竞秀区"),
    ("130630", "河北省保定市涞源县"),
    ("130702", "河北省张家口市桥东区"),
    ("130802", "河北省承德市双桥区"),
    ("130902", "河北省沧州市新华区"),
    ("131002", "河北省廊坊市安次区"),
    ("131102", "河北省衡水市桃城区"),
    ("131121", "河北省衡水市枣强县"),
)
OTHER_COUNTIES: tuple[tuple[str, str], ...] = (
    ("110105", "北京市朝阳区"),
    ("120101", "天津市和平区"),
    ("140105", "山西省太原市小店区"),
    ("150102", "内蒙古自治区呼和浩特市新城区"),
    ("210102", "辽宁省沈阳市和平区"),
    ("220102", "吉林省长春市南关区"),
    ("230102", "黑龙江省哈尔滨市道里区"),
    ("320102", "江苏省南京市玄武区"),
    ("330106", "浙江省杭州市西湖区"),
    ("340102", "安徽省合肥市瑶海区"),
    ("350102", "福建省福州市鼓楼区"),
    ("360102", "江西省南昌市东湖区"),
    ("370102", "山东省济南市历下区"),
    ("371302", "山东省临沂市兰山区"),
    ("410105", "河南省郑州市金水区"),
    ("410305", "河南省洛阳市涧西区"),
    ("411302", "河南省南阳市宛城区"),
    ("420106", "湖北省武汉市武昌区"),
    ("430102", "湖南省长沙市芙蓉区"),
    ("440106", "广东省广州市天河区"),
    ("450102", "广西壮族自治区南宁市兴宁区"),
    ("460105", "海南省海口市秀英区"),
    ("500103", "重庆市渝中区"),
    ("510104", "四川省成都市锦江区"),
    ("520102", "贵州省贵阳市南明区"),
    ("530102", "云南省昆明市五华区"),
    ("540102", "西藏自治区拉萨市城关区"),
    ("610102", "陕西省西安市新城区"),
    ("620102", "甘肃省兰州市城关区"),
    ("630102", "青海省西宁市城东区"),
    ("640104", "宁夏回族自治区银川市兴庆区"),
    ("650102", "新疆维吾尔自治区乌鲁木齐市天山区"),
)
# Residence permits for Hong Kong, Macao and Taiwan residents: (address code, place).
HMT_PLACES: tuple[tuple[str, str], ...] = (
    ("810000", "香港特别行政区"),
    ("820000", "澳门特别行政区"),
    ("830000", "台湾地区"),
)

# Mobile prefixes that phone-number validation accepts, the common ones more often.
MOBILE_PREFIXES: tuple[str, ...] = (
    *(str(p) for p in range(130, 140)),
    *(str(p) for p in range(130, 140)),
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "150", "151", "152", "155", "157", "158", "159",
    *(str(p) for p in range(180, 190)),
    "147", "166", "173", "175", "176", "177", "178", "191", "198", "199",
)  # fmt: skip

# The map: a community is a cell of CELL_W x CELL_H degrees; each street is a block of cells
# COLUMNS wide; the streets stand side by side around the centre of the district.
CENTRE_LNG = 114.48
CENTRE_LAT = 38.05
CELL_W = 0.009  # about 790 m at this latitude
CELL_H = 0.007  # about 780 m
COLUMNS = 5

Box = tuple[float, float, float, float]  # west, south, east, north


def polygon(box: Box) -> dict[str, Any]:
    """A GeoJSON Polygon of a rectangle, exterior ring counter-clockwise ([lng, lat] pairs)."""
    west, south, east, north = (round(value, 6) for value in box)
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def bounding(boxes: list[Box]) -> Box:
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def community_boxes() -> list[list[Box]]:
    """The cell of every community, street by street, rows from north to south."""
    widths = [COLUMNS * CELL_W for _ in STREETS]
    rows = max(-(-len(names) // COLUMNS) for _, names in STREETS)
    west = CENTRE_LNG - sum(widths) / 2
    north = CENTRE_LAT + rows * CELL_H / 2
    layout: list[list[Box]] = []
    for (_, names), width in zip(STREETS, widths, strict=True):
        cells: list[Box] = []
        for index in range(len(names)):
            row, col = divmod(index, COLUMNS)
            cell_west = west + col * CELL_W
            cell_north = north - row * CELL_H
            cells.append((cell_west, cell_north - CELL_H, cell_west + CELL_W, cell_north))
        layout.append(cells)
        west += width
    return layout


def grid_boxes(cell: Box, count: int) -> list[Box]:
    """Split a community cell into its grids: 3 strips west to east, or 2 x 2 quarters."""
    west, south, east, north = cell
    if count == 4:
        mid_lng, mid_lat = (west + east) / 2, (south + north) / 2
        return [
            (west, mid_lat, mid_lng, north),
            (mid_lng, mid_lat, east, north),
            (west, south, mid_lng, mid_lat),
            (mid_lng, south, east, mid_lat),
        ]
    step = (east - west) / count
    return [(west + i * step, south, west + (i + 1) * step, north) for i in range(count)]
