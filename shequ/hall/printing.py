"""Printed papers of the hall: inline SVG barcodes and QR codes, and masking for print.

Both codes are drawn as inline <svg> markup with a viewBox, so they scale to the A4 sheet and
to the 80 mm thermal roll alike and need no image file or request of their own.
"""

from __future__ import annotations

from barcode.codex import Code128
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from segno import make as make_qr


def barcode_svg(value: str, *, label: str = "", height: int = 48, quiet: int = 10) -> SafeString:
    """A Code 128 barcode of `value` as an <svg> element, one user unit per module.

    The bars are one path, drawn with crisp edges so that a thermal printer does not blur
    them; `quiet` is the blank margin on each side, in modules, that scanners need.
    """
    modules = Code128(value).build()[0]
    bars: list[str] = []
    start = None
    for x, bit in enumerate(modules + "0"):
        if bit == "1" and start is None:
            start = x
        elif bit != "1" and start is not None:
            bars.append(f"M{start + quiet} 0h{x - start}v{height}h-{x - start}z")
            start = None
    width = len(modules) + 2 * quiet
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="barcode" viewBox="0 0 {width} {height}" '
        f'preserveAspectRatio="none" shape-rendering="crispEdges" role="img" '
        f'aria-label="{escape(label or value)}">'
        f'<rect width="{width}" height="{height}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(bars)}"/></svg>'
    )


def qr_svg(value: str, *, label: str = "") -> SafeString:
    """A QR code of `value` (medium error correction) as a scalable <svg> element."""
    markup = make_qr(value, error="m").svg_inline(
        omitsize=True, border=2, svgclass="qrcode", lineclass=None, dark="#000", light="#fff"
    )
    aria = f' role="img" aria-label="{escape(label or value)}"'
    return mark_safe(markup.replace("<svg ", f"<svg{aria} ", 1))


def mask_name(name: str) -> str:
    """The first character and an asterisk (张*), as screens and papers show a name.

    Indexing by code point keeps a surname outside the Basic Multilingual Plane (𠮷) whole.
    """
    name = name.strip()
    return f"{name[0]}*" if name else ""
