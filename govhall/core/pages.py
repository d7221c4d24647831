"""Small helpers shared by the pages of every app: query strings for paging and
sorting links, and Excel downloads."""

from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def query_with(request, **changes) -> str:
    """The current query string with some parameters replaced (None or "" removes one)."""
    params = request.GET.copy()
    for key, value in changes.items():
        params.pop(key, None)
        if value not in (None, ""):
            params[key] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def xlsx_response(filename: str, title: str, header: list[str], rows) -> HttpResponse:
    """One sheet with a header row, as a download. A Chinese file name is sent
    as filename* with an ASCII fallback."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append(row)
    buf = BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX)
    fallback = filename if filename.isascii() else "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
