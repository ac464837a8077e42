"""What a reader's first search downloads from a built site (target: under 500 KB at 10,000 briefs).

A first search fetches the search code (`assets/search.js`), the index's `manifest.json`, the chunks
that can hold the query's terms and the page records of the first page of results (10). This runs
the site's own search.js with Node over the built `search-index/`, each query with an empty cache,
records every file it fetches and adds up their sizes (as stored, and gzip-compressed as a server
would send them). The queries are the heaviest of their kind in the index:

- the commonest term of the Latin script ("the": in every English brief; three letters or more, so
  the chunks of every word it begins are fetched too);
- the commonest pair of Hangul syllables (a two-syllable Korean word, with or without its particle);
- the commonest Hangul syllable (a one-syllable Korean query);
- the commonest pair and the commonest syllable pair after it as a two-word query;
- and, as an upper bound for any query of up to three terms, search.js, the manifest, the three
  largest chunks and the ten largest page records.

    python benchmarks/search_download.py SITE                       # a built site
    python benchmarks/search_download.py --corpus ours --briefs 10000  # generate, build, measure
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

RESULTS_SHOWN = 10  # search.js's PAGE_SIZE: the records of the first page of results
_ENDS = re.compile("[A-Za-f]")  # a posting ends on one of the first 32 symbols (search_index.ALPHABET)
_HANGUL = re.compile("^[\uac00-\ud7a3]+$")

_NODE_SCRIPT = """
const fs = require('fs');
const [searchJs, base, queries, shown] = JSON.parse(fs.readFileSync(0, 'utf8'));
const s = require(searchJs);
(async () => {
  const out = [];
  for (const query of queries) {
    const fetched = [];
    const search = new s.Search(base, p => {
      fetched.push(p);
      return Promise.resolve(JSON.parse(fs.readFileSync(p, 'utf8')));
    });
    const result = await search.query(query);
    await Promise.all(result.hits.slice(0, shown).map(h => search.record(h.page)));
    out.push({ query: query, terms: result.terms, hits: result.hits.length, files: fetched });
  }
  console.log(JSON.stringify(out));
})();
"""


@dataclass
class Download:
    kind: str  # which query this is ("commonest Latin term", …)
    query: str
    hits: int  # pages found
    chunks: int  # chunk files fetched
    bytes: int  # search.js + manifest + chunks + records, as stored
    gzip_bytes: int  # the same files gzip-compressed

    def cell(self) -> str:
        return f"{self.bytes / 1024:.0f} KB"


def commonest_terms(bundle: Path) -> dict[str, str]:
    """The commonest term of each kind in the index: kind → term. Commonest: on the most pages, then
    with the longest postings, then first in the index's order."""
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    ranked: dict[str, list[tuple[int, int, int, str]]] = {"latin": [], "pair": [], "syllable": []}
    for _first, name in manifest["chunks"]:
        chunk = json.loads((bundle / "chunks" / f"{name}.json").read_text(encoding="utf-8"))
        for term, postings in chunk.items():
            kind = ("syllable" if len(term) == 1 else "pair") if _HANGUL.match(term) else "latin"
            found = ranked[kind]
            found.append((-len(_ENDS.findall(postings)), -len(postings), len(found), term))
    best = {}
    for kind, found in ranked.items():
        found.sort()
        if found:
            best[kind] = found[0][3]
        if kind == "pair" and len(found) >= 2:
            best["two words"] = f"{found[0][3]} {found[1][3]}"
    return best


KINDS = {"latin": "commonest Latin-script term", "pair": "commonest Hangul syllable pair",
         "syllable": "commonest Hangul syllable", "two words": "two commonest Hangul pairs"}


def first_search(site: Path) -> list[Download]:
    """The download of a first search for each query of the module's list, on the built `site`."""
    bundle = site / "search-index"
    script = site / "assets" / "search.js"
    node = shutil.which("node")
    if node is None or not (bundle / "manifest.json").is_file() or not script.is_file():
        return []
    wanted = commonest_terms(bundle)
    kinds = [k for k in KINDS if k in wanted]
    payload = [str(script.resolve()), f"{bundle.resolve()}/", [wanted[k] for k in kinds], RESULTS_SHOWN]
    proc = subprocess.run([node, "-e", _NODE_SCRIPT], input=json.dumps(payload), capture_output=True, text=True,
                          check=True, timeout=600)
    code = script.read_bytes()
    out = []
    for kind, result in zip(kinds, json.loads(proc.stdout), strict=True):
        files = [code] + [Path(p).read_bytes() for p in result["files"]]
        out.append(Download(KINDS[kind], result["query"], result["hits"],
                            sum(1 for p in result["files"] if "/chunks/" in p), sum(map(len, files)),
                            sum(len(gzip.compress(data, 6)) for data in files)))
    return out + [upper_bound(bundle, code)]


def upper_bound(bundle: Path, code: bytes, chunks: int = 3) -> Download:
    """search.js, the manifest, the `chunks` largest chunks and the RESULTS_SHOWN largest records."""
    def largest(folder: str, count: int) -> list[Path]:
        return sorted((bundle / folder).iterdir(), key=lambda p: p.stat().st_size, reverse=True)[:count]

    biggest = largest("chunks", chunks)
    files = [code, (bundle / "manifest.json").read_bytes()]
    files += [p.read_bytes() for p in biggest + largest("pages", RESULTS_SHOWN)]
    return Download(f"upper bound: the {chunks} largest chunks, the {RESULTS_SHOWN} largest records", "–", 0,
                    len(biggest), sum(map(len, files)), sum(len(gzip.compress(data, 6)) for data in files))


def table(rows: list[tuple[str, list[Download]]]) -> str:
    """One line per (label, query): the query, pages found, chunks fetched, KB as stored and gzipped."""
    lines = ["| corpus | query | pages found | chunks fetched | first search downloads | gzip |",
             "|---|---|---|---|---|---|"]
    for label, downloads in rows:
        for d in downloads:
            query = d.kind if d.query == "–" else f"{d.kind}: “{d.query}”"
            hits = f"{d.hits:,}" if d.query != "–" else "–"
            lines.append(f"| {label} | {query} | {hits} | {d.chunks} | {d.bytes / 1024:.1f} KB "
                         f"| {d.gzip_bytes / 1024:.1f} KB |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, nargs="?", help="a built site (else --corpus and --briefs)")
    parser.add_argument("--corpus", choices=["ours", "B"], default="ours")
    parser.add_argument("--briefs", type=int, nargs="+", default=[1000])
    args = parser.parse_args()
    if args.site:
        print(table([(str(args.site), first_search(args.site))]))
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import run
    from sites import BriefkitProject

    rows = []
    for count in args.briefs:
        with tempfile.TemporaryDirectory(prefix="briefkit-search-") as work:
            project = BriefkitProject(Path(work) / "briefkit", run.CORPORA[args.corpus](count)).write()
            print(f"[{args.corpus}, {count:,}] building", file=sys.stderr, flush=True)
            run.run([sys.executable, "build.py"], project.folder)
            rows.append((f"{args.corpus}, N = {count:,}", first_search(project.folder / "site")))
            print(table(rows[-1:]), file=sys.stderr, flush=True)
    print(table(rows))


if __name__ == "__main__":
    main()
