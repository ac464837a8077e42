"""Draw the sample site's synthetic aerial imagery (briefs/images/2025-12-factory-site-*.jpg).

The sample needs raster images to show responsive copies and a before/after comparison, and must
not carry anyone's photographs: these are drawn from a fixed seed (terrain, a road, a river and, in
the "after" picture, a walled compound of new halls). Run `python tools/sample_images.py` to draw
them again; the files are committed, the build never runs this.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

WIDTH, HEIGHT = 1600, 1000
OUT = Path(__file__).resolve().parent.parent / "briefs" / "images"


def terrain(rng: random.Random) -> Image.Image:
    """Fields and scrub: coarse random patches blown up and blurred, then fine grain on top."""
    coarse = Image.new("RGB", (40, 25))
    for x in range(40):
        for y in range(25):
            g = rng.randint(95, 135)
            coarse.putpixel((x, y), (g - rng.randint(10, 30), g, g - rng.randint(30, 50)))
    land = coarse.resize((WIDTH, HEIGHT), Image.Resampling.BICUBIC).filter(ImageFilter.GaussianBlur(6))
    grain = Image.frombytes("L", (WIDTH, HEIGHT), rng.randbytes(WIDTH * HEIGHT)).convert("RGB")
    return Image.blend(land, grain, 0.06)


def draw_common(img: Image.Image) -> None:
    d = ImageDraw.Draw(img)
    d.line([(0, 720), (500, 650), (1000, 690), (1600, 600)], fill=(92, 110, 120), width=46)  # river
    d.line([(0, 330), (1600, 410)], fill=(182, 176, 160), width=18)  # road
    d.line([(760, 0), (820, 1000)], fill=(170, 165, 150), width=12)  # track


def draw_site(img: Image.Image, built: bool, rng: random.Random) -> None:
    d = ImageDraw.Draw(img)
    d.rectangle([880, 440, 1420, 600], fill=(168, 150, 118))  # cleared ground
    if not built:
        for _ in range(40):
            x, y = rng.randint(890, 1400), rng.randint(450, 590)
            d.ellipse([x, y, x + 9, y + 6], fill=(140, 124, 98))  # spoil heaps
        return
    d.rectangle([870, 430, 1430, 610], outline=(210, 206, 196), width=5)  # wall
    for i, x in enumerate(range(900, 1400, 125)):
        d.rectangle([x + 8, 468, x + 108, 588], fill=(60, 60, 58))  # shadow
        roof = (118, 136, 160) if i % 2 else (196, 198, 200)
        d.rectangle([x, 460, x + 100, 580], fill=roof)
        d.line([(x + 50, 460), (x + 50, 580)], fill=(150, 152, 156), width=3)


def main() -> None:
    for name, built in (("before", False), ("after", True)):
        rng = random.Random(38)  # the same land in both pictures
        img = terrain(rng)
        draw_common(img)
        draw_site(img, built, random.Random(7))
        img.save(OUT / f"2025-12-factory-site-{name}.jpg", quality=78, optimize=True, progressive=True)


if __name__ == "__main__":
    main()
