"""Issue 3, must-show 1: every way a person could tamper with a case makes verify fail.

Each test scans a private copy of a sample image into a fresh case, verifies that the
untouched case holds, tampers in one way (raw SQL after dropping the append-only triggers,
or the evidence bytes themselves) and asserts that ``verify`` fails and names what changed.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from catalog.custody.actions import verify_case_file
from catalog.custody.log import Actor, entry_hash
from catalog.custody.verify import VerifyOptions, VerifyReport
from catalog.options import ScanOptions
from catalog.pipeline import scan
from catalog.store.schema import APPEND_ONLY_TABLES
from tests.conftest import EXAMINER, SAMPLE_IMAGES


@pytest.fixture
def scanned(tmp_path: Path, case_path: Path) -> tuple[Path, Path]:
    """A case holding one scanned exhibit, ``USB``, whose image is a private copy."""
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    image = evidence / "usb_fat.img"
    shutil.copyfile(SAMPLE_IMAGES / "usb_fat.img", image)
    scan([image], case_path, ScanOptions(examiner=EXAMINER, exhibits=("USB",)))
    return case_path, image


def _verify(case: Path, **options: object) -> VerifyReport:
    return verify_case_file(case, VerifyOptions(**options), Actor(EXAMINER))  # type: ignore[arg-type]


def _sql(case: Path, *statements: str, drop_triggers: bool = True) -> None:
    connection = sqlite3.connect(case)
    try:
        if drop_triggers:
            for table in APPEND_ONLY_TABLES:
                connection.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                connection.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        for statement in statements:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()


def _failure(report: VerifyReport) -> str:
    assert not report.ok, "verify passed a tampered case"
    return report.failures[0].message


def _head(case: Path) -> str:
    connection = sqlite3.connect(case)
    (head,) = connection.execute("SELECT entry_hash FROM custody_log ORDER BY seq DESC").fetchone()
    connection.close()
    return str(head)


def test_untouched_case_verifies_and_the_verification_is_logged(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    head = _head(case)
    report = _verify(case, expect_head=head)
    assert report.ok, [check.message for check in report.failures]
    names = {check.name for check in report.checks}
    assert {"custody chain", "file rows", "scan tables", "evidence", "expected head"} <= names
    connection = sqlite3.connect(case)
    action, examiner = connection.execute(
        "SELECT action, examiner FROM custody_log ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    connection.close()
    assert (action, examiner) == ("verify.run", EXAMINER)
    assert _verify(case).ok, "a logged verification must not break the next one"


def test_triggers_refuse_update_and_delete_of_the_custody_log(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    for statement in (
        "UPDATE custody_log SET body = '{}' WHERE seq = 1",
        "DELETE FROM custody_log",
    ):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            _sql(case, statement, drop_triggers=False)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        _sql(case, "DELETE FROM file_seals", drop_triggers=False)


def test_edited_custody_entry_is_named(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    _sql(
        case,
        "UPDATE custody_log SET body = replace(body, 'Test Examiner', 'Someone Else')"
        " WHERE seq = 3",
    )
    message = _failure(_verify(case))
    assert "custody entry 3" in message
    assert "altered" in message


def test_edited_entry_with_recomputed_hash_breaks_the_next_link(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    connection = sqlite3.connect(case)
    body, prev_hash = connection.execute(
        "SELECT body, prev_hash FROM custody_log WHERE seq = 2"
    ).fetchone()
    connection.close()
    forged = body.replace("Test Examiner", "Someone Else")
    forged_hash = entry_hash(prev_hash, forged)
    _sql(
        case,
        f"UPDATE custody_log SET body = '{forged}', entry_hash = '{forged_hash}' WHERE seq = 2",
    )
    message = _failure(_verify(case))
    assert "custody entry 3" in message
    assert "does not link" in message


def test_entries_deleted_from_the_end_are_caught(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    head = _head(case)
    _sql(case, "DELETE FROM custody_log WHERE seq > (SELECT max(seq) - 3 FROM custody_log)")
    report = _verify(case, expect_head=head)
    messages = [check.message for check in report.failures]
    assert any("expected head" in m and "not in the log" in m for m in messages), messages
    assert any("has no scan.finished entry" in m for m in messages), messages


def test_entries_deleted_from_the_end_without_a_trace_in_runs_need_the_expected_head(
    scanned: tuple[Path, Path],
) -> None:
    case, _ = scanned
    assert _verify(case).ok
    head = _head(case)  # the verify.run entry
    _sql(case, "DELETE FROM custody_log WHERE seq = (SELECT max(seq) FROM custody_log)")
    message = _failure(_verify(case, expect_head=head))
    assert "expected head" in message
    assert "cut off the end" in message


def test_changed_file_hash_is_named_by_file(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    _sql(case, "UPDATE files SET sha256 = '" + "0" * 64 + "' WHERE path = '/docs/report.txt'")
    message = _failure(_verify(case))
    assert "exhibit 'USB'" in message
    assert "'/docs/report.txt'" in message
    assert "1 file rows changed" in message


def test_deleted_file_row_is_caught(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    _sql(case, "DELETE FROM files WHERE path = '/docs/report.txt'")
    message = _failure(_verify(case))
    assert "1 removed" in message


def test_file_row_and_its_seal_changed_together_breaks_the_files_head(
    scanned: tuple[Path, Path],
) -> None:
    case, _ = scanned
    from catalog.custody.seal import FILE_COLUMNS, row_seal

    _sql(case, "UPDATE files SET md5 = '" + "1" * 32 + "' WHERE path = '/docs/report.txt'")
    connection = sqlite3.connect(case)
    values = connection.execute(
        f"SELECT {', '.join(FILE_COLUMNS)} FROM files WHERE path = '/docs/report.txt'"
    ).fetchone()
    connection.close()
    _sql(case, f"UPDATE file_seals SET seal = '{row_seal(values)}' WHERE file_id = '{values[0]}'")
    message = _failure(_verify(case))
    assert "seal table altered" in message


def test_changed_problem_or_volume_rows_name_the_table(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    _sql(case, "UPDATE evidence SET media_sha256 = '" + "2" * 64 + "'")
    message = _failure(_verify(case, rehash_evidence=False))
    assert "exhibit 'USB': evidence rows changed" in message


def test_changed_exhibit_registration_is_named(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    _sql(case, "UPDATE exhibits SET seized_by = 'nobody'")
    message = _failure(_verify(case, rehash_evidence=False))
    assert "exhibit 'USB': seized_by changed" in message


def test_swapped_evidence_bytes_are_named(scanned: tuple[Path, Path]) -> None:
    case, image = scanned
    with image.open("r+b") as handle:
        handle.seek(700_000)
        handle.write(b"\xde\xad\xbe\xef")
    report = _verify(case)
    message = _failure(report)
    assert "exhibit 'USB'" in message
    assert "first scan" in message
    assert "evidence changed" in message
    assert [check.name for check in report.failures] == ["evidence"]


def test_acquisition_hash_that_disagrees_is_named(tmp_path: Path, case_path: Path) -> None:
    from catalog.case import CaseFacts, ExhibitFacts, add_exhibit, init_case

    evidence = tmp_path / "evidence"
    evidence.mkdir()
    image = evidence / "usb.img"
    shutil.copyfile(SAMPLE_IMAGES / "usb_fat.img", image)
    actor = Actor(EXAMINER)
    init_case(case_path, CaseFacts(case_number="T-1"), actor)
    add_exhibit(case_path, image, "USB", ExhibitFacts(acquisition_md5="0" * 32), actor)
    scan([image], case_path, ScanOptions(examiner=EXAMINER))
    message = _failure(_verify(case_path))
    assert "acquisition MD5" in message


def test_container_hash_mismatch_of_an_e01_is_named(tmp_path: Path, case_path: Path) -> None:
    evidence = tmp_path / "evidence"
    evidence.mkdir()
    image = evidence / "disk.E01"
    shutil.copyfile(SAMPLE_IMAGES / "disk.E01", image)
    scan([image], case_path, ScanOptions(examiner=EXAMINER, exhibits=("DISK",)))
    report = _verify(case_path)
    assert report.ok, [check.message for check in report.failures]
    assert "container MD5" in next(c for c in report.checks if c.name == "evidence").message


def test_signed_checkpoints_verify_and_a_forged_one_does_not(
    tmp_path: Path, case_path: Path
) -> None:
    from catalog.custody.signing import generate_key_pair

    key = tmp_path / "examiner.key"
    public = generate_key_pair(key)
    other_public = generate_key_pair(tmp_path / "other.key")
    scan(
        [SAMPLE_IMAGES / "usb_fat.img"],
        case_path,
        ScanOptions(examiner=EXAMINER, signing_key=key),
    )
    assert _verify(case_path, public_keys=(public,), rehash_evidence=False).ok
    message = _failure(_verify(case_path, public_keys=(other_public,), rehash_evidence=False))
    assert "other.key.pub" in message
    _sql(case_path, "UPDATE custody_signatures SET signature = replace(signature, 'a', 'b')")
    message = _failure(_verify(case_path, rehash_evidence=False))
    assert "does not verify" in message


def test_two_exhibits_in_one_run_each_verify_and_a_change_names_its_exhibit(
    tmp_path: Path, case_path: Path
) -> None:
    images = [SAMPLE_IMAGES / "usb_fat.img", SAMPLE_IMAGES / "disk.E01"]
    scan(images, case_path, ScanOptions(examiner=EXAMINER, exhibits=("USB", "DISK")))
    report = _verify(case_path, rehash_evidence=False)
    assert report.ok, [check.message for check in report.failures]
    _sql(case_path, "UPDATE files SET size = size + 1 WHERE evidence_id = 'DISK' AND seq = 5")
    failures = _verify(case_path, rehash_evidence=False).failures
    assert [check.message.split(":")[0] for check in failures] == ["exhibit 'DISK'"]


def test_file_row_slipped_in_after_the_scan_is_named(scanned: tuple[Path, Path]) -> None:
    case, _ = scanned
    _sql(
        case,
        "INSERT INTO files SELECT 'zzzz-planted', evidence_id, fs_id, seq + 1000, locator,"
        " '/planted.txt', 'planted.txt', name_raw, inode, meta_addr, attr_type, attr_id, type,"
        " size, is_allocated, is_realloc, is_virtual, is_orphan, is_ads, is_fs_metadata,"
        " created, modified, accessed, changed, time_zone_note, uid, gid, mode,"
        " content_status, content_error, bytes_hashed, md5, sha1, sha256, blake3, mime,"
        " magic_description, category, extension, extension_mismatch, exif, run_id,"
        " origin, parent_file_id, text_status, text_kind, text_encoding"
        " FROM files WHERE path = '/docs/report.txt'",
    )
    message = _failure(_verify(case, rehash_evidence=False))
    assert "1 file rows changed or added and 0 removed" in message
    assert "'/planted.txt', added" in message
