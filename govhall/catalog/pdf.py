"""A guide as an A4 PDF, with ReportLab's built-in Chinese CID font (no system fonts needed)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .extensions import item_windows_text
from .models import LimitUnit, limit_label

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def days_label(days, unit: str = LimitUnit.WORKDAY) -> str:
    return limit_label(days, unit) or "未注明"


def guide_pdf(item, guide, *, url: str = "") -> bytes:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=17, leading=24, spaceAfter=4)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12.5, leading=20, spaceBefore=8, spaceAfter=2)
    small = ParagraphStyle(
        "small", parent=body, fontSize=8.5, leading=12, textColor=colors.HexColor("#444444")
    )

    def p(text, style=body):
        return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)

    story = [
        p(f"{item.name} 办事指南", h1),
        p(
            f"第 {guide.version} 版 · {guide.get_status_display()}"
            + (f" · 发布于 {guide.published_at:%Y-%m-%d}" if guide.published_at else ""),
            small,
        ),
        Spacer(1, 3 * mm),
    ]
    facts = [
        ("实施编码", item.code),
        ("事项类型", item.get_item_type_display()),
        ("服务对象", item.get_serving_display()),
        ("实施部门", item.department.name),
        ("办理地点", guide.place or item.center.name),
        ("办理窗口", item_windows_text(item)),
        ("办理时间", guide.hours),
        ("法定办结时限", days_label(guide.legal_days, guide.limit_unit)),
        ("承诺办结时限", days_label(guide.promised_days, guide.limit_unit)),
        *([("等待期", guide.waiting_label)] if guide.waiting_days else []),
        *([("申请人", guide.get_parties_display())] if guide.parties == 2 else []),
        ("到现场次数", f"{guide.visits} 次" if guide.visits is not None else "未注明"),
        ("咨询电话", guide.consult_phone),
        ("投诉电话", guide.complaint_phone),
        ("网上办理", guide.online_url or "—"),
    ]
    table = Table([[p(k), p(v)] for k, v in facts], colWidths=[32 * mm, 138 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f0f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [
        table,
        p("设定依据", h2),
        p(item.legal_basis or "—"),
        p("受理条件", h2),
        p(guide.conditions or "—"),
        p("申请材料", h2),
    ]
    rows = [[p("序号"), p("材料名称"), p("要求"), p("形式与份数"), p("来源")]]
    for i, m in enumerate(guide.materials.all(), start=1):
        need = "必要" if m.required else "非必要"
        if m.shared:
            need += "；免提交（数据共享获取）"
        if m.acceptance_note:
            need += f"；{m.acceptance_note}"
        rows.append(
            [
                p(i),
                p(m.name),
                p(need),
                p(f"{m.get_form_display()} {m.copies} 份，{m.paper_size} {m.media}"),
                p(m.source),
            ]
        )
    mt = Table(rows, colWidths=[12 * mm, 58 * mm, 34 * mm, 36 * mm, 30 * mm], repeatRows=1)
    mt.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f0f0f0")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [mt]
    if guide.commitment_allowed:
        story.append(p("本事项实行告知承诺制：申请人签署告知承诺书的，可免交标注“可免交”的材料。"))
    story += [p("办理流程", h2)]
    story += [p(f"{i}. {s}") for i, s in enumerate(guide.steps, start=1)] or [p("—")]
    story.append(p("收费标准及依据", h2))
    if guide.no_fee:
        story.append(p("不收费"))
    for f in guide.fees.all():
        story.append(
            p(f"{f.name}：{f.standard}。依据：{f.basis}" + (f"。减免：{f.reduction}" if f.reduction else ""))
        )
    if guide.faq:
        story.append(p("常见问题", h2))
        for qa in guide.faq:
            story += [p(f"问：{qa.get('q', '')}"), p(f"答：{qa.get('a', '')}")]
    if url:
        story += [Spacer(1, 4 * mm), p(f"在线查看：{url}", small)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"{item.name}办事指南",
        author=item.department.name,
    )
    doc.build(story)
    return out.getvalue()
