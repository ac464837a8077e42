"""A cold build reads and checks its brief files in two processes (load._read_and_check_all): the
corpus and every problem found are exactly those of one process."""

from __future__ import annotations

import concurrent.futures

import briefkit.load as load
from briefkit.config import load_config
from briefkit.load import load_corpus
from conftest import write_corpus


def summary(corpus, diags):
    return ([(c.file, c.slug, c.digest) for c in corpus.cards], sorted(d.format() for d in diags.items),
            sorted(b.slug for b in corpus.briefs), corpus.parsed, sorted(corpus.warnings.items(), key=str))


def test_two_processes_check_what_one_process_checks(sample_project, monkeypatch):
    write_corpus(sample_project, 40, days=200, start="2023-01-01")
    briefs = sorted(sample_project.briefs.glob("20*.yml"))
    first, last = briefs[1], briefs[-2]  # one in each half
    first.write_text(first.read_text().replace("series: ", "series: no-such-", 1))
    last.write_text(last.read_text().replace("title:", "title: [unclosed", 1))
    own = briefs[len(briefs) // 2 + 3]  # a brief with a bibliography of its own is checked after the others
    (sample_project.briefs / "own.bib").write_text("")
    own.write_text("bibliography: [own.bib]\n" + own.read_text())
    (sample_project.briefs / "Bad Name.yml").write_text("title: x\n")
    config = load_config(sample_project.root)

    monkeypatch.setattr(load, "PARALLEL_FROM", 10**9)
    alone = summary(*load_corpus(config))
    submitted = []
    real_submit = concurrent.futures.ProcessPoolExecutor.submit

    def submit(self, fn, *args, **kwargs):
        submitted.append(fn.__name__)
        return real_submit(self, fn, *args, **kwargs)

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "submit", submit)
    monkeypatch.setattr(load, "PARALLEL_FROM", 1)
    monkeypatch.setattr(load.os, "cpu_count", lambda: 2)
    together = summary(*load_corpus(config))
    assert submitted == ["_read_and_check_apart"]
    assert together == alone
    problems = "\n".join(alone[1])
    assert f"{first.name}:" in problems and "unknown series" in problems  # found by this process
    assert f"{last.name}:" in problems and "YAML syntax error" in problems  # found by the other one
    assert "file name must be YYYY-MM-DD-<slug>.yml" in problems
    assert own.stem[11:] in alone[3] and len(alone[0]) >= 40


def test_without_positions_the_briefs_are_kept_without_their_parsed_files(sample_project, monkeypatch):
    """A build without PDFs reports nothing at a place after the checks: each brief checked at once lets
    go of its parsed file there (10,000 of them were most of a large build's memory), in both processes."""
    write_corpus(sample_project, 20, days=100, start="2023-01-01")
    config = load_config(sample_project.root)
    with_positions = summary(*load_corpus(config))
    monkeypatch.setattr(load, "PARALLEL_FROM", 1)
    monkeypatch.setattr(load.os, "cpu_count", lambda: 2)
    corpus, diags = load_corpus(config, positions=False)
    assert summary(corpus, diags) == with_positions
    assert len(corpus.briefs) >= 20 and all(b.doc is None for b in corpus.briefs)


def test_without_a_second_process_one_process_checks_everything_once(sample_project, monkeypatch):
    """Where the second process cannot start (or dies), this one checks every file, each problem once."""
    from concurrent.futures.process import BrokenProcessPool

    write_corpus(sample_project, 20, days=100, start="2023-01-01")
    broken = sorted(sample_project.briefs.glob("20*.yml"))[1]  # in this process's half
    broken.write_text(broken.read_text().replace("title:", "title: [unclosed", 1))
    config = load_config(sample_project.root)
    monkeypatch.setattr(load, "PARALLEL_FROM", 10**9)
    alone = summary(*load_corpus(config))

    def no_process(self, fn, *args, **kwargs):  # known only once this process has checked its half
        died = concurrent.futures.Future()
        died.set_exception(BrokenProcessPool("the process died"))
        return died

    monkeypatch.setattr(concurrent.futures.ProcessPoolExecutor, "submit", no_process)
    monkeypatch.setattr(load, "PARALLEL_FROM", 1)
    monkeypatch.setattr(load.os, "cpu_count", lambda: 2)
    together = summary(*load_corpus(config))
    assert together == alone
    assert sum(f"{broken.name}:" in line and "YAML syntax error" in line for line in together[1]) == 1
