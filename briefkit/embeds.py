"""Embeds editors need (Datawrapper and Flourish charts, YouTube videos), as a figure type: a figure
with `embed:` instead of `file:`. Only these addresses are accepted, each turned into the address of
its embeddable page (YouTube's without cookies); every other iframe is still removed by the sanitizer.
"""

from __future__ import annotations

import re

# (name, pattern of the address an editor pastes, the iframe's address made of its groups)
PROVIDERS = [
    ("Datawrapper", re.compile(r"https://(?:datawrapper\.dwcdn\.net|dwcdn\.net)/(?P<id>[A-Za-z0-9]{5})(?:/(?P<v>\d+))?/?"),
     lambda m: f"https://datawrapper.dwcdn.net/{m['id']}/{m['v'] or 1}/"),
    ("Flourish", re.compile(r"https://(?:public\.)?flo(?:urish\.studio|\.uri\.sh)/(?P<kind>visualisation|story)/"
                            r"(?P<id>\d+)(?:/embed)?/?"),
     lambda m: f"https://flo.uri.sh/{m['kind']}/{m['id']}/embed"),
    ("YouTube", re.compile(r"https://(?:www\.)?(?:youtube\.com/watch\?v=|youtu\.be/|youtube(?:-nocookie)?\.com/embed/)"
                           r"(?P<id>[A-Za-z0-9_-]{11})(?:[?&#].*)?"),
     lambda m: f"https://www.youtube-nocookie.com/embed/{m['id']}"),
]
HOSTS = ("https://datawrapper.dwcdn.net/", "https://flo.uri.sh/", "https://www.youtube-nocookie.com/embed/")
HINT = ("embeds come from Datawrapper (https://datawrapper.dwcdn.net/…), Flourish "
        "(https://public.flourish.studio/visualisation/…) or YouTube (https://www.youtube.com/watch?v=…)")


def embed_address(url: str) -> tuple[str, str] | None:
    """(provider, the iframe's address) of an address on the allow-list, or None."""
    for name, pattern, make in PROVIDERS:
        match = pattern.fullmatch(url.strip())
        if match:
            return name, make(match)
    return None


def allowed_frame(src: str) -> bool:
    """Whether an iframe's address is one embed_address makes (what the sanitizer keeps)."""
    return src.startswith(HOSTS) and embed_address(src) is not None
