"""Make the Korean faces shipped with the project (run by hand when a font changes).

Print (Typst, templates/fonts/): Hangul, CJK punctuation, full-width forms and Latin-1:

    python tools/subset_korean_font.py NanumMyeongjo.ttf templates/fonts/BriefsMyeongjo-Regular.ttf Regular
    python tools/subset_korean_font.py NanumMyeongjoBold.ttf templates/fonts/BriefsMyeongjo-Bold.ttf Bold

Web (templates/webfonts/): Hangul and CJK punctuation only, since the page's own fonts draw Latin;
every build cuts it down again to the characters the site uses (briefkit/webfonts.py):

    python tools/subset_korean_font.py NanumGothic.ttf templates/webfonts/BriefsGothic-Regular.ttf Regular \
        --family "Briefs Gothic" --web

(the sources come from Debian's fonts-nanum package). Nanum fonts are under the SIL Open Font
License 1.1 with the Reserved Font Name "Nanum": a subset is a Modified Version, which may not use
that name, so the subsets are renamed. See templates/fonts/LICENSES.md.
"""

import argparse

from fontTools import subset

PRINT_RANGES = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x1100, 0x11FF), (0x3000, 0x303F),
                (0x3130, 0x318F), (0xAC00, 0xD7A3), (0xFF00, 0xFFEF)]
WEB_RANGES = [(0x1100, 0x11FF), (0x3000, 0x303F), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7A3),
              (0xD7B0, 0xD7FF), (0xFF00, 0xFFEF)]


def rename(font, family: str, style: str) -> None:
    compact = family.replace(" ", "")
    names = {1: family, 2: style, 3: f"{compact}-{style};subset", 4: f"{family} {style}",
             6: f"{compact}-{style}", 16: family, 17: style}
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names]
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("style")
    parser.add_argument("--family", default="Briefs Myeongjo")
    parser.add_argument("--web", action="store_true", help="Hangul and CJK punctuation only")
    args = parser.parse_args()
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False  # hinting instructions are half the file, do nothing in a PDF and little on screens
    font = subset.load_font(args.source, options)
    subsetter = subset.Subsetter(options)
    ranges = WEB_RANGES if args.web else PRINT_RANGES
    subsetter.populate(unicodes=[c for a, b in ranges for c in range(a, b + 1)])
    subsetter.subset(font)
    rename(font, args.family, args.style)
    subset.save_font(font, args.target, options)


if __name__ == "__main__":
    main()
