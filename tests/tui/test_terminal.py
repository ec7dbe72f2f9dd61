"""``evcat tui`` in a real terminal: tmux runs it, sends keys, and reads the screen back.

Pilot tests drive the app in-process through a headless driver. Only a real terminal
shows that keys arrive through the Linux driver, that the screens draw at 80x24, and
that Ctrl+Q leaves the shell's terminal as it found it. Each test starts its own tmux
server on a private socket (``tmux -S``), so a developer's own tmux is never touched,
and kills it afterwards. Every assertion about what the examiner sees is made on
``capture-pane`` output.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(
    TMUX is None,
    reason="tmux is not installed; these real-terminal tests need it (.ci/run installs it)",
)

EXAMINER = "Tmux Examiner"
NOTE = "lead list recovered, desk 4"
EXIT_MARKER = "EVCAT-EXIT="
WAIT_SECONDS = 30.0  # a deadline for waiting on the app, not a timing assertion
POLL_SECONDS = 0.1
EXHIBIT_ROWS = (re.compile(r"^\s*disk\s+raw\s", re.M), re.compile(r"^\s*usb\s+raw\s", re.M))
FILE_ROW = re.compile(r"│(\S{5}) (/\S+)")  # "│D-F-- /deleted_lead_list.txt" in the file table
DELETED = "/deleted_lead_list.txt"


class Terminal:
    """One tmux server on a private socket, holding one 80x24 pane that runs the TUI."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        # A short private folder: socket paths are limited to about 100 bytes.
        self.socket_dir = Path(tempfile.mkdtemp(prefix="evcat-tmux-"))
        self.socket = str(self.socket_dir / "socket")
        self.target = "evcat"
        self.screen = ""

    def tmux(self, *args: str) -> str:
        """Run a tmux command against this test's own server; its stdout."""
        env = {key: value for key, value in os.environ.items() if key not in ("TMUX", "TMUX_PANE")}
        command = [str(TMUX), "-u", "-S", self.socket, *args]
        result = subprocess.run(command, capture_output=True, env=env, timeout=30, check=False)
        if result.returncode != 0:
            pytest.fail(f"{shlex.join(command)} failed: {result.stderr.decode(errors='replace')}")
        return result.stdout.decode("utf-8", errors="replace")

    def start(self, case: Path) -> None:
        """Start ``evcat tui CASE --examiner EXAMINER`` in a detached 80x24 session."""
        config = self.workdir / "tmux.conf"
        # remain-on-exit keeps a crashed script's last screen for the failure message.
        config.write_text("set-option -g remain-on-exit on\nset-option -g status off\n")
        script = self.workdir / "run-tui.sh"
        script.write_text(tui_script(case, self.workdir))
        self.tmux(
            "-f", str(config), "new-session", "-d", "-s", self.target, "-x", "80", "-y", "24",
            "-c", str(PROJECT_ROOT), f"sh {shlex.quote(str(script))}",
        )  # fmt: skip

    def kill(self) -> None:
        """Stop this test's tmux server (and the TUI with it), if running; remove its socket."""
        command = [str(TMUX), "-S", self.socket, "kill-server"]
        subprocess.run(command, capture_output=True, timeout=30, check=False)
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def capture(self) -> str:
        """The pane's visible screen, as text."""
        self.screen = self.tmux("capture-pane", "-p", "-t", self.target)
        return self.screen

    def info(self, name: str) -> str:
        """A tmux format variable of the pane, such as ``pane_dead`` or ``cursor_y``."""
        return self.tmux("display-message", "-p", "-t", self.target, f"#{{{name}}}").strip()

    def send(self, *keys: str) -> None:
        """Press keys, named as tmux names them (``b``, ``Enter``, ``Escape``, ``C-q``)."""
        self.tmux("send-keys", "-t", self.target, *keys)

    def type_text(self, text: str) -> None:
        """Type ``text`` literally."""
        self.tmux("send-keys", "-t", self.target, "-l", text)

    def wait_until(
        self, predicate: Callable[[str], bool], what: str, timeout: float = WAIT_SECONDS
    ) -> str:
        """Poll the screen until ``predicate`` holds; fail with the last screen otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            dead = self.info("pane_dead") == "1"
            screen = self.capture()
            if predicate(screen):
                return screen
            exited = dead or EXIT_MARKER in screen
            if exited or time.monotonic() > deadline:
                state = "the TUI exited" if exited else f"waited {timeout:.0f}s"
                pytest.fail(f"{state} before {what}; the last screen was:\n{screen}")
            time.sleep(POLL_SECONDS)

    def wait_for(self, text: str | re.Pattern[str], timeout: float = WAIT_SECONDS) -> str:
        """Poll the screen until ``text`` (a string or a pattern) is shown on it."""
        if isinstance(text, str):
            return self.wait_until(lambda screen: text in screen, repr(text), timeout)
        return self.wait_until(
            lambda screen: text.search(screen) is not None, text.pattern, timeout
        )

    def cursor(self) -> tuple[int, int]:
        """Where the terminal's cursor is (Textual puts it in the focused input)."""
        return int(self.info("cursor_x")), int(self.info("cursor_y"))


def tui_script(case: Path, workdir: Path) -> str:
    """A shell script: run the TUI, print its exit status and whether the tty modes came back.

    The script then waits for Enter, so the pane stays alive and tmux still reports its
    cursor and modes (tmux hides a dead pane's cursor, and did not always reap the shell
    promptly here, so the status is read from the screen, not ``pane_dead_status``).
    """
    env = {
        "TERM": "xterm-256color",
        "EVCAT_CONFIG": str(workdir / "no-config.toml"),
        "EVCAT_HASHSETS": str(workdir / "no-hashsets.db"),
        "PYTHONPATH": str(PROJECT_ROOT),
        "PYTHONUTF8": "1",
    }
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    command = [sys.executable, "-m", "catalog", "tui", str(case), "--examiner", EXAMINER]
    return (
        f"cd {shlex.quote(str(PROJECT_ROOT))}\n"
        "unset COLUMNS LINES EVCAT_SIGNING_KEY\n"
        "before=$(stty -g)\n"
        f"{assignments} {shlex.join(command)}\n"
        "status=$?\n"
        'if [ "$(stty -g)" = "$before" ]; then tty=restored; else tty=changed; fi\n'
        f'printf \'{EXIT_MARKER}%s TTY=%s\\n\' "$status" "$tty"\n'
        "read -r _\n"
        'exit "$status"\n'
    )


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A private tmux server for one test, killed whatever the test's outcome."""
    term = Terminal(tmp_path)
    try:
        yield term
    finally:
        term.kill()


def on_case_screen(screen: str) -> bool:
    return all(row.search(screen) for row in EXHIBIT_ROWS) and "Add exhibit" in screen


def deleted_only_view(screen: str) -> bool:
    rows = FILE_ROW.findall(screen)
    return (
        "contacts.csv" not in screen
        and len(rows) == 3
        and all(flags.startswith("D") and path == DELETED for flags, path in rows)
    )


def open_first_deleted_file(terminal: Terminal) -> str:
    """From the case screen: browse, deleted only, open the first file; its detail screen."""
    terminal.send("b")
    terminal.wait_for("/leads/contacts.csv")
    terminal.send("d")
    screen = terminal.wait_until(deleted_only_view, "the deleted-only file list")
    assert re.search(r"^\s*1/3\s+disk:/deleted_lead_list\.txt", screen, re.M), screen
    terminal.send("Enter")
    return terminal.wait_for("(deleted)")


def quit_and_wait_for_exit(terminal: Terminal) -> str:
    """Press Ctrl+Q; the shell's screen once the script printed the TUI's exit status."""
    terminal.send("C-q")
    return terminal.wait_for(re.compile(rf"{EXIT_MARKER}\d+ TTY=\w+"))


def test_browse_deleted_filter_and_detail_then_ctrl_q_restores_terminal(
    terminal: Terminal, sample_case: Path
) -> None:
    terminal.start(sample_case)
    terminal.wait_until(on_case_screen, "the case screen listing exhibits disk and usb")

    screen = open_first_deleted_file(terminal)
    title = next(line for line in screen.splitlines() if "(deleted)" in line)
    assert "disk:/deleted_lead_list.txt" in title
    assert re.search(r"is_allocated: 0$", screen, re.M), screen

    terminal.send("Escape")
    terminal.wait_until(lambda s: "(deleted)" not in s and deleted_only_view(s), "the file list")
    terminal.send("Escape")
    screen = terminal.wait_until(
        lambda s: on_case_screen(s) and "Mismatch" not in s, "the case screen again"
    )

    screen = quit_and_wait_for_exit(terminal)
    # Restored: exit status 0, tty modes as before, out of the alternate screen, cursor
    # shown, mouse reporting off, and nothing of the UI left on the shell's screen.
    assert f"{EXIT_MARKER}0 TTY=restored" in screen
    assert [line for line in screen.splitlines() if line.strip()] == [
        f"{EXIT_MARKER}0 TTY=restored"
    ], screen
    assert terminal.info("alternate_on") == "0"
    assert terminal.info("cursor_flag") == "1"
    assert terminal.info("mouse_any_flag") == "0"


def test_tag_and_note_typed_in_terminal_are_recorded_with_custody(
    terminal: Terminal, sample_case: Path
) -> None:
    terminal.start(sample_case)
    terminal.wait_until(on_case_screen, "the case screen listing exhibits disk and usb")
    open_first_deleted_file(terminal)

    terminal.send("t")
    terminal.wait_for("Mark as notable")
    lines = terminal.capture().splitlines()
    note_row = next(index for index, line in enumerate(lines) if "why it matters" in line)
    terminal.type_text(NOTE)  # the dialog opens with the note field focused
    lines = terminal.wait_for(NOTE).splitlines()
    # The note went into the note field, and the tag field still shows its "notable".
    assert NOTE in lines[note_row], "\n".join(lines)
    assert [line for line in lines if "notable" in line and "Mark as" not in line], lines
    terminal.send("Enter")
    terminal.wait_for("tagged 'notable'")
    # EVCAT_EXAMINER says "Test Examiner" (tests/conftest.py): --examiner must win.
    screen = quit_and_wait_for_exit(terminal)
    assert f"{EXIT_MARKER}0 TTY=restored" in screen

    connection = sqlite3.connect(sample_case)
    try:
        tags = connection.execute(
            "SELECT t.file_id, t.tag, t.examiner, t.custody_seq, e.exhibit, f.path "
            "FROM tags t JOIN files f USING (file_id) JOIN evidence e USING (evidence_id)"
        ).fetchall()
        notes = connection.execute(
            "SELECT file_id, note, examiner, custody_seq FROM notes"
        ).fetchall()
        tail = connection.execute(
            "SELECT seq, action, examiner, body FROM custody_log ORDER BY seq DESC LIMIT 2"
        ).fetchall()[::-1]
    finally:
        connection.close()

    assert len(tags) == 1
    file_id, tag, examiner, tag_seq, exhibit, path = tags[0]
    assert (tag, examiner, exhibit, path) == ("notable", EXAMINER, "disk", DELETED)
    assert notes == [(file_id, NOTE, EXAMINER, tag_seq + 1)]
    assert [(seq, action, who) for seq, action, who, _ in tail] == [
        (tag_seq, "tag.added", EXAMINER),
        (tag_seq + 1, "note.added", EXAMINER),
    ]
    details = [json.loads(body)["details"] for *_, body in tail]
    assert details[0]["tag"]["file_id"] == file_id
    assert details[1]["note"]["note"] == NOTE
