"""Cut the shipped Korean face into the slices every build offers (briefkit/webfonts.py) and keep
them next to it, in templates/webfonts/slices-<key>/, so that no build has to cut them (some 11 s
of processor time with an empty cache). Run it after replacing the face, upgrading fontTools or
changing the slicing; the key in the folder's name changes with each of those, and a build that
finds no folder for its key cuts the slices itself, as before.

    .venv/bin/python tools/cut_web_font_slices.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefkit.webfonts import SOURCE, cached_slices, shipped_slices_folder  # noqa: E402


def main() -> None:
    source = ROOT / "templates" / SOURCE
    with tempfile.TemporaryDirectory() as cache:
        key, _, _ = cached_slices(source, Path(cache), shipped=False)
        made = Path(cache) / "webfonts" / f"slices-{key}"
        target = shipped_slices_folder(source, key)
        for old in source.parent.glob("slices-*"):
            shutil.rmtree(old)
        shutil.copytree(made, target)
    print(f"{target.relative_to(ROOT)}: {len(list(target.glob('*.woff2')))} slices")


if __name__ == "__main__":
    main()
