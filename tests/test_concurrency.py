"""Identical contracts sent at the same instant make exactly one dossier, on each engine.

A real server (two worker processes) and real sockets: the database must arbitrate.
"""

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
