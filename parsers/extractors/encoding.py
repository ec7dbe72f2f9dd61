"""Character-set detection for text evidence, and the map from text back to file bytes.

A mis-decoded Shift_JIS file hides every Japanese word from the detectors, and a finding's
offset must point at the right byte of the evidence, so charsets are detected, not
guessed, in a fixed order that can be explained in court: byte-order marks, BOM-less
UTF-16 by its NUL pattern, ISO-2022-JP by its escapes, strict UTF-8, a charset the file
declares, Shift_JIS/CP932 against EUC-JP by scoring, Windows-1252 for plausible Western
text, then charset-normalizer. Bytes no charset fits raise ``ExtractionError``.
"""

from __future__ import annotations

import bisect
import codecs
from dataclasses import dataclass

import charset_normalizer

from parsers.extractor import ExtractionError
from parsers.extractors._scoring import has_binary_controls, japanese_score, western_score

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
_ISO2022_ESCAPES = (b"\x1b$B", b"\x1b$@", b"\x1b(J", b"\x1b(I")
_SAMPLE_BYTES = 256 << 10
_PATTERN_BYTES = 8192
_MAX_CONTROL_SHARE = 0.1
_JAPANESE_MIN_SCORE = 0.6
_KANA_POOR = 0.02
_KANA_POOR_MIN_CHARS = 20
_WESTERN_MIN_SCORE = 0.9
_OTHER_CJK = frozenset(
    {"gb2312", "gbk", "gb18030", "big5", "big5hkscs", "cp950", "euc_kr", "cp949", "johab", "hz"}
)
_NON_WESTERN = frozenset(
    {"cp1251", "koi8_r", "koi8_u", "mac_cyrillic", "cp866", "iso8859_5", "cp1253", "iso8859_7"}
    | {"cp1255", "iso8859_8", "cp1256", "iso8859_6", "cp874", "tis_620", "cp1254", "iso8859_9"}
)
_DECLARED_ALIASES = {
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "sjis": "shift_jis",
    "latin1": "cp1252",
    "latin_1": "cp1252",
    "iso8859-1": "cp1252",
    "iso-8859-1": "cp1252",
    "iso8859_1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
}


@dataclass(frozen=True, slots=True)
class DecodedText:
    """Text decoded from bytes, and how."""

    text: str
    """The decoded characters, byte-order mark excluded."""
    encoding: str
    """Python codec name (``utf-8``, ``utf-16-le``, ``shift_jis``, ``cp932``, ``euc_jp``,
    ``iso2022_jp``, ``cp1252`` ...) that maps ``text`` back to the bytes."""
    bom_length: int = 0
    """Bytes of byte-order mark before the text."""
    confidence: float = 1.0
    """How sure the detection is, between 0 and 1."""


def strict_decode(data: bytes, encoding: str) -> str | None:
    """``data`` decoded strictly, or ``None`` when it is not valid in ``encoding``.

    An incomplete character at the very end (a file cut at a size limit) is dropped.
    """
    try:
        return codecs.getincrementaldecoder(encoding)("strict").decode(data, final=False)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(data: bytes, declared: str | None = None) -> DecodedText:
    """Detect the character set of ``data`` and decode it.

    Args:
        data: the bytes of a text file.
        declared: a charset the file declares (``<meta charset>``, XML declaration, MIME
            ``charset=``), honoured when the bytes carry no BOM and are not UTF-8.

    Raises:
        ExtractionError: no character set fits (binary data).
    """
    for step in (_by_bom, _by_utf16_pattern, _by_iso2022, _by_utf8):
        found = step(data)
        if found is not None:
            return found
    found = _by_declared(data, declared) if declared else None
    return found or _by_japanese(data) or _by_detector(data)


def _texty(text: str | None) -> bool:
    return text is not None and not has_binary_controls(text, _MAX_CONTROL_SHARE)


def _by_bom(data: bytes) -> DecodedText | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = strict_decode(data[len(bom) :], encoding)
            if text is not None:
                return DecodedText(text, encoding, len(bom), 1.0)
    return None


def _by_utf16_pattern(data: bytes) -> DecodedText | None:
    sample = data[:_PATTERN_BYTES]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    highs = {"utf-16-le": sample[1 : 2 * pairs : 2], "utf-16-be": sample[0 : 2 * pairs : 2]}
    share = {enc: (b.count(0) + b.count(0x30)) / pairs for enc, b in highs.items()}
    for encoding, other in (("utf-16-le", "utf-16-be"), ("utf-16-be", "utf-16-le")):
        if share[encoding] >= 0.3 and share[other] <= 0.1:
            text = strict_decode(data, encoding)
            if text is not None and _texty(text):
                return DecodedText(text, encoding, 0, 0.9)
    return None


def _by_iso2022(data: bytes) -> DecodedText | None:
    if not any(escape in data for escape in _ISO2022_ESCAPES) or not data.isascii():
        return None
    for encoding in ("iso2022_jp", "iso2022_jp_ext"):
        text = strict_decode(data, encoding)
        if text is not None and _texty(text):
            return DecodedText(text, encoding, 0, 0.95)
    return None


def _by_utf8(data: bytes) -> DecodedText | None:
    text = strict_decode(data, "utf-8")
    if text is None or not _texty(text):
        return None
    return DecodedText(text, "utf-8", 0, 1.0 if data.isascii() else 0.99)


def _declared_codec(declared: str) -> str | None:
    name = declared.strip().strip("\"'").lower()
    name = _DECLARED_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _by_declared(data: bytes, declared: str) -> DecodedText | None:
    codec = _declared_codec(declared)
    if codec is None:
        return None
    for encoding in (codec, "cp932") if codec == "shift_jis" else (codec,):
        text = strict_decode(data, encoding)
        if text is not None and _texty(text):
            return DecodedText(text, encoding, 0, 0.9)
    return None


def _japanese_candidates(data: bytes) -> list[tuple[float, float, int, str, str]]:
    found = []
    sjis = strict_decode(data, "shift_jis")
    sjis_name = "shift_jis"
    if sjis is None:
        sjis, sjis_name = strict_decode(data, "cp932"), "cp932"
    for name, text in ((sjis_name, sjis), ("euc_jp", strict_decode(data, "euc_jp"))):
        if text is not None and _texty(text):
            score, kana, count = japanese_score(text)
            found.append((score, kana, count, name, text))
    return found


def _by_japanese(data: bytes) -> DecodedText | None:
    """Shift_JIS/CP932 or EUC-JP, whichever reads more like Japanese.

    EUC-JP text without kana is byte-for-byte plausible as Korean (EUC-KR) or Chinese
    (GB2312) too, so charset-normalizer is asked then and a Korean or Chinese answer wins.
    Shift_JIS needs no such check: Korean and Chinese bytes read as Shift_JIS turn into
    half-width katakana and score low.
    """
    candidates = [c for c in _japanese_candidates(data) if c[0] >= _JAPANESE_MIN_SCORE]
    if not candidates:
        return None
    score, kana, count, encoding, text = max(candidates)
    if encoding == "euc_jp" and kana < _KANA_POOR and count >= _KANA_POOR_MIN_CHARS:
        best = charset_normalizer.from_bytes(data[:_SAMPLE_BYTES]).best()
        if best is not None and best.encoding in _OTHER_CJK:
            return None
    return DecodedText(text, encoding, 0, round(score, 3))


def _by_detector(data: bytes) -> DecodedText:
    best = charset_normalizer.from_bytes(data[:_SAMPLE_BYTES]).best()
    if best is None or best.encoding not in _NON_WESTERN | _OTHER_CJK:
        western = strict_decode(data, "cp1252")
        if western is not None and _texty(western) and western_score(western) >= _WESTERN_MIN_SCORE:
            return DecodedText(western, "cp1252", 0, round(western_score(western), 3))
    if best is None:
        raise ExtractionError("undecodable text (no character set fits)")
    text = strict_decode(data, best.encoding)
    confidence = max(0.0, 1.0 - best.chaos)
    if text is None:
        text, confidence = data.decode(best.encoding, "replace"), confidence / 2
    if not _texty(text):
        raise ExtractionError(f"undecodable text (binary content as {best.encoding})")
    return DecodedText(text, best.encoding, 0, round(confidence, 3))


class ByteOffsets:
    """Maps character indices of a decoded text to byte offsets in the original bytes.

    Offsets are found by encoding the text again, incrementally: each call encodes only the
    characters since the previous index, so a run of increasing indices costs one pass.
    Checkpoints (with the encoder's state) every 64 Ki characters make going back cheap.
    For stateless encodings the result is exact when ``text`` round-trips (strict decoding
    guarantees it up to duplicate mappings of equal width). For ISO-2022-JP it is exact when
    the file used the canonical escapes Python's encoder emits (``ESC $ B``, ``ESC ( B``);
    the offset of a character right after a mode switch points at the escape sequence.
    """

    _CHECKPOINT_CHARS = 65_536

    def __init__(self, text: str, encoding: str, bom_length: int = 0) -> None:
        self._text = text
        self._bom = bom_length
        self._encoder = codecs.getincrementalencoder(encoding)("replace")
        self._index = 0
        self._offset = 0
        self._marks: list[tuple[int, int, int | str]] = [(0, 0, self._encoder.getstate())]

    def byte_offset(self, index: int) -> int:
        """Byte offset, from the start of the file, of the character at ``index``.

        Raises:
            IndexError: ``index`` is negative or past the end of the text.
        """
        if not 0 <= index <= len(self._text):
            raise IndexError(f"character index {index} outside 0..{len(self._text)}")
        if index < self._index:
            self._rewind(index)
        self._offset += len(self._encoder.encode(self._text[self._index : index]))
        self._index = index
        if index - self._marks[-1][0] >= self._CHECKPOINT_CHARS:
            self._marks.append((index, self._offset, self._encoder.getstate()))
        return self._bom + self._offset

    def _rewind(self, index: int) -> None:
        position = bisect.bisect_right(self._marks, index, key=lambda mark: mark[0]) - 1
        self._index, self._offset, state = self._marks[position]
        self._encoder.setstate(state)
