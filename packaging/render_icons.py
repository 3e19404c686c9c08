"""Render resources/icons/jazzremix.svg to the PNG sizes the desktop and the window use.

Usage: python packaging/render_icons.py   (needs PySide6 with QtSvg; run after editing the SVG)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(svg: Path, size: int, out: Path) -> None:
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        sys.exit(f"render_icons: {svg} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    tmp = out.with_suffix(".tmp.png")
    if not image.save(str(tmp)):
        sys.exit(f"render_icons: cannot write {out}")
    tmp.replace(out)


def main() -> None:
    app = QGuiApplication.instance() or QGuiApplication([])  # noqa: F841 (QImage needs a Gui app)
    for size in SIZES:
        render(ICONS / "jazzremix.svg", size, ICONS / f"jazzremix-{size}.png")
    print(f"wrote {len(SIZES)} PNGs in {ICONS}")


if __name__ == "__main__":
    main()
