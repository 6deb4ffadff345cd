"""An acknowledged contract is on disk before its answer leaves: contracts are sent to a live
server, which is killed with SIGKILL mid-load, restarted on the same database; every
contract answered 200 is there, whole."""

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sandbox.pytest_plugin import live_server
from tests.builders import live_token, transmission
from tests.conftest import postgres_database
from tests.live import HEADERS

SENDERS = 4


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.db'}"
    else:
        with postgres_database() as url:
            yield url


def contract(sender: int, number: int) -> dict[str, object]:
    """A distinct contract: its apprentice's name differs with each one (no duplicate)."""
    body = transmission(f"CRASH-{sender}-{number:04d}")
    apprenti = body["cerfa"]["apprenti"]
    apprenti["nom"] = f"Crash{sender}x{number}"
    return body


def load(url: str, acknowledged: list[str], stop: threading.Event, sender: int) -> None:
    """Send contracts until the server dies; note those answered 200."""
    with httpx.Client(base_url=url, headers=HEADERS, auth=live_token(url), timeout=10) as client:
        for number in range(10_000):
            if stop.is_set():
                return
            body = contract(sender, number)
            try:
                answer = client.post("/akto/v1/dossiers", json=body)
            except httpx.HTTPError:
                return  # the server is gone
            if answer.status_code == 200:
                acknowledged.append(str(body["numeroInterne"]))


def test_every_acknowledged_contract_survives_a_kill(database_url: str) -> None:
    acknowledged: list[str] = []
    stop = threading.Event()
    server = live_server(database_url)
    url = server.__enter__()
    senders = [
        threading.Thread(target=load, args=(url, acknowledged, stop, k)) for k in range(SENDERS)
    ]
    for thread in senders:
        thread.start()
    while len(acknowledged) < 40:  # mid-load: contracts are flowing
        threading.Event().wait(0.05)
    assert server.process is not None
    server.process.kill()  # SIGKILL: no shutdown, no flush
    server.process.wait()
    stop.set()
    for thread in senders:
        thread.join()
    with (
        live_server(database_url) as restarted,
        httpx.Client(base_url=restarted, headers=HEADERS, auth=live_token(restarted)) as client,
    ):
        read = {
            numero: client.get("/akto/v1/dossiers", params={"numeroInterne": numero})
            for numero in acknowledged
        }
    assert len(acknowledged) >= 40
    assert {numero for numero, answer in read.items() if answer.status_code != 200} == set()
    for numero, answer in read.items():  # whole: the CERFA as sent, the state set
        sender, number = numero.removeprefix("CRASH-").split("-")
        assert answer.json()["cerfa"]["apprenti"]["nom"] == f"Crash{sender}x{int(number)}"
        assert answer.json()["cerfa"]["etat"] == "TRANSMIS"
