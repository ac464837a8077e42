"""The sources a North Korea desk cites every day, as Zotero and Better BibTeX export them: every work
gives the same Chicago 18 notes (full, then short) from Zotero's own BibLaTeX export, a Better BibTeX
export and a CSL-JSON export, in the house style, on the web page.

The works are real (bibliographic facts only): 38 North and NK News articles, unsigned KCNA, Yonhap and
Rodong Sinmun items, a signed Yonhap article and a New York Times article by authors whose names are
printed family name first, and two Korean-language journal articles (one with a romanized title).
See tests/data/exports/README.md for how each file was made.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from test_citations import brief_yaml, formatted_notes, note_texts

EXPORTS = Path(__file__).parents[1] / "data" / "exports"

# work → (full note, short note), as Chicago 18 prints them in the house style: titles as given,
# website and newspaper names in italics, newspapers without "The", unsigned items by title in both forms,
# East Asian names family name first, a title in another script after its romanization and before its
# English translation in brackets, a journal issue with its month.
EXPECTED = {
    "choe": ("Choe Sang-Hun, “U.S. Will Review Travel Ban on North Korea, Envoy Says,” New York Times, "
             "December 19, 2018, https://www.nytimes.com/2018/12/19/world/asia/north-korea-travel-ban-us.html.",
             "Choe, “U.S. Will Review Travel Ban.”"),
    "lee": ("Rachel Minyoung Lee, “War in Ukraine: Implications for North Korea,” 38 North, February 22, 2024, "
            "https://www.38north.org/2024/02/war-in-ukraine-implications-for-north-korea/.",
            "Lee, “War in Ukraine.”"),
    "carlin": ("Robert Carlin and Rachel Minyoung Lee, “Understanding Kim Jong Un’s Economic Policymaking: Defense "
               "Versus Civilian Spending,” 38 North, September 22, 2021, https://www.38north.org/2021/09/"
               "understanding-kim-jong-uns-economic-policymaking-defense-versus-civilian-spending/.",
               "Carlin and Lee, “Understanding Kim Jong Un’s Economic Policymaking.”"),
    "zwirko": ("Colin Zwirko, “North Korea adopts ‘import disinfection’ law to boost trade amid pandemic,” NK News, "
               "March 3, 2021, https://www.nknews.org/2021/03/"
               "north-korea-adopts-import-disinfection-law-to-boost-trade-amid-pandemic/.",
               "Zwirko, “North Korea adopts ‘import disinfection’ law.”"),
    "kcna": ("“Review of Rodong Sinmun,” KCNA, May 27, 2024, "
             "https://kcnawatch.org/newstream/1716800553-350978545/review-of-rodong-sinmun.",
             "“Review of Rodong Sinmun.”"),
    "yonhap": ("“N. Korea Accuses S. Korea of Trying to Drum up Support for War,” Yonhap News Agency, May 13, 2010, "
               "https://en.yna.co.kr/view/AEN20100512008400325.",
               "“N. Korea Accuses S. Korea.”"),
    "song": ("Song Sang-ho, “U.S. expert voices skepticism over N.K. push for nuke sub,” Yonhap News Agency, "
             "January 20, 2021.",
             "Song, “U.S. expert voices skepticism.”"),
    "rodong": ("“People-first Politics of Workers’ Party of Korea Is Great Strength Unfolding New Era of Overall "
               "Development of State,” Rodong Sinmun, June 10, 2024, "
               "http://www.rodong.rep.kp/en/index.php?MTVAMjAyNC0wNi0xMC1IMDA0QA==.",
               "“People-first Politics of Workers’ Party of Korea.”"),
    "kim": ("Kim Pyŏng-no, “T’ongil K’oria ŭi mirae kihoek: pijŏn, hyŏnsil, taean "
            "통일코리아의 미래기획: 비전, 현실, 대안” "
            "[Planning the future of a unified Korea: Vision, reality, alternative], T’ongil munje yŏn’gu 27, no. 1 "
            "(May 2015): 1–30.",
            "Kim, “T’ongil K’oria ŭi mirae kihoek.”"),
    "im": ("임을출, “김정은 정권의 첨단기술개발구 추진실태에 대한 연구: 『경제연구』를 중심으로” [A Study on High-Tech "
           "Development Zone of North Korea: Focusing on “Economic Research”], 세계지역연구논총 37, no. 3 "
           "(September 2019): 7–37.",
           "임을출, “김정은 정권의 첨단기술개발구 추진실태에 대한 연구.”"),
}

# each export's key for each work (each exporter makes its own keys)
KEYS = {
    "zotero-biblatex.bib": {
        "choe": "choe_us_2018", "lee": "lee_war_2024", "carlin": "carlin_understanding_2021",
        "zwirko": "zwirko_north_2021", "kcna": "noauthor_review_2024", "yonhap": "noauthor_n_2010",
        "song": "song_us_2021", "rodong": "noauthor_people-first_2024", "kim": "kim_tongil_2015", "im": "im_high_2019"},
    "better-biblatex.bib": {
        "choe": "choe2018review", "lee": "lee2024war", "carlin": "carlin2021understanding", "zwirko": "zwirko2021north",
        "kcna": "2024review", "yonhap": "2010korea", "song": "song2021us", "rodong": "2024peoplefirst",
        "kim": "kim2015tongil", "im": "im2019high"},
}
KEYS["zotero.json"] = KEYS["better-biblatex.bib"]  # Zotero writes Better BibTeX's keys as citation-key

# How each export marks the family-name-first names: Zotero's single field ({Choe Sang-Hun}, literal)
# is recognised as it is; two fields (Better BibTeX's Choe, Sang-Hun) are listed once in names.yml;
# CSL-JSON may carry CSL's own "static-ordering".
NAMES_YML = {
    "zotero-biblatex.bib": "family_name_first:\n  - Kim Pyŏng-no\n",
    "better-biblatex.bib": "family_name_first:\n  - Choe Sang-Hun\n  - Song Sang-ho\n  - Kim Pyŏng-no\n",
    "zotero.json": "family_name_first:\n  - Song Sang-ho\n",
}


def cite_all(project, export: str) -> list[str]:
    """The notes of a brief citing every work once (full notes), then again (short notes)."""
    keys = KEYS[export]
    target = "references.json" if export.endswith(".json") else "references.bib"
    (project.root / "briefs" / "references.bib").unlink()
    (project.root / "briefs" / target).write_text((EXPORTS / export).read_text(encoding="utf-8"), encoding="utf-8")
    (project.root / "briefs" / "names.yml").write_text(NAMES_YML[export], encoding="utf-8")
    body = " ".join(f"Work {i}.[@{keys[w]}]" for i, w in enumerate(EXPECTED)) + "\n\n" + \
        " ".join(f"Again {i}.[@{keys[w]}]" for i, w in enumerate(EXPECTED))
    project.write("2024-04-29-test.yml", brief_yaml(body))
    return formatted_notes(project)


@pytest.mark.parametrize("export", sorted(KEYS))
def test_every_export_gives_the_chicago_notes(project, export):
    notes = note_texts(cite_all(project, export))
    expected = [full for full, _ in EXPECTED.values()] + [short for _, short in EXPECTED.values()]
    assert notes == expected


def test_website_and_newspaper_names_are_italic_and_east_asian_scripts_marked_upright(project):
    html = cite_all(project, "better-biblatex.bib")
    first = dict(zip(EXPECTED, html, strict=False))
    for work, name in [("lee", "38 North"), ("zwirko", "NK News"), ("kcna", "KCNA"), ("choe", "New York Times"),
                       ("rodong", "Rodong Sinmun")]:
        assert f"<em>{name}</em>" in first[work], work
    # Hangul keeps its language: screen readers and fonts follow it, and the style sheet keeps it upright
    soup = BeautifulSoup(first["im"], "html.parser")
    assert [s.get_text() for s in soup.select('span[lang="ko"]')] == [
        "임을출", "김정은 정권의 첨단기술개발구 추진실태에 대한 연구", "『경제연구』를 중심으로", "세계지역연구논총"]
    assert soup.select_one("em > span[lang=ko]").get_text() == "세계지역연구논총"
    css = (Path(__file__).parents[2] / "docs" / "assets" / "briefs.css").read_text(encoding="utf-8")
    assert re.search(r'\[lang\|="ko"\][^{]*\{[^}]*font-style: normal', css)


# ---- CSL-JSON: every mistake an error at its line and column ---------------------------------------

def json_project(project, text: str, cite: str = "x") -> list[str]:
    (project.root / "briefs" / "references.bib").unlink()
    (project.root / "briefs" / "references.json").write_text(text, encoding="utf-8")
    project.write("2024-04-29-test.yml", brief_yaml(f"A.[@{cite}]"))
    return project.errors()


def test_csl_json_syntax_error_has_line_and_column(project):
    text = '[\n  {"id": "x", "type": "book", "title": "T"\n   "issued": {"date-parts": [[2020]]}}\n]\n'
    errors = json_project(project, text)
    assert any(e.startswith("briefs/references.json:3:4: error: not valid JSON: Expecting ',' delimiter")
               for e in errors), errors


def test_csl_json_item_problems_are_errors_at_their_fields(project):
    text = ('[\n'
            '  {"id": "x", "type": "articel-journal", "title": "T"},\n'
            '  {"id": "y", "type": "book", "title": "T",\n'
            '   "issued": {"date-parts": [["sometime"]]},\n'
            '   "author": "Choe Sang-Hun"},\n'
            '  {"type": "book", "title": "No id"},\n'
            '  {"id": "y", "type": "book", "title": "Again", "issued": {"date-parts": [[2020]]}}\n'
            ']\n')
    errors = json_project(project, text, cite="y")
    assert errors == [
        "briefs/references.json:2:15: error: item 'x' has the unknown CSL type 'articel-journal' "
        "(did you mean 'article-journal'?)",
        "briefs/references.json:4:4: error: item 'y': cannot read the date in 'issued' ("
        + __import__("briefkit.csljson", fromlist=["DATE_HINT"]).DATE_HINT + ")",
        "briefs/references.json:5:4: error: item 'y': 'author' must be a list of names "
        '([{"family": "Choe", "given": "Sang-Hun"}] or [{"literal": "Korean Central News Agency"}])',
        "briefs/references.json:6:3: error: item has no id (every item needs an \"id\" (or \"citation-key\"): "
        "the key briefs cite)",
        "briefs/references.json:7:3: error: duplicate entry key 'y' (already defined at briefs/references.json:3)",
    ]


def test_csl_json_cited_item_needs_what_the_style_prints(project):
    text = '[{"id": "x", "type": "article-journal", "title": "T", "issued": {"date-parts": [[2020]]}},\n' \
           ' {"id": "w", "type": "webpage", "title": "Undated page", "URL": "https://x.org/",\n' \
           '  "accessed": {"date-parts": [[2024, 3, 1]]}}]\n'
    errors = json_project(project, text)
    assert errors == ["briefs/references.json:1:1: error: item 'x' (article-journal) has no container-title "
                      "(the citation style needs it to print the note)"]
    # an undated web page is cited with the day it was read (CMOS 14.104)
    project.write("2024-04-29-test.yml", brief_yaml("A.[@w]"))
    assert note_texts(formatted_notes(project)) == ["“Undated page,” accessed March 1, 2024, https://x.org/."]


def test_a_json_file_beside_the_bib_and_in_a_brief_bibliography(project):
    (project.root / "briefs" / "references.json").write_text(
        '[{"id": "j1", "type": "book", "title": "From JSON", "publisher": "P", "issued": {"date-parts": [[2020]]}}]',
        encoding="utf-8")
    (project.root / "briefs" / "extra.json").write_text(
        '[{"id": "j2", "type": "book", "title": "Extra JSON", "publisher": "P", "issued": {"date-parts": [[2021]]}}]',
        encoding="utf-8")
    project.write("2024-04-29-test.yml", brief_yaml("A.[@j1] B.[@j2] C.[@lee2024nucleartest]",
                                                     bibliography=["extra.json"]))
    notes = note_texts(formatted_notes(project))
    assert notes[0] == "From JSON (P, 2020)." and notes[1] == "Extra JSON (P, 2021)."
    assert notes[2].startswith("Rachel Minyoung Lee, “To do or not to do")


def test_a_key_in_both_bibliographies_is_a_duplicate(project):
    (project.root / "briefs" / "references.json").write_text(
        '[{"id": "lee2024nucleartest", "type": "book", "title": "T"}]', encoding="utf-8")
    project.write("2024-04-29-test.yml", brief_yaml("A.[@lee2024nucleartest]"))
    errors = project.errors()
    assert len(errors) == 1 and "briefs/references.json:1:1: error: duplicate entry key 'lee2024nucleartest'" \
        in errors[0] and "already defined at briefs/references.bib:" in errors[0]


# ---- names.yml --------------------------------------------------------------------------------------

def test_names_file_mistakes_are_errors_with_positions(project):
    project.briefs.joinpath("names.yml").write_text(
        "family_name_first:\n  - Choe Sang-Hun\n  - Madonna\nfamily_first: []\n", encoding="utf-8")
    project.write("2024-04-29-test.yml", brief_yaml("A.[@lee2024nucleartest]"))
    assert project.errors() == [
        "briefs/names.yml:3:5: error: a family-name-first name has a family name and a given name "
        "(write the name as it is printed, family name first: Choe Sang-Hun)",
        "briefs/names.yml:4:1: error: unknown key 'family_first' in names.yml (did you mean 'family_name_first'?)",
    ]


def test_a_listed_name_is_printed_family_name_first_in_full_and_short_notes(project):
    project.briefs.joinpath("names.yml").write_text("family_name_first:\n  - Lee Rachel Minyoung\n", encoding="utf-8")
    project.write("2024-04-29-test.yml", brief_yaml("A.[@lee2024nucleartest] B.[@lee2024nucleartest, 88]"))
    notes = note_texts(formatted_notes(project))
    assert notes[0].startswith("Lee Rachel Minyoung, “To do or not to do")
    assert notes[1] == "Lee, “To do or not to do,” 88."


def test_an_organisation_author_has_its_short_name_in_short_notes(project):
    """biblatex's shortauthor: the agency's full name in the first note, its abbreviation later."""
    project.write("references.bib", (project.briefs / "references.bib").read_text() +
                  "\n@report{kcna2023,\n  author = {{Korean Central News Agency}},\n  shortauthor = {KCNA},\n"
                  "  title = {Report on the Launch of the Reconnaissance Satellite},\n  date = {2023-05-31},\n"
                  "  url = {https://www.kfauk.com/news/},\n}\n", dedent=False)
    project.write("2024-04-29-test.yml", brief_yaml("A.[@kcna2023] B.[@lee2024nucleartest] C.[@kcna2023, 2]"))
    notes = note_texts(formatted_notes(project))
    assert notes[0].startswith("Korean Central News Agency, Report on the Launch of the Reconnaissance Satellite")
    assert notes[2] == "KCNA, Report on the Launch of the Reconnaissance Satellite, 2."
    # a style that does not use it (APA gives the name in full) is not disturbed by it
    from test_in_text_styles import use_style

    use_style(project, "apa.csl")
    project.write("2024-04-29-test.yml", brief_yaml("A [@kcna2023]."))
    assert project.run().returncode == 0
    page = (project.root / "site/2024/04/test/index.html").read_text(encoding="utf-8")
    assert "(Korean Central News Agency, 2023)" in page


def test_listing_a_name_in_names_yml_remakes_the_briefs_citing_it(project):
    project.write("references.bib", (project.briefs / "references.bib").read_text() +
                  "\n@online{choe2018,\n  author = {Choe, Sang-Hun},\n  title = {Travel Ban},\n"
                  "  journaltitle = {New York Times},\n  date = {2018-12-19},\n  url = {https://www.nytimes.com/}\n}\n",
                  dedent=False)
    project.write("2024-04-29-test.yml", brief_yaml("A.[@choe2018]"))
    assert project.run().returncode == 0
    page = project.root / "site/2024/04/test/index.html"
    assert "Sang-Hun Choe, “Travel Ban,”" in page.read_text(encoding="utf-8")
    (project.briefs / "names.yml").write_text("family_name_first: [Choe Sang-Hun]\n", encoding="utf-8")
    assert project.run().returncode == 0
    assert "Choe Sang-Hun, “Travel Ban,”" in page.read_text(encoding="utf-8")
