"""The pipeline's implementation of ``ParseContext``: limits plus problem rows."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from catalog.csvsafe import clean_text
from catalog.timeutil import utc_now
from parsers.context import Limits

if TYPE_CHECKING:
    from collections.abc import Callable

    from catalog.locator import Locator
    from catalog.store.writer import CatalogWriter


_TSK_SOURCE_TAG = re.compile(r"\((?:tsk3|class)\.cpp:\d+\)\s*")
_WHITESPACE = re.compile(r"\s+")
MAX_MESSAGE = 500


def one_line(message: str) -> str:
    """A problem message on one line: back-end source tags dropped, whitespace collapsed."""
    text = _WHITESPACE.sub(" ", _TSK_SOURCE_TAG.sub("", clean_text(message))).strip()
    text = text.replace("( ", "(").replace(" )", ")")
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 1] + "\u2026"


class RunContext:
    """Collects problems for one evidence item of one run and queues them for the writer."""

    def __init__(
        self,
        writer: CatalogWriter,
        run_id: str,
        evidence_id: str,
        limits: Limits,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        """Bind the context to a run and an evidence item."""
        self._writer = writer
        self._run_id = run_id
        self._evidence_id = evidence_id
        self._limits = limits
        self._on_problem = on_problem
        self.problem_count = 0
        self.parser: tuple[str, int] | None = None

    @property
    def limits(self) -> Limits:
        """Bounds for this run."""
        return self._limits

    def problem(
        self,
        stage: str,
        message: str,
        *,
        locator: Locator | None = None,
        offset: int | None = None,
        exc: BaseException | None = None,
    ) -> None:
        """Queue a problems row and continue."""
        self.problem_count += 1
        message = one_line(message)
        parser, version = self.parser if self.parser else (None, None)
        self._writer.insert(
            "problems",
            [
                {
                    "run_id": self._run_id,
                    "evidence_id": self._evidence_id,
                    "locator": str(locator) if locator else None,
                    "stage": stage,
                    "parser": parser,
                    "parser_version": version,
                    "message": message,
                    "exception_type": type(exc).__name__ if exc else None,
                    "offset": offset,
                    "created": utc_now(),
                }
            ],
        )
        if self._on_problem:
            self._on_problem(f"{self._evidence_id}: {message}")
