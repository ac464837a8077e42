"""The one error format editors see: `briefs/<file>:<line>:<col>: error: <message>`."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Span:
    """A position in a source file; line and column are 1-based."""

    file: str
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, order=True)
class Diagnostic:
    span: Span
    message: str
    hint: str | None = None
    severity: str = "error"

    def format(self) -> str:
        text = f"{self.span}: {self.severity}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


@dataclass
class Diagnostics:
    """Collects every problem of a run, so that editors see them all at once."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(span, message, hint))

    def warning(self, span: Span, message: str, hint: str | None = None) -> None:
        self.items.append(Diagnostic(span, message, hint, severity="warning"))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    @property
    def error_count(self) -> int:
        return sum(1 for d in self.items if d.severity == "error")

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=_sort_key)

    def format(self) -> str:
        return "\n".join(d.format() for d in self.sorted())


def _sort_key(d: Diagnostic) -> tuple:
    return (d.span.file, d.span.line, d.span.col, d.message)


class EditorError(Exception):
    """Raised to stop a build because of problems in the editors' input (never a code bug)."""

    def __init__(self, diagnostics: Diagnostics):
        super().__init__(diagnostics.format())
        self.diagnostics = diagnostics


def did_you_mean(word: str, candidates, cutoff: float = 0.6) -> str | None:
    import difflib

    matches = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=cutoff)
    return f"did you mean '{matches[0]}'?" if matches else None
