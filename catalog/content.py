"""One read pass per file: the four hashes, the head buffer and the classification.

The stream is read once in bounded chunks; the first ``head_size`` bytes are kept for the
classifiers and nothing else is retained, so memory stays flat whatever the file size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from catalog.hashing import MultiHasher
from catalog.model import Classification, FileEntry, Hashes
from catalog.spool import SPOOL, Spool
from parsers.classifiers.category import category_for, is_extension_mismatch
from parsers.classifiers.exif import ExifClassifier
from parsers.classifiers.mime import MagicClassifier

if TYPE_CHECKING:
    from catalog.documents import DocumentResult
    from parsers.context import ParseContext
    from parsers.filesystem import ContentReader

_MAGIC = MagicClassifier()
_EXIF = ExifClassifier()


@dataclass(frozen=True, slots=True)
class ContentResult:
    """Hashes and classification of one entry, or why its content could not be read."""

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        """Pickle as constructor arguments (fast across worker processes)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))

    status: str
    """``ok``, ``partial`` (read stopped early), ``unreadable``, ``skipped`` (see error)
    or ``none`` (no content: directories, links, virtual entries)."""
    hashes: Hashes | None = None
    bytes_hashed: int = 0
    classification: Classification | None = None
    error: str | None = None
    document: DocumentResult | None = None
    """Text, findings and archive members, when text extraction ran on the file."""


def content_name(entry: FileEntry) -> str:
    """The name whose extension describes the content: an ADS's own name, else the file's."""
    return entry.name.rsplit(":", 1)[1] if entry.is_ads else entry.name


BAD_CLUSTER_NOTE = (
    "NTFS $BadClus:$Bad is a sparse placeholder as large as the volume; like TSK's icat,"
    " evcat reads no content from it"
)


def is_ntfs_bad_cluster_stream(entry: FileEntry) -> bool:
    """The ``$BadClus:$Bad`` stream (MFT entry 8), which TSK never returns content for."""
    return entry.is_ads and entry.meta_addr == NTFS_BADCLUS_ENTRY and entry.path == "/$BadClus:$Bad"


NTFS_BADCLUS_ENTRY = 8


def classify_head(
    name: str, head: bytes, head_digest: bytes | None = None
) -> tuple[Classification, ValueError | None]:
    """MIME, category, extension mismatch and EXIF of content starting with ``head``.

    Returns the classification and, when the EXIF block was malformed, the error.
    ``head_digest`` is the BLAKE3 of ``head`` when the caller already has it.
    """
    mime, description = _MAGIC.identify(head, head_digest)
    exif = None
    exif_error: ValueError | None = None
    if _EXIF.applies_to(mime):
        try:
            exif = _EXIF.extract(head)
        except ValueError as exc:
            exif_error = exc
    classification = Classification(
        mime=mime,
        description=description,
        category=category_for(mime),
        extension_mismatch=is_extension_mismatch(name, mime),
        exif=exif,
    )
    return classification, exif_error


def carved_text(classification: Classification, text_kind: str) -> Classification:
    """Text a carver found, whatever libmagic made of it (its description is kept)."""
    return Classification(
        mime=TEXT_MIME,
        description=f"{text_kind} text found by carving (libmagic: {classification.description})",
        category=category_for(TEXT_MIME),
    )


TEXT_MIME = "text/plain"


def classify(
    name: str, head: bytes, ctx: ParseContext, entry: FileEntry, head_digest: bytes | None = None
) -> Classification:
    """``classify_head`` for a file-system entry, reporting a malformed EXIF block to ``ctx``."""
    classification, exif_error = classify_head(name, head, head_digest)
    if exif_error is not None:
        ctx.problem(
            "classify", f"{entry.path}: {exif_error}", locator=entry.locator, exc=exif_error
        )
    return classification


def read_content(
    fs: ContentReader,
    entry: FileEntry,
    ctx: ParseContext,
    *,
    classify_content: bool = True,
    extract_text: bool = False,
    text_kind: str | None = None,
) -> ContentResult:
    """Hash, classify and (optionally) analyse one entry in a single streaming pass.

    A read error leaves no hashes (a digest of part of a file must never pass for the
    file's hash): status ``partial`` still classifies the head that was read,
    ``unreadable`` had nothing. The caller decides whether that is a problem row.
    ``text_kind`` says a carver found the bytes to be text in that encoding: when libmagic
    calls them something else (it has no test for UTF-16 without a byte-order mark), they
    are classified as text, so that extraction and detection read them.
    With ``extract_text``, a file that may hold text is copied into a bounded spool as it
    streams by, and analysed in the extraction sandbox once its hashes are done.
    """
    if not entry.has_content:
        return ContentResult(status="none")
    if is_ntfs_bad_cluster_stream(entry):
        return ContentResult(status="skipped", error=BAD_CLUSTER_NOTE)
    content_pass = _ContentPass(entry, ctx, classify_content, extract_text and classify_content)
    content_pass.text_kind = text_kind
    try:
        for chunk in fs.read_chunks(entry, ctx.limits.chunk_size):
            content_pass.feed(chunk)
    except OSError as exc:
        content_pass.error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    try:
        return content_pass.result()
    finally:
        content_pass.discard()


class _ContentPass:
    """The state of one file's read pass: hashes, head, early classification, spool."""

    def __init__(
        self, entry: FileEntry, ctx: ParseContext, classify_content: bool, extract_text: bool
    ) -> None:
        self.entry = entry
        self.ctx = ctx
        self.hasher = MultiHasher()
        self.head = bytearray()
        self.head_size = ctx.limits.head_size if classify_content else 0
        self.classify_content = classify_content
        self.extract_text = extract_text
        self.classification: Classification | None = None
        self.spool: Spool | None = None
        self.plan: DocumentResult | str | None = None
        """What ``plan_analysis`` decided once the content's type was known."""
        self.error: str | None = None
        self.text_kind: str | None = None

    def feed(self, chunk: bytes) -> None:
        """Take the next chunk of the file."""
        self.hasher.update(chunk)
        if self.spool is not None:
            self.spool.write(chunk)
            return
        if len(self.head) >= self.head_size:
            return
        take = self.head_size - len(self.head)
        self.head += chunk[:take]
        if len(self.head) >= self.head_size and self.entry.size > self.head_size:
            # A file larger than its head: classify now, to know whether to spool the rest.
            self.classification = self._classify(None)
            if self.extract_text:
                self.plan = self._plan(self.entry.size)
            if self.plan == SPOOL:
                self.spool = Spool(self.ctx.limits.text.max_input_bytes, self.entry.size)
                self.spool.write(bytes(self.head))
                self.spool.write(chunk[take:])

    def _classify(self, digest: bytes | None) -> Classification:
        name = content_name(self.entry)
        classification = classify(name, bytes(self.head), self.ctx, self.entry, digest)
        if self.text_kind and not (classification.mime or "").startswith("text/"):
            return carved_text(classification, self.text_kind)
        return classification

    def _plan(self, size: int) -> DocumentResult | str | None:
        """Whether and how to analyse the file (``catalog.documents.plan_analysis``)."""
        from catalog.documents import plan_analysis

        mime = self.classification.mime if self.classification else None
        cap = self.ctx.limits.text.max_input_bytes
        return plan_analysis(content_name(self.entry), mime, bytes(self.head), size, cap)

    def result(self) -> ContentResult:
        """The hashes, the classification and the analysis of what was read."""
        hasher, error = self.hasher, self.error
        if error is not None and hasher.bytes_hashed == 0 and self.entry.size > 0:
            return ContentResult(status="unreadable", error=error)
        hashes = hasher.hashes() if error is None else None
        # When the head is the whole file, its BLAKE3 is already computed: no second digest.
        whole = hashes is not None and hasher.bytes_hashed == len(self.head)
        if self.classify_content and self.classification is None:
            self.classification = self._classify(
                bytes.fromhex(hashes.blake3) if whole and hashes else None
            )
        if error is None and self.extract_text and whole:
            self.plan = self._plan(hasher.bytes_hashed)  # a small file: its head is all of it
        document = None
        if error is None and self.plan == SPOOL:
            document = self._analyse()
        elif error is None and self.plan is not None and not isinstance(self.plan, str):
            document = self.plan  # skipped before any copy: over the limit
        return ContentResult(
            status="ok" if error is None else "partial",
            hashes=hashes,
            bytes_hashed=hasher.bytes_hashed,
            classification=self.classification,
            error=error,
            document=document,
        )

    def _analyse(self) -> DocumentResult:
        from catalog.documents import DocumentRequest
        from catalog.sandbox import sandbox_for

        limits = self.ctx.limits
        data: bytes | str = self.spool.seal() if self.spool else bytes(self.head)
        size = self.spool.size if self.spool else len(self.head)
        mime = self.classification.mime if self.classification else None
        request = DocumentRequest(
            content_name(self.entry), mime, bytes(self.head), data, size,
            self.hasher.bytes_hashed, limits,
        )  # fmt: skip
        return sandbox_for(limits.extract_seconds, limits.extract_memory_bytes).analyse(request)

    def discard(self) -> None:
        """Remove the spool file, if one was made."""
        if self.spool is not None:
            self.spool.discard()
