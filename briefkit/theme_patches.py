"""Fixes to Material for MkDocs' JavaScript, applied to its copy in the built site.

Material treats every `<link rel="alternate">` as a language version of the site and fetches the
`sitemap.xml` next to it. Feed autodiscovery links are alternates too, so every page asked for
`series/<slug>/sitemap.xml` (a 404) and, with an absolute `site_url`, for a sitemap on the
production host (an error on any other host). The upstream report (zensical/zensical#908) proposes
the fix applied here: only links with `hreflang` name language versions. Material is pinned; a new
version that no longer contains the code stops the build, so the fix is checked, not forgotten.
"""

from __future__ import annotations

from pathlib import Path

# (the original, what an earlier briefkit made of it, the fix). A brief's own translations are
# `hreflang` alternates too (briefkit/metadata.py); they are pages, not language versions of the
# site with a sitemap of their own, and carry `data-translation` so that Material leaves them alone.
PATCHES = [(b'M("link[rel=alternate]")', b'M("link[rel=alternate][hreflang]")',
            b'M("link[rel=alternate][hreflang]:not([data-translation])")')]


class ThemePatchError(Exception):
    """The theme's code is not what the patches expect (after a theme upgrade)."""


def patch_material_bundle(site_dir: Path) -> Path:
    """Apply PATCHES to the built site's Material bundle, once; return the bundle's path."""
    bundles = sorted((site_dir / "assets" / "javascripts").glob("bundle.*.min.js"))
    if len(bundles) != 1:
        raise ThemePatchError(f"expected one Material bundle in {site_dir}/assets/javascripts, found {len(bundles)}")
    bundle = bundles[0]
    code = original = bundle.read_bytes()
    for old, earlier, new in PATCHES:
        if code.count(new) == 1:
            continue  # an unchanged copy from an earlier build (mkdocs serve copies only newer files)
        if code.count(earlier) == 1:
            old = earlier
        elif code.count(old) != 1:
            raise ThemePatchError(f"{bundle.name} does not contain {old.decode()} once: "
                                  "Material changed, review briefkit/theme_patches.py")
        code = code.replace(old, new)
    if code != original:
        partial = bundle.with_name(f".{bundle.name}.tmp")
        partial.write_bytes(code)
        partial.replace(bundle)  # replaced, not written in place: it may be a hard link to the published site
    return bundle
