"""The case's notable files as a hashdeep set: one raid's findings, the next raid's list.

Notable means tagged by an examiner, holding a finding (a call script, a pop-up, a contact
list, an identifier) or matched by a known-bad set. Each distinct content is written once
(``size,md5,sha256,filename``), in a stable order, under hashdeep's header; comment lines
name the case and the custody head, which ``evcat hashset import`` skips.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, BinaryIO

from catalog.csvsafe import clean_text, escape_controls
from catalog.exports.base import ExportStats
from catalog.store.reads import notable_file_records

if TYPE_CHECKING:
    from sqlite_utils import Database

    from catalog.exports.base import ExportSnapshot


def write_hashdeep(db: Database, handle: BinaryIO, snapshot: ExportSnapshot) -> ExportStats:
    """Write the notable files (see the module docstring)."""
    stats = ExportStats()
    lines = [
        "%%%% HASHDEEP-1.0",
        "%%%% size,md5,sha256,filename",
        f"## evcat notable files of case {clean_text(str(snapshot.case.get('case_id', '')))}",
        f"## custody head {snapshot.record_head} (entry {snapshot.record_seq})",
        f"## written by {snapshot.tool_version}",
    ]
    handle.write(("\n".join(lines) + "\n").encode())
    for record in notable_file_records(db):
        name = escape_controls(clean_text(f"{record['exhibit']}:{record['path']}"))
        name = name.replace(",", "%2C").replace("\n", " ")
        handle.write(f"{record['size']},{record['md5']},{record['sha256']},{name}\n".encode())
        stats.rows += 1
    return stats
