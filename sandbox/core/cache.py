"""A bounded in-process cache of what is built from an espace's rows, keyed by their version.

Each worker keeps its own; what makes them agree is the version, read from the database in
every request's transaction: an entry built for another version is built again. The bound
(least recently used first out) keeps a test session that creates thousands of espaces
from growing without limit."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

ValueT = TypeVar("ValueT")


class VersionedCache(Generic[ValueT]):
    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, tuple[Hashable, ValueT]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, version: Hashable, build: Callable[[], ValueT]) -> ValueT:
        """The value of `key` at `version`, built (outside the lock) when not cached."""
        with self._lock:
            cached = self._entries.get(key)
            if cached is not None and cached[0] == version:
                self._entries.move_to_end(key)
                return cached[1]
        value = build()
        self.put(key, version, value)
        return value

    def put(self, key: Hashable, version: Hashable, value: ValueT) -> None:
        """Keep `value` as that of `key` at `version`."""
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
