"""The vocabulary of the seed catalog: item kinds, departments, materials, flows, laws."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shequ.hall.models import ItemKind, MaterialForm
from shequ.regions.models import Unit, UnitKind

LICENSE = ItemKind.LICENSE
CONFIRMATION = ItemKind.CONFIRMATION
PAYMENT = ItemKind.PAYMENT
SERVICE = ItemKind.PUBLIC_SERVICE
CERTIFICATE = ItemKind.CERTIFICATE

# (unit code, name, kind): the departments sit at the district node. The street offices are one
# unit here: a street-office item is handled by the office of the applicant's street.
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("D-MZ", "区民政局", UnitKind.DEPARTMENT),
    ("D-RS", "区人社局", UnitKind.DEPARTMENT),
    ("D-YB", "区医保局", UnitKind.DEPARTMENT),
    ("D-WJ", "区卫健局", UnitKind.DEPARTMENT),
    ("D-CL", "区残联", UnitKind.DEPARTMENT),
    ("D-GA", "公安分局", UnitKind.DEPARTMENT),
    ("D-ZJ", "区住建局", UnitKind.DEPARTMENT),
    ("D-TY", "区退役军人事务局", UnitKind.DEPARTMENT),
    ("D-SF", "区司法局", UnitKind.DEPARTMENT),
    ("D-SJ", "区市场监管局", UnitKind.DEPARTMENT),
    ("D-JD", "街道办事处", UnitKind.STREET_OFFICE),
)
DEPARTMENT_NAMES = {code: name for code, name, _kind in DEPARTMENTS}


@dataclass(frozen=True)
class SeedMaterial:
    name: str
    form: str = MaterialForm.BOTH
    count: int = 1
    electronic_ok: bool = False
    required: bool = True

    def as_values(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "form": str(self.form),
            "count": self.count,
            "electronic_ok": self.electronic_ok,
            "required": self.required,
            "note": "",
        }


@dataclass(frozen=True)
class SeedItem:
    code: str
    department: str  # unit code
    kind: str
    name: str
    legal_basis: str
    conditions: str
    promised_days: int
    statutory_days: int
    materials: tuple[SeedMaterial, ...]
    flow: str  # a key of FLOWS
    fee: str = "不收费"
    online: bool = False
    by_proxy: bool = True
    delivery: bool = False
    queue_group: str = "A"

    def values(self, department: Unit) -> dict[str, Any]:
        """The item's values as `item_save` takes them."""
        return {
            "name": self.name,
            "kind": str(self.kind),
            "department_id": department.pk,
            "legal_basis": self.legal_basis,
            "procedure": FLOWS[self.flow].format(dept=department.name),
            "conditions": self.conditions,
            "promised_days": self.promised_days,
            "statutory_days": self.statutory_days,
            "fee": self.fee,
            "online": self.online,
            "by_proxy": self.by_proxy,
            "delivery": self.delivery,
            "queue_group": self.queue_group,
        }


def m(
    name: str,
    form: str = MaterialForm.BOTH,
    count: int = 1,
    *,
    e: bool = False,
    required: bool = True,
) -> SeedMaterial:
    return SeedMaterial(name, form, count, e, required)


ORIGINAL, COPY, BOTH = MaterialForm.ORIGINAL, MaterialForm.COPY, MaterialForm.BOTH

# The materials most items ask for.
ID_CARD = m("申请人居民身份证", BOTH, e=True)
HOUSEHOLD_BOOK = m("户口簿", BOTH, e=True)
PHOTO = m("近期一寸免冠彩色照片", ORIGINAL, 2)
BANK = m("本人社会保障卡或银行卡", COPY, e=True)
INCOME = m("家庭成员收入证明", ORIGINAL)
ASSETS = m("家庭经济状况核对授权书", ORIGINAL)
AGENT = m("代办人居民身份证及委托书", BOTH, required=False)
DIAGNOSIS = m("二级以上医院诊断证明或病历", BOTH, required=False)
MARRIAGE = m("结婚证或离婚证", BOTH, e=True, required=False)
DISABILITY_CARD = m("中华人民共和国残疾人证", BOTH, e=True)
HOME = m("房屋产权证明或房屋租赁合同", BOTH, e=True)
VETERAN = m("退役证件（退伍证、转业证等）", BOTH)
BIRTH = m("出生医学证明", BOTH, e=True)


def form_of(name: str) -> SeedMaterial:
    """The item's signed application form, filled in at the window if not brought along."""
    return m(name, ORIGINAL)


FLOWS = {
    "assistance": (
        "1. 申请人向户籍或居住地社区便民服务站提出申请，提交材料；\n"
        "2. 窗口审核材料，齐全的当场受理并出具收件回执，不齐全的一次性告知需补正的全部材料；\n"
        "3. 街道组织入户调查、家庭经济状况核对，在申请人所在社区公示7天；\n"
        "4. {dept}审核确认，作出决定；\n"
        "5. 批准的自决定次月起按月发放，不批准的书面告知理由。"
    ),
    "benefit": (
        "1. 申请人到社区便民服务站提出申请，提交材料；\n"
        "2. 窗口受理并出具收件回执；\n"
        "3. 社区、街道核实并公示；\n"
        "4. {dept}审核，符合条件的纳入发放名册；\n"
        "5. 补助资金通过社会保障卡或银行账户发放。"
    ),
    "confirmation": (
        "1. 申请人到社区便民服务站提交材料；\n"
        "2. 窗口核验材料后受理，出具收件回执；\n"
        "3. {dept}审核确认；\n"
        "4. 办结后通知申请人领取结果，或按申请人选择寄递。"
    ),
    "instant": (
        "1. 申请人到社区便民服务站或网上提交材料；\n"
        "2. 窗口核验材料，信息录入{dept}业务系统；\n"
        "3. 材料齐全、符合条件的当场办结。"
    ),
    "service": (
        "1. 申请人提出申请，提交材料；\n"
        "2. 窗口受理登记，出具收件回执；\n"
        "3. {dept}办理；\n"
        "4. 将办理结果告知申请人。"
    ),
    "card": (
        "1. 申请人到社区便民服务站提交材料，现场采集照片；\n"
        "2. 窗口受理，出具收件回执；\n"
        "3. {dept}审核、制证；\n"
        "4. 申请人凭回执到窗口领取证件，或选择寄递。"
    ),
    "certificate": (
        "1. 申请人到社区说明证明用途并提交材料；\n"
        "2. 社区核实有关情况；\n"
        "3. 符合条件的出具证明并加盖公章；不符合的说明理由。"
    ),
    "license": (
        "1. 申请人提交申请材料；\n"
        "2. 窗口受理审查，材料齐全、符合法定形式的出具受理通知书；\n"
        "3. {dept}审查并作出许可决定；\n"
        "4. 制发证照，申请人领取或选择寄递。"
    ),
    "mediation": (
        "1. 当事人到社区人民调解委员会提出申请；\n"
        "2. 调解委员会受理并指定调解员；\n"
        "3. 调解员了解情况、组织调解；\n"
        "4. 达成协议的制作调解协议书；未达成的告知其他解决途径。"
    ),
}

ASSISTANCE = "《社会救助暂行办法》"
ELDERLY = "《中华人民共和国老年人权益保障法》"
ELDERLY_ALLOWANCE = "《关于建立健全经济困难的高龄 失能等老年人补贴制度的通知》（财社〔2014〕113号）"
DISABILITY = "《中华人民共和国残疾人保障法》"
EMPLOYMENT = "《中华人民共和国就业促进法》；《就业服务与就业管理规定》"
SOCIAL_INSURANCE = "《中华人民共和国社会保险法》"
RURAL_PENSION = "《国务院关于建立统一的城乡居民基本养老保险制度的意见》（国发〔2014〕8号）"
RESIDENT_MEDICAL = "《国务院关于整合城乡居民基本医疗保险制度的意见》（国发〔2016〕3号）"
POPULATION = "《中华人民共和国人口与计划生育法》"
RESIDENCE = "《居住证暂行条例》"
VETERANS = "《中华人民共和国退役军人保障法》"
PENSIONS = "《军人抚恤优待条例》"
HOUSING = "《公共租赁住房管理办法》（住房和城乡建设部令第11号）"
RESIDENTS_COMMITTEE = "《中华人民共和国城市居民委员会组织法》"
