"""The starting service catalog of a district: the departments and the items its halls accept.

Seed 000 speaks of "50多项" items that a community hall accepts for the district's departments;
this is such a catalog, as community halls in a Chinese district usually publish it. The legal
bases are the real national laws, regulations and State Council documents; the time limits are
working days, the promised limit never above the statutory one. A locality edits the catalog
afterwards (its own provincial rules, fees and forms): every edit makes a new version.

`catalog_seed` is idempotent: departments are matched by code, and an item whose values did not
change keeps its current version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from shequ.audit.models import Action
from shequ.audit.services import audit_record
from shequ.hall.models import ItemKind, MaterialForm, ServiceItem
from shequ.hall.services import item_save
from shequ.regions.models import Region, Unit, UnitKind

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

ITEMS: tuple[SeedItem, ...] = (
    # 区民政局 ------------------------------------------------------------------------------
    SeedItem(
        "MZ-001", "D-MZ", PAYMENT, "居民最低生活保障申请",
        f"{ASSISTANCE}第九条至第十一条；《最低生活保障审核确认办法》（民发〔2021〕57号）",
        "共同生活的家庭成员人均收入低于当地最低生活保障标准，且家庭财产状况符合规定的户籍居民家庭。",
        20, 30,
        (form_of("最低生活保障申请书"), ID_CARD, HOUSEHOLD_BOOK, INCOME, ASSETS, MARRIAGE,
         DIAGNOSIS, AGENT),
        "assistance", online=True,
    ),
    SeedItem(
        "MZ-002", "D-MZ", PAYMENT, "最低生活保障家庭成员变更",
        f"{ASSISTANCE}第十三条；《最低生活保障审核确认办法》（民发〔2021〕57号）",
        "已享受最低生活保障的家庭，家庭人口、收入或财产状况发生变化。",
        15, 30,
        (form_of("最低生活保障变更申请表"), ID_CARD, HOUSEHOLD_BOOK,
         m("家庭成员变化情况证明材料", BOTH)),
        "assistance",
    ),
    SeedItem(
        "MZ-003", "D-MZ", PAYMENT, "特困人员救助供养申请",
        f"{ASSISTANCE}第十四条至第二十条；《特困人员认定办法》（民发〔2021〕43号）",
        "无劳动能力、无生活来源，且无法定赡养、抚养、扶养义务人或其义务人无履行能力的老年人、残疾人以及未满十八周岁的未成年人。",
        20, 30,
        (form_of("特困人员救助供养申请书"), ID_CARD, HOUSEHOLD_BOOK, INCOME, ASSETS,
         m("残疾人证或丧失劳动能力的证明", BOTH, required=False), AGENT),
        "assistance",
    ),
    SeedItem(
        "MZ-004", "D-MZ", PAYMENT, "临时救助申请",
        f"{ASSISTANCE}第四十七条至第五十一条；《国务院关于全面建立临时救助制度的通知》（国发〔2014〕47号）",
        "因火灾、交通事故等意外事件，或家庭成员突发重大疾病等原因，导致基本生活暂时出现严重困难的家庭或个人。",
        10, 15,
        (form_of("临时救助申请书"), ID_CARD, HOUSEHOLD_BOOK,
         m("遭遇困难情况的证明材料（医疗费票据、事故证明等）", BOTH), ASSETS, AGENT),
        "assistance", online=True,
    ),
    SeedItem(
        "MZ-005", "D-MZ", CONFIRMATION, "低收入家庭认定",
        f"{ASSISTANCE}；《民政部 财政部 国家乡村振兴局关于做好低收入人口认定和动态监测工作的通知》",
        "家庭人均收入低于当地最低生活保障标准1.5倍，且财产状况符合规定的家庭。",
        20, 30,
        (form_of("低收入家庭认定申请书"), ID_CARD, HOUSEHOLD_BOOK, INCOME, ASSETS),
        "assistance",
    ),
    SeedItem(
        "MZ-006", "D-MZ", PAYMENT, "高龄津贴申领",
        f"{ELDERLY}第三十三条；{ELDERLY_ALLOWANCE}",
        "具有本区户籍、年满80周岁的老年人。",
        10, 20,
        (ID_CARD, HOUSEHOLD_BOOK, BANK, AGENT),
        "benefit", online=True,
    ),
    SeedItem(
        "MZ-007", "D-MZ", PAYMENT, "尊老金申领",
        f"{ELDERLY}第三十三条",
        "具有本区户籍、年满90周岁的老年人，按年龄段发放。",
        10, 20,
        (ID_CARD, HOUSEHOLD_BOOK, BANK, AGENT),
        "benefit",
    ),
    SeedItem(
        "MZ-008", "D-MZ", SERVICE, "老年人优待证办理",
        f"{ELDERLY}第五十七条至第六十三条",
        "年满60周岁的本区户籍老年人，或在本区居住的60周岁以上非户籍老年人。",
        5, 10,
        (ID_CARD, PHOTO, m("居住证（非本区户籍老年人提供）", BOTH, required=False), AGENT),
        "card", delivery=True,
    ),
    SeedItem(
        "MZ-009", "D-MZ", PAYMENT, "经济困难老年人养老服务补贴申请",
        f"{ELDERLY}；{ELDERLY_ALLOWANCE}",
        "享受最低生活保障或属于低收入家庭、年满60周岁的失能、半失能老年人。",
        15, 30,
        (form_of("养老服务补贴申请表"), ID_CARD, HOUSEHOLD_BOOK,
         m("老年人能力评估结果", ORIGINAL), AGENT),
        "benefit",
    ),
    SeedItem(
        "MZ-010", "D-MZ", SERVICE, "居家养老服务申请",
        f"{ELDERLY}第三十七条",
        "居住在本区、有居家养老服务需求的老年人。",
        5, 10,
        (form_of("居家养老服务申请表"), ID_CARD, AGENT),
        "service", online=True,
    ),
    SeedItem(
        "MZ-011", "D-MZ", PAYMENT, "困境儿童救助（基本生活保障）申请",
        "《国务院关于加强困境儿童保障工作的意见》（国发〔2016〕36号）；《中华人民共和国未成年人保护法》",
        "因家庭贫困、自身残疾或监护缺失等原因陷入困境的本区户籍未成年人。",
        15, 30,
        (form_of("困境儿童基本生活保障申请表"), m("儿童户口簿或居民身份证", BOTH, e=True),
         m("监护人居民身份证", BOTH, e=True), m("致困情况证明材料", BOTH), PHOTO),
        "assistance",
    ),
    SeedItem(
        "MZ-012", "D-MZ", PAYMENT, "孤儿基本生活费申领",
        "《国务院办公厅关于加强孤儿保障工作的意见》（国办发〔2010〕54号）",
        "失去父母或查找不到生父母的未满十八周岁的未成年人。",
        15, 30,
        (form_of("孤儿基本生活费申请表"), HOUSEHOLD_BOOK,
         m("父母死亡证明或宣告死亡、失踪的法律文书", BOTH),
         m("监护人居民身份证", BOTH, e=True), BANK),
        "assistance",
    ),
    SeedItem(
        "MZ-013", "D-MZ", CONFIRMATION, "事实无人抚养儿童认定",
        "《关于进一步加强事实无人抚养儿童保障工作的意见》（民发〔2019〕62号）",
        "父母双方均符合重残、重病、服刑在押、强制隔离戒毒、失联等情形之一的儿童。",
        15, 30,
        (form_of("事实无人抚养儿童认定申请表"), HOUSEHOLD_BOOK,
         m("父母情况的证明材料", BOTH), m("监护人居民身份证", BOTH, e=True)),
        "confirmation",
    ),
    SeedItem(
        "MZ-014", "D-MZ", PAYMENT, "惠民殡葬补贴申领",
        "《殡葬管理条例》；《民政部等关于推行惠民殡葬政策的指导意见》（民发〔2012〕211号）",
        "本区户籍居民死亡后实行火化的，由其亲属申领基本殡葬服务补贴。",
        5, 10,
        (m("死亡证明", BOTH), m("火化证明", BOTH), m("逝者户口注销证明", COPY, e=True),
         m("申领人居民身份证", BOTH, e=True), BANK),
        "benefit",
    ),
    SeedItem(
        "MZ-015", "D-MZ", CONFIRMATION, "社区社会组织备案",
        "《社会团体登记管理条例》；《民政部关于大力培育发展社区社会组织的意见》（民发〔2017〕191号）",
        "在社区范围内开展活动、未达到登记条件的社区社会组织。",
        10, 20,
        (form_of("社区社会组织备案表"), m("组织章程或活动规则", ORIGINAL),
         m("负责人居民身份证", BOTH, e=True), m("成员名册", ORIGINAL),
         m("活动场所证明", COPY)),
        "confirmation", by_proxy=False,
    ),
    # 区残联 -------------------------------------------------------------------------------
    SeedItem(
        "CL-001", "D-CL", CONFIRMATION, "残疾人证新办",
        f"{DISABILITY}；《中华人民共和国残疾人证管理办法》",
        "符合残疾标准的本区户籍居民，经指定医疗机构评定残疾类别和等级。",
        15, 20,
        (form_of("残疾人证申请表"), ID_CARD, HOUSEHOLD_BOOK, PHOTO,
         m("残疾评定表（指定医疗机构出具）", ORIGINAL)),
        "card", delivery=True,
    ),
    SeedItem(
        "CL-002", "D-CL", CONFIRMATION, "残疾人证换领、补领、迁移",
        f"{DISABILITY}；《中华人民共和国残疾人证管理办法》",
        "残疾人证有效期满、遗失损毁，或残疾人户籍迁入本区。",
        10, 20,
        (form_of("残疾人证换领（补领、迁移）申请表"), ID_CARD, PHOTO,
         m("原残疾人证（补领的除外）", ORIGINAL, required=False)),
        "card", delivery=True,
    ),
    SeedItem(
        "CL-003", "D-CL", PAYMENT, "残疾人两项补贴申领",
        "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
        "困难残疾人生活补贴：享受最低生活保障的残疾人；重度残疾人护理补贴：残疾等级为一级、二级且需要长期照护的残疾人。",
        15, 30,
        (form_of("残疾人两项补贴申请审批表"), ID_CARD, DISABILITY_CARD, HOUSEHOLD_BOOK,
         m("最低生活保障证明（申请生活补贴时提供）", COPY, required=False), BANK, AGENT),
        "benefit", online=True,
    ),
    SeedItem(
        "CL-004", "D-CL", SERVICE, "残疾人辅助器具适配申请",
        f"{DISABILITY}第五十四条",
        "持有残疾人证、有辅助器具需求的本区户籍残疾人。",
        10, 20,
        (form_of("辅助器具适配申请表"), DISABILITY_CARD, ID_CARD, AGENT),
        "service",
    ),
    SeedItem(
        "CL-005", "D-CL", PAYMENT, "残疾人机动轮椅车燃油补贴申领",
        f"{DISABILITY}；《财政部 中国残联关于残疾人机动轮椅车燃油补贴的通知》",
        "持有残疾人证、本人拥有并使用残疾人机动轮椅车的下肢残疾人。",
        10, 20,
        (DISABILITY_CARD, ID_CARD, m("机动车行驶证", BOTH, e=True), BANK),
        "benefit",
    ),
    # 区人社局 ------------------------------------------------------------------------------
    SeedItem(
        "RS-001", "D-RS", CONFIRMATION, "就业失业登记",
        EMPLOYMENT,
        "在法定劳动年龄内、有劳动能力和就业要求的本区常住人员；失业登记须处于无业状态。",
        1, 5,
        (ID_CARD, m("解除或终止劳动关系证明（失业登记时提供）", COPY, required=False)),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-002", "D-RS", SERVICE, "《就业创业证》申领",
        EMPLOYMENT,
        "已办理就业或失业登记的劳动者。",
        1, 5,
        (ID_CARD, PHOTO),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-003", "D-RS", PAYMENT, "失业保险金申领",
        f"{SOCIAL_INSURANCE}第四十五条至第五十条；《失业保险条例》；《失业保险金申领发放办法》",
        "失业前用人单位和本人已缴纳失业保险费满一年、非因本人意愿中断就业、已办理失业登记并有求职要求。",
        5, 10,
        (ID_CARD, m("解除或终止劳动关系证明", BOTH), BANK),
        "benefit", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-004", "D-RS", CONFIRMATION, "就业困难人员认定",
        f"{EMPLOYMENT}；《就业补助资金管理办法》（财社〔2017〕164号）",
        "因身体状况、技能水平、家庭因素、失去土地等原因难以实现就业，连续失业一定时间的登记失业人员。",
        5, 10,
        (form_of("就业困难人员认定申请表"), ID_CARD, m("就业创业证", BOTH, e=True),
         m("符合认定类别的证明材料", BOTH)),
        "confirmation", queue_group="B",
    ),
    SeedItem(
        "RS-005", "D-RS", PAYMENT, "灵活就业人员社会保险补贴申领",
        "《就业补助资金管理办法》（财社〔2017〕164号）",
        "以灵活方式就业并缴纳社会保险费的就业困难人员和离校2年内未就业高校毕业生。",
        10, 20,
        (form_of("社会保险补贴申请表"), ID_CARD, m("社会保险费缴费凭证", COPY, e=True), BANK),
        "benefit", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-006", "D-RS", PAYMENT, "职业技能培训补贴申领",
        "《就业补助资金管理办法》（财社〔2017〕164号）",
        "参加职业技能培训并取得职业资格证书、职业技能等级证书或专项职业能力证书的城乡劳动者。",
        10, 20,
        (form_of("职业培训补贴申请表"), ID_CARD, m("职业技能等级证书等", BOTH, e=True), BANK),
        "benefit", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-007", "D-RS", SERVICE, "创业担保贷款申请",
        "《关于进一步做好创业担保贷款财政贴息工作的通知》（财金〔2020〕21号）",
        "符合条件的城镇登记失业人员、就业困难人员、退役军人、高校毕业生等自主创业人员。",
        10, 15,
        (form_of("创业担保贷款申请表"), ID_CARD, MARRIAGE, m("营业执照", BOTH, e=True),
         m("经营场所证明", COPY)),
        "service", by_proxy=False, queue_group="B",
    ),
    SeedItem(
        "RS-008", "D-RS", CONFIRMATION, "城乡居民养老保险参保登记",
        f"{SOCIAL_INSURANCE}第二十条至第二十二条；{RURAL_PENSION}",
        "年满16周岁（不含在校学生）、非国家机关和事业单位工作人员、不属于职工基本养老保险覆盖范围的本区户籍居民。",
        1, 5,
        (ID_CARD, HOUSEHOLD_BOOK),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-009", "D-RS", PAYMENT, "城乡居民养老保险待遇申领",
        f"{SOCIAL_INSURANCE}；{RURAL_PENSION}",
        "年满60周岁、累计缴费满15年，且未领取国家规定的基本养老保障待遇的参保人。",
        5, 15,
        (ID_CARD, HOUSEHOLD_BOOK, BANK),
        "benefit", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-010", "D-RS", SERVICE, "城乡养老保险关系转移接续",
        f"{SOCIAL_INSURANCE}；《城乡养老保险制度衔接暂行办法》",
        "参保人跨统筹地区流动，或在职工养老保险与城乡居民养老保险之间转换。",
        10, 15,
        (form_of("养老保险关系转移接续申请表"), ID_CARD, m("参保缴费凭证", COPY, e=True)),
        "service", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-011", "D-RS", SERVICE, "养老保险待遇领取资格认证",
        f"{SOCIAL_INSURANCE}；{RURAL_PENSION}",
        "正在领取城乡居民养老保险待遇的人员，每年认证一次；行动不便的可由社区上门协助认证。",
        1, 5,
        (ID_CARD,),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-012", "D-RS", CONFIRMATION, "灵活就业人员社会保险参保登记",
        f"{SOCIAL_INSURANCE}第十条、第二十三条",
        "无雇工的个体工商户、未在用人单位参加社会保险的非全日制从业人员及其他灵活就业人员。",
        1, 5,
        (ID_CARD, m("就业创业证或灵活就业登记证明", COPY, e=True, required=False)),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "RS-013", "D-RS", SERVICE, "社会保障卡申领",
        f"{SOCIAL_INSURANCE}第五十八条",
        "已参加社会保险的人员。",
        5, 10,
        (ID_CARD, PHOTO, AGENT),
        "card", online=True, delivery=True, queue_group="B",
    ),
    # 区医保局 ------------------------------------------------------------------------------
    SeedItem(
        "YB-001", "D-YB", CONFIRMATION, "城乡居民医疗保险参保登记",
        f"{SOCIAL_INSURANCE}第二十三条至第二十五条；{RESIDENT_MEDICAL}",
        "不属于职工基本医疗保险覆盖范围的本区户籍居民及持有本区居住证的常住人员。",
        1, 5,
        (ID_CARD, HOUSEHOLD_BOOK, m("居住证（非本区户籍人员提供）", BOTH, required=False)),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "YB-002", "D-YB", CONFIRMATION, "门诊慢特病待遇认定",
        f"{SOCIAL_INSURANCE}；《医疗保障基金使用监督管理条例》",
        "患有规定病种的城乡居民医疗保险或职工医疗保险参保人。",
        10, 20,
        (form_of("门诊慢特病待遇认定申请表"), ID_CARD,
         m("二级以上医院诊断证明、检查报告", BOTH)),
        "confirmation", online=True, delivery=True, queue_group="B",
    ),
    SeedItem(
        "YB-003", "D-YB", SERVICE, "异地就医备案",
        f"{SOCIAL_INSURANCE}；《关于进一步做好基本医疗保险跨省异地就医直接结算工作的通知》（医保发〔2022〕22号）",
        "异地长期居住或临时外出就医的参保人。",
        1, 5,
        (ID_CARD, m("异地居住证明或个人承诺书", ORIGINAL, e=True)),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "YB-004", "D-YB", PAYMENT, "医疗救助申请",
        f"{ASSISTANCE}第二十七条至第三十二条；《国务院办公厅关于健全重特大疾病医疗保险和救助制度的意见》（国办发〔2021〕42号）",
        "最低生活保障对象、特困人员、低收入人口及因病致贫的重病患者。",
        15, 30,
        (form_of("医疗救助申请表"), ID_CARD, m("医疗费用票据及费用清单", ORIGINAL),
         m("出院小结或诊断证明", COPY), BANK),
        "benefit", queue_group="B",
    ),
    SeedItem(
        "YB-005", "D-YB", PAYMENT, "零星医疗费用报销",
        f"{SOCIAL_INSURANCE}第二十八条至第三十条",
        "因急诊、异地未直接结算等原因全额垫付医疗费用的参保人。",
        15, 30,
        (ID_CARD, m("医疗费用发票", ORIGINAL), m("费用明细清单", ORIGINAL),
         m("诊断证明或出院小结", COPY), BANK),
        "benefit", queue_group="B",
    ),
    # 区卫健局 ------------------------------------------------------------------------------
    SeedItem(
        "WJ-001", "D-WJ", CONFIRMATION, "生育登记",
        f"{POPULATION}第十八条",
        "生育子女的夫妻，一方为本区户籍或在本区居住。",
        1, 5,
        (m("夫妻双方居民身份证", BOTH, e=True), m("结婚证", BOTH, e=True), HOUSEHOLD_BOOK),
        "instant", online=True,
    ),
    SeedItem(
        "WJ-002", "D-WJ", PAYMENT, "独生子女父母奖励申领",
        f"{POPULATION}第二十七条",
        "在国家提倡一对夫妻生育一个子女期间，自愿终身只生育一个子女并领取《独生子女父母光荣证》的夫妻。",
        10, 20,
        (m("独生子女父母光荣证", BOTH), m("夫妻双方居民身份证", BOTH, e=True),
         HOUSEHOLD_BOOK, BANK),
        "benefit",
    ),
    SeedItem(
        "WJ-003", "D-WJ", PAYMENT, "计划生育特别扶助金申领",
        f"{POPULATION}第二十七条；《全国独生子女伤残死亡家庭扶助制度试点方案》",
        "独生子女死亡或伤残（三级以上）后未再生育或收养子女、女方年满49周岁的夫妻。",
        20, 30,
        (form_of("计划生育特别扶助申请表"), m("夫妻双方居民身份证", BOTH, e=True),
         HOUSEHOLD_BOOK, m("子女死亡证明或残疾人证", BOTH), m("独生子女父母光荣证", BOTH),
         BANK),
        "benefit",
    ),
    SeedItem(
        "WJ-004", "D-WJ", PAYMENT, "农村部分计划生育家庭奖励扶助申领",
        f"{POPULATION}；《农村部分计划生育家庭奖励扶助制度试点方案》（国办发〔2004〕21号）",
        "农业户籍、只有一个子女或两个女孩、年满60周岁的计划生育家庭夫妻。",
        20, 30,
        (form_of("奖励扶助对象确认申报表"), ID_CARD, HOUSEHOLD_BOOK, MARRIAGE, BANK),
        "benefit",
    ),
    SeedItem(
        "WJ-005", "D-WJ", SERVICE, "母子健康手册发放",
        "《国家基本公共卫生服务规范（第三版）》",
        "在本区居住的孕产妇。",
        1, 3,
        (ID_CARD, m("孕检记录", COPY, e=True, required=False)),
        "instant",
    ),
    SeedItem(
        "WJ-006", "D-WJ", SERVICE, "65岁以上老年人健康管理服务预约",
        "《国家基本公共卫生服务规范（第三版）》",
        "辖区内65岁及以上常住居民，每年提供一次健康管理服务。",
        3, 5,
        (ID_CARD,),
        "service", online=True,
    ),
    # 公安分局 ------------------------------------------------------------------------------
    SeedItem(
        "GA-001", "D-GA", SERVICE, "居住证办理",
        f"{RESIDENCE}第二条、第九条至第十一条",
        "离开常住户口所在地，在本区居住半年以上，符合有合法稳定就业、合法稳定住所、连续就读条件之一的公民。",
        10, 15,
        (ID_CARD, PHOTO, HOME,
         m("就业或就读证明（劳动合同、营业执照、学籍证明之一）", COPY, e=True)),
        "card", delivery=True, queue_group="B",
    ),
    SeedItem(
        "GA-002", "D-GA", CONFIRMATION, "居住证签注",
        f"{RESIDENCE}第十三条",
        "居住证持有人在居住地连续居住满一年，需延续居住证有效期的。",
        1, 5,
        (m("居住证", ORIGINAL), ID_CARD),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "GA-003", "D-GA", CONFIRMATION, "流动人口居住登记",
        f"{RESIDENCE}第五条",
        "离开常住户口所在地，到本区居住的公民，应当在到达后及时申报居住登记。",
        1, 5,
        (ID_CARD, HOME),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "GA-004", "D-GA", CONFIRMATION, "出租房屋登记备案",
        "《租赁房屋治安管理规定》（公安部令第24号）",
        "在本区出租房屋的房屋所有人或转租人。",
        1, 3,
        (m("出租人居民身份证", BOTH, e=True), m("房屋产权证明", BOTH, e=True),
         m("房屋租赁合同", COPY), m("承租人居民身份证", COPY, e=True)),
        "instant", online=True, queue_group="B",
    ),
    SeedItem(
        "GA-005", "D-GA", SERVICE, "居民身份证换领、补领",
        "《中华人民共和国居民身份证法》第五条、第十一条；《国家发展改革委 财政部关于居民身份证收费标准及有关问题的通知》",
        "居民身份证有效期满、登记项目变更、严重损坏不能辨认或遗失的本区户籍居民；须本人到场采集照片和指纹。",
        15, 40,
        (HOUSEHOLD_BOOK, m("原居民身份证（补领的除外）", ORIGINAL, required=False)),
        "card", fee="换领、补领工本费20元；临时居民身份证工本费10元", by_proxy=False,
        delivery=True, queue_group="B",
    ),
    # 区住建局 ------------------------------------------------------------------------------
    SeedItem(
        "ZJ-001", "D-ZJ", PAYMENT, "廉租住房申请",
        "《廉租住房保障办法》（建设部等九部委令第162号）",
        "城市低收入住房困难家庭，家庭收入、人均住房面积符合本区廉租住房保障标准。",
        20, 30,
        (form_of("廉租住房保障申请审批表"), ID_CARD, HOUSEHOLD_BOOK, INCOME, ASSETS,
         m("现住房情况证明", BOTH), MARRIAGE),
        "assistance",
    ),
    SeedItem(
        "ZJ-002", "D-ZJ", PAYMENT, "公共租赁住房申请",
        HOUSING,
        "在本区无自有住房或住房面积低于规定标准、收入财产低于规定标准的家庭；稳定就业的外来务工人员。",
        20, 30,
        (form_of("公共租赁住房申请表"), ID_CARD, HOUSEHOLD_BOOK, INCOME, ASSETS,
         m("劳动合同或社会保险缴费证明（外来务工人员提供）", COPY, required=False), MARRIAGE),
        "assistance", online=True,
    ),
    SeedItem(
        "ZJ-003", "D-ZJ", PAYMENT, "城镇住房租赁补贴申请",
        HOUSING,
        "符合公共租赁住房保障条件、在市场上自行租赁住房的城镇低收入住房困难家庭。",
        20, 30,
        (form_of("住房租赁补贴申请表"), ID_CARD, HOUSEHOLD_BOOK, INCOME,
         m("房屋租赁合同", COPY), BANK),
        "assistance",
    ),
    SeedItem(
        "ZJ-004", "D-ZJ", SERVICE, "老旧小区既有住宅加装电梯申请",
        "《国务院办公厅关于全面推进城镇老旧小区改造工作的指导意见》（国办发〔2020〕23号）",
        "本区老旧小区四层以上既有住宅，本单元业主按规定比例表决同意加装。",
        15, 20,
        (form_of("既有住宅加装电梯申请书"), m("业主表决同意书", ORIGINAL),
         m("加装电梯设计方案", ORIGINAL), m("业主代表居民身份证", COPY, e=True)),
        "service", by_proxy=False,
    ),
    # 区退役军人事务局 -------------------------------------------------------------------------
    SeedItem(
        "TY-001", "D-TY", SERVICE, "退役军人优待证申领",
        f"{VETERANS}第六十一条；《退役军人、其他优抚对象优待证管理办法（试行）》",
        "本区户籍的退役军人和烈士遗属、因公牺牲军人遗属、病故军人遗属等其他优抚对象。",
        10, 20,
        (ID_CARD, VETERAN, PHOTO),
        "card", online=True, delivery=True,
    ),
    SeedItem(
        "TY-002", "D-TY", PAYMENT, "优抚对象抚恤补助金申领",
        f"{VETERANS}；{PENSIONS}",
        "残疾军人、烈士遗属、在乡复员军人、带病回乡退伍军人等重点优抚对象。",
        15, 30,
        (form_of("优抚对象抚恤补助申请表"), ID_CARD, HOUSEHOLD_BOOK,
         m("优抚对象身份证明（残疾军人证、烈士证明书等）", BOTH), BANK),
        "benefit",
    ),
    SeedItem(
        "TY-003", "D-TY", PAYMENT, "义务兵家庭优待金申领",
        f"{PENSIONS}第三十二条",
        "入伍前为本区户籍的义务兵家庭。",
        15, 30,
        (m("入伍通知书", COPY), m("义务兵家属居民身份证", BOTH, e=True), HOUSEHOLD_BOOK, BANK),
        "benefit",
    ),
    SeedItem(
        "TY-004", "D-TY", SERVICE, "退役军人信息采集",
        f"{VETERANS}第十三条",
        "户籍在本区的退役军人。",
        1, 5,
        (ID_CARD, VETERAN, PHOTO),
        "instant", online=True,
    ),
    SeedItem(
        "TY-005", "D-TY", SERVICE, "光荣牌悬挂申请",
        f"{VETERANS}第五十三条；《关于做好为烈属、军属和退役军人等家庭悬挂光荣牌工作的通知》",
        "烈属、军属和退役军人家庭。",
        5, 10,
        (ID_CARD, m("烈属、军属或退役军人身份证明", BOTH)),
        "service",
    ),
    # 区司法局 ------------------------------------------------------------------------------
    SeedItem(
        "SF-001", "D-SF", SERVICE, "法律援助申请",
        "《中华人民共和国法律援助法》第三十一条、第四十三条",
        "因经济困难没有委托代理人的当事人，就依法请求给予社会保险待遇、社会救助、支付劳动报酬等事项申请法律援助。",
        5, 7,
        (form_of("法律援助申请表"), ID_CARD, m("经济困难状况说明表", ORIGINAL),
         m("与所申请法律援助事项有关的材料", COPY)),
        "service",
    ),
    SeedItem(
        "SF-002", "D-SF", SERVICE, "人民调解申请",
        "《中华人民共和国人民调解法》第十七条、第二十八条",
        "发生婚姻家庭、邻里、物业、损害赔偿等民间纠纷的当事人。",
        15, 20,
        (m("当事人居民身份证", BOTH, e=True), m("纠纷有关证据材料", COPY, required=False)),
        "mediation", by_proxy=False,
    ),
    # 区市场监管局 ---------------------------------------------------------------------------
    SeedItem(
        "SJ-001", "D-SJ", LICENSE, "个体工商户设立登记",
        "《促进个体工商户发展条例》；《中华人民共和国市场主体登记管理条例》第十九条",
        "有经营能力的公民，经营场所符合规定，经营范围不属于禁止事项。",
        1, 3,
        (form_of("个体工商户登记（备案）申请书"), ID_CARD, m("经营场所使用证明", COPY, e=True)),
        "license", online=True, delivery=True, by_proxy=False,
    ),
    # 街道办事处 ----------------------------------------------------------------------------
    SeedItem(
        "JD-001", "D-JD", CERTIFICATE, "出具居住证明",
        f"{RESIDENTS_COMMITTEE}第三条",
        "在本社区实际居住的居民，因办理入学、就业等事项需要证明居住情况。",
        1, 3,
        (ID_CARD, HOME, m("居住证或户口簿", BOTH, e=True)),
        "certificate", by_proxy=False,
    ),
    SeedItem(
        "JD-002", "D-JD", CERTIFICATE, "出具家庭经济困难情况证明",
        f"{RESIDENTS_COMMITTEE}第三条",
        "本社区居民因子女就学资助等事项需要证明家庭经济困难情况。",
        1, 3,
        (ID_CARD, HOUSEHOLD_BOOK, m("低保证、特困证或其他困难情况证明", BOTH, required=False)),
        "certificate",
    ),
    SeedItem(
        "JD-003", "D-JD", CONFIRMATION, "群众团队备案",
        "《民政部关于大力培育发展社区社会组织的意见》（民发〔2017〕191号）",
        "在社区开展文体、志愿、互助等活动的群众团队，每年复核一次，负责人或活动场所变更时重新备案。",
        5, 10,
        (form_of("群众团队备案表"), m("团队成员名册", ORIGINAL),
         m("负责人居民身份证", BOTH, e=True)),
        "confirmation", by_proxy=False,
    ),
    SeedItem(
        "JD-004", "D-JD", SERVICE, "社区活动场地预约",
        f"{RESIDENTS_COMMITTEE}第四条",
        "本社区居民、群众团队和社会组织开展公益性活动。",
        1, 3,
        (form_of("活动场地使用申请表"), m("申请人居民身份证", COPY, e=True)),
        "service", online=True,
    ),
    SeedItem(
        "JD-005", "D-JD", SERVICE, "困难群众结对帮扶申请",
        f"{ASSISTANCE}第五十九条",
        "本街道范围内生活困难、需要志愿者或党员结对帮扶的家庭。",
        5, 10,
        (form_of("结对帮扶申请表"), ID_CARD),
        "service",
    ),
)  # fmt: skip


def departments_ensure(*, district: Region, actor: Any = None) -> dict[str, Unit]:
    """The seed's department units at the district node, created when missing (audited)."""
    existing = {u.code: u for u in Unit.objects.filter(code__in=DEPARTMENT_NAMES)}
    for code, name, kind in DEPARTMENTS:
        if code in existing:
            continue
        unit = Unit.objects.create(code=code, name=name, kind=kind, region=district)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=unit,
            changes={"code": [None, code], "name": [None, name], "kind": [None, str(kind)]},
            region_path=district.path,
        )
        existing[code] = unit
    return existing


@transaction.atomic
def catalog_seed(*, district: Region, actor: Any = None) -> dict[str, int]:
    """Create the departments and the items; an unchanged item keeps its version.

    Returns counts: departments and items made, items given a new version, items unchanged.
    """
    before_units = Unit.objects.filter(code__in=DEPARTMENT_NAMES).count()
    units = departments_ensure(district=district, actor=actor)
    current = dict(ServiceItem.objects.current().values_list("code", "pk"))
    counts = {
        "departments": len(DEPARTMENTS) - before_units,
        "created": 0,
        "versions": 0,
        "unchanged": 0,
    }
    for seed in ITEMS:
        item = item_save(
            actor=actor,
            code=seed.code,
            values=seed.values(units[seed.department]),
            materials=[material.as_values() for material in seed.materials],
        )
        if seed.code not in current:
            counts["created"] += 1
        elif current[seed.code] == item.pk:
            counts["unchanged"] += 1
        else:
            counts["versions"] += 1
    return counts
