"""The vocabulary of the seed table: classes, handling units, time-limit kinds and tiers."""

from __future__ import annotations

from dataclasses import dataclass

from shequ.incidents.models import IncidentKind, Tier, TimeLimitKind
from shequ.regions.models import UnitKind

COMPONENT = IncidentKind.COMPONENT
EVENT = IncidentKind.EVENT

# Time limits, as city tables write them: 紧急时, 工作时, 工作日, 自然日.
UH = TimeLimitKind.URGENT_HOURS
WH = TimeLimitKind.WORKING_HOURS
WD = TimeLimitKind.WORKING_DAYS
ND = TimeLimitKind.NATURAL_DAYS

GRID = Tier.GRID
COMMUNITY = Tier.COMMUNITY
STREET = Tier.STREET
DISTRICT = Tier.DISTRICT

# The classes, numbered as the national practice numbers them (STANDARDS.md, "Incidents").
CLASSES: tuple[tuple[str, str, str], ...] = (
    (COMPONENT, "01", "公用设施"),
    (COMPONENT, "02", "道路交通"),
    (COMPONENT, "03", "市容环境"),
    (COMPONENT, "04", "园林绿化"),
    (COMPONENT, "05", "房屋土地"),
    (COMPONENT, "06", "其他设施"),
    (EVENT, "01", "市容环境"),
    (EVENT, "02", "宣传广告"),
    (EVENT, "03", "施工管理"),
    (EVENT, "04", "突发事件"),
    (EVENT, "05", "街面秩序"),
    (EVENT, "06", "扩展事件"),
)

# The units the table routes to, at the district node (unit code, name, kind). Utilities are
# partner units 加盟单位. The street offices are one unit, as in the service catalog: an
# incident goes to the office of its street. Codes shared with the service catalog's
# departments (D-ZJ, D-GA, D-SJ, D-MZ, D-JD) name the same units.
UNITS: tuple[tuple[str, str, str], ...] = (
    ("D-CG", "区城市管理综合行政执法局", UnitKind.DEPARTMENT),
    ("D-HW", "区环境卫生服务中心", UnitKind.DEPARTMENT),
    ("D-SZ", "区市政设施管理处", UnitKind.DEPARTMENT),
    ("D-YL", "区园林绿化中心", UnitKind.DEPARTMENT),
    ("D-ZJ", "区住建局", UnitKind.DEPARTMENT),
    ("D-JT", "区交通运输局", UnitKind.DEPARTMENT),
    ("D-JJ", "公安分局交通警察大队", UnitKind.DEPARTMENT),
    ("D-GA", "公安分局", UnitKind.DEPARTMENT),
    ("D-SJ", "区市场监管局", UnitKind.DEPARTMENT),
    ("D-MZ", "区民政局", UnitKind.DEPARTMENT),
    ("D-SW", "区水务局", UnitKind.DEPARTMENT),
    ("D-HB", "区生态环境分局", UnitKind.DEPARTMENT),
    ("D-YJ", "区应急管理局", UnitKind.DEPARTMENT),
    ("D-JD", "街道办事处", UnitKind.STREET_OFFICE),
    ("P-ZLS", "市自来水公司", UnitKind.PARTNER),
    ("P-GD", "供电公司", UnitKind.PARTNER),
    ("P-RQ", "燃气公司", UnitKind.PARTNER),
    ("P-RL", "热力公司", UnitKind.PARTNER),
    ("P-TX", "通信运营企业", UnitKind.PARTNER),
)


@dataclass(frozen=True)
class SeedCategory:
    """One subclass of the starting table; `unit` is a unit code or "" (the tier handles it)."""

    kind: str
    class_code: str
    code: str
    name: str
    filing: str
    closing: str
    limit: int
    limit_kind: str
    unit: str
    tier: str


def rows(
    kind: str, class_code: str, entries: tuple[tuple[str, str, str, str, int, str, str, str], ...]
) -> tuple[SeedCategory, ...]:
    """The subclasses of one class from (code, name, filing, closing, limit, kind, unit, tier)."""
    return tuple(SeedCategory(kind, class_code, *entry) for entry in entries)
