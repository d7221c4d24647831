"""Excel exports: the monthly attendance sheet and the month's assessment.
Only names are exported (no phone or ID numbers)."""

from govhall.core.xlsx import Sheet, workbook_bytes


def _book(title: str, header: list, rows) -> bytes:
    return workbook_bytes(Sheet(title=title, header=header, rows=rows, freeze="B2"))


def attendance_xlsx(sheet: dict) -> bytes:
    """The sheet as on the page: "无数据" before the hall's go-live, "—" before a person's first day."""
    header = (
        ["姓名", "进驻日期"]
        + [f"{d:%m-%d}" for d in sheet["days"]]
        + ["应出勤", "出勤", "迟到", "早退", "缺勤", "请假天数", "无数据天数"]
    )
    rows = []
    for r in sheet["rows"]:
        t = r["totals"]
        rows.append(
            [r["user"].display_name, f"{r['started_on']:%Y-%m-%d}" if r.get("started_on") else "未填"]
            + [c["code"] for c in r["cells"]]
            + [
                t["expected"],
                t["present"],
                t["late"],
                t["early"],
                t["absent"],
                float(t["leave"]),
                t.get("no_data", 0),
            ]
        )
    go_live = sheet.get("go_live")
    rows.append([])
    rows.append(
        [
            "考勤启用日期",
            f"{go_live:%Y-%m-%d}" if go_live else "尚未启用",
            "此前的办公日为“无数据”，不算缺勤；当日办公时间结束前不计入应出勤",
        ]
    )
    return _book(f"考勤{sheet['month']:%Y-%m}", header, rows)


def assessment_xlsx(center, month, rows, windows) -> bytes:
    from .models import AssessmentIndicator

    codes = list(AssessmentIndicator.Code)
    header = ["排名", "姓名", "总分", "状态"] + [f"{c.label}（权重/得分/数据）" for c in codes]
    out = []
    for i, a in enumerate(rows, 1):
        lines = {ln.code: ln for ln in a.lines.all()}
        cells = []
        for c in codes:
            ln = lines.get(c.value)
            cells.append(
                ""
                if ln is None
                else f"{ln.weight} / {'不计入' if ln.score is None else ln.score} / {ln.value} / {ln.explanation}"
            )
        out.append(
            [
                i,
                a.user.display_name,
                float(a.score) if a.score is not None else "无数据",
                a.get_status_display(),
            ]
            + cells
        )
    out.append([])
    out.append(["窗口", "得分（A、B岗平均）"])
    for w in windows:
        out.append([str(w["window"]), float(w["score"]) if w["score"] is not None else "—"])
    return _book(f"考核{month:%Y-%m}", header, out)


def rankings_xlsx(month, ranks) -> bytes:
    return _book(
        f"排名{month:%Y-%m}",
        ["排名", "分中心", "平均分", "参评人数", "已确认"],
        [
            [r["rank"], r["name"], float(r["score"]), r["clerks"], "是" if r["confirmed"] else "否"]
            for r in ranks
        ],
    )
