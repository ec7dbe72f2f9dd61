"""Known-file hash sets in a case: lookups in the scan, apply afterwards, hide, export.

Issue 5, item 3: known-good files are hidden from ``--hide-known`` exports, known-bad files
appear as findings, and the custody log names the sets used.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from catalog.cli import main
from catalog.custody.actions import verify_case_file
from catalog.custody.verify import VerifyOptions
from tests.conftest import EXAMINER
from tests.integration.ext4image import build_ext4

SYSTEM_DLL = b"MZ genuine operating system library " * 50
SCAM_TOOL = b"MZ remote support helper used by the call centre " * 50
LETTER = b"Dear grandson, call me on Sunday.\n"


@pytest.fixture(scope="module")
def evidence(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("known_files")
    tree = root / "tree"
    (tree / "Windows").mkdir(parents=True)
    (tree / "Windows" / "system.dll").write_bytes(SYSTEM_DLL)
    (tree / "Downloads").mkdir()
    (tree / "Downloads" / "support_tool.exe").write_bytes(SCAM_TOOL)
    (tree / "letter.txt").write_bytes(LETTER)
    (root / "locker").mkdir()
    image = build_ext4(tree, root / "locker" / "laptop.ext4", 8)
    sets = root / "sets"
    sets.mkdir()
    good = sets / "os-files.md5"
    good.write_bytes(
        b"# operating system files\r\n"
        + hashlib.md5(SYSTEM_DLL).hexdigest().upper().encode()
        + b"  Windows/system.dll\r\n"
    )
    bad = sets / "raid-2025.hashdeep"
    bad.write_text(
        "%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## from raid 2025\n"
        f"{len(SCAM_TOOL)},{hashlib.md5(SCAM_TOOL).hexdigest()},"
        f"{hashlib.sha256(SCAM_TOOL).hexdigest()},support_tool.exe\n"
    )
    return {"root": root, "image": image, "good": good, "bad": bad, "store": root / "store.db"}


def _invoke(*args: str) -> object:
    # Module fixtures run before the autouse environment fixture: name the examiner here.
    result = CliRunner(env={"EVCAT_EXAMINER": EXAMINER}).invoke(main, [*args])
    assert result.exit_code in (0, 1), result.output
    return result


def _import_sets(evidence: dict[str, Path]) -> None:
    store = str(evidence["store"])
    _invoke("hashset", "import", str(evidence["good"]), "--name", "os-files",
            "--kind", "known-good", "--store", store)  # fmt: skip
    _invoke("hashset", "import", str(evidence["bad"]), "--name", "raid-2025",
            "--kind", "known-bad", "--store", store)  # fmt: skip


def _statuses(case: Path) -> dict[str, tuple[str, str]]:
    connection = sqlite3.connect(case)
    rows = connection.execute(
        "SELECT f.path, k.status, k.sets FROM known_files k JOIN files f USING (file_id)"
    ).fetchall()
    connection.close()
    return {path: (status, sets) for path, status, sets in rows}


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


@pytest.fixture(scope="module")
def scanned(evidence: dict[str, Path]) -> Path:
    _import_sets(evidence)
    case = evidence["root"] / "scan-case.db"
    _invoke("scan", str(evidence["image"]), "--case", str(case),
            "--hashsets", str(evidence["store"]), "--exhibit", "LAPTOP")  # fmt: skip
    return case


def test_scan_marks_known_good_and_known_bad_files(scanned: Path) -> None:
    assert _statuses(scanned) == {
        "/Windows/system.dll": ("known-good", "os-files"),
        "/Downloads/support_tool.exe": ("known-bad", "raid-2025"),
    }


def test_known_bad_file_is_a_finding_naming_the_set(scanned: Path) -> None:
    result = _invoke("findings", "--case", str(scanned), "--kind", "known_bad", "--json")
    findings = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(f["path"], f["normalized"]) for f in findings] == [
        ("/Downloads/support_tool.exe", "raid-2025")
    ]


def test_custody_log_names_the_sets_used_with_their_identity(scanned: Path) -> None:
    connection = sqlite3.connect(scanned)
    body = connection.execute(
        "SELECT body FROM custody_log WHERE action = 'scan.started'"
    ).fetchone()[0]
    connection.close()
    sets = json.loads(body)["details"]["hash_sets"]
    assert [(s["name"], s["kind"], s["rows"]) for s in sets] == [
        ("os-files", "known-good", 1),
        ("raid-2025", "known-bad", 1),
    ]
    assert all(len(s["source_sha256"]) == 64 for s in sets)


def test_hide_known_leaves_known_good_files_out_of_the_csv(scanned: Path, tmp_path: Path) -> None:
    full, hidden = tmp_path / "all.csv", tmp_path / "hidden.csv"
    _invoke("export", "csv", "--case", str(scanned), "-o", str(full))
    _invoke("export", "csv", "--case", str(scanned), "-o", str(hidden), "--hide-known")
    status = {row["path"]: row["known_status"] for row in _csv(full)}
    assert status["/Windows/system.dll"] == "known-good"
    assert status["/Downloads/support_tool.exe"] == "known-bad"
    assert status["/letter.txt"] == "unknown"
    hidden_paths = {row["path"] for row in _csv(hidden)}
    assert hidden_paths == set(status) - {"/Windows/system.dll"}


def test_apply_after_the_scan_gives_the_same_result_and_is_logged_and_sealed(
    evidence: dict[str, Path], scanned: Path
) -> None:
    case = evidence["root"] / "apply-case.db"
    _invoke("scan", str(evidence["image"]), "--case", str(case), "--no-hashsets")
    assert _statuses(case) == {}
    result = _invoke("hashset", "apply", "--case", str(case), "--store", str(evidence["store"]))
    assert "1 known-good and 1 known-bad files" in result.stderr
    assert _statuses(case) == _statuses(scanned)
    report = verify_case_file(case, VerifyOptions(rehash_evidence=False), None)
    assert report.ok, [c.message for c in report.checks if not c.ok]
    connection = sqlite3.connect(case)
    connection.execute("UPDATE known_files SET status = 'known-good'")
    connection.commit()
    connection.close()
    report = verify_case_file(case, VerifyOptions(rehash_evidence=False), None)
    assert any("known_files" in c.message for c in report.checks if not c.ok)


def test_notable_files_export_as_a_hashdeep_set_that_imports_back(
    evidence: dict[str, Path], scanned: Path, tmp_path: Path
) -> None:
    out = tmp_path / "notable.hashdeep"
    _invoke("hashset", "export", "--case", str(scanned), "-o", str(out))
    lines = out.read_text().splitlines()
    assert lines[:2] == ["%%%% HASHDEEP-1.0", "%%%% size,md5,sha256,filename"]
    rows = [line for line in lines if not line.startswith(("%%%%", "##"))]
    assert f"{len(SCAM_TOOL)},{hashlib.md5(SCAM_TOOL).hexdigest()}," in rows[0]
    assert rows[0].endswith(",LAPTOP:/Downloads/support_tool.exe")
    store = tmp_path / "next-raid.db"
    _invoke("hashset", "import", str(out), "--name", "raid-2026", "--kind", "known-bad",
            "--store", str(store))  # fmt: skip
    listing = _invoke("hashset", "list", "--store", str(store))
    assert "raid-2026\tknown-bad\thashdeep\t1\t" in listing.stdout
