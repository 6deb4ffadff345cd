"""Invoices sent at the same instant never bill an échéance, or a frais cap, twice (§9).

A real server (two worker processes) and real sockets: the database must arbitrate.
"""

from collections import Counter
from typing import Any

import httpx
import pytest

from tests.builders import facture, frais, invoice_parts, live_token
from tests.live import HEADERS, SENDERS, send_together

BOTH_AMOUNTS = {"MONTANT_ECHEANCE_INCORRECT", "MONTANT_INCORRECT"}


@pytest.fixture
def url(server_url: str) -> str:
    """The live server, its default espace back to the demo's state."""
    httpx.post(f"{server_url}/_sandbox/espaces/default/reset").raise_for_status()
    return server_url


def rejected_codes(responses: list[httpx.Response]) -> list[set[str]]:
    """The codes of each 400, once the statuses are one 200 or more and 400s."""
    assert {r.status_code for r in responses} <= {200, 400}, [r.text for r in responses]
    return [{e["code"] for e in r.json()["errors"]} for r in responses if r.status_code == 400]


def first_echeance(url: str) -> dict[str, Any]:
    response = httpx.get(
        f"{url}/akto/v1/dossiers",
        headers=HEADERS,
        auth=live_token(url),
        params={"numeroInterne": "DEMO-0001"},
    )
    found: dict[str, Any] = response.json()["echeances"][0]
    return found


def count_factures(url: str) -> int:
    response = httpx.get(f"{url}/akto/v2/factures/etats", headers=HEADERS, auth=live_token(url))
    total: int = response.json()["total"]
    return total


def test_invoices_racing_for_one_echeance_bill_it_once(url: str) -> None:
    bodies = [facture(numero=f"RACE-{i}") for i in range(SENDERS)]
    responses = send_together(url, "/akto/v1/factures", bodies, invoice_parts)
    assert Counter(r.status_code for r in responses) == {200: 1, 400: SENDERS - 1}
    assert rejected_codes(responses) == [BOTH_AMOUNTS] * (SENDERS - 1)
    assert first_echeance(url)["montantEnCoursInstruction"] == 2800.0
    assert count_factures(url) == SENDERS  # the rejected ones are kept


def test_identical_invoices_at_once_make_one(url: str) -> None:
    responses = send_together(
        url, "/akto/v1/factures", [facture(numero="RACE")] * SENDERS, invoice_parts
    )
    assert Counter(r.status_code for r in responses) == {200: 1, 400: SENDERS - 1}
    expected = {"FACTURE_DEJA_CONNUE"} | BOTH_AMOUNTS
    assert rejected_codes(responses) == [expected] * (SENDERS - 1)
    assert first_echeance(url)["montantEnCoursInstruction"] == 2800.0
    assert count_factures(url) == 1


def test_frais_racing_for_one_cap_never_exceed_it(url: str) -> None:
    # RESTAURATION: €300 engaged, €100 an invoice.
    bodies = [facture(frais(100), numero=f"FRAIS-{i}") for i in range(SENDERS)]
    responses = send_together(url, "/akto/v1/factures", bodies, invoice_parts)
    assert Counter(r.status_code for r in responses) == {200: 3, 400: SENDERS - 3}
    assert rejected_codes(responses) == [{"FRAIS_ANNEXES_PLAFOND"}] * (SENDERS - 3)
