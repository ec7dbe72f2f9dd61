"""``evcat carve`` after a scan, file slack, hash sets, previews and false positives.

``evcat carve`` must give the catalog ``evcat scan --carve`` gives, replace its own earlier
carving, stay verifiable, look carved files up in hash sets, and carve nothing from
random or zeroed free space.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalog.cli import main
from catalog.exitcodes import ExitCode
from catalog.filecontent import read_file_bytes
from parsers.filesystems.allocation import fat_unallocated
from tests.carvesynth.fixtures import fat_reformatted
from tests.carvesynth.truth import CarveImage
from tests.conftest import EXAMINER, query

__all__ = ["fat_reformatted"]

ROWS_SQL = (
    "SELECT c.file_id, c.offset, c.length, c.kind, c.region, f.path, f.sha256, f.mime"
    " FROM carved_files c JOIN files f USING (file_id) ORDER BY c.offset"
)
SLACK_TEXT = (
    b"Sir, this is the Microsoft refund desk. Stay on the line and read me the gift card"
    b" numbers on the back of each card. Do not tell the bank. Agent 7 callback 0120-444-777."
)


def invoke(*args: str, code: int = 0) -> Result:
    result = CliRunner(env={"EVCAT_EXAMINER": EXAMINER}).invoke(main, [*args])
    assert result.exit_code == code, result.output
    return result


def image_copy(image: CarveImage, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(image.path, folder / image.path.name))


@pytest.fixture(scope="module")
def scanned_then_carved(
    fat_reformatted: CarveImage, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """(case scanned with --carve, case scanned plainly then carved by evcat carve)."""
    root = tmp_path_factory.mktemp("carve_command")
    with_carve, after = root / "with" / "case.db", root / "after" / "case.db"
    invoke("scan", str(fat_reformatted.path), "--case", str(with_carve), "--carve")
    invoke("scan", str(fat_reformatted.path), "--case", str(after))
    assert query(after, "SELECT count(*) FROM carved_files") == [(0,)]
    invoke("carve", "--case", str(after))
    return with_carve, after


def test_evcat_carve_after_a_scan_equals_scan_with_carve(
    scanned_then_carved: tuple[Path, Path],
) -> None:
    with_carve, after = scanned_then_carved
    rows = query(after, ROWS_SQL)
    assert len(rows) == 12
    assert rows == query(with_carve, ROWS_SQL)


def test_carving_again_replaces_the_earlier_carving_and_stays_verifiable(
    scanned_then_carved: tuple[Path, Path], tmp_path: Path
) -> None:
    _, after = scanned_then_carved
    case = Path(shutil.copy(after, tmp_path / "case.db"))
    before = query(case, ROWS_SQL)
    files_before = query(case, "SELECT count(*) FROM files")
    invoke("carve", "--case", str(case))
    assert query(case, ROWS_SQL) == before
    assert query(case, "SELECT count(*) FROM files") == files_before
    runs = query(case, "SELECT count(DISTINCT run_id) FROM carved_files")
    assert runs == [(1,)]  # every row is the latest carving's
    actions = [a for (a,) in query(case, "SELECT action FROM custody_log ORDER BY seq")]
    assert actions.count("carve.started") == 2 and actions.count("carve.finished") == 2
    invoke("verify", "--case", str(case), "--no-evidence")


def test_a_changed_carved_row_fails_verification(
    scanned_then_carved: tuple[Path, Path], tmp_path: Path
) -> None:
    import sqlite3

    _, after = scanned_then_carved
    case = Path(shutil.copy(after, tmp_path / "case.db"))
    connection = sqlite3.connect(case)
    with connection:
        connection.execute("UPDATE carved_files SET length = length + 1 WHERE kind = 'png'")
    connection.close()
    result = invoke("verify", "--case", str(case), "--no-evidence", code=ExitCode.VERIFY_FAILED)
    assert "carved_files" in result.output


def test_a_carved_file_reads_back_as_its_planted_bytes(
    fat_reformatted: CarveImage, scanned_then_carved: tuple[Path, Path]
) -> None:
    _, after = scanned_then_carved
    png = fat_reformatted.by_name()["qr_wallet.png"]
    (file_id,) = query(after, "SELECT file_id FROM carved_files WHERE offset = ?", png.offset)[0]
    window = read_file_bytes(after, file_id, 0, 1 << 20)
    assert len(window.data) == png.length and not window.truncated
    assert window.data == fat_reformatted.path.read_bytes()[png.offset : png.end]
    (member,) = query(
        after, "SELECT file_id FROM files WHERE path LIKE '%.zip!/giftcards_march.csv'"
    )[0]
    assert read_file_bytes(after, member).data.startswith(b"GPC-00,")


def test_carved_files_are_looked_up_in_hash_sets(
    fat_reformatted: CarveImage, scanned_then_carved: tuple[Path, Path], tmp_path: Path
) -> None:
    _, after = scanned_then_carved
    case = Path(shutil.copy(after, tmp_path / "case.db"))
    png = fat_reformatted.by_name()["qr_wallet.png"]
    listing = tmp_path / "raid.sha256"
    listing.write_text(f"{png.sha256}  qr_wallet.png\n")
    store = tmp_path / "store.db"
    invoke("hashset", "import", str(listing), "--name", "raid", "--kind", "known-bad",
           "--store", str(store))  # fmt: skip
    invoke("carve", "--case", str(case), "--hashsets", str(store))
    known = query(
        case,
        "SELECT c.offset, k.status FROM known_files k JOIN carved_files c USING (file_id)",
    )
    assert known == [(png.offset, "known-bad")]


def test_text_in_a_files_slack_is_found_with_slack(
    fat_reformatted: CarveImage, tmp_path: Path
) -> None:
    image = image_copy(fat_reformatted, tmp_path / "evidence")
    data = bytearray(image.read_bytes())
    live = max(
        fat_reformatted.allocated, key=lambda f: f.extents[-1][0] + f.extents[-1][1] - f.size
    )
    first = live.extents[0][0]
    end_of_file = first + live.size  # decoys are contiguous
    room = live.extents[-1][0] + live.extents[-1][1] - end_of_file
    assert room > len(SLACK_TEXT) + 2, "no decoy has room in its slack"
    data[end_of_file : end_of_file + len(SLACK_TEXT) + 2] = b"\0" + SLACK_TEXT + b"\0"
    image.write_bytes(bytes(data))
    case = tmp_path / "case" / "case.db"
    invoke("scan", str(image), "--case", str(case), "--slack")
    rows = query(
        case,
        "SELECT c.region, c.offset, p.path, t.text FROM carved_files c"
        " JOIN files f USING (file_id) JOIN files p ON p.file_id = f.parent_file_id"
        " JOIN texts t ON t.file_id = c.file_id WHERE c.region = 'slack'",
    )
    assert [(region, offset, path) for region, offset, path, _ in rows] == [
        ("slack", end_of_file + 1, live.path)
    ]
    assert "gift card" in rows[0][3]


@pytest.mark.parametrize("fill", ["random", "zeros"])
def test_random_or_zeroed_free_space_yields_nothing(
    fill: str, fat_reformatted: CarveImage, tmp_path: Path
) -> None:
    image = image_copy(fat_reformatted, tmp_path / "evidence")
    data = bytearray(image.read_bytes())
    noise = random.Random(9)
    for offset, length in fat_unallocated(lambda o, n: bytes(data[o : o + n]), 0) or []:
        data[offset : offset + length] = (
            noise.randbytes(length) if fill == "random" else bytes(length)
        )
    image.write_bytes(bytes(data))
    case = tmp_path / "case" / "case.db"
    invoke("scan", str(image), "--case", str(case), "--carve")
    assert query(case, "SELECT count(*) FROM carved_files") == [(0,)]
    assert query(case, "SELECT count(*) FROM files WHERE origin = 'carved'") == [(0,)]


def test_carve_names_an_exhibit_it_does_not_know(
    scanned_then_carved: tuple[Path, Path],
) -> None:
    _, after = scanned_then_carved
    result = invoke("carve", "--case", str(after), "--exhibit", "NOPE", code=ExitCode.USAGE)
    assert "'NOPE' has not been scanned into this case" in result.output


def test_a_missing_image_keeps_the_earlier_carving(
    fat_reformatted: CarveImage, tmp_path: Path
) -> None:
    image = image_copy(fat_reformatted, tmp_path / "evidence")
    case = tmp_path / "case" / "case.db"
    invoke("scan", str(image), "--case", str(case), "--carve")
    before = query(case, ROWS_SQL)
    image.unlink()
    result = invoke("carve", "--case", str(case), code=ExitCode.EVIDENCE)
    assert str(image) in result.output and "Traceback" not in result.output
    assert query(case, ROWS_SQL) == before
