"""Notices as A4 PDFs, made from the text frozen in Notice.body, with
ReportLab's built-in Chinese CID font (no system fonts needed)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

FONT = "STSong-Light"


def _font() -> str:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def notice_lines(notice) -> list[tuple[str, str]]:
    """(style, text) lines of a notice, shared by the printable page and the PDF."""
    b = notice.body
    out = [
        ("title", b.get("center", "")),
        ("title", b.get("title", "")),
        ("number", f"文书编号：{notice.number}"),
        ("p", f"{b.get('applicant', '')}："),
        ("p", b.get("text", "")),
    ]
    out.append(
        (
            "p",
            f"办件编号：{b.get('case_number', '')}；事项：{b.get('item', '')}"
            f"（办事指南第 {b.get('guide_version', '')} 版）；申请日期：{b.get('submitted_on', '')}。",
        )
    )
    if notice.kind == "acceptance":
        if b.get("limit_days") is not None:
            # Notices issued before limit kinds were recorded counted working days.
            label = b.get("limit_label") or f"{b['limit_days']} 个工作日"
            out.append(("p", f"承诺办结时限：{label}。{b.get('due', '')}。"))
        out.append(("p", b.get("note", "")))
        if b.get("follow_ups"):
            out.append(("h", f"容缺受理：待补交的材料（共 {len(b['follow_ups'])} 项）"))
            for i, f in enumerate(b["follow_ups"], start=1):
                out.append(("li", f"{i}. {f['name']}：{f['due']}"))
        if b.get("commitment"):
            c = b["commitment"]
            out.append(("h", "告知承诺制：以告知承诺书代替的材料"))
            out.append(("p", f"申请人 {c['signed_by']} 于 {c['signed_on']} 签署告知承诺书，代替下列材料："))
            for i, name in enumerate(c["replaced"], start=1):
                out.append(("li", f"{i}. {name}"))
    elif notice.kind == "rejection":
        out += [
            ("h", "不予受理的理由"),
            ("p", b.get("reason", "")),
            ("h", "法律依据"),
            ("p", b.get("legal_basis", "")),
            ("h", "救济途径"),
            ("p", b.get("remedy", "")),
        ]
        if b.get("authority"):  # who refused, under which authorisation (窗口无否决权)
            out.append(("small", f"决定：{b.get('issued_by', '')}（{b['authority']}）"))
    elif notice.kind == "correction":
        out.append(
            ("h", f"需要补正的材料（第 {b.get('sequence', 1)} 次告知，共 {len(b.get('items', []))} 项）")
        )
        for i, item in enumerate(b.get("items", []), start=1):
            out.append(("li", f"{i}. {item['name']}：{item['problem']}。{item['reason']}"))
        for e in b.get("exceptions", []):
            out.append(
                ("small", f"补充告知“{e['name']}”经区政务办 {e['granted_by']} 批准：{e['justification']}")
            )
        out.append(("p", "以上为需补正的全部内容，本机关不再要求补正此外的其他材料。"))
    elif notice.kind == "completion":
        out += [
            ("h", "办理结果"),
            ("p", f"{b.get('outcome', '')}。{b.get('note', '')}"),
            ("small", f"决定：{b.get('decided_by', '')}（{b.get('authority', '')}）"),
        ]
        if b.get("remedy"):
            out += [("h", "救济途径"), ("p", b["remedy"])]
    out += [
        ("sign", b.get("center", "")),
        ("sign", b.get("issued_on", "")),
        (
            "small",
            f"经办人：{b.get('issued_by', '')}　咨询电话：{b.get('center_phone', '')}　"
            f"投诉电话：{b.get('complaint_phone', '')}",
        ),
    ]
    return [(s, t) for s, t in out if t]


def _rating_block(url: str, style: ParagraphStyle) -> list:
    """好差评: the QR of the page where this step may be rated, and its address as text."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    size = 28 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return [
        Spacer(1, 6 * mm),
        Paragraph("请对本环节的服务进行评价（好差评）：用手机扫描下方二维码，或打开", style),
        Paragraph(f'<link href="{escape(url, {chr(34): "&quot;"})}">{escape(url)}</link>', style),
        drawing,
    ]


def notice_pdf(notice, *, rating_url: str = "") -> bytes:
    font = _font()
    body = ParagraphStyle("body", fontName=font, fontSize=12, leading=20, wordWrap="CJK", firstLineIndent=0)
    styles = {
        "title": ParagraphStyle("title", parent=body, fontSize=18, leading=28, alignment=1),
        "number": ParagraphStyle("number", parent=body, fontSize=10.5, alignment=1, spaceAfter=10),
        "h": ParagraphStyle("h", parent=body, fontSize=13, spaceBefore=8),
        "p": body,
        "li": ParagraphStyle("li", parent=body, leftIndent=12),
        "small": ParagraphStyle("small", parent=body, fontSize=9.5, leading=14, spaceBefore=6),
        "sign": ParagraphStyle("sign", parent=body, alignment=2),
    }
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=20 * mm,
        bottomMargin=18 * mm,
        title=f"{notice.get_kind_display()} {notice.number}",
    )
    story, signed = [], False
    for style, text in notice_lines(notice):
        if style == "sign" and not signed:
            story.append(Spacer(1, 10 * mm))
            signed = True
        story.append(Paragraph(escape(str(text)).replace("\n", "<br/>"), styles[style]))
    if rating_url:
        story += _rating_block(rating_url, styles["small"])
    doc.build(story)
    return buf.getvalue()
