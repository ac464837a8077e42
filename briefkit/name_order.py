"""Names printed family name first, as East Asian names are (Choe Sang-Hun, Kim Jong Un; CMOS 8.14-17).

citeproc prints a name in Latin letters given name first ("Sang-Hun Choe") and ignores CSL's
`static-ordering`; a name written as one literal ("{Choe Sang-Hun}") keeps its order but then the
short note prints all of it where Chicago has the family name alone ("Choe, “Title.”").

Which names are family-first is marked once, by any of:
- `briefs/names.yml` (optional): `family_name_first: [Choe Sang-Hun, …]`, family name first as
  printed; it matches the name however the bibliography spells it (Zotero's two fields
  `Choe, Sang-Hun`, Better BibTeX's `family=Choe, given=Sang-Hun`, a single field `{Choe Sang-Hun}`);
- a name kept in one field (Zotero's single-field mode: `{Choe Sang-Hun}` in a .bib, `literal` in
  CSL-JSON) whose given name is a romanized Korean one (`Sang-Hun`, `Jae-in`: syllables joined by a
  hyphen), an organisation's name never having that shape;
- `"static-ordering": true` on a name in CSL-JSON (CSL's own mark).
Names written in Hangul or Chinese characters need none of this: citeproc already prints them family
name first, without a space (양문수).

A marked name reaches citeproc as private-use placeholders that it treats as a name in a non-Latin
script (family name first, given name glued on, the family name alone in short forms); the real
names are put back in the formatted notes. Styles that reduce given names to initials (APA, IEEE)
get the name as it is: they invert every name anyway ("Choe, S.-H.").

The same placeholders give an organisation its short name in short notes (biblatex's `shortauthor`):
“Korean Central News Agency, …” in the first note, “KCNA, …” in later ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Supplementary private-use plane A: three characters per marked name of a batch (the family name,
# and two for the given name: one character alone would be read as an initial and given a period).
_BASE = 0xF0000
_LAST = 0xFFFFD
# a romanized Korean given name: two syllables joined by a hyphen (Sang-Hun, Mun-su, Jae-in, Ch'ŏl-su)
_KOREAN_GIVEN = re.compile(r"[A-Z][a-zŏŭ'’]{0,6}-[A-Za-zŏŭ][a-zŏŭ'’]{0,6}")
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip().casefold()


def mark_family_first(items: dict[str, dict], listed: frozenset[str] = frozenset()) -> None:
    """Set `static-ordering` on every family-first name of `items` (split into family and given name
    where it was one field). `listed`: the names of names.yml, as given there."""
    wanted = {_norm(n) for n in listed}
    for item in items.values():
        for value in item.values():
            if isinstance(value, list) and value and all(isinstance(n, dict) for n in value):
                for name in value:
                    _mark(name, wanted)


def _mark(name: dict, wanted: set[str]) -> None:
    family, given = name.get("family"), name.get("given")
    whole = name.get("literal") or (family if not given else None)
    if isinstance(whole, str):
        words = whole.split()
        if len(words) >= 2 and (_norm(whole) in wanted or name.get("static-ordering") is True
                                or (len(words) == 2 and _KOREAN_GIVEN.fullmatch(words[1]))):
            name.pop("literal", None)
            name.update({"family": words[0], "given": " ".join(words[1:]), "static-ordering": True})
        return
    if isinstance(family, str) and isinstance(given, str) and _norm(f"{family} {given}") in wanted:
        name["static-ordering"] = True


@dataclass
class Placeholders:
    """The marked names of one citeproc run, as placeholders, and how to put the names back."""

    names: dict[str, str] = field(default_factory=dict)  # placeholder text → real text
    _seen: dict[str, str] = field(default_factory=dict)  # real text → placeholder text
    _next: int = _BASE

    def encode(self, item: dict) -> dict:
        """A copy of `item` whose family-first names (and organisations with a short name) are
        placeholders (the item itself if it has none)."""
        copy = None
        for variable, value in item.items():
            if not (isinstance(value, list) and any(_encoded(n) for n in value)):
                continue
            copy = copy or dict(item)
            copy[variable] = [self._name(n) if _encoded(n) == "family-first" else self._organisation(n)
                              if _encoded(n) else n for n in value]
        return copy or item

    def _name(self, name: dict) -> dict:
        # one placeholder per distinct family name and per given name: two works by one person are by
        # the same name for citeproc, and two people with one family name can be told apart by it
        family = self._placeholder(name["family"], 1)
        given = self._placeholder(" " + name["given"], 2)
        if family is None or given is None:
            return name  # more names than placeholders in one run: printed given name first
        rest = {k: v for k, v in name.items() if k not in ("family", "given", "static-ordering")}
        return rest | {"family": family, "given": given}

    def _organisation(self, name: dict) -> dict:
        """An organisation's name (`literal`) with its short form (biblatex's `shortauthor`): the long
        form of a name (family and given name glued) prints the whole name, its short form (the family
        name alone) the short one: “Korean Central News Agency, …” then “KCNA, …”."""
        short = self._placeholder(name["short"], 1, key=f"short\0{name['literal']}\0{name['short']}")
        rest = self._placeholder("", 2, key=f"rest\0{name['literal']}\0{name['short']}")
        if short is None or rest is None:
            return {"literal": name["literal"]}
        self.names[short + rest] = name["literal"]
        return {"family": short, "given": rest}

    def _placeholder(self, text: str, width: int, key: str | None = None) -> str | None:
        key = text if key is None else key
        if key not in self._seen:
            if self._next + width > _LAST:
                return None
            self._seen[key] = "".join(chr(self._next + i) for i in range(width))
            self._next += width
            self.names[self._seen[key]] = text
        return self._seen[key]

    def decode(self, value):
        """`value` (formatted notes as pandoc JSON) with the real names put back, in place."""
        if not self.names:
            return value
        pattern = re.compile("|".join(sorted(map(re.escape, self.names), key=len, reverse=True)))

        def walk(node):
            if isinstance(node, dict):
                if node.get("t") == "Str" and isinstance(node.get("c"), str):
                    node["c"] = pattern.sub(lambda m: self.names[m.group(0)], node["c"])
                else:
                    for child in node.values():
                        walk(child)
            elif isinstance(node, list):
                for child in node:
                    walk(child)

        walk(value)
        return value


def _encoded(name) -> str | None:
    """How a name is given to citeproc through placeholders, if it is."""
    if not isinstance(name, dict):
        return None
    if name.get("static-ordering") is True and name.get("family") and name.get("given"):
        return "family-first"
    if isinstance(name.get("literal"), str) and isinstance(name.get("short"), str) and name["short"].strip():
        return "short"
    return None


_LONG_NAME = re.compile(rb"<name\b[^>]*>")
_INFO = re.compile(rb"<info>.*?</info>", re.DOTALL)  # its <author><name> is the style's author


def style_initializes(csl: bytes) -> bool:
    """Whether a CSL style prints given names as initials somewhere it prints them at all."""
    if b"initialize-with" not in csl:
        return False
    for tag in _LONG_NAME.findall(_INFO.sub(b"", csl)):
        if b'form="short"' in tag or b'form="count"' in tag or b'initialize="false"' in tag:
            continue
        return True
    return False
