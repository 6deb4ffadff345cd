"""A bounded in-process cache of what is built from an espace's rows, keyed by their version.

Each worker keeps its own; what makes them agree is the version, read from the database for
every request (for an API call, once per turn of the event loop: `TurnCache`): an entry
built for another version is built again. The bound (least recently used first out) keeps
a test session that creates thousands of espaces from growing without limit."""

import asyncio
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


class TurnCache(Generic[ValueT]):
    """Values read on the event loop, each shared by the requests the loop already holds
    until its next turn: then dropped (`loop.call_soon`).

    Why a value read at instant T may serve them: the server creates a request's task once
    it has read the request off its socket, so a task that runs before the drop existed
    before T, for a request that arrived before T. Whatever its client saw acknowledged, by
    this worker or another, was committed before it sent that request, hence before T, and
    the read sees it. A task created after T runs after the drop (the loop runs what it is
    given in order), and so does a task resumed once a thread of this worker committed.

    The one sequence it cannot see: code that, within one turn and without awaiting
    anything, calls the app in-process (an ASGI transport), then writes to the database by
    itself, then calls again. The sandbox's own clients run the app on a loop of its own
    (`sandbox.testing`), and its control API writes in worker threads.

    A value is kept per loop: a cache shared by several loops (tests running an app on
    more than one) never gives one loop what another read."""

    def __init__(self) -> None:
        self._held: tuple[object, dict[Hashable, ValueT]] | None = None

    def get(self, key: Hashable, read: Callable[[], ValueT]) -> ValueT:
        """The value of `key` read in this turn of the running loop, read now if none was."""
        loop = asyncio.get_running_loop()
        held = self._held
        if held is None or held[0] is not loop:
            held = self._held = (loop, {})
        values = held[1]
        if key in values:
            return values[key]
        value = read()
        if not values:
            loop.call_soon(values.clear)
        values[key] = value
        return value
