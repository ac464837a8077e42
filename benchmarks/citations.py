"""Citation formatting: briefkit's batched, cached pandoc citeproc against one pandoc run per brief.

    python benchmarks/citations.py [--briefs 1000] [--sample 20]

Generates N synthetic briefs (6 notes each, 4 of them citing a 300-entry .bib), then measures in
the same run: our cold formatting (empty cache), a warm run (everything cached), a run after one
brief was edited, and the one-pandoc-per-brief loop on a sample of briefs, scaled up to N.
Figures are medians; compare the ratios, not the seconds, between machines.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from briefkit.bib import BibEntry, csl_items, to_biblatex  # noqa: E402
from briefkit.cite import CiteJob, Style, format_jobs  # noqa: E402
from briefkit.notes import number_notes, scan  # noqa: E402
from briefkit.pandoc import pandoc_path  # noqa: E402

CSL = ROOT / "templates" / "house-chicago-notes.csl"
SURNAMES = ["Lee", "Carlin", "Kim", "Park", "Hecker", "Cha", "Lankov", "Haggard", "Noland", "Smith", "Jung", "Choi"]
WORDS = ("policy economy missile plenum enterprise launcher factory congress army export market reform "
         "industry test report state media leader plan").split()


def make_bib(n: int, rng: random.Random) -> list[BibEntry]:
    entries = []
    for i in range(n):
        authors = " and ".join(f"{rng.choice(SURNAMES)}, {rng.choice(['Ann', 'Bo', 'Jin', 'Rachel Minyoung'])}"
                               for _ in range(rng.randint(1, 3)))
        title = " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(3, 8))) + f" {i}"
        kind = ("article", "online", "book")[i % 3]
        fields = {"author": authors, "title": title, "date": f"{rng.randint(1995, 2025)}-0{rng.randint(1, 9)}-1{i % 9}"}
        if kind == "article":
            fields |= {"journaltitle": "Journal of Korean Studies", "volume": str(i % 40), "pages": "10--30",
                       "doi": f"10.1000/bench.{i}"}
        elif kind == "online":
            fields |= {"journaltitle": "38 North", "url": f"https://example.org/{i}/"}
        else:
            fields |= {"publisher": "University Press", "location": "New York"}
        entries.append(BibEntry(f"ref{i}", kind, "bench.bib", i + 1, fields))
    return entries


def make_brief(i: int, keys: list[str], rng: random.Random) -> tuple[str, dict[str, str]]:
    """A body with 2 prose notes and 4 citations (one grouped, one repeated, with locators)."""
    a, b, c, d = rng.sample(keys, 4)
    words = lambda n: " ".join(rng.choice(WORDS) for _ in range(n))  # noqa: E731
    body = (f"{words(40)}.[^one] {words(30)}.[@{a}, {rng.randint(1, 300)}] {words(30)}.[see @{b}; and @{c}] "
            f"{words(30)}.[^two] {words(30)}.[@{a}, 12] {words(30)}.[@{d}]")
    notes = {"one": f"{words(12)} as shown in [@{b}, 4].", "two": words(20) + "."}
    return body, notes


def jobs_for(briefs) -> list[CiteJob]:
    jobs = []
    for i, (body, notes) in enumerate(briefs):
        plan = number_notes(scan(body), notes, {k: scan(v, allow_notes=False) for k, v in notes.items()})
        jobs.append(CiteJob(f"brief{i}", "en", plan.notes))
    return jobs


def timed(fn, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pandoc_per_brief(briefs, bib_file: Path, workdir: Path) -> None:
    for i, (body, notes) in enumerate(briefs):
        doc = body + "\n\n" + "\n".join(f"[^{k}]: {v}" for k, v in notes.items()) + "\n"
        subprocess.run([pandoc_path(), "--citeproc", "--csl", str(CSL), "--bibliography", str(bib_file),
                        "-f", "markdown", "-t", "html", "-o", str(workdir / f"{i}.html")],
                       input=doc.encode(), check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--briefs", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=20, help="briefs run through the per-brief pandoc loop")
    parser.add_argument("--entries", type=int, default=300)
    args = parser.parse_args()
    rng = random.Random(42)
    work = Path(tempfile.mkdtemp(prefix="briefkit-bench-"))
    try:
        entries = make_bib(args.entries, rng)
        bib_file = work / "bench.bib"
        bib_file.write_text(to_biblatex(entries), encoding="utf-8")
        items = csl_items(entries, work / "bibcache")
        keys = [e.key for e in entries]
        briefs = [make_brief(i, keys, rng) for i in range(args.briefs)]
        jobs = jobs_for(briefs)
        style = Style.load(CSL)

        cache = work / "cache"
        colds = []
        for _ in range(3):  # each from an empty cache; the median is reported
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(timed(lambda: format_jobs(jobs, style, items, cache)))
        cold = statistics.median(colds)
        warm = timed(lambda: format_jobs(jobs, style, items, cache), repeat=3)
        edited = []
        for n in range(3):
            body, notes = briefs[n]
            briefs[n] = (body.replace("12]", f"{13 + n}]"), notes)
            new_jobs = jobs_for(briefs)
            edited.append(timed(lambda new_jobs=new_jobs: format_jobs(new_jobs, style, items, cache)))
        one_edit = statistics.median(edited)

        sample = briefs[: args.sample]
        (work / "html").mkdir()
        loop = timed(lambda: pandoc_per_brief(sample, bib_file, work / "html")) / len(sample) * args.briefs
        citations = sum(len(c.items) for j in jobs for n in j.notes for c in n.clusters)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    rows = [
        ("one pandoc per brief (baseline, scaled from "
         f"{args.sample})", loop, 1.0),
        ("briefkit, cold (empty cache)", cold, loop / cold),
        ("briefkit, nothing changed", warm, loop / warm),
        ("briefkit, one brief edited", one_edit, loop / one_edit),
    ]
    print(f"Citation formatting, {args.briefs} briefs, {citations} citations, {args.entries}-entry .bib")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'':52} {'seconds':>9} {'× faster':>9}")
    for name, seconds, ratio in rows:
        print(f"{name:52} {seconds:9.2f} {ratio:9.1f}")


if __name__ == "__main__":
    main()
