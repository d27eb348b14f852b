"""Images drawn on the server as SVG: associates' initials avatars and the demo catalog's pictures.

Nothing is fetched from outside; the same input always draws the same picture.
"""

import hashlib
from xml.sax.saxutils import escape

from shopfloor.consolekit import initials

PALETTE = ["#1f6f78", "#b5523b", "#5b4e9e", "#2f7d32", "#a4632a", "#7a3b69", "#3b5b8c", "#8c6d1f"]


def _pick(seed: str, options: list[str], salt: str = "") -> str:
    digest = hashlib.sha256((salt + seed).encode()).digest()
    return options[digest[0] % len(options)]


def avatar_svg(name: str) -> str:
    color = _pick(name, PALETTE)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="160" height="160" viewBox="0 0 160 160" role="img">'
        f"<title>{escape(name)}</title>"
        f'<rect width="160" height="160" rx="80" fill="{color}"/>'
        '<text x="80" y="80" dy=".35em" text-anchor="middle" font-family="DejaVu Sans, sans-serif" '
        f'font-size="60" fill="#fff">{escape(initials(name))}</text></svg>'
    )


def product_svg(sku: str, name: str) -> str:
    """A calm, distinct still life per product: background, a shape, the product's name."""
    background = _pick(sku, ["#f3ede4", "#e8eef2", "#efe8f1", "#e9f1e6", "#f6ece6"], "bg")
    color = _pick(sku, PALETTE, "fg")
    shape = _pick(sku, ["circle", "rect", "diamond", "arch"], "shape")
    shapes = {
        "circle": f'<circle cx="200" cy="180" r="95" fill="{color}"/>',
        "rect": f'<rect x="110" y="90" width="180" height="180" rx="18" fill="{color}"/>',
        "diamond": f'<polygon points="200,70 310,180 200,290 90,180" fill="{color}"/>',
        "arch": f'<path d="M100 290 V180 a100 100 0 0 1 200 0 V290 Z" fill="{color}"/>',
    }
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400" role="img">'
        f"<title>{escape(name)}</title>"
        f'<rect width="400" height="400" fill="{background}"/>{shapes[shape]}'
        '<rect x="0" y="320" width="400" height="80" fill="#ffffff" fill-opacity=".7"/>'
        '<text x="200" y="362" text-anchor="middle" font-family="DejaVu Sans, sans-serif" font-size="22" '
        f'fill="#222">{escape(name[:30])}</text></svg>'
    )
