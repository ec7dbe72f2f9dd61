"""Safe output names for exported segments, whatever the evidence or exhibit id says."""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
MAX_PART = 48

EXTENSIONS = {
    "mpeg-ps": ".ps",
    "dhav": ".dav",
    "h264-annexb": ".h264",
    "h265-annexb": ".h265",
    "jpeg": ".jpg",
}


def safe_part(text: str) -> str:
    """``text`` reduced to letters, digits, ``.``, ``_`` and ``-``; never empty or hidden."""
    part = _UNSAFE.sub("_", text).strip("._")[:MAX_PART]
    return part or "x"


def segment_stem(exhibit: str, channel: int | None, start: str | None, segment_id: str) -> str:
    """``<exhibit>_ch<NN>_<start>_<id hash>``: sortable, unique per segment, safe.

    The short hash of the segment id keeps two segments apart even when their other
    parts reduce to the same text.
    """
    channel_part = f"ch{channel:02d}" if channel is not None else "ch--"
    start_part = safe_part((start or "notime").replace(":", "").replace("-", ""))
    digest = hashlib.sha256(segment_id.encode("utf-8", "surrogateescape")).hexdigest()[:12]
    return f"{safe_part(exhibit)}_{channel_part}_{start_part}_{digest}"
