"""CFADock's rate limit holds when requests race on several workers (§8): a real server (two
worker processes), real sockets, each engine."""

import copy
import threading
import uuid
from collections import Counter

import httpx

from sandbox.scenarios.loader import resolve
from tests.live import SENDERS

LIMIT = 5


def get_together(url: str, count: int) -> list[httpx.Response]:
    """GET the path `count` times at once: the threads wait at a barrier, then fire."""
    barrier = threading.Barrier(count)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def get() -> None:
        with httpx.Client(timeout=60) as client:
            barrier.wait()
            response = client.get(url)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=get) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


def test_racing_requests_past_the_limit_are_refused(server_url: str) -> None:
    espace = f"cfadock-{uuid.uuid4().hex[:8]}"
    scenario = copy.deepcopy(resolve("demo").document) | {"cfadock": {"limiteParMinute": LIMIT}}
    loaded = httpx.put(f"{server_url}/_sandbox/espaces/{espace}/scenario", json=scenario)
    assert loaded.status_code == 200, loaded.text

    responses = get_together(f"{server_url}/espaces/{espace}/cfadock/api/accrochage", SENDERS)

    assert Counter(r.status_code for r in responses) == {200: LIMIT, 429: SENDERS - LIMIT}
    assert all(r.headers["Retry-After"].isdigit() for r in responses if r.status_code == 429)
