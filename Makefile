# `make site`, `make test`, `make serve` set everything up on a fresh machine, then do the job.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: site test serve check bench bench-large lint clean browser pdftools bench-hostile

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .  # the engine, and the briefkit command
	touch $(STAMP)

# npm packages (package.json, package-lock.json): the editor at /admin/ (decap-cms, js-yaml; `cms: true` in
# mkdocs.yml), its local backend in the preview (decap-server), and axe-core for the browser tests
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The browser tests drive Debian's chromium: installed here when missing and we are root
# (otherwise the tests say what to install).
browser:
	@command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	    else echo "chromium is missing: install Debian's chromium package for the browser tests" >&2; fi; }

# The PDF tests check files with Debian's qpdf (`qpdf --check`) and look at pages rendered by
# pdftoppm (poppler-utils): installed here when missing and we are root.
pdftools:
	@missing=""; command -v qpdf >/dev/null 2>&1 || missing="$$missing qpdf"; \
	  command -v pdftoppm >/dev/null 2>&1 || missing="$$missing poppler-utils"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	    else echo "missing for the PDF tests:$$missing (Debian packages)" >&2; fi; fi

site: $(STAMP) node_modules/.installed
	$(PY) build.py

test: $(STAMP) node_modules/.installed browser pdftools
	$(PY) -m ruff check .
	$(PY) -m pytest

serve: $(STAMP) node_modules/.installed
	$(PY) build.py serve

check: $(STAMP) node_modules/.installed
	$(PY) build.py check

bench: $(STAMP)
	$(PY) benchmarks/run.py
	$(PY) benchmarks/citations.py
	$(PY) benchmarks/pdfs.py
	$(PY) benchmarks/hostile.py
	$(PY) benchmarks/wp_import.py

# 100, 1,000 and 10,000 briefs in one run, with a profile of the 10,000 cold build (about 45 minutes)
bench-large: $(STAMP)
	$(PY) benchmarks/run.py --sizes 100 1000 --large --repeat 2 --profile

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf site .build .cache .site-tmp-* .site-old-* test-artifacts

# Hostile inputs under the 2 MB file limit (1 MB bodies, 20,000 notes, a PNG bomb, SVG scripts, …) and the
# worst briefs within the limits of briefkit/limits.py: each must end in seconds, refused or built (a few minutes)
bench-hostile: $(STAMP)
	$(PY) benchmarks/hostile.py
