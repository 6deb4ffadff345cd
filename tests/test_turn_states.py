"""An espace's state read on the event loop serves the requests the loop already holds, then
is read again on its next turn (`sandbox.core.cache.TurnCache`): a burst of calls makes one
query of the espace's row, and nothing committed before a request arrives is missed."""

import asyncio

import httpx
import pytest

from sandbox.core.cache import TurnCache
from sandbox.core.database import Database
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from tests.statements import Statements


class Reads:
    """Counts its reads: each gives the next number."""

    def __init__(self) -> None:
        self.count = 0

    def read(self) -> int:
        self.count += 1
        return self.count


def test_a_value_is_read_once_per_key_in_a_turn_and_again_in_the_next() -> None:
    async def turns() -> None:
        cache: TurnCache[int] = TurnCache()
        reads = Reads()
        assert cache.get("a", reads.read) == 1
        assert cache.get("a", reads.read) == 1
        assert cache.get("b", reads.read) == 2
        await asyncio.sleep(0)  # the loop turns
        assert cache.get("a", reads.read) == 3
        assert cache.get("b", reads.read) == 4

    asyncio.run(turns())


def test_a_value_read_on_one_loop_is_never_given_on_another() -> None:
    cache: TurnCache[int] = TurnCache()
    reads = Reads()

    async def once() -> int:
        return cache.get("a", reads.read)

    # The first loop closes before its turn ends: the value it read stays behind.
    assert asyncio.run(once()) == 1
    assert asyncio.run(once()) == 2


def test_a_value_that_cannot_be_read_is_read_again_by_the_next_request() -> None:
    async def turns() -> None:
        cache: TurnCache[int] = TurnCache()
        reads = Reads()

        def failing() -> int:
            raise LookupError("no such espace")

        with pytest.raises(LookupError):
            cache.get("a", failing)
        assert cache.get("a", reads.read) == 1

    asyncio.run(turns())


def test_a_burst_of_calls_reads_its_espaces_state_once_and_a_later_call_again(
    opco_sandbox_database_url: str,
) -> None:
    database = Database(opco_sandbox_database_url)
    app = create_app(database, resolve("demo"))
    queries = Statements(database, "espaces.version_pannes")  # the state's query

    async def calls() -> tuple[list[int], int, int]:
        transport = httpx.ASGITransport(app=app)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=transport, base_url="http://sandbox/akto") as akto,
        ):
            await akto.get("/v1/status")  # the default espace's world built, its rows read
            await asyncio.sleep(0)
            before = queries.count
            burst = await asyncio.gather(*(akto.get("/v1/status") for _ in range(10)))
            in_burst = queries.count - before
            await asyncio.sleep(0)
            later = await akto.get("/v1/status")
            return [r.status_code for r in [*burst, later]], in_burst, queries.count - before

    try:
        statuses, in_burst, in_all = asyncio.run(calls())
    finally:
        database.dispose()
    assert statuses == [200] * 11
    assert in_burst == 1
    assert in_all == 2
