"""Test-only builders of synthetic DVR disks with real video payloads and ground truth.

The builders write every structure from ``shared/reference/dvr-formats.md`` directly and
never import the parsers under test (only ``parsers.dvr.model`` constants and
``timeutil.pack_dhfs``), so a parser bug cannot hide in a shared helper.
"""

from __future__ import annotations

from tests.dvrsynth.dahua import build_dhfs_disk
from tests.dvrsynth.hikvision import build_hikvision_disk
from tests.dvrsynth.truth import ExpectedSegment, SynthDisk
from tests.dvrsynth.unindexed import build_unindexed_disk
from tests.dvrsynth.wfs import build_wfs_disk

__all__ = [
    "ExpectedSegment",
    "SynthDisk",
    "build_dhfs_disk",
    "build_hikvision_disk",
    "build_unindexed_disk",
    "build_wfs_disk",
]
