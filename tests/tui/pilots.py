"""What every pilot test of the TUI needs: waiting until the app has settled, reading a widget."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DirectoryTree, Static


async def settle(pilot: Pilot[None]) -> None:
    """Let messages, workers and the messages they post all finish.

    A folder tree's loader is a worker that never ends while the tree is shown: not awaited.
    On the browse screen, also until the table shows the latest filter and sort.
    """
    for _ in range(200):
        await pilot.pause()
        workers = [w for w in pilot.app.workers if not isinstance(w.node, DirectoryTree)]
        if workers:  # (an empty list would mean "all workers" to Textual)
            await pilot.app.workers.wait_for_complete(workers)
        await pilot.pause()
        running = any(w.is_running for w in workers)
        if not running and getattr(pilot.app.screen, "view_is_current", True):
            return


def static_text(pilot: Pilot[None], selector: str) -> str:
    """What a ``Static`` of the current screen shows, as plain text."""
    return str(pilot.app.screen.query_one(selector, Static).render())
