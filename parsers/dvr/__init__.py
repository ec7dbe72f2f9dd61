"""CCTV DVR/NVR disks: proprietary index formats, their video containers and carving.

The Sleuth Kit sees no file system on a DVR disk. These parsers read the recorders' own
indexes (Hikvision HIKBTREE, Dahua DHFS4.1, WFS0.4/0.5, the Hikvision SD-card
``index00.bin``) into recording segments, and carve MPEG-PS, DHAV, Annex-B and JPEG where no
index survives. The layouts come from ``shared/reference/dvr-formats.md``. Every parser reads
through a bounded :class:`parsers.dvr.disk.DiskBytes`, never a path.
"""

from __future__ import annotations
