"""Identical contracts sent at the same instant make exactly one dossier, on each engine.

A real server (two worker processes) and real sockets: the database must arbitrate.
"""

import threading
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from sandbox.pytest_plugin import SOFTWARE_HEADERS, live_server
from tests.builders import transmission
from tests.conftest import postgres_database

SENDERS = 12
HEADERS = SOFTWARE_HEADERS | {"X-API-KEY": "demo-akto-key"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        database = f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
        with live_server(database, workers=2) as url:
            yield url
    else:
        with postgres_database() as database, live_server(database, workers=2) as url:
            yield url


def send_together(url: str, bodies: list[dict[str, object]]) -> list[httpx.Response]:
    """POST every body at once: the threads wait at a barrier, then fire."""
    barrier = threading.Barrier(len(bodies))
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def send(body: dict[str, object]) -> None:
        with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
            barrier.wait()
            response = client.post("/akto/v1/dossiers", json=body)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


def count_dossiers(url: str) -> int:
    response = httpx.get(
        f"{url}/akto/v1/dossiers/etats", headers=HEADERS, params={"taillePage": 500}
    )
    total: int = response.json()["total"]
    return total


def test_identical_submissions_make_one_dossier(server_url: str) -> None:
    before = count_dossiers(server_url)
    body = transmission("RACE-1", apprenti={"nom": "Concurrent", "prenom": "Alice"})
    responses = send_together(server_url, [body] * SENDERS)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: SENDERS - 1}, [r.text for r in responses]
    codes = {r.json()["errors"][0]["code"] for r in responses if r.status_code == 409}
    assert codes == {"DOSSIER_DOUBLON"}
    assert count_dossiers(server_url) == before + 1


def test_same_contract_under_different_numbers_makes_one_dossier(server_url: str) -> None:
    before = count_dossiers(server_url)
    bodies = [
        transmission(f"RACE-2-{i}", apprenti={"nom": "Concurrent", "prenom": "Bruno"})
        for i in range(SENDERS)
    ]
    responses = send_together(server_url, bodies)
    assert Counter(r.status_code for r in responses) == {201: 1, 409: SENDERS - 1}
    assert count_dossiers(server_url) == before + 1


def test_distinct_contracts_are_all_accepted(server_url: str) -> None:
    before = count_dossiers(server_url)
    bodies = [
        transmission(
            f"RACE-3-{i}", apprenti={"nom": "Concurrent", "prenom": f"Client{chr(65 + i)}"}
        )
        for i in range(SENDERS)
    ]
    responses = send_together(server_url, bodies)
    assert Counter(r.status_code for r in responses) == {201: SENDERS}, [r.text for r in responses]
    numbers = {r.json()["numeroExterne"] for r in responses}
    assert len(numbers) == SENDERS
    assert count_dossiers(server_url) == before + SENDERS
