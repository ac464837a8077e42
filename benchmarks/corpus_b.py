"""A second corpus, generated differently from benchmarks/run.py's (corpus "ours").

run.py draws every brief from one mould: about 800 words of Zipf-distributed nonsense words in 7
paragraphs, 6 notes, 300 .bib entries, 3 authors, 3 series, 4 topics, one SVG. This one writes
English-like prose from a small grammar and varies everything a real archive varies:

- briefs of 150 to 4,000 words, with headings, lists, block quotes, links and emphasis;
- 2 to 15 notes a brief (body citations and prose notes), a fifth of the prose notes long, in 2 to 4
  paragraphs, most citing the .bib in place; locators, prefixes and groups of up to 3 works;
- a .bib of 800 to 1,500 entries of @article, @book, @online and @report, with person and
  corporate authors, subtitles, DOIs, URLs, institutions and report numbers;
- a few hundred authors (some with photos, some with non-ASCII names), one to three per brief;
- 6 to 9 series (some with a disclaimer), 30 to 60 topics (some not in topics.yml), 1 to 5 a brief;
- hero images on about 60 % of briefs from a pool of real PNG (and, with Pillow, JPEG) files from
  240 × 160 to 3,000 × 2,000 pixels; takeaways, `updated` and `related` on some briefs;
- one brief in ten in Korean (`lang: ko`), from a Korean grammar of the same kind (KoreanWriter):
  subjects and objects with their particles, verbs with their endings.

    python benchmarks/corpus_b.py DEST --briefs 200   # writes a briefkit project into DEST
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import unicodedata
from pathlib import Path

from sites import BibItem, Brief, BriefkitProject, Corpus, picture, quoted

GIVEN = ("Hana Min-ji Joon-ho Seo-yeon Andrei Ruediger Marcus Elena Sofia Daniel Yuki Hyun-woo Ji-woo Priya Tomás "
         "Chloé Mateo Olga Kwame Aisha Lars Ingrid Wen Mei Dae-jung Sun-hee Victor Bruce Sarah Katharine Jenny "
         "Robert Peter Nicholas Frank Jeong-ho Eun-jung Soo-kyung Malte Björn Zoë Noémie").split()
SURNAMES = ("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim Han Oh Seo Shin Kwon Hwang Ahn Song Yoo Hong Jeon Ko Moon "
            "Yang Son Bae Baek Heo Nam Lankov Frank Haggard Noland Cha Pollack Carlin Hecker Madden Williams "
            "Schäfer Dupré Ødegaard Nakamura Suzuki Ivanova Petrov Müller García Nuñez O’Neill Smith Brown").split()
CORPORATE = ["Korean Central News Agency", "UN Panel of Experts", "Ministry of Unification",
             "Bank of Korea", "International Crisis Group", "Congressional Research Service", "KOTRA"]
PLACES = ("Pyongyang Sinuiju Rason Wonsan Hamhung Chongjin Nampo Kaesong Hyesan Sohae Tongchang-ri Yongbyon "
          "Kimchaek Sariwon Haeju Musan Dandong Vladivostok Khasan Beijing Seoul Moscow").split()
SUBJECTS = ["the party's Central Committee", "the cabinet", "state media", "the Korean People's Army",
            "provincial officials", "the foreign ministry", "Kim Jong Un", "the Supreme People's Assembly",
            "analysts in Seoul", "commercial satellite imagery", "Chinese customs data", "the Rodong Sinmun",
            "a defector interviewed for this brief", "the Political Bureau", "the munitions industry department",
            "the State Planning Commission", "local markets", "Russian officials", "the Second Economic Commission",
            "the navy", "trading companies", "the central bank", "Japanese officials", "the UN Security Council"]
VERBS = ["announced", "reported", "described", "ordered", "played down", "expanded", "revised", "questioned",
         "highlighted", "signalled", "postponed", "confirmed", "criticised", "inspected", "endorsed", "omitted",
         "raised", "cut", "tested", "resumed", "suspended", "praised", "denied", "hinted at"]
OBJECTS = ["a new five-year plan", "grain procurement targets", "the launch of a reconnaissance satellite",
           "border trade with Russia", "the construction of 50,000 flats", "a solid-fuel engine test",
           "electricity supply to factories", "the price of rice and maize", "new munitions enterprises",
           "the role of the markets", "a naval destroyer", "fertiliser imports", "the regional development policy",
           "exports of coal and iron ore", "a hypersonic glide vehicle", "the anti-reactionary thought law",
           "fishing quotas", "the exchange rate of the won", "tourism in Wonsan-Kalma", "a summit with Russia",
           "the reorganisation of the cabinet", "cyber operations", "smuggling along the Yalu", "the 2026 budget"]
CLAUSES = ["after a plenary meeting in {month}", "according to {source}", "for the first time since {year}",
           "despite sanctions", "in a speech at {place}", "during an inspection in {place}",
           "without naming a date", "two weeks before the party congress", "as prices rose by {pct} percent",
           "in a rare admission of failure", "while {subject} stayed silent", "with unusual candour",
           "in a report of {pages} pages", "a year after {object} was announced"]
OPENERS = ["In {month} {year}, ", "Since {year}, ", "By most accounts, ", "Notably, ", "At the same time, ",
           "In {place}, ", "Earlier this year, ", "As in {year}, ", "", "", "", ""]
TOPIC_WORDS = ("economy sanctions missiles nuclear markets agriculture energy diplomacy russia china japan "
               "south-korea united-states leadership party military navy space cyber human-rights trade "
               "construction health education ideology labour finance transport fisheries tourism media "
               "defectors elite provinces border weapons-exports satellites succession congress budget "
               "housing food-security industry science law security").split()
JOURNALS = ["Journal of Korean Studies", "Asian Survey", "Korea Journal", "International Security",
            "North Korean Review", "Pacific Affairs", "The Washington Quarterly", "Survival",
            "Bulletin of the Atomic Scientists", "Journal of East Asian Studies", "Asia Policy"]
SITES = ["38 North", "NK News", "Daily NK", "NK Pro", "Beyond Parallel", "War on the Rocks", "The Diplomat",
         "Arms Control Wonk", "Sino-NK", "KCNA Watch"]
PUBLISHERS = [("Oxford University Press", "Oxford"), ("Columbia University Press", "New York"),
              ("Brookings Institution Press", "Washington, DC"), ("Routledge", "London"),
              ("Stanford University Press", "Stanford"), ("Cornell University Press", "Ithaca"),
              ("Hurst", "London"), ("Seoul National University Press", "Seoul")]
INSTITUTIONS = ["RAND Corporation", "Korea Institute for National Unification", "Stimson Center",
                "International Institute for Strategic Studies", "Korea Development Institute",
                "Peterson Institute for International Economics", "Asan Institute for Policy Studies"]
TITLE_HEADS = ["Markets and Manipulation", "The Long Game", "Sanctions and Survival", "Guns and Butter",
               "Reform without Opening", "Missiles in the Mountains", "The Hermit Economy", "Party and Army",
               "Rockets and Rice", "Succession Politics", "Trading with the Enemy", "Coal, Crabs and Cash",
               "A Nuclear Bargain", "The Kim Dynasty", "Smuggling at the Border", "Between Moscow and Beijing"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
# the Korean grammar: subject (은/는/이/가 added), object (을/를 added), verb; places and clauses
KO_SUBJECTS = ["노동당 중앙위원회", "내각", "관영 매체", "조선인민군", "지방 간부", "외무성", "김정은 위원장",
               "최고인민회의", "서울의 분석가", "상업 위성사진", "중국 세관 자료", "로동신문", "탈북민", "정치국",
               "군수공업부", "국가계획위원회", "지방 시장", "러시아 당국", "제2경제위원회", "해군", "무역회사",
               "중앙은행", "일본 정부", "유엔 안보리"]
KO_OBJECTS = ["새 5개년 계획", "곡물 수매 목표", "정찰위성 발사", "러시아와의 국경 무역", "살림집 5만 세대 건설",
              "고체연료 엔진 시험", "공장 전력 공급", "쌀과 옥수수 가격", "새 군수 기업소", "시장의 역할",
              "해군 구축함", "비료 수입", "지방 발전 정책", "석탄과 철광석 수출", "극초음속 활공체",
              "반동사상문화배격법", "어획량", "원화 환율", "원산갈마 관광", "러시아와의 정상회담", "내각 개편",
              "사이버 작전", "압록강 밀수", "2026년 예산"]
KO_VERBS = ["발표했다", "보도했다", "설명했다", "지시했다", "축소했다", "확대했다", "수정했다", "의문을 제기했다",
            "강조했다", "시사했다", "연기했다", "확인했다", "비판했다", "시찰했다", "승인했다", "누락했다", "올렸다",
            "삭감했다", "시험했다", "재개했다", "중단했다", "칭찬했다", "부인했다", "암시했다"]
KO_PLACES = ["평양", "신의주", "라선", "원산", "함흥", "청진", "남포", "개성", "혜산", "서해", "동창리", "영변",
             "김책", "사리원", "해주", "무산", "단둥", "블라디보스토크", "하산", "베이징", "서울", "모스크바"]
KO_CLAUSES = ["{month}월 전원회의 뒤에", "{source}에 따르면", "{year}년 이후 처음으로", "제재에도 불구하고",
              "{place} 연설에서", "{place} 현지 시찰 중에", "날짜를 밝히지 않은 채", "당대회를 두 주 앞두고",
              "물가가 {pct}퍼센트 오르는 가운데", "이례적으로 실패를 인정하며", "{pages}쪽 분량의 보고서에서"]
KO_OPENERS = ["{year}년 {month}월, ", "{year}년 이후 ", "대부분의 평가로는 ", "주목할 점은 ", "동시에 ", "{place}에서 ",
              "올해 초 ", "", "", "", ""]
KO_SOURCES = ["로동신문", "조선중앙통신", "NK뉴스 보도", "국가정보원", "유엔 전문가 패널"]


def _final_consonant(word: str) -> bool:
    """Whether a word's last syllable ends in a consonant (받침): 은/이/을 after it, 는/가/를 otherwise."""
    last = word[-1]
    return "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


class Writer:
    """English-like prose from a small grammar."""

    def __init__(self, rng: random.Random, plain: bool = False):
        self.rng = rng
        self.plain = plain  # no Markdown: summaries, bios, captions, descriptions

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(month=r.choice(MONTHS), year=r.randint(1994, 2025), place=r.choice(PLACES),
                               source=r.choice(["the Rodong Sinmun", "KCNA", "a report in NK News",
                                                "South Korean intelligence", "a UN panel"]),
                               pct=r.randint(3, 180), subject=r.choice(SUBJECTS), object=r.choice(OBJECTS),
                               pages=r.randint(4, 90))

    def sentence(self) -> str:
        r = self.rng
        obj = r.choice(OBJECTS)
        if self.plain:
            pass
        elif r.random() < 0.12:
            obj = f"*{obj}*"
        elif r.random() < 0.08:
            obj = f"“{obj}”"
        elif r.random() < 0.05:
            obj = f"[{obj}](https://example.org/{slugify(obj)}/)"
        text = self.fill(r.choice(OPENERS)) + f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {obj}"
        for _ in range(r.choice((0, 0, 1, 1, 2))):
            text += " " + self.fill(r.choice(CLAUSES))
        return text[0].upper() + text[1:] + "."

    def paragraph(self, low: int = 2, high: int = 7) -> list[str]:
        return [self.sentence() for _ in range(self.rng.randint(low, high))]

    def words(self, count: int) -> str:
        sentences = []
        while sum(len(s.split()) for s in sentences) < count:
            sentences.append(self.sentence())
        return " ".join(sentences)

    def heading(self) -> str:
        heading = self.fill(self.rng.choice(OBJECTS))
        return heading[0].upper() + heading[1:]

    def title(self) -> str:
        r = self.rng
        title = self.fill(f"{r.choice(SUBJECTS)} {r.choice(VERBS)} {r.choice(OBJECTS)}")
        return title[0].upper() + title[1:]

    def alt(self) -> str:
        return self.fill("A view of {place}.")


class KoreanWriter(Writer):
    """Korean prose from a small grammar of the same kind: subject, clause, object, verb."""

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(month=r.randint(1, 12), year=r.randint(1994, 2025), place=r.choice(KO_PLACES),
                               source=r.choice(KO_SOURCES), pct=r.randint(3, 180), pages=r.randint(4, 90))

    def sentence(self) -> str:
        r = self.rng
        subject, obj = r.choice(KO_SUBJECTS), r.choice(KO_OBJECTS)
        subject += r.choice(["은", "이"] if _final_consonant(subject) else ["는", "가"])
        obj += "을" if _final_consonant(obj) else "를"
        if not self.plain and r.random() < 0.12:
            obj = f"*{obj}*"
        clauses = " ".join(self.fill(r.choice(KO_CLAUSES)) for _ in range(r.choice((0, 0, 1, 1, 2))))
        parts = [self.fill(r.choice(KO_OPENERS)) + subject, clauses, obj, r.choice(KO_VERBS)]
        return " ".join(part for part in parts if part) + "."

    def heading(self) -> str:
        return self.rng.choice(KO_OBJECTS)

    def title(self) -> str:
        r = self.rng
        subject = r.choice(KO_SUBJECTS)
        subject += "은" if _final_consonant(subject) else "는"
        obj = r.choice(KO_OBJECTS)
        return f"{subject} {obj}{'을' if _final_consonant(obj) else '를'} {r.choice(KO_VERBS)}"

    def alt(self) -> str:
        return self.fill("{place}의 전경.")


def make_bib(rng: random.Random) -> list[BibItem]:
    items, keys = [], set()
    for i in range(rng.randint(800, 1500)):
        kind = rng.choices(["article", "online", "book", "report"], weights=[35, 30, 15, 20])[0]
        if rng.random() < 0.1:
            people = [(name, name) for name in [rng.choice(CORPORATE)]]
            author = "{" + people[0][0] + "}"
        else:
            people = [(rng.choice(SURNAMES), rng.choice(GIVEN)) for _ in range(rng.choices([1, 2, 3, 4, 6],
                                                                                            [50, 25, 12, 8, 5])[0])]
            author = " and ".join(f"{last}, {first}" for last, first in people)
        title = rng.choice(TITLE_HEADS)
        if rng.random() < 0.7:
            subtitle = Writer(rng).fill(rng.choice(OBJECTS) + " " + rng.choice(CLAUSES))
            title += ": " + subtitle[0].upper() + subtitle[1:]
        year = rng.randint(1990, 2025)
        date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() < 0.6 else str(year)
        base = (slugify(people[0][0]).split("-")[0] or "anon") + str(year) + slugify(title).split("-")[0]
        key, n = base, 1
        while key in keys:
            n += 1
            key = f"{base}{chr(96 + n) if n < 27 else n}"
        keys.add(key)
        fields = {"author": author, "title": title, "date": date}
        if kind == "article":
            first_page = rng.randint(1, 400)
            fields |= {"journaltitle": rng.choice(JOURNALS), "volume": str(rng.randint(1, 80)),
                       "number": str(rng.randint(1, 4)), "pages": f"{first_page}--{first_page + rng.randint(8, 40)}"}
            if rng.random() < 0.6:
                fields["doi"] = f"10.{rng.randint(1000, 9999)}/{slugify(title)[:20]}.{i}"
        elif kind == "online":
            site = rng.choice(SITES)
            fields |= {"organization": site, "url": f"https://www.{slugify(site)}.example/{year}/{slugify(title)[:40]}/",
                       "urldate": "2025-11-02"}
        elif kind == "book":
            publisher, location = rng.choice(PUBLISHERS)
            fields |= {"publisher": publisher, "location": location}
            if rng.random() < 0.2:
                fields["edition"] = str(rng.randint(2, 4))
        else:
            fields |= {"institution": rng.choice(INSTITUTIONS), "type": "Report",
                       "number": f"{rng.choice(['RR', 'WP', 'PB'])}-{rng.randint(100, 9999)}"}
            if rng.random() < 0.5:
                fields["url"] = f"https://reports.example.org/{key}.pdf"
        items.append(BibItem(key, kind, fields))
    return items


def make_registries(rng: random.Random) -> tuple[str, str, str, dict, dict, list[str], list[str], dict]:
    authors, names, photos = {}, {}, {}
    for _ in range(rng.randint(250, 400)):
        name = f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}"
        key, n = slugify(name), 1
        while key in authors:
            n += 1
            key = f"{slugify(name)}-{n}"
        names[key] = name
        role = rng.choice(["Analyst", "Senior Fellow", "Editor", "Contributor", "Research Associate", "Visitor"])
        entry = [f"  name: {quoted(name)}", f"  role: {quoted(role)}"]
        if rng.random() < 0.8:
            entry.append(f"  bio: {quoted(Writer(rng, plain=True).words(rng.randint(15, 60)))}")
        if rng.random() < 0.3:
            entry.append(f"  url: https://people.example.org/{key}/")
        if len(photos) < 24 and rng.random() < 0.1:
            width = rng.choice([160, 240, 400, 512])
            data, ext = picture(width, int(width * rng.choice([1.0, 1.25])), len(photos), jpeg=True)
            photos[f"images/authors/{key}.{ext}"] = data
            entry.append(f"  photo: images/authors/{key}.{ext}")
        authors[key] = entry
    authors_yml = "# Authors of corpus B\n" + "".join(f"{k}:\n" + "\n".join(v) + "\n" for k, v in authors.items())
    series, labels = [], {}
    for i in range(rng.randint(6, 9)):
        label = ["Analysis", "Quick Take", "News", "Satellite Imagery", "Interview", "Data", "In Brief",
                 "Commentary", "Explainer"][i]
        key = slugify(label)
        labels[key] = label
        text = f"{key}:\n  label: {quoted(label)}\n  description: {quoted(Writer(rng, plain=True).words(12))}\n"
        if rng.random() < 0.3:
            disclaimer = "The views expressed are the authors’ own. " + Writer(rng, plain=True).words(10)
            text += f"  disclaimer: {quoted(disclaimer)}\n"
        series.append(text)
    topics = rng.sample(TOPIC_WORDS, rng.randint(30, min(60, len(TOPIC_WORDS))))
    defined = topics[: int(len(topics) * 0.85)]  # the others are used without a registry entry
    topics_yml = "".join(f"{t}:\n  label: {quoted(t.replace('-', ' ').title())}\n"
                         + (f"  description: {quoted(Writer(rng, plain=True).words(10))}\n"
                            if rng.random() < 0.5 else "") for t in defined)
    return authors_yml, "".join(series), topics_yml, names, labels, list(authors), topics, photos


def make_images(rng: random.Random, count: int) -> dict[str, bytes]:
    sizes = [(240, 160), (320, 240), (480, 320), (640, 480), (800, 533), (1024, 683), (1200, 675), (1280, 960),
             (1600, 900), (1080, 1350), (1920, 1080), (2400, 1350), (3000, 2000), (600, 600)]
    images = {}
    for i in range(count):
        width, height = sizes[i % len(sizes)] if i < len(sizes) else rng.choice(sizes)
        data, ext = picture(width, height, i, jpeg=i % 2 == 1)
        images[f"images/photo-{i:03d}-{width}x{height}.{ext}"] = data
    return images


def citation(rng: random.Random, keys: list[str]) -> str:
    kind = rng.random()
    key = rng.choice(keys)
    if kind < 0.35:
        return f"[@{key}]"
    if kind < 0.6:
        return f"[@{key}, {rng.randint(1, 400)}]"
    if kind < 0.72:
        first = rng.randint(1, 300)
        return f"[@{key}, pp. {first}–{first + rng.randint(1, 9)}]"
    if kind < 0.85:
        return f"[see @{key}, {rng.randint(1, 90)}]"
    others = rng.sample(keys, rng.randint(1, 2))
    return "[" + "; ".join([f"@{key}"] + [f"{'and ' if i else ''}@{k}" for i, k in enumerate(others)]) + "]"


KOREAN_EVERY = 10  # brief i is in Korean when i % KOREAN_EVERY == KOREAN_EVERY - 1


def make_brief(i: int, count: int, rng: random.Random, keys: list[str], reg: dict, images: list[str],
               previous: list[str]) -> Brief:
    korean = i % KOREAN_EVERY == KOREAN_EVERY - 1
    kind = KoreanWriter if korean else Writer
    w, plain = kind(rng), kind(rng, plain=True)
    words = rng.choice([150, 300, 500, 800, 800, 1200, 1200, 1800, 2500, 4000])
    blocks: list[list[str] | str] = []  # a paragraph is a list of sentences; other blocks are strings
    total = 0
    while total < words:
        roll = rng.random()
        if blocks and roll < 0.06 and words > 600:
            blocks.append("## " + w.heading())
        elif blocks and roll < 0.10:
            blocks.append("\n".join(f"- {w.sentence()}" for _ in range(rng.randint(2, 5))))
        elif blocks and roll < 0.13:
            blocks.append("> " + w.sentence())
        else:
            paragraph = w.paragraph()
            total += sum(len(s.split()) for s in paragraph)
            blocks.append(paragraph)
    if not isinstance(blocks[-1], list):
        blocks.append(w.paragraph(2, 3))  # the body ends with a paragraph (an edit appends to it)
    paragraphs = [b for b in blocks if isinstance(b, list)]
    total_notes = rng.choices(range(2, 16), weights=[8, 10, 12, 12, 10, 9, 8, 7, 6, 5, 4, 3, 3, 3])[0]
    prose = rng.randint(1, max(1, total_notes - 1))
    notes: dict[str, str] = {}
    markers = []
    for n in range(prose):
        label = rng.choice(["n", "src", "kcna", "fn", "note", "data"]) + f"{n + 1}"
        length = rng.random()
        if length < 0.2:  # a long note, several paragraphs
            text = "\n\n".join(w.words(rng.randint(60, 150)) for _ in range(rng.randint(2, 4)))
        elif length < 0.6:
            text = w.words(rng.randint(15, 45))
        else:
            text = w.sentence()
        if rng.random() < 0.6:
            text = text.rstrip(".") + (f" {citation(rng, keys)}." if korean
                                       else f", as described in {citation(rng, keys)}.")
        notes[label] = text
        markers.append(f"[^{label}]")
    markers += [citation(rng, keys) for _ in range(total_notes - prose)]
    rng.shuffle(markers)
    for marker in markers:
        paragraph = rng.choice(paragraphs)
        j = rng.randrange(len(paragraph))
        paragraph[j] += marker
    body = "\n\n".join(" ".join(b) if isinstance(b, list) else b for b in blocks)
    year = 2008 + i * 18 // max(count, 1)
    date = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
    title = w.title()
    slug = f"{slugify(title)[:60].strip('-') or 'hangul'}-{i}"
    image = None
    if images and rng.random() < 0.6:
        image = {"file": rng.choice(images), "alt": w.alt(),
                 "caption": plain.sentence() if rng.random() < 0.7 else "",
                 "credit": rng.choice(["KCNA", "Planet Labs", "Maxar", "Airbus", "NK News", "The author"])}
    return Brief(
        date=date.isoformat(), slug=slug, title=title, series=rng.choice(list(reg["series"])),
        authors=rng.sample(reg["authors"], rng.choices([1, 2, 3], weights=[65, 25, 10])[0]),
        topics=rng.sample(reg["topics"], rng.randint(1, 5)), summary=plain.words(rng.randint(15, 40)),
        body=body, notes=notes, image=image,
        takeaways=[w.sentence() for _ in range(rng.randint(2, 5))] if rng.random() < 0.25 else [],
        updated=(date + dt.timedelta(days=rng.randint(1, 20))).isoformat() if rng.random() < 0.1 else None,
        related=rng.sample(previous, min(len(previous), rng.randint(1, 3))) if previous and rng.random() < 0.15
        else [], lang="ko" if korean else "en")


def make_corpus(count: int, seed: int = 14) -> Corpus:
    rng = random.Random(seed * 1_000_003 + count)
    bib = make_bib(random.Random(seed))
    authors_yml, series_yml, topics_yml, names, labels, authors, topics, photos = make_registries(
        random.Random(seed + 1))
    pictures = make_images(random.Random(seed + 2), min(max(count // 8, 14), 120))
    reg = {"series": labels, "authors": authors, "topics": topics}
    keys = [item.key for item in bib]
    briefs: list[Brief] = []
    for i in range(count):
        briefs.append(make_brief(i, count, rng, keys, reg, list(pictures), [b.slug for b in briefs[-50:]]))
    briefs.sort(key=lambda b: (b.date, b.slug))
    return Corpus("B", briefs, bib, authors_yml, series_yml, topics_yml, names, labels, {**pictures, **photos})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--briefs", type=int, default=200)
    args = parser.parse_args()
    corpus = make_corpus(args.briefs)
    BriefkitProject(args.dest, corpus).write()
    print(corpus.describe())


if __name__ == "__main__":
    main()
