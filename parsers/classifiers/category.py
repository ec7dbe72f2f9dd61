"""Category and extension/signature mismatch from the MIME type libmagic reports.

A mismatch is flagged only when the extension is one we know *and* the content has a
definite type that the extension does not allow; an empty file or unidentifiable data
never counts as a mismatch, so a ``.docx`` that libmagic calls ``application/zip`` is fine
but a ``.pdf`` that is really a PNG is not.
"""

from __future__ import annotations

_EXACT: dict[str, str] = {
    "application/pdf": "document",
    "application/msword": "document",
    "application/rtf": "document",
    "text/rtf": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.oasis.opendocument.text": "document",
    "application/epub+zip": "document",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "text/csv": "spreadsheet",
    "application/vnd.ms-powerpoint": "presentation",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "presentation",
    "text/html": "web page",
    "application/xhtml+xml": "web page",
    "message/rfc822": "email",
    "application/vnd.ms-outlook": "email",
    "application/vnd.sqlite3": "database",
    "application/x-sqlite3": "database",
    "application/x-dosexec": "executable",
    "application/x-executable": "executable",
    "application/x-sharedlib": "executable",
    "application/x-pie-executable": "executable",
    "application/x-mach-binary": "executable",
    "application/vnd.microsoft.portable-executable": "executable",
    "application/x-msi": "executable",
    "application/javascript": "script",
    "text/javascript": "script",
    "text/x-shellscript": "script",
    "text/x-python": "script",
    "text/x-script.python": "script",
    "text/x-perl": "script",
    "text/x-php": "script",
    "text/x-msdos-batch": "script",
    "application/x-bat": "script",
}
_ARCHIVES = {
    "application/zip",
    "application/gzip",
    "application/x-tar",
    "application/x-7z-compressed",
    "application/x-rar",
    "application/vnd.rar",
    "application/x-bzip2",
    "application/x-xz",
    "application/x-lzma",
    "application/zstd",
    "application/x-iso9660-image",
    "application/vnd.ms-cab-compressed",
    "application/x-cpio",
}
_PREFIXES = (("image/", "image"), ("video/", "video"), ("audio/", "audio"), ("text/", "text"))

_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "pdf": ("application/pdf",),
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "png": ("image/png",),
    "gif": ("image/gif",),
    "bmp": ("image/bmp", "image/x-ms-bmp"),
    "tif": ("image/tiff",),
    "tiff": ("image/tiff",),
    "webp": ("image/webp",),
    "zip": ("application/zip",),
    "gz": ("application/gzip", "application/x-gzip"),
    "7z": ("application/x-7z-compressed",),
    "rar": ("application/x-rar", "application/vnd.rar"),
    "exe": ("application/x-dosexec", "application/vnd.microsoft.portable-executable"),
    "dll": ("application/x-dosexec", "application/vnd.microsoft.portable-executable"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/zip",
    ),
    "xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/zip",
    ),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/zip",
    ),
    "doc": ("application/msword", "application/x-ole-storage", "application/CDFV2"),
    "xls": ("application/vnd.ms-excel", "application/x-ole-storage", "application/CDFV2"),
    "mp4": ("video/mp4",),
    "mp3": ("audio/mpeg",),
    "wav": ("audio/x-wav", "audio/wav"),
    "sqlite": ("application/vnd.sqlite3", "application/x-sqlite3"),
    "db": ("application/vnd.sqlite3", "application/x-sqlite3"),
    "txt": ("text/",),
    "csv": ("text/", "application/csv"),
    "html": ("text/",),
    "htm": ("text/",),
}
_INDEFINITE = {"application/octet-stream", "inode/x-empty", "application/x-empty"}


def category_for(mime: str | None) -> str:
    """The evcat category of a MIME type (``other`` when unknown)."""
    if not mime:
        return "other"
    if mime in _EXACT:
        return _EXACT[mime]
    if mime in _ARCHIVES:
        return "archive"
    for prefix, category in _PREFIXES:
        if mime.startswith(prefix):
            return category
    return "other"


def extension_of(name: str) -> str:
    """The lower-case extension of a file name without the dot ('' when none).

    For an NTFS alternate stream, pass the stream's own name (see ``content_name``).
    """
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem.strip(".") or not extension:
        return ""
    return extension.lower()


def is_extension_mismatch(name: str, mime: str | None) -> bool:
    """Whether the name's extension contradicts a definite content type."""
    allowed = _EXTENSIONS.get(extension_of(name))
    if allowed is None or not mime or mime in _INDEFINITE:
        return False
    return not any(mime == a or (a.endswith("/") and mime.startswith(a)) for a in allowed)
