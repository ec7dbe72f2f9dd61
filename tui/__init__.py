"""evcat's Textual terminal UI (a thin front-end over ``catalog``)."""

from __future__ import annotations
