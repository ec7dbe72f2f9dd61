"""evcat core: the catalog model, the scan pipeline, the store and the batch CLI."""

from __future__ import annotations

__version__ = "0.2.0"
