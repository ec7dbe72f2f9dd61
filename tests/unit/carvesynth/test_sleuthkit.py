from __future__ import annotations

from tests.carvesynth import sleuthkit
from tests.carvesynth.fixtures import ext4_deleted, fat_reformatted
from tests.unit.carvesynth import checks

__all__ = ["ext4_deleted", "fat_reformatted"]


def test_fls_parses_deleted_entries_and_inodes(ext4_deleted):
    checks.require_sleuthkit()
    entries = {entry.path: entry for entry in sleuthkit.fls(ext4_deleted)}
    assert not entries["script_en.txt"].is_allocated
    assert entries["notes.txt"].is_allocated
    assert entries["backup"].type == "d/d"
    assert entries["notes.txt"].inode.isdigit()


def test_allocated_extents_skip_virtual_entries_and_the_volume_label(fat_reformatted):
    checks.require_sleuthkit()
    found = sleuthkit.allocated_extents(fat_reformatted)
    assert sorted(found) == ["/IMG_0001.JPG", "/manual.pdf", "/notes.txt"]
    assert all(extents and extents[0][1] >= 512 for extents in found.values())


def test_unit_size_is_the_sector_on_fat_and_the_block_on_ext4(fat_reformatted, ext4_deleted):
    checks.require_sleuthkit()
    assert sleuthkit.unit_size(fat_reformatted) == 512
    assert sleuthkit.unit_size(ext4_deleted) == 4096
