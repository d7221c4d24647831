"""Small helpers shared by the pages of every app: query strings for paging and
sorting links, safe redirects, and Excel downloads."""

from __future__ import annotations

from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

from .xlsx import Sheet, workbook_bytes

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


def safe_next(request: HttpRequest, candidate: str | None, *, default: str) -> str:
    """`candidate` (a `next=` parameter or a Referer) when it points into this
    site, else `default`: a link from elsewhere must not send our users off-site."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def xlsx_response(filename: str, title: str, header: list[str], rows) -> HttpResponse:
    """One sheet with a header row, as a download (written by core.xlsx: text as
    text, formulas neutralised). A Chinese file name is sent as filename* with an
    ASCII fallback."""
    return xlsx_download(filename, workbook_bytes(Sheet(title=title, header=header, rows=rows)))


def xlsx_download(filename: str, content: bytes) -> HttpResponse:
    """An .xlsx made by core.xlsx as a download."""
    response = HttpResponse(content, content_type=XLSX)
    fallback = filename if filename.isascii() else "export.xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response
