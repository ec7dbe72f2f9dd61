"""Session fixtures that build each carving test image once; import them into a test module.

``from tests.carvesynth.fixtures import fat_reformatted`` makes the fixture visible to the
tests of that module. A fixture skips, naming the tool, when the tools its image needs are
not installed.
"""

from __future__ import annotations

import pytest

from tests.carvesynth import tools
from tests.carvesynth.ext4deleted import build_ext4_deleted
from tests.carvesynth.fatreformat import build_fat_reformatted
from tests.carvesynth.partitioned import build_partitioned_gap
from tests.carvesynth.truth import CarveImage


def skip_without(needed: tuple[str, ...]) -> None:
    """Skip the calling test when any of ``needed`` is not installed."""
    absent = tools.missing(needed)
    if absent:
        pytest.skip(f"carving test image needs {', '.join(absent)} (not installed)")


@pytest.fixture(scope="session")
def fat_reformatted(tmp_path_factory: pytest.TempPathFactory) -> CarveImage:
    """The reformatted FAT16 image (see ``tests.carvesynth.fatreformat``)."""
    skip_without(tools.FAT_TOOLS)
    return build_fat_reformatted(tmp_path_factory.mktemp("fat_reformatted"))


@pytest.fixture(scope="session")
def ext4_deleted(tmp_path_factory: pytest.TempPathFactory) -> CarveImage:
    """The ext4 image with deleted payloads (see ``tests.carvesynth.ext4deleted``)."""
    skip_without(tools.EXT4_TOOLS)
    return build_ext4_deleted(tmp_path_factory.mktemp("ext4_deleted"))


@pytest.fixture(scope="session")
def partitioned_gap(tmp_path_factory: pytest.TempPathFactory) -> CarveImage:
    """The MBR disk with payloads in the gap (see ``tests.carvesynth.partitioned``)."""
    skip_without(tools.FAT_TOOLS)
    return build_partitioned_gap(tmp_path_factory.mktemp("partitioned_gap"))
