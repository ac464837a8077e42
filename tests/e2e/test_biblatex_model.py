"""biblatex's data model as Zotero, Better BibTeX and biblatex's own examples write it: each feature
formatted in a brief, and each mistake an error at its .bib line."""

from __future__ import annotations

from test_citations import brief_yaml, formatted_notes, note_texts

from briefkit import biblatex

EXTRA = r"""
@string{nk = "38 North"}
@string{pub = {Stimson}}

@article{season2020,
  author = {Kim, Jina},
  title = {Sanctions and the Market},
  journaltitle = {Asian Survey},
  volume = {60},
  number = {1},
  issue = {Spring},
  date = {2020},
  pages = {10--20},
}

@online{zotero2024,
  author = {Town, Jenny},
  title = {North Korea Strikes Back},
  titleaddon = {38 North},
  date = {2024-01-16},
  url = {https://www.38north.org/2024/01/strikes-back/},
}

@online{bbt2024,
  author = {Town, Jenny},
  title = {North Korea Strikes Back},
  organization = {38 North},
  date = {2024-01-16},
  url = {https://www.38north.org/2024/01/strikes-back/},
}

@online{jt2024,
  author = {Town, Jenny},
  title = {North Korea Strikes Back},
  journaltitle = {38 North},
  date = {2024-01-16},
  url = {https://www.38north.org/2024/01/strikes-back/},
}

@report{concat2023,
  author = {Liu, Ann},
  title = {The Long Game},
  institution = pub # { Center},
  type = {report},
  date = 2023,
  month = mar,
}

@article{series1958,
  author = {Reese, Trevor R.},
  title = {Georgia in Anglo-Spanish Diplomacy},
  journaltitle = {William and Mary Quarterly},
  series = {3},
  volume = {15},
  date = {1958},
  pages = {168--190},
}

@collection{parent2000,
  editor = {Westfahl, Gary},
  title = {Space and Beyond},
  publisher = {Greenwood},
  location = {Westport, Conn.},
  date = {2000},
}

@incollection{child2000,
  author = {Westfahl, Gary},
  title = {The True Frontier},
  pages = {55--65},
  crossref = {parent2000},
}

@online{arxiv1996,
  author = {Itzhaki, Nissan},
  title = {Some Remarks on 't Hooft's S-Matrix},
  date = {1996},
  eprinttype = {arxiv},
  eprint = {hep-th/9603067},
}

@online{undated,
  title = {Nuclear Facilities},
  journaltitle = {Beyond Parallel},
  url = {https://beyondparallel.csis.org/facilities/},
  urldate = {2024-05-02},
}
"""


def with_extra(project, text: str = EXTRA) -> None:
    bib = project.briefs / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8") + text, encoding="utf-8")


def notes_of(project, body: str) -> list[str]:
    project.write("2024-04-29-test.yml", brief_yaml(body))
    return note_texts(formatted_notes(project))


def test_a_season_in_issue_belongs_to_the_date(project):
    with_extra(project)
    assert notes_of(project, "One.[@season2020, 12]") == [
        "Jina Kim, “Sanctions and the Market,” Asian Survey 60, no. 1 (Spring 2020): 12."]


def test_website_name_from_zotero_and_better_bibtex_is_the_journal_name(project):
    """titleaddon (Zotero's export) and organization (Better BibTeX) print as journaltitle does:
    the same words in the same place, in italics."""
    with_extra(project)
    project.write("2024-04-29-test.yml", brief_yaml("A.[@zotero2024] B.[@bbt2024] C.[@jt2024]"))
    notes = formatted_notes(project)
    assert len(set(notes)) == 1, notes
    assert "<em>38 North</em>" in notes[0]
    assert note_texts(notes)[0] == ("Jenny Town, “North Korea Strikes Back,” 38 North, January 16, 2024, "
                                    "https://www.38north.org/2024/01/strikes-back/.")


def test_strings_concatenation_month_macros_series_keys_and_crossref(project):
    with_extra(project)
    notes = notes_of(project, "A.[@concat2023] B.[@series1958] C.[@child2000, 60]")
    assert notes[0] == "Ann Liu, The Long Game, report (Stimson Center, 2023)."
    assert "William and Mary Quarterly, 3rd series, vol. 15 (1958)" in notes[1]
    assert notes[2] == ("Gary Westfahl, “The True Frontier,” in Space and Beyond, ed. Gary Westfahl "
                        "(Greenwood, 2000), 60.")


def test_inherited_fields_an_eprint_and_an_access_date_satisfy_the_checks(project):
    """booktitle through crossref, the URL of an arXiv eprint, the access date of an undated page:
    no error, and the notes print them."""
    with_extra(project)
    project.write("2024-04-29-test.yml", brief_yaml("A.[@child2000] B.[@arxiv1996] C.[@undated]"))
    assert project.errors() == []
    notes = note_texts(formatted_notes(project))
    assert "https://arxiv.org/abs/hep-th/9603067" in notes[1]
    assert notes[2] == ("“Nuclear Facilities,” Beyond Parallel, accessed May 2, 2024, "
                        "https://beyondparallel.csis.org/facilities/.")


def test_an_unreadable_date_is_an_error_at_its_line_with_the_accepted_forms(project):
    with_extra(project, "\n@online{baddate,\n  title = {T},\n  url = {https://x.org/},\n"
                        "  date = {16 January 2024},\n}\n")
    line = project.briefs.joinpath("references.bib").read_text(encoding="utf-8").splitlines().index(
        "  date = {16 January 2024},") + 1
    project.write("2024-04-29-test.yml", brief_yaml("A.[@baddate]"))
    assert project.errors() == [
        f"briefs/references.bib:{line}:1: error: entry 'baddate' (@online): cannot read the date "
        f"'16 January 2024' in 'date' ({biblatex_hint()})"]


def test_an_undated_entry_that_is_not_a_web_page_still_needs_a_date(project):
    with_extra(project, "\n@book{nodate,\n  title = {T},\n  publisher = {P},\n}\n"
                        "@online{nodate2,\n  title = {T},\n  url = {https://x.org/},\n}\n")
    project.write("2024-04-29-test.yml", brief_yaml("A.[@nodate] B.[@nodate2]"))
    errors = project.errors()
    assert len(errors) == 2
    assert "entry 'nodate' (@book) has no date (the citation style needs it" in errors[0]
    assert "entry 'nodate2' (@online) has no date (give its date, or urldate" in errors[1]


def biblatex_hint() -> str:
    from briefkit.bib import DATE_HINT
    return DATE_HINT


def test_values_resolve_as_biblatex_reads_them():
    strings = biblatex.resolve_strings([("a", "{Alpha}"), ("b", 'a # " and " # {Beta}')])
    assert strings == {"a": "Alpha", "b": "Alpha and Beta"}
    assert biblatex.resolve("b # { Gamma}", strings) == "Alpha and Beta Gamma"
    assert biblatex.resolve("jan", strings) == "1"
    assert biblatex.resolve("{A {#} sign,\n   split}", strings) == "A {#} sign, split"
    assert biblatex.resolve('"quoted {\\"u}"', strings) == 'quoted {\\"u}'


def test_for_pandoc_moves_fields_only_where_biblatex_means_them():
    web = biblatex.for_pandoc("online", {"title": "T", "titleaddon": "Site", "organization": "Org"})
    assert web == {"title": "T", "journaltitle": "Site", "organization": "Org"}
    assert biblatex.for_pandoc("online", {"journaltitle": "J", "titleaddon": "x"})["titleaddon"] == "x"
    assert biblatex.for_pandoc("book", {"titleaddon": "x"}) == {"titleaddon": "x"}
    assert biblatex.for_pandoc("article", {"issue": "Fall", "date": "2021"}) == {"date": "2021-23"}
    assert biblatex.for_pandoc("article", {"issue": "Fall", "date": "2021-10"})["issue"] == "Fall"
    assert biblatex.for_pandoc("article", {"issue": "3", "date": "2021"})["issue"] == "3"


def test_a_title_ending_in_a_period_takes_no_comma_inside_the_quotes(project):
    with_extra(project, "\n@inproceedings{ws,\n  author = {Kim, Jina},\n  title = {Report of the Workshop.},\n"
                        "  booktitle = {Proceedings},\n  date = {2020},\n}\n"
                        "@collection{ed,\n  editor = {Matuz, Roger},\n  title = {Criticism},\n"
                        "  publisher = {Gale},\n  date = {1990},\n}\n")
    assert notes_of(project, "A.[@ws] B.[@ed] C.[@ws, 4]") == [
        "Jina Kim, “Report of the Workshop.” Proceedings, 2020.",
        "Roger Matuz, ed., Criticism (Gale, 1990).",  # the period of "ed." keeps its comma
        "Kim, “Report of the Workshop.” 4.",
    ]


def test_a_newspaper_is_named_without_the(project):
    """Zotero's BibLaTeX export writes a newspaper article as @article with entrysubtype newspaper."""
    with_extra(project, "\n@article{nyt,\n  author = {Choe, Sang-Hun},\n  title = {North Korea Fires Missiles},\n"
                        "  journaltitle = {The New York Times},\n  entrysubtype = {newspaper},\n"
                        "  date = {2024-01-14},\n}\n"
                        "@article{journal,\n  author = {Kim, Jina},\n  title = {T},\n"
                        "  journaltitle = {The Journal of Korean Studies},\n  volume = {3},\n  date = {2024},\n}\n")
    notes = notes_of(project, "A.[@nyt] B.[@journal]")
    assert "New York Times, January 14, 2024" in notes[0] and "The New York" not in notes[0]
    assert "The Journal of Korean Studies 3 (2024)" in notes[1]  # not a newspaper: as written


def test_protective_braces_are_not_printed(project):
    """Better BibTeX protects capitals with double braces: “Beyond {{Parallel}} Report”."""
    with_extra(project, "\n@online{braces,\n  title = {Beyond {{Parallel}} Report: {{North Korea}}},\n"
                        "  organization = {{CSIS}},\n  url = {https://x.org/},\n  date = {2024},\n}\n")
    assert notes_of(project, "A.[@braces]") == ["“Beyond Parallel Report: North Korea,” CSIS, 2024, https://x.org/."]
