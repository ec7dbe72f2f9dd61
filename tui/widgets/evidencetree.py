"""The evidence tree: exhibit, volume, file system, directories, loaded node by node.

Exhibits, volumes and file systems are few and come with the tree; directories are read
when their node is first expanded, in a worker thread, from the directory index.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from textual import work
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from catalog.store import browse, reads
from tui.widgets.safe import safe, size_text

if TYPE_CHECKING:
    from catalog.casesession import CaseSession


@dataclass(frozen=True, slots=True)
class TreeItem:
    """What a node stands for; ``kind`` is exhibit, volume, filesystem or directory."""

    kind: str
    exhibit: str
    fs_id: str | None = None
    path: str | None = None


class EvidenceTree(Tree[TreeItem]):
    """Exhibits and what is inside them; selecting a node filters the file table."""

    class Chosen(Message):
        """The examiner moved onto a node."""

        def __init__(self, item: TreeItem) -> None:
            self.item = item
            super().__init__()

    def __init__(self, session: CaseSession, *, id: str | None = None) -> None:
        """A tree of the case's exhibits."""
        super().__init__("Case", id=id)
        self.session = session
        self.show_root = False
        self.guide_depth = 2

    def on_mount(self) -> None:
        """Add the exhibits with their volumes and file systems."""
        self.load()

    def load(self) -> None:
        """(Re)build the top of the tree from the catalog."""
        self.clear()
        db = self.session.reader
        for record in reads.exhibit_records(db):
            exhibit = str(record["exhibit"])
            node = self.root.add(safe(exhibit, style="bold"), TreeItem("exhibit", exhibit))
            filesystems = reads.filesystem_records(db, exhibit)
            for volume in reads.volume_records(db, exhibit):
                self._add_volume(node, exhibit, volume, filesystems)
            node.expand()

    def _add_volume(
        self,
        parent: TreeNode[TreeItem],
        exhibit: str,
        volume: dict[str, Any],
        filesystems: list[dict[str, Any]],
    ) -> None:
        kind = str(volume["kind"])
        name = {"whole": "whole image", "unallocated": "unallocated"}.get(kind)
        label = safe(name or volume.get("description") or kind, 20)
        label.append(f" @{volume['offset']} {size_text(volume['size'])}", style="dim")
        inside = [
            fs
            for fs in filesystems
            if fs["volume_index"] == volume["idx"]
            or (kind == "whole" and fs["volume_index"] is None)
        ]
        if kind == "meta":
            return
        item = TreeItem("volume", exhibit)
        if not inside:
            parent.add_leaf(label, item)
            return
        node = parent.add(label, item, expand=True)
        for fs in inside:
            fs_label = safe(f"{fs['fs_type']} {fs.get('label') or ''}".strip() + " /")
            fs_item = TreeItem("filesystem", exhibit, str(fs["fs_id"]), "/")
            node.add(fs_label, fs_item)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[TreeItem]) -> None:
        """Read a file system's or directory's subdirectories the first time it opens."""
        item = event.node.data
        if item is None or item.fs_id is None or event.node.children:
            return
        self._load_directories(event.node, item)

    @work(thread=True, exit_on_error=False, group="tree")
    def _load_directories(self, node: TreeNode[TreeItem], item: TreeItem) -> None:
        db = self.session.open_reader()
        try:
            rows = browse.child_directories(db, str(item.fs_id), str(item.path))
        finally:
            db.close()
        self.app.call_from_thread(self._add_directories, node, item, rows)

    def _add_directories(
        self, node: TreeNode[TreeItem], item: TreeItem, rows: list[dict[str, Any]]
    ) -> None:
        if node.children:
            return
        for row in rows:
            label = safe(row["name"], style="" if row["is_allocated"] else "strike")
            node.add(label, TreeItem("directory", item.exhibit, item.fs_id, str(row["path"])))
        if not rows:
            node.allow_expand = False

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[TreeItem]) -> None:
        """Tell the screen which node the examiner is on."""
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Chosen(event.node.data))
