"""PDF build: briefkit's incremental, parallel Typst build against a pandoc → Typst loop per brief.

    python benchmarks/pdfs.py [--briefs 1000] [--sample 10] [--corpus ours|B]

Generates N briefs with the corpus of benchmarks/run.py (about 800 words, 6 notes of which 4 cite a
300-entry bibliography, a hero image on every other brief) or with benchmarks/corpus_b.py (150 to
4,000 words, 2 to 15 notes, real PNG and JPEG heroes up to 3,000 × 2,000 on 60 % of briefs, one in
ten in Korean), formats their citations once, then
measures in the same run: the PDF build cold (empty PDF cache), the rebuild when nothing changed,
and one pandoc process plus one fresh Typst compile per brief on a sample, scaled up to N.
Compare ratios, not seconds, between machines.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from run import CORPORA, make_project  # noqa: E402
from sites import BriefkitProject  # noqa: E402

from briefkit.config import load_config  # noqa: E402
from briefkit.generate import generate  # noqa: E402
from briefkit.pandoc import pandoc_path  # noqa: E402
from briefkit.pdf import PdfBuilder  # noqa: E402
from briefkit.render import Renderer  # noqa: E402


def per_brief_loop(builder: PdfBuilder, briefs, workdir: Path) -> None:
    """What a per-document tool does: one pandoc process (citeproc, to Typst) and one fresh Typst compile."""
    import typst

    fonts = str(builder.settings.fonts)
    root = builder.settings.root
    for rb in briefs:
        markdown = rb.brief.body + "\n\n" + "\n".join(f"[^{k}]: {v}" for k, v in rb.brief.notes.items())
        typ = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "typst", "-s", "--citeproc",
                              "--csl", str(root / "templates/house-chicago-notes.csl"),
                              "--bibliography", str(root / "briefs/references.bib")],
                             input=markdown.encode(), capture_output=True, check=True).stdout
        source = b'#set text(font: ("Noto Serif", "Briefs Myeongjo"))\n' + typ
        typst.compile(source, output=str(workdir / f"{rb.slug}.pdf"), font_paths=[fonts], ignore_system_fonts=True)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=10, help="briefs run through the per-brief loop")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="ours")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefkit-pdfbench-"))
    try:
        if args.corpus == "ours":
            make_project(work, args.briefs, random.Random(7))
        else:
            BriefkitProject(work, CORPORA[args.corpus](args.briefs)).write()
        config = load_config(work)
        generation = generate(config, write=False, pdfs=set())  # citations formatted, no PDF yet
        builder = PdfBuilder(config, generation.corpus, Renderer(config, generation.corpus))
        briefs = generation.briefs
        cold = timed(lambda: builder.build(briefs))
        unchanged = timed(lambda: builder.build(briefs))
        (work / "loop").mkdir()
        sample = briefs[: args.sample]
        loop = timed(lambda: per_brief_loop(builder, sample, work / "loop")) / len(sample) * len(briefs)
        pages = sum(1 for _ in (work / ".cache" / "pdf").glob("*.pdf"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"PDF build, corpus {args.corpus}, {len(briefs)} briefs ({pages} PDFs), fonts shipped in templates/fonts")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'':56} {'seconds':>9} {'× faster':>9}")
    for name, seconds in [(f"pandoc → Typst per brief (baseline, scaled from {args.sample})", loop),
                          ("briefkit, cold (empty PDF cache)", cold), ("briefkit, nothing changed", unchanged)]:
        print(f"{name:56} {seconds:9.2f} {loop / seconds:9.1f}")


if __name__ == "__main__":
    main()
