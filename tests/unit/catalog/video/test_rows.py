"""Evidence-controlled text in segment rows reaches people and files neutralised."""

from __future__ import annotations

import io

import pytest

from catalog.clitable import emit_rows
from catalog.exports.csvfile import write_safe_csv
from catalog.video.clock import RecorderClock
from catalog.video.listing import COLUMNS, segment_record
from catalog.video.rows import segment_row
from parsers.dvr.model import COMPLETE, HIK_DATADIR, MPEG_PS, Segment

HOSTILE_FOLDER = '/=HYPERLINK("http://x")\x1b[31m\udcff'


def _row() -> dict[str, object]:
    segment = Segment(
        HIK_DATADIR, "index00", f"{HOSTILE_FOLDER}:hikdir:f00000:s000", 1, None, None,
        ((4096, 100),), MPEG_PS, COMPLETE, notes=("clipped\x07",),
    )  # fmt: skip
    return segment_row("CAM-1", segment, "run")


def test_a_hostile_folder_name_is_stored_as_valid_text() -> None:
    row = _row()
    assert "\udcff" not in str(row["segment_id"]) and "\\xff" in str(row["segment_id"])
    str(row["segment_id"]).encode("utf-8")  # storable in SQLite


def test_dvr_list_escapes_controls(capsys: pytest.CaptureFixture[str]) -> None:
    record = segment_record(_row(), RecorderClock())
    emit_rows([record], COLUMNS, as_json=False)
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out


def test_carved_csv_neutralises_formulas_and_controls() -> None:
    record = {**segment_record(_row(), RecorderClock()), "custody_head": "h"}
    handle = io.BytesIO()
    stats = write_safe_csv(handle, (*COLUMNS, "custody_head", "neutralised"), [record])
    text = handle.getvalue().decode("utf-8-sig")
    assert "\x1b" not in text and ',"=HYPERLINK' not in text and ",=HYPERLINK" not in text
    assert stats.neutralised_rows == [1]
