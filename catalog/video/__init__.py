"""DVR disks in the catalog: recorder indexes as segment rows, carving, clocks and export."""

from __future__ import annotations
