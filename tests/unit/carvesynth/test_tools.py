from __future__ import annotations

import pytest

from tests.carvesynth import tools
from tests.carvesynth.fixtures import skip_without


def test_missing_names_only_absent_tools():
    assert tools.missing(["sh", "no-such-tool-evcat"]) == ["no-such-tool-evcat"]


def test_run_raises_tool_error_for_absent_or_failing_tools():
    with pytest.raises(tools.ToolError, match="not installed"):
        tools.run(["no-such-tool-evcat"])
    with pytest.raises(tools.ToolError, match="failed"):
        tools.run(["sh", "-c", "echo oops >&2; exit 3"])
    assert tools.run(["sh", "-c", "echo $E2FSPROGS_FAKE_TIME"]).strip() == str(tools.FIXED_EPOCH)


def test_stage_writes_a_file_dated_at_the_fixed_epoch(tmp_path):
    path = tools.stage(tmp_path, "sub/a.bin", b"data")
    assert path.read_bytes() == b"data"
    assert path.stat().st_mtime == tools.FIXED_EPOCH


def test_skip_without_skips_naming_the_missing_tool():
    with pytest.raises(pytest.skip.Exception, match="no-such-tool-evcat"):
        skip_without(("sh", "no-such-tool-evcat"))
    skip_without(("sh",))
