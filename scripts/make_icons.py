"""Render the app icons (PNG) from static/icons/icon.svg with Debian's Chromium; the PNGs are committed.

    .venv/bin/python scripts/make_icons.py

Makes icon-192.png and icon-512.png (the SVG as drawn, rounded corners and all), icon-maskable-512.png
(full-bleed background with the face inside the central 80% safe zone, as Android masks crop to a
circle or squircle) and apple-touch-icon.png (180 px, full-bleed: iOS rounds the corners itself).
"""

from __future__ import annotations

import base64
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from harness import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

ICONS = ROOT / "static" / "icons"
BACKGROUND = "#14161f"
MASKABLE_SAFE_ZONE = 0.8  # the W3C maskable safe zone: a circle of 80% of the icon's width


def full_bleed(svg: str) -> str:
    """The icon with square corners, so a platform's own mask decides the shape."""
    return re.sub(r'<rect width="64" height="64" rx="14"', '<rect width="64" height="64"', svg, count=1)


def page_html(svg: str, size: int, inner: float) -> str:
    data = base64.b64encode(svg.encode()).decode()
    inset = round(size * (1 - inner) / 2)
    return (f'<html><body style="margin:0;background:{BACKGROUND if inner < 1 else "transparent"}">'
            f'<img src="data:image/svg+xml;base64,{data}" width="{size - 2 * inset}" height="{size - 2 * inset}" '
            f'style="display:block;margin:{inset}px"></body></html>')


def render(svg: str, size: int, out: Path, inner: float = 1.0) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": size, "height": size}, device_scale_factor=1)
        page.set_content(page_html(svg, size, inner))
        page.screenshot(path=out, omit_background=inner == 1.0, clip={"x": 0, "y": 0, "width": size, "height": size})
        browser.close()
    print(f"{out.relative_to(ROOT)}: {size}x{size}, {out.stat().st_size} bytes")


def main() -> None:
    svg = (ICONS / "icon.svg").read_text()
    render(svg, 192, ICONS / "icon-192.png")
    render(svg, 512, ICONS / "icon-512.png")
    render(full_bleed(svg), 512, ICONS / "icon-maskable-512.png", inner=MASKABLE_SAFE_ZONE)
    render(full_bleed(svg), 180, ICONS / "apple-touch-icon.png", inner=0.86)


if __name__ == "__main__":
    main()
