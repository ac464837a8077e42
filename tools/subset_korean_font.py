"""Make the Korean print face shipped in templates/fonts/ (run by hand when the font changes).

    python tools/subset_korean_font.py NanumMyeongjo.ttf templates/fonts/BriefsMyeongjo-Regular.ttf Regular
    python tools/subset_korean_font.py NanumMyeongjoBold.ttf templates/fonts/BriefsMyeongjo-Bold.ttf Bold

(the sources come from Debian's fonts-nanum package). Keeps Hangul (syllables, jamo), CJK punctuation,
full-width forms and Latin-1, so a Korean brief prints while the repository stays small.

Nanum Myeongjo is under the SIL Open Font License 1.1 with the Reserved Font Name "Nanum": a subset
is a Modified Version, which may not use that name, so the subset is renamed "Briefs Myeongjo".
See templates/fonts/LICENSES.md.
"""

import sys

from fontTools import subset

RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x1100, 0x11FF), (0x3000, 0x303F), (0x3130, 0x318F),
          (0xAC00, 0xD7A3), (0xFF00, 0xFFEF)]


FAMILY = "Briefs Myeongjo"


def rename(font, style: str) -> None:
    names = {1: FAMILY, 2: style, 3: f"{FAMILY.replace(' ', '')}-{style};subset", 4: f"{FAMILY} {style}",
             6: f"{FAMILY.replace(' ', '')}-{style}", 16: FAMILY, 17: style}
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def main(source: str, target: str, style: str) -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # hinting instructions are half the file and do nothing in a PDF
    font = subset.load_font(source, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for a, b in RANGES for c in range(a, b + 1)])
    subsetter.subset(font)
    rename(font, style)
    subset.save_font(font, target, options)


if __name__ == "__main__":
    main(*sys.argv[1:4])
