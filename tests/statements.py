"""Counting the statements a database runs, for tests that assert what was (not) queried."""

from typing import Any

from sqlalchemy import event

from sandbox.core.database import Database


class Statements:
    """Counts the statements whose SQL contains `fragment`, whichever thread runs them."""

    def __init__(self, database: Database, fragment: str) -> None:
        self.fragment = fragment
        self.count = 0
        event.listen(database.engine, "before_cursor_execute", self._seen)

    def _seen(self, *args: Any) -> None:
        statement: str = args[2]
        if self.fragment in statement:
            self.count += 1
