from __future__ import annotations

import pytest

from catalog.errors import (
    CatalogError,
    CatalogTooNew,
    EvcatError,
    EvidenceError,
    EvidenceNotFound,
    ImageOpenError,
    NotADiskImage,
    SegmentMissing,
    UsageError,
)
from catalog.exitcodes import ExitCode, exit_code_for


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (UsageError("bad option"), ExitCode.USAGE),
        (EvidenceNotFound("no such image"), ExitCode.EVIDENCE),
        (SegmentMissing("disk.E02 missing"), ExitCode.EVIDENCE),
        (NotADiskImage("nothing readable"), ExitCode.EVIDENCE),
        (ImageOpenError("libewf refused"), ExitCode.EVIDENCE),
        (EvidenceError("generic evidence trouble"), ExitCode.EVIDENCE),
        (CatalogError("cannot write"), ExitCode.CATALOG),
        (CatalogTooNew("schema 99"), ExitCode.CATALOG),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (EvcatError("unclassified"), ExitCode.INTERNAL),
        (Exception("bug"), ExitCode.INTERNAL),
        (RuntimeError("bug"), ExitCode.INTERNAL),
        (FileNotFoundError("not an EvidenceNotFound"), ExitCode.INTERNAL),
        (ValueError("not a UsageError"), ExitCode.INTERNAL),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else None,
)
def test_each_error_class_maps_to_its_exit_code(exc: BaseException, code: ExitCode) -> None:
    assert exit_code_for(exc) is code


def test_exit_code_numbers_are_stable() -> None:
    assert {code.name: int(code) for code in ExitCode} == {
        "OK": 0,
        "PARTIAL": 1,
        "USAGE": 2,
        "EVIDENCE": 3,
        "CATALOG": 4,
        "VERIFY_FAILED": 5,
        "INTERNAL": 70,
        "INTERRUPTED": 130,
    }
