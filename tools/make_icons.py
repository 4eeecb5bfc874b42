"""Draw the home-screen icons of the web app manifest (standard library only: no Pillow).

    python tools/make_icons.py   # writes src/connectwell/web/static/icons/*.png

Two white rings, linked, on the accent blue of app.css: a rounded square for "any" use, and a
full square with the rings inside the central safe zone for "maskable" (the phone cuts it to
its own shape). Edges are smoothed by sampling each pixel 4×4 times.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

ICONS = Path(__file__).resolve().parents[1] / "src" / "connectwell" / "web" / "static" / "icons"
ACCENT = (0x0B, 0x5C, 0xAD)  # --accent in app.css
WHITE = (0xFF, 0xFF, 0xFF)
SAMPLES = 4


def _png(size: int, pixels: list[bytes]) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + row for row in pixels)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw, 9))
        + chunk(b"IEND", b"")
    )


def _inside_rounded_square(x: float, y: float, radius: float) -> bool:
    """(x, y) in the unit square with corners rounded by ``radius`` (0 is a plain square)."""
    cx = min(max(x, radius), 1 - radius)
    cy = min(max(y, radius), 1 - radius)
    return 0 <= x <= 1 and 0 <= y <= 1 and math.hypot(x - cx, y - cy) <= radius


def _on_rings(x: float, y: float, scale: float) -> bool:
    """Two linked rings around the centre, ``scale`` the share of the icon they span."""
    ring, width = 0.19 * scale, 0.06 * scale
    for cx in (0.5 - 0.12 * scale, 0.5 + 0.12 * scale):
        if abs(math.hypot(x - cx, y - 0.5) - ring) <= width / 2:
            return True
    return False


def draw(size: int, *, maskable: bool) -> bytes:
    corner = 0.0 if maskable else 0.18
    scale = 0.85 if maskable else 1.05  # maskable: well inside the central 80 % circle
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            ink = fill = 0
            for sy in range(SAMPLES):
                for sx in range(SAMPLES):
                    x = (px + (sx + 0.5) / SAMPLES) / size
                    y = (py + (sy + 0.5) / SAMPLES) / size
                    if _inside_rounded_square(x, y, corner):
                        fill += 1
                        ink += _on_rings(x, y, scale)
            total = SAMPLES * SAMPLES
            share = ink / fill if fill else 0.0
            colour = [round(a + (b - a) * share) for a, b in zip(ACCENT, WHITE, strict=True)]
            row += bytes([*colour, round(255 * fill / total)])
        rows.append(bytes(row))
    return _png(size, rows)


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-512.png", 512, True),
    ):
        (ICONS / name).write_bytes(draw(size, maskable=maskable))
        print(ICONS / name)


if __name__ == "__main__":
    main()
