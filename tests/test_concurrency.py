"""Identical contracts sent at the same instant make exactly one dossier, on each engine.

A real server (two worker processes) and real sockets: the database must arbitrate.
"""

import threading
from collections import Counter

import httpx

from tests.builders import live_token, transmission
from tests.live import HEADERS, SENDERS, send_together


def count_dossiers(url: str) -> int:
    response = httpx.get(
        f"{url}/akto/v2/dossiers/etats",
        headers=HEADERS,
        auth=live_token(url),
        params={"taillePage": 500},
    )
    total: int = response.json()["total"]
    return total


def test_identical_submissions_make_one_dossier(server_url: str) -> None:
    before = count_dossiers(server_url)
    body = transmission("RACE-1", apprenti={"nom": "Concurrent", "prenom": "Alice"})
    responses = send_together(server_url, "/akto/v1/dossiers", [body] * SENDERS)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 400: SENDERS - 1}, [r.text for r in responses]
    codes = {r.json()["errors"][0]["code"] for r in responses if r.status_code == 400}
    assert codes == {"DOSSIER_DOUBLON"}
    assert count_dossiers(server_url) == before + 1


def test_same_contract_under_different_numbers_makes_one_dossier(server_url: str) -> None:
    before = count_dossiers(server_url)
    bodies = [
        transmission(f"RACE-2-{i}", apprenti={"nom": "Concurrent", "prenom": "Bruno"})
        for i in range(SENDERS)
    ]
    responses = send_together(server_url, "/akto/v1/dossiers", bodies)
    assert Counter(r.status_code for r in responses) == {200: 1, 400: SENDERS - 1}
    assert count_dossiers(server_url) == before + 1


def test_distinct_contracts_are_all_accepted(server_url: str) -> None:
    before = count_dossiers(server_url)
    bodies = [
        transmission(
            f"RACE-3-{i}", apprenti={"nom": "Concurrent", "prenom": f"Client{chr(65 + i)}"}
        )
        for i in range(SENDERS)
    ]
    responses = send_together(server_url, "/akto/v1/dossiers", bodies)
    assert Counter(r.status_code for r in responses) == {200: SENDERS}, [r.text for r in responses]
    numbers = {r.json()["numeroExterne"] for r in responses}
    assert len(numbers) == SENDERS
    assert count_dossiers(server_url) == before + SENDERS


def test_a_contract_acknowledged_is_read_at_once_by_either_worker_under_load(
    server_url: str,
) -> None:
    """Each contract, once answered 200, is found by the next call, on a new connection
    (either worker), while other clients keep both workers' event loops busy with reads:
    those share their espace's state within a turn of the loop, never past a write their
    clients saw acknowledged."""
    token = live_token(server_url)
    stop = threading.Event()
    polled: list[int] = []

    def poll() -> None:
        with httpx.Client(base_url=server_url, headers=HEADERS, auth=token) as client:
            while not stop.is_set():
                polled.append(client.get("/akto/v2/dossiers/etats").status_code)

    pollers = [threading.Thread(target=poll) for _ in range(6)]
    for poller in pollers:
        poller.start()
    try:
        for n in range(20):
            numero = f"SEEN-{n}"
            body = transmission(numero, apprenti={"nom": "Relu", "prenom": f"Client{n}"})
            with httpx.Client(base_url=server_url, headers=HEADERS, auth=token) as sender:
                sent = sender.post("/akto/v1/dossiers", json=body)
            assert sent.status_code == 200, sent.text
            with httpx.Client(base_url=server_url, headers=HEADERS, auth=token) as reader:
                read = reader.get("/akto/v1/dossiers", params={"numeroInterne": numero})
                page = reader.get("/akto/v2/dossiers/etats", params={"taillePage": 500})
            assert read.status_code == 200, read.text
            assert read.json()["cerfa"]["apprenti"]["prenom"] == f"Client{n}"
            states = {d["numeroInterne"]: d for d in page.json()["EtatDossierResult"]}
            assert states[numero]["numeroExterne"] == sent.json()["numeroExterne"]
    finally:
        stop.set()
        for poller in pollers:
            poller.join(timeout=30)
    assert set(polled) == {200}  # and some were polled
