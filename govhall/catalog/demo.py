"""Demo catalog for Hechuan: the branches' items with complete guides and the
negative-list entries that explain why each is at its branch, and a larger set
of general items at the district center whose names come from the real public
list of 广安市广安区 (/work/shared/data/real, Apache-2.0). Codes and phones
are invented; the guides name no windows — where to go comes from the halls'
window register (queueing's demo links its queues to these items). Loading
twice changes nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from django.db import transaction

from govhall.centers import services as center_services
from govhall.centers.models import Center, Department, District
from govhall.core.history import save_recorded

from . import services
from .models import NegativeListEntry, ServiceItem, Synonym

REAL_ITEMS = Path(__file__).resolve().parent / "data" / "guangan-items-subset.json"
APPROVAL = "合川府办发〔2023〕79号"
APPROVED_ON = date(2023, 9, 12)  # the date of 合川府办发〔2023〕79号
WRONG_APPROVED_ON = date(2023, 6, 30)  # what demo databases loaded before the correction carry
COMPLAINT = "12345（政务服务便民热线）、023-42800000（区政务办效能投诉）"

THEMES = [
    ("marriage", "婚姻登记"),
    ("social-security", "社会保障"),
    ("employment", "就业创业"),
    ("disability", "残疾人服务"),
    ("housing", "住房保障"),
    ("veterans", "退役军人"),
    ("business", "市场准入"),
    ("household", "户籍证件"),
    ("health", "医疗卫生"),
    ("transport", "交通出行"),
    ("education", "教育"),
    ("legal", "法律服务"),
    ("tobacco", "烟草专卖"),
]

SYNONYMS = [
    ("社保", "社会保险、社会保障"),
    ("公积金", "住房公积金"),
    ("残疾证", "残疾人证"),
    ("结婚证", "结婚登记"),
    ("离婚证", "离婚登记"),
    ("烟草证", "烟草专卖零售许可证"),
    ("优待证", "退役军人优待证"),
    ("医保", "医疗保障、医疗保险"),
    ("养老金", "养老保险"),
]

T = ServiceItem.Type
ID = ("居民身份证", "original", 1, "申请人自备", False)
HUKOU = ("居民户口簿", "original", 1, "公安机关（可共享获取）", True)
# The revised 婚姻登记条例 (国务院令第804号, in force 2025-05-10) asks for no 户口簿 and lets a
# couple register at any marriage registry in the country (全国通办).
MARRIAGE_REGULATION = "《婚姻登记条例》（国务院令第804号修订，2025年5月10日起施行）"

# Guide fields beyond the common ones, by item name: both parties apply for a marriage or a
# divorce (婚姻登记条例); the divorce's 30-day 冷静期 is a waiting period in calendar days
# (民法典第1077条), then 30 days in which both come for the certificate.
GUIDE_EXTRAS: dict[str, dict] = {
    "结婚登记": {"parties": 2},
    "离婚登记": {
        "parties": 2,
        "waiting_name": "离婚冷静期",
        "waiting_days": 30,
        "waiting_unit": "day",
        "collect_days": 30,
    },
}

# name, type, serving, themes, keywords, legal basis, conditions, materials, steps, legal/promised days,
# visits, fees (None = no fee), faq
BRANCH_ITEMS: dict[str, dict] = {
    "HC-MZ": {
        "department": "CIVIL",
        "reason": NegativeListEntry.Reason.SITE,
        "basis": "婚姻登记须设置独立的结婚登记颁证厅、离婚登记调解室和候登区，区政务服务中心无相应场地。",
        "items": [
            (
                "结婚登记",
                T.CONFIRMATION,
                "person",
                ["marriage"],
                "婚姻登记 领结婚证 结婚证",
                f"《中华人民共和国民法典》第一千零四十六条至第一千零四十九条；{MARRIAGE_REGULATION}",
                "男方年满二十二周岁、女方年满二十周岁；双方完全自愿；双方均无配偶；双方没有直系血亲和三代以内旁系血亲关系；"
                "男女双方亲自到场共同申请。内地居民可在全国任一婚姻登记机关办理（全国通办），不受户籍地限制，无需户口簿。",
                [
                    ID,
                    ("近期 2 寸半身免冠合影照片", "original", 3, "申请人自备", False),
                    ("《申请结婚登记声明书》", "original", 1, "窗口领取，当场签名", False),
                ],
                [
                    "双方共同到婚姻登记处提出申请",
                    "填写并当面签署《申请结婚登记声明书》",
                    "登记员审查身份与声明",
                    "符合条件的当场登记",
                    "颁发结婚证（可选择颁证仪式）",
                ],
                0,
                0,
                1,
                None,
                [
                    ("可以只来一方吗？", "不可以，结婚登记须男女双方亲自到场。"),
                    (
                        "户口不在合川能办吗？",
                        "能。自 2025 年 5 月 10 日起，内地居民可在全国任一婚姻登记机关办理结婚登记，"
                        "双方只需携带本人居民身份证，无需户口簿。",
                    ),
                ],
            ),
            (
                "离婚登记",
                T.CONFIRMATION,
                "person",
                ["marriage"],
                "婚姻登记 协议离婚 离婚证",
                f"《中华人民共和国民法典》第一千零七十六条、第一千零七十七条；{MARRIAGE_REGULATION}",
                "双方自愿离婚，对子女抚养、财产及债务处理等事项协商一致，并签订书面离婚协议；双方亲自到场共同申请。"
                "自婚姻登记机关收到申请之日起三十日（自然日）为离婚冷静期（民法典第一千零七十七条），"
                "期满后三十日内双方亲自到场申请发给离婚证。内地居民可在全国任一婚姻登记机关申请（全国通办），无需户口簿。",
                [
                    ID,
                    ("结婚证", "original", 1, "申请人自备", False),
                    ("离婚协议书", "original", 3, "申请人自备", False),
                    ("近期 2 寸单人半身免冠照片", "original", 2, "申请人自备", False),
                ],
                [
                    "双方共同提出离婚登记申请并提交材料",
                    "受理并发给《离婚登记申请受理回执单》",
                    "自收到申请之日起三十日（自然日）离婚冷静期",
                    "冷静期满后三十日内双方共同到原受理的婚姻登记机关申请发证",
                    "审查后当场登记并发给离婚证",
                ],
                # The registry decides on the spot at the second visit. The 30-day cooling-off
                # (calendar days, 民法典第1077条) is a waiting period, not a time limit in working days.
                0,
                0,
                2,
                None,
                [
                    (
                        "从申请到拿证要多久？",
                        "离婚冷静期为自婚姻登记机关收到离婚登记申请之日起三十日（自然日，民法典第一千零七十七条），"
                        "不是工作日办结时限；期满后三十日内双方亲自到场申请发证，符合规定的当场登记发证；"
                        "期满后三十日内未申请的，视为撤回申请。",
                    ),
                    (
                        "冷静期内可以撤回吗？",
                        "可以，任何一方不愿离婚的，可持本人有效身份证件和受理回执单撤回申请。",
                    ),
                ],
            ),
            (
                "补领婚姻登记证",
                T.CONFIRMATION,
                "person",
                ["marriage"],
                "补办结婚证 补办离婚证 婚姻登记",
                MARRIAGE_REGULATION,
                "结婚证、离婚证遗失或损毁的，当事人可持本人居民身份证向婚姻登记机关申请补领，无需户口簿；"
                "婚姻登记机关对婚姻登记档案查证属实的，予以补发。",
                [
                    ID,
                    ("近期 2 寸半身免冠照片（补结婚证须合影）", "original", 3, "申请人自备", False),
                    ("《申请补领婚姻登记证声明书》", "original", 1, "窗口领取", False),
                ],
                ["提出申请", "查询婚姻登记档案", "审查", "补发婚姻登记证"],
                0,
                0,
                1,
                None,
                [],
            ),
        ],
    },
    "HC-RS": {
        "department": "HRSS",
        "reason": NegativeListEntry.Reason.SITE,
        "basis": "社会保障卡即时制卡、社保业务经办须使用专用制卡设备和社保业务专网终端，集中在人力社保分中心设置。",
        "items": [
            (
                "社会保障卡申领",
                T.PUBLIC_SERVICE,
                "person",
                ["social-security"],
                "社保卡 社会保险卡 办卡 制卡",
                "《中华人民共和国社会保险法》第五十八条；《社会保障卡建设总体规划》（人社部发〔2009〕145号）",
                "参加社会保险、尚未领取社会保障卡的人员。",
                [
                    ID,
                    ("近期 1 寸白底免冠彩色照片（可现场采集）", "original", 1, "申请人自备或现场采集", False),
                ],
                ["提交申请", "采集照片信息", "即时制卡", "领卡并激活"],
                20,
                1,
                1,
                None,
                [("可以代办吗？", "可以，代办人须携带本人及申请人身份证原件。")],
            ),
            (
                "失业保险金申领",
                T.PAYMENT,
                "person",
                ["social-security", "employment"],
                "失业金 失业保险 社保",
                "《中华人民共和国社会保险法》第四十五条；《失业保险条例》第十四条至第十六条",
                "失业前用人单位和本人已缴纳失业保险费满一年；非因本人意愿中断就业；已办理失业登记并有求职要求。",
                [
                    ID,
                    ("解除或终止劳动关系证明", "original", 1, "原用人单位", True),
                    ("本人社会保障卡或银行卡", "original", 1, "申请人自备", False),
                ],
                ["提交申请", "审核参保缴费与失业登记", "核定待遇", "按月发放"],
                20,
                5,
                1,
                None,
                [],
            ),
            (
                "退休待遇核定",
                T.CONFIRMATION,
                "person",
                ["social-security"],
                "退休 养老金 养老保险 待遇核定",
                "《中华人民共和国社会保险法》第十六条；《国务院关于完善企业职工基本养老保险制度的决定》（国发〔2005〕38号）",
                "达到法定退休年龄、累计缴费满十五年的企业职工基本养老保险参保人员。",
                [
                    ID,
                    ("《基本养老保险待遇申领表》", "original", 1, "窗口领取", False),
                    ("人事档案（视同缴费年限认定时）", "original", 1, "档案保管机构", False),
                ],
                ["提交申请", "审核缴费年限与档案", "核定待遇并公示", "次月起发放"],
                30,
                15,
                1,
                None,
                [],
            ),
        ],
    },
    "HC-YC": {
        "department": "TOBACCO",
        "reason": NegativeListEntry.Reason.LAW,
        "basis": "《中华人民共和国烟草专卖法》第三条、第十六条：烟草专卖零售许可证由县级烟草专卖行政主管部门发放，"
        "烟草专卖实行垂直管理，许可须经实地核查。",
        "items": [
            (
                "烟草专卖零售许可证新办",
                T.LICENSE,
                "both",
                ["tobacco", "business"],
                "烟草证 卷烟零售 许可证",
                "《中华人民共和国烟草专卖法》第十六条；《中华人民共和国烟草专卖法实施条例》第十条",
                "有与经营烟草制品零售业务相适应的资金；有固定的经营场所；符合合川区烟草制品零售点合理布局规定。",
                [
                    ID,
                    ("营业执照", "copy", 1, "市场监管部门（可共享获取）", True),
                    ("《烟草专卖零售许可证申请表》", "original", 1, "窗口领取或网上下载", False),
                    # 告知承诺制: the applicant's signed commitment replaces it (checked on site anyway).
                    (
                        "经营场所产权或租赁证明",
                        "copy",
                        1,
                        "申请人自备",
                        False,
                        {"replaced_by_commitment": True},
                    ),
                ],
                ["申请", "受理", "实地核查", "审查决定", "发证"],
                20,
                7,
                1,
                None,
                [],
            ),
            (
                "烟草专卖零售许可证延续",
                T.LICENSE,
                "both",
                ["tobacco", "business"],
                "烟草证 延期 换证",
                "《中华人民共和国烟草专卖法实施条例》第十条；《烟草专卖许可证管理办法》第四十一条",
                "许可证有效期届满需继续经营的，应在有效期届满三十日前申请延续。",
                [
                    ID,
                    ("原烟草专卖零售许可证", "original", 1, "申请人自备", False),
                    ("《烟草专卖零售许可证延续申请表》", "original", 1, "窗口领取", False),
                ],
                ["申请", "受理", "审查决定", "换发许可证"],
                20,
                5,
                1,
                None,
                [],
            ),
            (
                "烟草专卖零售许可证变更",
                T.LICENSE,
                "both",
                ["tobacco", "business"],
                "烟草证 变更 负责人 名称",
                "《烟草专卖许可证管理办法》第三十九条",
                "许可证记载的企业名称、负责人、经营者姓名等事项发生变化的。",
                [
                    ID,
                    ("原烟草专卖零售许可证", "original", 1, "申请人自备", False),
                    ("变更后的营业执照", "copy", 1, "市场监管部门（可共享获取）", True),
                ],
                ["申请", "受理", "审查决定", "换发许可证"],
                20,
                3,
                1,
                None,
                [],
            ),
        ],
    },
    "HC-CL": {
        "department": "DPF",
        "reason": NegativeListEntry.Reason.SITE,
        "basis": "残疾人证核发须进行残疾评定，需设置无障碍评残室并由指定医疗机构评残医生现场评定，区政务服务中心无相应场地。",
        "items": [
            (
                "残疾人证核发",
                T.CONFIRMATION,
                "person",
                ["disability"],
                "残疾证 办残疾证 评残 残疾评定",
                "《中华人民共和国残疾人保障法》第二条；《中华人民共和国残疾人证管理办法》第九条",
                "户籍在合川区，符合残疾标准的视力、听力、言语、肢体、智力、精神及多重残疾人。",
                [
                    ID,
                    HUKOU,
                    ("近期 2 寸白底免冠彩色照片", "original", 3, "申请人自备", False),
                    ("《残疾人证申请表》", "original", 1, "窗口领取", False),
                ],
                ["申请", "到指定医疗机构评定残疾等级", "区残联审核", "公示", "发证"],
                20,
                10,
                2,
                None,
                [("行动不便能上门评定吗？", "可以申请上门评残，请致电咨询电话预约。")],
            ),
        ],
    },
    "HC-GJJ": {
        "department": "HPF",
        "reason": NegativeListEntry.Reason.LAW,
        "basis": "《住房公积金管理条例》第八条、第十三条：住房公积金由设区的市住房公积金管理中心统一管理，"
        "合川分中心为市中心派出机构，业务须在其系统和柜台办理。",
        "items": [
            (
                "住房公积金提取",
                T.PUBLIC_SERVICE,
                "person",
                ["housing"],
                "公积金 提取公积金 取公积金",
                "《住房公积金管理条例》第二十四条",
                "购买、建造、翻建、大修自住住房；离休、退休；完全丧失劳动能力并与单位终止劳动关系；偿还购房贷款本息；房租超出家庭工资收入规定比例等。",
                [
                    ID,
                    ("本人银行借记卡", "original", 1, "申请人自备", False),
                    ("提取原因证明（购房合同、退休证明等）", "original", 1, "申请人自备或共享获取", False),
                ],
                ["申请", "审核", "转账到个人账户"],
                3,
                1,
                1,
                None,
                [],
            ),
            (
                "住房公积金个人贷款",
                T.PUBLIC_SERVICE,
                "person",
                ["housing"],
                "公积金贷款 房贷 购房贷款",
                "《住房公积金管理条例》第二十六条",
                "连续足额缴存住房公积金满六个月，购买、建造、翻建、大修自住住房。",
                [
                    ID,
                    HUKOU,
                    ("婚姻状况证明", "original", 1, "民政部门（可共享获取）", True),
                    ("购房合同", "original", 1, "申请人自备", False),
                    # 容缺受理: the employer's certificate may follow within 5 working days.
                    ("收入证明", "original", 1, "工作单位", False, {"may_follow": True, "follow_days": 5}),
                ],
                ["申请", "受理与审核", "签订借款和担保合同", "办理抵押", "放款"],
                15,
                10,
                2,
                [
                    (
                        "抵押登记费",
                        "住宅每件 80 元",
                        "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
                        "小微企业免收",
                    )
                ],
                [],
            ),
        ],
    },
    "HC-TY": {
        "department": "VETS",
        "reason": NegativeListEntry.Reason.SECRET,
        "basis": "优待证申领须核验退役军人档案中涉及军队人员的信息，按规定在退役军人服务分中心涉密终端办理。",
        "items": [
            (
                "退役军人优待证申领",
                T.PUBLIC_SERVICE,
                "person",
                ["veterans"],
                "优待证 退役军人 军人优待",
                "《中华人民共和国退役军人保障法》第六十二条；《退役军人、其他优抚对象优待证管理办法》",
                "户籍在合川区的退役军人和其他优抚对象。",
                [
                    ID,
                    ("退役证件（退伍证、转业证等）", "original", 1, "申请人自备", False),
                    ("近期 2 寸白底免冠彩色照片", "original", 1, "申请人自备或现场采集", False),
                ],
                ["申请", "信息核验", "制证", "领证"],
                30,
                20,
                1,
                None,
                [],
            ),
        ],
    },
}

# Departments at the district center, their names in the real list, and a theme.
GENERAL_DEPARTMENTS = [
    ("PSB", "区公安局", "区公安分局", "household"),
    ("SAMR", "区市场监管局", "区市监局", "business"),
    ("HOUSING", "区住房城乡建委", "区住建局", "housing"),
    ("HEALTH", "区卫生健康委", "区卫健局", "health"),
    ("MEDINS", "区医保局", "区医疗保障局", "social-security"),
    ("JUSTICE", "区司法局", "区司法局", "legal"),
    ("TRANSPORT", "区交通运输委", "区交通运输局", "transport"),
    ("EDU", "区教委", "区教科体局", "education"),
]
TASK_TYPES = {
    "1": T.LICENSE,
    "5": T.PAYMENT,
    "7": T.CONFIRMATION,
    "4": T.LEVY,
    "8": T.AWARD,
    "9": T.RULING,
    "10": T.OTHER_POWER,
    "20": T.PUBLIC_SERVICE,
}
GENERAL_PER_DEPARTMENT = 12


# Items under 告知承诺制 (the guide's commitment text; the materials it replaces are marked in their rows).
COMMITMENT = {
    "烟草专卖零售许可证新办": "本人承诺：所申请的经营场所为本人合法使用的固定场所，产权或租赁关系真实有效；"
    "如承诺不实，愿意承担撤销许可等法律责任。",
}


def _material_dicts(rows) -> list[dict]:
    """Material rows (name, form, copies, source, shared[, flags]) as the service takes them;
    flags are 容缺受理 (may_follow, follow_days) or 告知承诺制 (replaced_by_commitment)."""
    return [
        {
            "name": n,
            "form": f,
            "copies": c,
            "source": s,
            "shared": sh,
            "required": True,
            **(extra[0] if extra else {}),
        }
        for n, f, c, s, sh, *extra in rows
    ]


def _acceptance_flags_outdated(item: ServiceItem, materials) -> bool:
    """A demo guide loaded before 容缺受理 / 告知承诺制 were marked on it."""
    guide = item.current_guide
    if guide is None:
        return False
    if item.name in COMMITMENT and not guide.commitment_allowed:
        return True
    flagged = {row[0]: row[5] for row in materials if len(row) > 5}
    return any(
        m.name in flagged and any(getattr(m, k) != v for k, v in flagged[m.name].items())
        for m in guide.materials.all()
    )


def _publish(
    item: ServiceItem,
    *,
    center: Center,
    conditions: str,
    materials,
    steps,
    legal_days,
    promised_days,
    visits,
    fees,
    faq,
    change_note: str = "",
    commitment: str | None = None,
) -> None:
    draft = services.guide_draft(
        by=None,
        item=item,
        **GUIDE_EXTRAS.get(item.name, {}),
        conditions=conditions,
        steps=steps,
        legal_days=legal_days,
        promised_days=promised_days,
        visits=visits,
        place=f"{center.name}（{center.address}）",
        hours="星期一至星期五 09:00-12:00、13:30-17:00（法定节假日除外）",
        consult_phone=center.phone or "023-42800000",
        complaint_phone=COMPLAINT,
        online_url="https://zwykb.cq.gov.cn/",
        faq=[{"q": q, "a": a} for q, a in faq],
        change_note=change_note,
        commitment_allowed=commitment is not None,
        commitment_text=commitment or "",
    )
    services.guide_set_materials(by=None, guide=draft, materials=_material_dicts(materials))
    if fees:
        services.guide_set_fees(
            by=None,
            guide=draft,
            fees=[{"name": n, "standard": s, "basis": b, "reduction": r} for n, s, b, r in fees],
        )
    else:
        services.guide_set_fees(by=None, guide=draft, fees=[], no_fee=True)
    services.guide_publish(by=None, guide=draft)


def _marriage_guide_outdated(item: ServiceItem) -> bool:
    """A demo marriage item loaded before the revised 婚姻登记条例 was reflected: its
    basis does not cite 第804号 or its current guide still asks for the 户口簿."""
    guide = item.current_guide
    return (
        "第804号" not in item.legal_basis
        or guide is None
        or guide.materials.filter(name__contains="户口").exists()
        or any(getattr(guide, k) != v for k, v in GUIDE_EXTRAS.get(item.name, {}).items())
    )


def _correct_approval_date(item: ServiceItem) -> int:
    """Entries loaded with the wrong date of 合川府办发〔2023〕79号 get the notice's date."""
    fixed = 0
    for entry in NegativeListEntry.objects.filter(
        item=item, approval=APPROVAL, approved_on=WRONG_APPROVED_ON
    ):
        entry.approved_on = APPROVED_ON
        save_recorded(entry, by=None, reason="更正批准日期：合川府办发〔2023〕79号印发于2023年9月12日")
        fixed += 1
    return fixed


def _real_items() -> dict[str, list[tuple[str, str, str]]]:
    """Real department name → [(item name, item type, provincial item code)]."""
    out: dict[str, list[tuple[str, str, str]]] = {}
    for row in json.loads(REAL_ITEMS.read_text(encoding="utf-8")):
        kind = TASK_TYPES.get(row["taskType"], T.PUBLIC_SERVICE)
        out.setdefault(row["department"], []).append((row["name"], kind, row["itemCode"].split("-")[0]))
    return out


def _correct_loaded(item: ServiceItem, *, center: Center, spec: dict, row: tuple) -> int:
    """A demo item loaded before the corrections gets them (once); the number made."""
    name, _, _, theme_codes, _, basis, conditions, materials, steps, legal, promised, visits, fees, faq = row
    fixed = _correct_approval_date(item)
    note = ""
    if "marriage" in theme_codes and _marriage_guide_outdated(item):
        services.item_update(by=None, item=item, legal_basis=basis)
        note = f"依{MARRIAGE_REGULATION}修订：取消户口簿，全国通办"
    elif _acceptance_flags_outdated(item, materials):
        note = "标注容缺受理、告知承诺制材料"
    if note:
        _publish(
            item,
            center=center,
            conditions=conditions,
            materials=materials,
            steps=steps,
            legal_days=legal,
            promised_days=promised,
            visits=visits,
            fees=fees,
            faq=faq,
            change_note=note,
            commitment=COMMITMENT.get(name),
        )
        fixed += 1
    return fixed


@transaction.atomic
def load_demo_catalog() -> dict[str, int]:
    """Create what is missing of the demo catalog. Needs the demo district
    (govhall.centers.demo.load_demo). Returns counts created."""
    created = {"items": 0, "negative_list": 0, "synonyms": 0, "corrected": 0}
    district = District.objects.filter(code="500117").first()
    if district is None:
        from govhall.centers.demo import load_demo

        load_demo()
        district = District.objects.get(code="500117")
    hub = Center.objects.get(code="HC")
    themes = {
        code: services.theme_ensure(code=code, name=name, order=i) for i, (code, name) in enumerate(THEMES)
    }
    for word, expansions in SYNONYMS:
        if not Synonym.objects.filter(word=word).exists():
            services.synonym_set(by=None, word=word, expansions=expansions)
            created["synonyms"] += 1

    for center_code, spec in BRANCH_ITEMS.items():
        center = Center.objects.get(code=center_code)
        department = Department.objects.get(district=district, code=spec["department"])
        for n, row in enumerate(spec["items"], start=1):
            (
                name,
                kind,
                serving,
                theme_codes,
                keywords,
                basis,
                conditions,
                materials,
                steps,
                legal,
                promised,
                visits,
                fees,
                faq,
            ) = row
            code = f"500117-{spec['department']}-{n:03d}"
            existing = ServiceItem.objects.filter(code=code, is_demo=True).first()
            if existing is not None:
                created["corrected"] += _correct_loaded(existing, center=center, spec=spec, row=row)
                continue
            if ServiceItem.objects.filter(code=code).exists():
                continue
            item = services.item_create(
                by=None,
                district=district,
                code=code,
                catalog_code=f"00{spec['department'][:2]}{n:03d}000Y",
                name=name,
                item_type=kind,
                serving=serving,
                department=department,
                legal_basis=basis,
                keywords=keywords,
                themes=[themes[t] for t in theme_codes],
                is_demo=True,
            )
            services.negative_entry_create(
                by=None,
                item=item,
                center=center,
                reason=spec["reason"],
                basis=spec["basis"],
                approval=APPROVAL,
                approved_on=APPROVED_ON,
            )
            services.item_station(by=None, item=item, center=center, reason="依负面清单进驻分中心")
            _publish(
                item,
                center=center,
                conditions=conditions,
                materials=materials,
                steps=steps,
                legal_days=legal,
                promised_days=promised,
                visits=visits,
                fees=fees,
                faq=faq,
                commitment=COMMITMENT.get(name),
            )
            created["items"] += 1
            created["negative_list"] += 1

    real = _real_items()
    for dep_code, dep_name, real_name, theme_code in GENERAL_DEPARTMENTS:
        department = Department.objects.filter(
            district=district, code=dep_code
        ).first() or center_services.department_create(
            by=None, district=district, name=dep_name, code=dep_code
        )
        by_name: dict[str, tuple[str, str, str]] = {}
        for r in real.get(real_name, []):
            by_name.setdefault(r[0], r)  # the first row of each name
        rows = list(by_name.values())
        for n, (name, kind, real_code) in enumerate(rows[:GENERAL_PER_DEPARTMENT], start=1):
            code = f"500117-{dep_code}-{n:03d}"
            if ServiceItem.objects.filter(code=code).exists():
                continue
            legal_person = any(w in name for w in ("企业", "单位", "公司", "经营", "机构", "项目", "工程"))
            item = services.item_create(
                by=None,
                district=district,
                code=code,
                catalog_code=real_code[:40],
                name=name,
                item_type=kind,
                serving="legal" if legal_person else "person",
                department=department,
                legal_basis="依据相关法律法规（演示数据，以正式公布的办事指南为准）",
                themes=[themes[theme_code]],
                is_demo=True,
            )
            created["items"] += 1
            if n % 6 == 0:
                # A few items keep an incomplete draft, so the completeness report has something to show.
                services.guide_draft(by=None, item=item, conditions="（待完善）", consult_phone=hub.phone)
                continue
            first = ("营业执照", "copy", 1, "市场监管部门（可共享获取）", True) if legal_person else ID
            _publish(
                item,
                center=hub,
                conditions=f"符合{name}相关规定的申请人。",
                materials=[first, (f"《{name}申请表》", "original", 1, "窗口领取或网上下载", False)],
                steps=["申请", "受理", "审查", "决定", "送达"],
                legal_days=20,
                promised_days=10,
                visits=1,
                fees=None,
                faq=[],
            )
    return created
