r"""Which archive format a file is: signatures first, then name and MIME hints.

The first bytes decide when they carry a signature (``PK\\x03\\x04``, ``1f 8b``, a tar
header); the extension and the libmagic MIME type only decide when they do not, so a
``.zip`` that is really a gzip stream is read as gzip, and a ``.zip`` whose head is
damaged is still offered to the ZIP reader (which then says what is wrong with it).
Office Open XML and OpenDocument files are ZIPs that belong to the document extractors,
so ``is_document`` lets the ZIP reader decline them.
"""

from __future__ import annotations

_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08PK\x03\x04")
_GZIP_SIGNATURE = b"\x1f\x8b"
_TAR_BLOCK = 512
_EXTENSIONS = {
    "zip": frozenset(
        {".zip", ".zipx", ".jar", ".war", ".ear", ".apk", ".aab", ".xapk", ".ipa", ".xpi"}
        | {".epub", ".cbz", ".whl", ".nupkg", ".kmz"}
    ),
    "gzip": frozenset({".gz", ".tgz", ".gzip"}),
    "tar": frozenset({".tar"}),
}
_MIMES = {
    "zip": frozenset(
        {"application/zip", "application/x-zip", "application/x-zip-compressed"}
        | {"application/java-archive", "application/vnd.android.package-archive"}
        | {"application/epub+zip"}
    ),
    "gzip": frozenset({"application/gzip", "application/x-gzip"}),
    "tar": frozenset({"application/x-tar", "application/x-gtar", "application/x-ustar"}),
}
_DOCUMENT_EXTENSIONS = frozenset(
    {".docx", ".docm", ".dotx", ".dotm", ".xlsx", ".xlsm", ".xltx", ".xltm", ".xlam"}
    | {".pptx", ".pptm", ".potx", ".potm", ".ppsx", ".ppsm", ".vsdx"}
    | {".odt", ".ods", ".odp", ".odg", ".odf", ".ott", ".ots", ".otp"}
)
_DOCUMENT_MIME_PREFIXES = (
    "application/vnd.openxmlformats-officedocument.",
    "application/vnd.oasis.opendocument.",
    "application/vnd.ms-word.",
    "application/vnd.ms-excel.",
    "application/vnd.ms-powerpoint.",
)
_ODF_MIMETYPE_MEMBER = b"mimetypeapplication/vnd.oasis.opendocument."


def extension(name: str) -> str:
    """The lower-case extension of the last component of ``name`` (``""`` without one)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


def is_tar_header(head: bytes) -> bool:
    """Whether ``head`` starts with a tar header: ``ustar`` magic or a valid v7 checksum."""
    if len(head) < _TAR_BLOCK:
        return False
    if head[257:262] == b"ustar":
        return True
    field = head[148:156].split(b"\x00", 1)[0].strip(b" ")
    if not field or not all(0x30 <= byte <= 0x37 for byte in field) or head[0] == 0:
        return False
    block = head[:_TAR_BLOCK]
    unsigned = sum(block[:148]) + 8 * 0x20 + sum(block[156:])
    signed = unsigned - 256 * sum(1 for byte in block[:148] + block[156:] if byte > 0x7F)
    return int(field, 8) in (unsigned, signed)


def signature_kind(head: bytes) -> str | None:
    """``"zip"``, ``"gzip"`` or ``"tar"`` from the first bytes, or ``None``."""
    if head.startswith(_ZIP_SIGNATURES):
        return "zip"
    if head.startswith(_GZIP_SIGNATURE):
        return "gzip"
    if is_tar_header(head):
        return "tar"
    return None


def hint_kind(name: str, mime: str | None) -> str | None:
    """The archive format the extension or MIME type names, or ``None``."""
    suffix = extension(name)
    for kind in ("zip", "gzip", "tar"):
        if suffix in _EXTENSIONS[kind] or mime in _MIMES[kind]:
            return kind
    return None


def archive_kind(name: str, mime: str | None, head: bytes) -> str | None:
    """The archive format of a file: its signature, else its name or MIME hint."""
    return signature_kind(head) or hint_kind(name, mime)


def is_document(name: str, mime: str | None, head: bytes) -> bool:
    """Whether a ZIP-based file is an OOXML or OpenDocument document (name, MIME or head)."""
    if extension(name) in _DOCUMENT_EXTENSIONS:
        return True
    if mime is not None and mime.lower().startswith(_DOCUMENT_MIME_PREFIXES):
        return True
    return _ODF_MIMETYPE_MEMBER in head[30:128]
