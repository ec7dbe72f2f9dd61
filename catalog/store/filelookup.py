"""Where one catalogued file's bytes are: its row, its file system and its evidence image.

The file-detail views read a file's content back from the evidence on demand. That needs
the file's address (inode, NTFS attribute, locator), the file system it lives in (offset,
type, how it was detected) and the path of the image, plus, for an archive member, the
same for every archive around it. This module answers that from the catalog alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from catalog.errors import CatalogError

if TYPE_CHECKING:
    from sqlite_utils import Database

MAX_NESTING = 32
"""Most archives around one member; a longer chain of parents means a damaged catalog."""

_LOCATION_SQL = """
SELECT f.file_id, f.evidence_id AS exhibit, f.path, f.name, f.type, f.size, f.locator,
       f.inode, f.meta_addr, f.attr_type, f.attr_id, f.is_allocated, f.is_virtual, f.is_ads,
       f.origin, f.parent_file_id, f.content_status, f.content_error, f.sha256, f.mime,
       fs.offset AS fs_offset, fs.fs_type, fs.detection, fs.block_size, fs.block_count,
       fs.volume_index, fs.label AS fs_label,
       coalesce(x.path, e.path) AS image_path
FROM files f
JOIN filesystems fs ON fs.fs_id = f.fs_id
JOIN evidence e ON e.evidence_id = f.evidence_id
LEFT JOIN exhibits x ON x.exhibit = f.evidence_id
WHERE f.file_id = ?
"""


def file_location(db: Database, file_id: str) -> dict[str, Any] | None:
    """The file's row with its file system's columns and its image's path, or None.

    ``image_path`` is the exhibit's registered path (absolute) when the exhibit was
    registered, else the path the evidence was scanned from. File system columns are
    prefixed ``fs_`` where the name would clash (``fs_offset``, ``fs_label``).
    """
    return next(db.query(_LOCATION_SQL, [file_id]), None)


def file_chain(db: Database, file_id: str) -> list[dict[str, Any]]:
    """``file_location`` of the file and of each archive around it, outermost first.

    A file of the file system gives a list of one; a member of ``/a.zip!/b.zip!/c.txt``
    gives the rows of ``/a.zip``, ``/a.zip!/b.zip`` and the member. An unknown id gives
    an empty list.

    Raises:
        CatalogError: a member's parent row is missing or the chain does not end.
    """
    chain: list[dict[str, Any]] = []
    wanted: str | None = file_id
    while wanted is not None:
        row = file_location(db, wanted)
        if row is None:
            if chain:
                raise CatalogError(f"file {file_id}: its archive's row {wanted} is missing")
            return []
        chain.append(row)
        if len(chain) > MAX_NESTING:
            raise CatalogError(f"file {file_id}: more than {MAX_NESTING} archives around it")
        wanted = row["parent_file_id"] if row["origin"] == "archive" else None
    chain.reverse()
    return chain
