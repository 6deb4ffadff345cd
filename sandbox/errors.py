"""The sandbox's one error type: a status and problems in the contract's error shape.

Raised by the domain, rendered by one handler in the API; nothing here knows HTTP frameworks.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One item of an error answer: a stable code, a French message, the offending field."""

    code: str
    message: str
    champ: str | None = None


class SandboxError(Exception):
    """A refusal answered to the caller: `status` and one or more problems."""

    def __init__(
        self, status: int, problems: Sequence[Problem], diagnostics: Sequence[str] = ()
    ) -> None:
        super().__init__(", ".join(p.code for p in problems))
        self.status = status
        self.problems = tuple(problems)
        # Sentences for the journal only: what the caller cannot be told in the answer.
        self.diagnostics = tuple(diagnostics)

    @classmethod
    def of(
        cls,
        status: int,
        code: str,
        message: str,
        champ: str | None = None,
        diagnostics: Sequence[str] = (),
    ) -> "SandboxError":
        return cls(status, [Problem(code, message, champ)], diagnostics)

    @property
    def codes(self) -> list[str]:
        return [p.code for p in self.problems]


def dotted_path(loc: Sequence[Any]) -> str | None:
    """A pydantic location as the contract's `champ`: ("body", "lignes", 0, "montant") →
    "lignes[0].montant"."""
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]
    path = ""
    for part in parts:
        if part == "[key]":  # pydantic's marker for a refused dict key: the key is the place
            continue
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or None
