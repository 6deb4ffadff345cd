"""The clock, invoice decisions and scenario replacement racing other requests: whatever
the timing, the outcome is one that the same requests sent one after the other would give.

A real server (two worker processes) and real sockets: the database must arbitrate.
"""

from datetime import date, timedelta
from typing import Any

import httpx

from sandbox.scenarios.loader import resolve
from tests.builders import (
    PDF,
    cerfa,
    codes,
    facture,
    invoice_parts,
    ligne,
    live_token,
    transmission,
)
from tests.live import HEADERS, Call, fire_together

# Rounds of each race: enough for today's code to have failed every run of them, on
# PostgreSQL, before the espace's row was locked.
CLOCK_ROUNDS = 5
DECISION_ROUNDS = 10
LOAD_ROUNDS = 6
CONTROL = "/_sandbox/espaces/default"
DEMO_DAY = date(2026, 9, 1)  # the demo's clock
ENGAGED = 12  # dossiers engaged by the scenario below, one invoice racing for each
TRANSMITTED = 6  # contracts transmitted while the clock moves
# A scanned invoice of 1 MB: its transaction lasts long enough for a clock move to come
# and go while it is read.
SCANNED = PDF + b"%" * 1024 * 1024
PAYMENT_DELAY = 5  # the demo's delaiPaiement at akto


def engaged_scenario() -> dict[str, Any]:
    """The demo plus ENGAGED engaged dossiers of CFA Demo at akto, E1 open on the clock's day."""
    document: dict[str, Any] = dict(resolve("demo").document)
    document["dossiers"] = [
        *document["dossiers"],
        *(
            {
                "opco": "akto",
                "canal": "API",
                "etat": "ENGAGE",
                "numeroInterne": f"COURSE-{i:02d}",
                "numeroExterne": numero_externe(i),
                "mandatGestion": True,
                "cerfa": cerfa(apprenti={"prenom": f"Course{chr(65 + i)}"}),
            }
            for i in range(ENGAGED)
        ),
    ]
    return document


def numero_externe(i: int) -> str:
    return f"AKTO-2026-{100 + i:06d}"


def load(url: str, scenario: dict[str, Any], espace: str = "default") -> dict[str, Any]:
    response = httpx.put(f"{url}/_sandbox/espaces/{espace}/scenario", json=scenario, timeout=60)
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = response.json()
    return summary


def api(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers=HEADERS, auth=live_token(url), timeout=30)


def move_clock(url: str, days: int) -> date:
    response = httpx.post(f"{url}{CONTROL}/horloge", json={"jours": days}, timeout=60)
    assert response.status_code == 200, response.text
    return date.fromisoformat(response.json()["date"])


def invoices(url: str) -> dict[str, dict[str, Any]]:
    """The CFA's invoices at akto by referenceFactureCFA."""
    with api(url) as client:
        listed = client.get("/akto/v1/factures/etats").json()
    return {f["referenceFactureCFA"]: f for f in listed}


def test_clock_racing_invoices_and_transmissions_plays_all_that_falls_due(
    server_url: str,
) -> None:
    # The clock moves 10 days while invoices and contracts arrive. An invoice accepted
    # before the move is paid on its date (5 days later); one accepted after it was
    # received on the new date. A contract transmitted before the move went through
    # instruction (3 days); one transmitted after it is TRANSMIS, dated the new day.
    moved_to = DEMO_DAY + timedelta(days=10)
    for _ in range(CLOCK_ROUNDS):
        load(server_url, engaged_scenario())
        with api(server_url) as client:
            e1 = client.get("/akto/v1/dossiers", params={"numeroInterne": "COURSE-00"}).json()
        montant = e1["echeances"][0]["montantTotal"]
        calls: list[Call] = [
            (
                "POST",
                "/akto/v1/factures",
                invoice_parts(
                    facture(ligne(montant, dossier=numero_externe(i)), numero=f"F-{i}"), SCANNED
                ),
            )
            for i in range(ENGAGED)
        ]
        calls += [
            (
                "POST",
                "/akto/v1/dossiers",
                {"json": transmission(f"T-{i}", apprenti={"prenom": f"Trans{chr(65 + i)}"})},
            )
            for i in range(TRANSMITTED)
        ]
        calls.append(("POST", f"{CONTROL}/horloge", {"json": {"jours": 10}}))
        responses = fire_together(server_url, calls)
        assert [r.status_code for r in responses] == [200] * len(responses), [
            r.text for r in responses if r.status_code != 200
        ]
        assert responses[-1].json() == {"date": moved_to.isoformat()}

        with api(server_url) as client:
            states = client.get("/akto/v1/dossiers/etats").json()
        for state in states:
            if state["numeroInterne"].startswith("T-"):
                assert state["etat"] == "ENGAGE" or (
                    state["etat"] == "TRANSMIS" and state["dateMiseAJour"] == moved_to.isoformat()
                ), state
        before = invoices(server_url)
        paid_on = DEMO_DAY + timedelta(days=PAYMENT_DELAY)
        for f in before.values():
            assert (f["etatFacture"] == "REGLE" and f["dateReglement"] == paid_on.isoformat()) or (
                f["etatFacture"] == "EN_COURS_INSTRUCTION"
            ), f
        # Those still in instruction were received on the new date: paid 5 days after it.
        move_clock(server_url, 10)
        after = invoices(server_url)
        late = moved_to + timedelta(days=PAYMENT_DELAY)
        for numero, f in before.items():
            if f["etatFacture"] == "EN_COURS_INSTRUCTION":
                assert after[numero]["dateReglement"] == late.isoformat(), after[numero]


def test_payment_racing_a_rejection_decides_once(server_url: str) -> None:
    for _ in range(DECISION_ROUNDS):
        load(server_url, {"nom": "demo"})
        with api(server_url) as client:
            sent = client.post("/akto/v1/factures", **invoice_parts(facture()))
            assert sent.status_code == 200, sent.text
            numero = sent.json()["numeroInterneFacture"]
            path = f"{CONTROL}/akto/factures/{numero}/etat"
            decisions: list[Call] = [
                ("POST", path, {"json": {"etat": "REGLE"}}),
                ("POST", path, {"json": {"etat": "REJETE", "motif": "Pièce manquante"}}),
            ]
            responses = fire_together(server_url, decisions)
            assert sorted(r.status_code for r in responses) == [200, 409], [
                r.text for r in responses
            ]
            [decided] = [r.json() for r in responses if r.status_code == 200]
            read = client.get("/akto/v1/factures", params={"numeroInterneFacture": numero})
            assert read.json() == decided
            dossier = client.get("/akto/v1/dossiers", params={"numeroInterne": "DEMO-0001"})
            e1 = dossier.json()["echeances"][0]
            again = client.post("/akto/v1/factures", **invoice_parts(facture()))
            after = client.get("/akto/v1/dossiers", params={"numeroInterne": "DEMO-0001"})
        billed = after.json()["echeances"][0]
        if decided["etatFacture"] == "REGLE":
            assert decided["motifsRejet"] == []
            assert (e1["montantRegle"], e1["montantEnCoursInstruction"]) == (2800.0, 0.0)
            assert "FACTURE_DEJA_CONNUE" in codes(again, 400)  # the same number, paid
        else:
            assert [m["code"] for m in decided["motifsRejet"]] == ["REJET_OPCO"]
            assert (e1["montantRegle"], e1["montantEnCoursInstruction"]) == (0.0, 0.0)
            assert again.status_code == 200, again.text  # rejected: may be sent again
        assert billed["montantRegle"] + billed["montantEnCoursInstruction"] == 2800.0


def transmitted_scenario(nom: str, count: int) -> dict[str, Any]:
    """The demo's CFAs and référentiel with `count` dossiers of its own, TRANSMIS and fully
    numbered (no sequence is drawn: two such loads meet on no row)."""
    dossiers = [
        {
            "opco": "akto",
            "canal": "API",
            "etat": "TRANSMIS",
            "numeroInterne": f"{nom}-{i}",
            "numeroExterne": f"AKTO-2026-{nom[-1]}{i:05d}",
            "mandatGestion": True,
            "cerfa": cerfa(apprenti={"nom": nom, "prenom": f"Course{chr(65 + i)}"}),
        }
        for i in range(count)
    ]
    return resolve("demo").document | {"nom": nom, "dossiers": dossiers, "factures": []}


def test_scenario_loads_racing_leave_one_whole_scenario(server_url: str) -> None:
    espace = "course"
    path = f"/_sandbox/espaces/{espace}/scenario"
    for _ in range(LOAD_ROUNDS):
        load(server_url, transmitted_scenario("vide", 0), espace)
        loads: list[Call] = [
            ("PUT", path, {"json": transmitted_scenario("course1", 2)}),
            ("PUT", path, {"json": transmitted_scenario("course2", 3)}),
        ]
        responses = fire_together(server_url, loads)
        assert [r.status_code for r in responses] == [200, 200], [r.text for r in responses]
        listed = httpx.get(f"{server_url}/_sandbox/espaces").json()["espaces"]
        [held] = [e for e in listed if e["espace"] == espace]
        assert held["dossiers"] == {"course1": 2, "course2": 3}[held["scenario"]], held
