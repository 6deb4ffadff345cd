"""A bounded in-process cache of what is built from an espace's rows, keyed by their version.

Each worker keeps its own; what makes them agree is the version, read from the database in
every request's transaction: an entry built for another version is built again. The bound
(least recently used first out) keeps a test session that creates thousands of espaces
from growing without limit."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar, cast

ValueT = TypeVar("ValueT")
_MISSING = object()  # what `_cached` gives for a value not cached (None may be one)


class VersionedCache(Generic[ValueT]):
    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[Hashable, ValueT]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, build: Callable[[], ValueT]) -> ValueT:
        """The value of `key` at `version`, built (outside the lock) when not cached."""
        found = self._cached(key, version)
        if found is not _MISSING:
            return cast(ValueT, found)
        value = build()
        self.put(key, version, value)
        return value

    def find(self, key: Hashable, version: Hashable) -> ValueT | None:
        """The value of `key` at `version` when cached, else None (for values that are
        never None: those built outside, by a coroutine)."""
        found = self._cached(key, version)
        return None if found is _MISSING else cast(ValueT, found)

    def _cached(self, key: Hashable, version: Hashable) -> object:
        """The value of `key` at `version` (which may be None), or `_MISSING`."""
        with self._lock:
            cached = self._entries.get(key)
            if cached is None or cached[0] != version:
                return _MISSING
            self._entries.move_to_end(key)
            return cached[1]

    def put(self, key: Hashable, version: Hashable, value: ValueT) -> None:
        """Keep `value` as that of `key` at `version`."""
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
