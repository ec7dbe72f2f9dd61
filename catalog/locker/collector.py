"""A worker's ``ParseContext``: problems are kept as values for the coordinator to record."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from catalog.locker.units import ProblemRecord
from catalog.runcontext import one_line
from parsers.context import Limits

if TYPE_CHECKING:
    from catalog.locator import Locator


@dataclass(slots=True)
class Collector:
    """The worker's ``ParseContext``: problems become ``ProblemRecord`` values."""

    limits: Limits = field(default_factory=Limits)
    problems: list[ProblemRecord] = field(default_factory=list)
    parser: tuple[str, int] | None = None
    keep: bool = True
    """False: drop problems (a range's walk, whose problems its plan already recorded)."""

    def problem(
        self,
        stage: str,
        message: str,
        *,
        locator: Locator | None = None,
        offset: int | None = None,
        exc: BaseException | None = None,
    ) -> None:
        """Keep a problem for the coordinator to record (unless ``keep`` is off)."""
        if not self.keep:
            return
        self.problems.append(
            ProblemRecord(
                stage,
                one_line(message),
                str(locator) if locator else None,
                offset,
                type(exc).__name__ if exc else None,
                self.parser,
            )
        )
