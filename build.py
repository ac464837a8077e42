#!/usr/bin/env python3
"""Build the site of briefs: `python build.py [check|serve|new|pdf]` (see `python build.py --help`).

The same as the `briefkit` command the Makefile installs (`pip install -e .`).
"""

from briefkit.cli import entry

if __name__ == "__main__":
    entry()
