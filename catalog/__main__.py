"""``python -m catalog``: the evcat command line."""

from __future__ import annotations

from catalog.cli import main

if __name__ == "__main__":
    main()
