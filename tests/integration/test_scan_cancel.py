"""Cancelling a scan from another thread: the catalog stays consistent and says so."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from catalog.custody.actions import verify_case_file
from catalog.custody.verify import VerifyOptions
from catalog.pipeline import ScanOptions, scan
from tests.conftest import EXAMINER, SAMPLE_IMAGES, query

DISK = SAMPLE_IMAGES / "disk.raw"
USB = SAMPLE_IMAGES / "usb_fat.img"


class CancelAfter(threading.Event):
    """Reads as set once it has been asked ``checks`` times (a cancel mid-walk)."""

    def __init__(self, checks: int) -> None:
        super().__init__()
        self.remaining = checks

    def is_set(self) -> bool:
        self.remaining -= 1
        return self.remaining < 0 or super().is_set()


def _custody(case: Path, action: str) -> list[dict[str, object]]:
    bodies = query(case, "SELECT body FROM custody_log WHERE action = ? ORDER BY seq", action)
    return [json.loads(str(body))["details"] for (body,) in bodies]


def test_a_scan_cancelled_mid_walk_keeps_its_rows_sealed_and_says_cancelled(case_path: Path):
    summary = scan(
        [DISK, USB], case_path, ScanOptions(examiner=EXAMINER, media_hash=False), None,
        CancelAfter(5),
    )  # fmt: skip

    assert summary.status == "cancelled"
    assert [item.exhibit for item in summary.evidence] == ["disk.raw"]
    assert summary.evidence[0].status == "cancelled"
    files = query(case_path, "SELECT count(*) FROM files WHERE evidence_id = 'disk.raw'")
    # One check before the image, then one per entry: four files made it in, none after.
    assert files[0][0] == 4
    assert query(case_path, "SELECT count(*) FROM files WHERE evidence_id = 'usb_fat.img'") == [
        (0,)
    ]
    assert query(case_path, "SELECT status FROM runs") == [("cancelled",)]
    finished = _custody(case_path, "scan.finished")
    assert finished[-1]["run_status"] == "cancelled"
    assert finished[-1]["status"] == "cancelled"
    scanned = _custody(case_path, "exhibit.scanned")
    assert [(d["exhibit"], d["status"]) for d in scanned] == [("disk.raw", "cancelled")]
    report = verify_case_file(case_path, VerifyOptions(rehash_evidence=False), None)
    assert report.ok, [check.message for check in report.failures]


def test_a_rescan_after_a_cancel_completes_the_exhibit(case_path: Path):
    options = ScanOptions(examiner=EXAMINER, media_hash=False)
    scan([DISK], case_path, options, None, CancelAfter(3))
    full = scan([DISK], case_path, options)

    assert full.status in {"success", "partial"}
    count = query(case_path, "SELECT count(*) FROM files WHERE evidence_id = 'disk.raw'")[0][0]
    assert count == full.evidence[0].n_files > 3
    statuses = [
        status for (status,) in query(case_path, "SELECT status FROM runs ORDER BY started")
    ]
    assert sorted(statuses) == ["cancelled", "completed"]
    report = verify_case_file(case_path, VerifyOptions(rehash_evidence=False), None)
    assert report.ok, [check.message for check in report.failures]
