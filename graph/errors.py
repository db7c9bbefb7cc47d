"""One exception hierarchy for glossgraph: every error a user can cause derives from GlossgraphError."""

from __future__ import annotations

__all__ = [
    "AmbiguousReference",
    "ConceptNotFound",
    "ExportError",
    "GlossgraphError",
    "LoadError",
    "NoPath",
    "Problem",
    "StoreError",
    "UsageError",
]

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in the input: where it is and what is wrong."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class GlossgraphError(Exception):
    """Base of every error glossgraph raises on bad input or a failed operation."""

    exit_code = 2


class UsageError(GlossgraphError):
    """The caller asked for something that makes no sense (bad option, bad value)."""


class LoadError(GlossgraphError):
    """A source could not be loaded; lists every problem found (the first is the headline)."""

    def __init__(self, problems: list[Problem] | Problem | str, file: str = "", line: int | None = None):
        if isinstance(problems, str):
            problems = [Problem(file, line, problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        first = str(self.problems[0]) if self.problems else "load failed"
        more = f" (and {len(self.problems) - 1} more problems)" if len(self.problems) > 1 else ""
        super().__init__(first + more)

    @property
    def file(self) -> str:
        """The file of the first problem."""
        return self.problems[0].file if self.problems else ""

    @property
    def line(self) -> int | None:
        """The line of the first problem."""
        return self.problems[0].line if self.problems else None


class ConceptNotFound(GlossgraphError):
    """No concept matches the given id, title or alias."""

    exit_code = 1

    def __init__(self, ref: str):
        self.ref = ref
        super().__init__(f"no concept matches {ref!r}")


class AmbiguousReference(GlossgraphError):
    """A reference matches several concepts (an alias they share, or a shared title)."""

    def __init__(self, ref: str, candidates: list[str]):
        self.ref = ref
        self.candidates = sorted(candidates)
        super().__init__(f"{ref!r} is ambiguous: it matches {', '.join(self.candidates)}")


class NoPath(GlossgraphError):
    """No path joins the two concepts under the given constraints."""

    exit_code = 1


class StoreError(GlossgraphError):
    """A store (e.g. the Neo4j server) could not be reached or refused the operation."""


class ExportError(GlossgraphError):
    """An export or snapshot could not be written or verified."""
