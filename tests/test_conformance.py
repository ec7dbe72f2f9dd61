"""Every registered parser declares who it is and what it emits, and finds something real."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

import parsers
from parsers.source import read_head
from tests.conftest import SAMPLE_IMAGES

SOURCE_PARSERS = parsers.SOURCES.all()
# One fixture per source format that the project itself ships.
SHIPPED_FIXTURES = {
    "raw": SAMPLE_IMAGES / "disk.raw",
    "split_raw": SAMPLE_IMAGES / "split" / "disk.001",
    "ewf": SAMPLE_IMAGES / "disk.E01",
}


@pytest.mark.parametrize("parser", SOURCE_PARSERS, ids=lambda p: p.name)
def test_parser_declares_name_version_description_and_emits(parser: object) -> None:
    name = parser.name  # type: ignore[attr-defined]
    assert name == name.lower() and name.replace("_", "").isalnum()
    assert isinstance(parser.version, int) and parser.version >= 1  # type: ignore[attr-defined]
    assert parser.description and "\n" not in parser.description  # type: ignore[attr-defined]
    assert parser.emits  # type: ignore[attr-defined]
    assert inspect.getdoc(type(parser))


def test_parser_names_are_unique() -> None:
    names = [p.name for p in SOURCE_PARSERS]
    assert len(names) == len(set(names))


def test_raw_fallback_is_tried_last() -> None:
    assert SOURCE_PARSERS[-1].name == "raw"


@pytest.mark.parametrize(("name", "fixture"), SHIPPED_FIXTURES.items())
def test_shipped_fixture_is_detected_by_its_own_parser_first(name: str, fixture: Path) -> None:
    head = read_head(fixture)
    first = next(p for p in SOURCE_PARSERS if p.detect(fixture, head))
    assert first.name == name
    source = first.open(fixture)
    try:
        assert source.info.media_size == 8 * 1024 * 1024
        assert source.read(510, 2) == b"\x55\xaa"
    finally:
        source.close()


# --- text extractors, archive readers and detectors ------------------------------------

PARSER_REGISTRIES = {
    "extractor": parsers.EXTRACTORS.all(),
    "archive": parsers.ARCHIVES.all(),
    "detector": parsers.DETECTORS.all(),
}
ALL_PARSERS = [p for entries in PARSER_REGISTRIES.values() for p in entries]


@pytest.mark.parametrize("parser", ALL_PARSERS, ids=lambda p: p.name)
def test_text_parser_declares_name_version_description_and_emits(parser: object) -> None:
    test_parser_declares_name_version_description_and_emits(parser)


@pytest.mark.parametrize("layer", PARSER_REGISTRIES)
def test_text_parser_names_are_unique_per_layer(layer: str) -> None:
    names = [p.name for p in PARSER_REGISTRIES[layer]]
    assert len(names) == len(set(names))


def test_plain_text_is_the_last_extractor_tried() -> None:
    assert parsers.EXTRACTORS.all()[-1].name == "plain"


def test_every_detector_kind_is_a_finding_kind() -> None:
    from parsers.detector import FINDING_KINDS

    emitted = {kind for detector in parsers.DETECTORS.all() for kind in detector.emits}
    assert emitted <= set(FINDING_KINDS)
    assert set(FINDING_KINDS) - emitted == {"known_bad"}  # hash sets (issue 5), not text


@pytest.fixture(scope="module")
def corpus_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from tests.fixtures.artefacts.build import build_corpus

    out = tmp_path_factory.mktemp("conformance_corpus")
    return {labelled.path.suffix.lower(): labelled.path for labelled in build_corpus(out)}


EXTRACTOR_FIXTURES = {
    "sqlite": ".sqlite", "pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "rtf": ".rtf",
    "mht": ".mht", "eml": ".eml", "html": ".html", "vcard": ".vcf", "csv": ".csv",
    "json": ".json", "plain": ".txt",
}  # fmt: skip


def _own_fixture(name: str, corpus_files: dict[str, Path], tmp_path: Path) -> Path:
    """A file each extractor must read: from the labelled corpus, or made here."""
    if name in EXTRACTOR_FIXTURES:
        return corpus_files[EXTRACTOR_FIXTURES[name]]
    made = {
        "bplist": ("support.plist", _bplist()),
        "legacy": ("script.doc", _ole_with_text()),
        "xml": ("config.xml", b"<config><server>support-desk.example.com</server></config>"),
    }[name]
    path = tmp_path / made[0]
    path.write_bytes(made[1])
    return path


def _bplist() -> bytes:
    import plistlib

    return plistlib.dumps({"phone": "+1 800 555 0199"}, fmt=plistlib.FMT_BINARY)


def _ole_with_text() -> bytes:
    """A minimal OLE2 header followed by UTF-16LE text, as string scraping finds it."""
    return bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504) + "Call Microsoft now".encode("utf-16-le")


@pytest.mark.parametrize("extractor", parsers.EXTRACTORS.all(), ids=lambda p: p.name)
def test_every_extractor_is_chosen_for_and_reads_its_own_fixture(
    extractor: object, corpus_files: dict[str, Path], tmp_path: Path
) -> None:
    from catalog.content import classify_head
    from parsers.extractor import TextLimits
    from parsers.extractors import choose_extractor

    path = _own_fixture(extractor.name, corpus_files, tmp_path)  # type: ignore[attr-defined]
    data = path.read_bytes()
    classification, _ = classify_head(path.name, data[:65536])
    assert choose_extractor(path.name, classification.mime, data[:65536]) is extractor
    with path.open("rb") as stream:
        extraction = extractor.extract(stream, len(data), TextLimits())  # type: ignore[attr-defined]
    assert extraction.text.strip()


@pytest.mark.parametrize("reader", parsers.ARCHIVES.all(), ids=lambda p: p.name)
def test_every_archive_reader_lists_a_member_of_its_own_fixture(reader: object) -> None:
    import gzip
    import io
    import tarfile
    import zipfile

    from parsers.archive import ArchiveLimits

    buffer = io.BytesIO()
    if reader.name == "zip":  # type: ignore[attr-defined]
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("a.txt", b"member")
    elif reader.name == "tar":  # type: ignore[attr-defined]
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            info = tarfile.TarInfo("a.txt")
            info.size = 6
            archive.addfile(info, io.BytesIO(b"member"))
    else:
        buffer.write(gzip.compress(b"member", mtime=0))
    buffer.seek(0)
    members = reader.members(buffer, ArchiveLimits())  # type: ignore[attr-defined]
    info, content, error = next(members)
    assert error is None and content is not None and content.read() == b"member"


DETECTOR_TEXTS = {
    "phone_numbers": "Call us on +1 800 555 0199.",
    "network_identifiers": "Visit https://support-fix.example.com/help today.",
    "crypto_addresses": "Send to 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 please.",
    "remote_access_ids": "Open AnyDesk and tell me your ID: 123 456 789",
    "payment_identifiers": "IBAN GB82 WEST 1234 5698 7654 32 for the transfer.",
}


@pytest.mark.parametrize("detector", parsers.DETECTORS.all(), ids=lambda p: p.name)
def test_every_detector_finds_something_in_its_own_fixture(
    detector: object, corpus_files: dict[str, Path]
) -> None:
    from catalog.documents import analyse_path
    from parsers.extractor import Extraction

    name = detector.name  # type: ignore[attr-defined]
    if name in DETECTOR_TEXTS:
        found = detector.detect(Extraction(kind="plain", text=DETECTOR_TEXTS[name]))  # type: ignore[attr-defined]
    else:
        found = [f for f in analyse_path(_corpus_file_for(name, corpus_files)) if f.kind == name]
    assert found and all(f.kind in detector.emits for f in found)  # type: ignore[attr-defined]


def _corpus_file_for(kind: str, corpus_files: dict[str, Path]) -> Path:
    from tests.fixtures.artefacts.build import build_corpus

    folder = next(iter(corpus_files.values())).parent
    return next(f.path for f in build_corpus(folder) if kind in f.categories)
