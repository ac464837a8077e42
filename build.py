#!/usr/bin/env python3
"""Build the site of briefs: `python build.py [check|serve|new]` (see `python build.py --help`)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from briefkit.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
