"""QR codes drawn in the page (inline SVG: no inline style, so the CSP holds)."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(url: str, *, title: str, scale: int = 4) -> SafeString:
    """An accessible inline SVG QR code of `url` (role img, named by `title`)."""
    import segno

    svg = segno.make(url, error="m").svg_inline(scale=scale, title=title)
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{escape(title)}" ', 1))  # noqa: S308
