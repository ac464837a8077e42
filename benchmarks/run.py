"""The whole-site benchmark: briefkit against bare MkDocs and one pandoc per brief, in one run.

    python benchmarks/run.py [--sizes 100 1000] [--large] [--repeat 3] [--output benchmarks/results.md]

For each corpus size N it generates realistic briefs (about 800 words, 6 notes of which 4 cite a
300-entry .bib, a hero image on every other brief, several series, topics and authors) and measures:

  (a) briefkit: cold full build without PDFs (pages, listings, feeds, search), caches emptied;
  (b) bare `mkdocs build` of the same pages with the notes already typed in (the engine's floor);
  (c) one pandoc process per brief for the citations (a sample, scaled up to N);
  (d) briefkit: full rebuild after editing one brief, and the generation step alone;
  (e) briefkit: PDF build cold and unchanged.

Times are medians of --repeat runs; the ratios are what to compare across machines. `--large` adds
N = 10,000. The table is printed and written to --output with the machine's description.
"""

from __future__ import annotations

import argparse
import itertools
import os
import platform
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from citations import make_bib  # noqa: E402

from briefkit.bib import to_biblatex  # noqa: E402
from briefkit.pandoc import pandoc_path  # noqa: E402

SERIES = ["quick-take", "news", "summary"]
TOPICS = ["economy", "defense-industry", "leadership", "north-korea-russia"]
AUTHORS = ["jordan-park", "mina-cho", "sam-ortiz"]
# Body text follows Zipf's law over a large vocabulary, as prose does: a few words are in every brief,
# most are rare. (A small vocabulary would put every word in every brief: the worst case for a search
# index, and not what an archive looks like.)
COMMON = ("the of and to in a that for is on with as was by it its at from this be are has have not but "
          "an or which their his were had been more will new also would than after two other into over "
          "said state party leader military economic policy north korea south report year plan").split()


def _vocabulary(size: int = 20_000) -> tuple[list[str], list[float]]:
    rng = random.Random(0)
    syllables = ["ka", "ro", "mi", "tu", "sen", "gal", "pho", "dri", "lan", "vek", "os", "um", "tri", "zel",
                 "bor", "nia", "que", "stra", "ment", "ion", "ter", "pal", "cho", "wen"]
    words = list(dict.fromkeys(COMMON))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    return words, weights


WORDS, CUMULATIVE_WEIGHTS = _vocabulary()


def make_project(folder: Path, count: int, rng: random.Random) -> list[str]:
    """A project with `count` generated briefs; returns their file names."""
    for name in ("mkdocs.yml", "build.py"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("templates", "briefkit", "docs"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    config = folder / "mkdocs.yml"
    config.write_text(config.read_text().replace("    pdf: true ", "    pdf: false "))
    briefs = folder / "briefs"
    briefs.mkdir()
    for name in ("authors.yml", "series.yml", "topics.yml"):
        shutil.copy(ROOT / "briefs" / name, briefs / name)
    shutil.copytree(ROOT / "briefs" / "images", briefs / "images")
    entries = make_bib(300, random.Random(42))
    (briefs / "references.bib").write_text(to_biblatex(entries), encoding="utf-8")
    keys = [e.key for e in entries]
    names = []
    for i in range(count):
        paragraphs = [" ".join(rng.choices(WORDS, cum_weights=CUMULATIVE_WEIGHTS, k=115)).capitalize()
                      for _ in range(7)]
        a, b, c, d = rng.sample(keys, 4)
        paragraphs[0] += f".[^one] Further.[@{a}, {rng.randint(1, 300)}]"
        paragraphs[2] += f".[see @{b}; and @{c}]"
        paragraphs[4] += f".[^two] Again.[@{a}, 12]"
        paragraphs[6] += f".[@{d}]"
        body = "\n\n".join(paragraphs).replace("\n", "\n  ")
        image = ("image:\n  file: images/2025-12-components.svg\n  alt: A drawing.\n  caption: A caption.\n"
                 "  credit: Sample\n" if i % 2 == 0 else "")
        day = f"{2015 + i * 10 // max(count, 1)}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        name = f"{day}-brief-{i:05d}.yml"
        (briefs / name).write_text(
            f"title: Generated brief number {i:05d}\nseries: {SERIES[i % 3]}\ndate: {day}\n"
            f"authors: [{AUTHORS[i % 3]}]\ntopics: [{TOPICS[i % 4]}, {TOPICS[(i + 1) % 4]}]\n"
            f"summary: A generated brief for the benchmark, number {i}.\n{image}body: |\n  {body}.\n"
            f"notes:\n  one: A prose note citing [@{b}, 4].\n  two: Another note without a citation.\n",
            encoding="utf-8")
        names.append(name)
    return names


def tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            parents[int(entry)] = int(fields[1])
            rss[int(entry)] = int(fields[21]) * resource.getpagesize()
        except (OSError, IndexError, ValueError):
            continue
    family, todo = {pid}, [pid]
    while todo:
        current = todo.pop()
        for child, parent in parents.items():
            if parent == current and child not in family:
                family.add(child)
                todo.append(child)
    return sum(rss.get(p, 0) for p in family) / 2**20


def run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Seconds, and peak memory (MB) of the child with all its own children at once (sampled)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"})
    peak = 0.0
    while proc.poll() is None:
        peak = max(peak, tree_rss_mb(proc.pid))
        time.sleep(0.1)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return elapsed, peak


def cold_build(project: Path) -> tuple[float, float]:
    for name in (".cache", ".build", "site"):
        shutil.rmtree(project / name, ignore_errors=True)
    return run([sys.executable, "build.py"], project)


def floor_project(project: Path, floor: Path) -> None:
    """A plain MkDocs project with the same pages (notes typed in), no hooks: the engine's floor."""
    docs = floor / "docs"
    shutil.copytree(project / "docs", docs)
    shutil.copytree(project / ".build" / "pages", docs, dirs_exist_ok=True)
    shutil.copytree(project / "briefs" / "images", docs / "images", dirs_exist_ok=True)
    shutil.copytree(project / "templates" / "overrides", floor / "overrides")
    text = (project / "mkdocs.yml").read_text()
    text = text.replace("  - briefkit/mkdocs_hooks.py\n", "").replace("hooks:\n", "")
    text = text.replace("watch:\n  - briefs\n  - templates\n", "")
    text = text.replace("custom_dir: templates/overrides", "custom_dir: overrides").replace("strict: true", "")
    text = text.replace("plugins: []", "plugins:\n  - search")  # bare MkDocs searches with its lunr index
    (floor / "mkdocs.yml").write_text(text)


def first_search_bytes(site: Path, results: int = 10) -> int:
    """An upper bound of what a reader's first search downloads (besides the search page itself): the
    search script, the index's manifest, the two largest index chunks (a query of two words can touch
    two) and the largest page records of a first page of results."""
    bundle = site / "search-index"
    size = (site / "assets/search.js").stat().st_size + (bundle / "manifest.json").stat().st_size
    chunks = sorted((p.stat().st_size for p in (bundle / "chunks").iterdir()), reverse=True)
    records = sorted((p.stat().st_size for p in (bundle / "pages").iterdir()), reverse=True)
    return size + sum(chunks[:2]) + sum(records[:results])


def pandoc_per_brief(project: Path, names: list[str]) -> float:
    csl, bib = project / "templates/house-chicago-notes.csl", project / "briefs/references.bib"
    start = time.perf_counter()
    for name in names:
        import yaml

        data = yaml.safe_load((project / "briefs" / name).read_text())
        doc = data["body"] + "\n\n" + "\n".join(f"[^{k}]: {v}" for k, v in data["notes"].items())
        subprocess.run([pandoc_path(), "--citeproc", "--csl", str(csl), "--bibliography", str(bib), "-t", "html"],
                       input=doc.encode(), check=True, capture_output=True)
    return time.perf_counter() - start


def profile(project: Path, out: Path) -> None:
    """A pyinstrument profile of a cold build (the main process: generation and MkDocs)."""
    for name in (".cache", ".build", "site"):
        shutil.rmtree(project / name, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "pyinstrument", "--show-all", "-o", str(out), "build.py"], cwd=project,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trim_profile(out)


def trim_profile(path: Path, share: float = 0.005) -> None:
    """Keep the frames that took at least `share` of the whole run (the full tree is megabytes)."""
    import re

    lines = path.read_text(encoding="utf-8").splitlines()
    timed = [(line, re.match(r"^[\s│├└─]*(\d+\.\d+) ", line)) for line in lines]
    total = max(float(m.group(1)) for _, m in timed if m)
    kept = [line for line, m in timed if m is None or float(m.group(1)) >= share * total]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


def measure(count: int, repeat: int, pdf_sample: int, profile_to: Path | None = None) -> dict:
    rng = random.Random(count)
    work = Path(tempfile.mkdtemp(prefix=f"briefkit-bench-{count}-"))
    try:
        project = work / "project"
        project.mkdir()
        names = make_project(project, count, rng)
        if profile_to is not None:
            profile(project, profile_to)
        # (a) and (b) alternate, so that the machine's slow and fast spells fall on both
        builds = [cold_build(project)]
        floor = work / "floor"
        floor_project(project, floor)
        bares = []
        for i in range(repeat):
            bares.append(run([sys.executable, "-m", "mkdocs", "build", "-q"], floor)[0])
            if i + 1 < repeat:
                builds.append(cold_build(project))
        cold = statistics.median(t for t, _ in builds)
        memory = max(m for _, m in builds)
        bare = statistics.median(bares)
        site = project / "site"
        largest = max(p.stat().st_size for p in site.glob("*/*/*/index.html"))
        search = first_search_bytes(site)
        sample = names[:10]
        per_brief = pandoc_per_brief(project, sample) / len(sample) * count
        edited = project / "briefs" / names[len(names) // 2]
        edits = []
        generation_times = []
        for i in range(repeat):
            edited.write_text(edited.read_text().replace("Another note", f"Another edited note {i}"))
            edits.append(run([sys.executable, "build.py"], project)[0])
            edited.write_text(edited.read_text().replace(f"Another edited note {i}", f"Note {i}"))
            generation_times.append(run([sys.executable, "-c", "import sys; sys.path.insert(0, '.');"
                                         "from pathlib import Path; from briefkit.config import load_config;"
                                         "from briefkit.generate import generate;"
                                         "import time; t = time.perf_counter(); generate(load_config(Path('.')));"
                                         "open('.gen-time', 'w').write(str(time.perf_counter() - t))"], project)[0])
            generation_times[-1] = float((project / ".gen-time").read_text())
        pdf_cold = pdf_unchanged = None
        if pdf_sample:
            config = project / "mkdocs.yml"
            config.write_text(config.read_text().replace("    pdf: false ", "    pdf: true "))
            pdf_cold = run([sys.executable, "build.py", "pdf"], project)[0]
            pdf_unchanged = run([sys.executable, "build.py", "pdf"], project)[0]
        return {"count": count, "cold": cold, "bare": bare, "per_brief": per_brief, "edit": statistics.median(edits),
                "generation_after_edit": statistics.median(generation_times), "pdf_cold": pdf_cold,
                "pdf_unchanged": pdf_unchanged, "memory_mb": memory, "largest_page": largest, "search": search}
    finally:
        shutil.rmtree(work, ignore_errors=True)


def table(results: list[dict]) -> str:
    rows = ["| N | (a) cold build | (b) bare MkDocs | (a)/(b) | (a) per brief | (c) pandoc per brief "
            "| (d) rebuild after one edit | generation after one edit | (e) PDFs cold / unchanged | peak memory "
            "| largest brief page | first search downloads |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    base = next((r for r in results if r["count"] == 1000), None)
    for r in results:
        pdf = (f"{r['pdf_cold']:.1f} s / {r['pdf_unchanged']:.2f} s" if r["pdf_cold"] is not None else "–")
        per = r["cold"] / r["count"] * 1000
        linear = f" ({per / (base['cold'] / 1000 * 1000):.2f} × the 1,000 run)" if base and r is not base else ""
        rows.append(f"| {r['count']:,} | {r['cold']:.1f} s | {r['bare']:.1f} s | {r['cold'] / r['bare']:.2f} × "
                    f"| {per:.1f} ms{linear} | {r['per_brief']:.1f} s | {r['edit']:.1f} s "
                    f"| {r['generation_after_edit']:.2f} s | {pdf} | {r['memory_mb']:.0f} MB "
                    f"| {r['largest_page'] / 1024:.0f} KB | {r['search'] / 1024:.0f} KB |")
    return "\n".join(rows)


ANALYSIS = "<!-- Everything below this line is kept when the benchmark rewrites the table above. -->"


def write_results(path: Path, text: str) -> None:
    kept = ""
    if path.exists() and ANALYSIS in path.read_text(encoding="utf-8"):
        kept = path.read_text(encoding="utf-8").split(ANALYSIS, 1)[1]
    path.write_text(f"{text}\n{ANALYSIS}{kept}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--large", action="store_true", help="also N = 10,000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-pdf", action="store_true", help="skip (e)")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--profile", action="store_true",
                        help="write a pyinstrument profile of a cold build at the largest N to benchmarks/")
    args = parser.parse_args()
    sizes = args.sizes + ([10_000] if args.large else [])
    results = [measure(n, args.repeat, 0 if args.no_pdf else 1,
                       ROOT / "benchmarks" / f"profile-{n}.txt" if args.profile and n == max(sizes) else None)
               for n in sizes]
    machine = (f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
               f"{time.strftime('%Y-%m-%d')}")
    text = (f"# Benchmark results\n\nMachine: {machine}. Medians of {args.repeat} runs; compare ratios.\n\n"
            f"{table(results)}\n")
    print(text)
    write_results(args.output, text)


if __name__ == "__main__":
    main()
