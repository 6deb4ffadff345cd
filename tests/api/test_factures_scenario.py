"""Invoices a scenario seeds (`factures:`), judged by the same rules as live ones (§11, §13)."""

import copy
from typing import Any

import pytest

from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from tests.builders import EMPLOYER_SIRET, facture, invoice_parts, ligne, problems

# From 2027-06-01, E1 (€2,800), E2 and E3 (€2,100 each) of AKTO-2026-000001 are open.
JUNE = "2027-06-01"
MOTIF = "Certificat de réalisation illisible"


def seeded(*factures: dict[str, Any], date: str = JUNE) -> dict[str, Any]:
    """The demo at `date`, holding these invoices."""
    document = copy.deepcopy(resolve("demo").document)
    return document | {"date": date, "factures": list(factures)}


def held(body: dict[str, Any], etat: str | None = None, **fields: Any) -> dict[str, Any]:
    """A scenario invoice at akto: the `facture` part of POST /v1/factures, its OPCO and
    state (`etatFacture`)."""
    return body | {"opco": "akto"} | ({"etatFacture": etat} if etat else {}) | fields


THREE_STATES = seeded(
    held(facture(numero="S-1"), "EN_COURS_INSTRUCTION"),
    held(facture(ligne(2100, 2), numero="S-2"), "REGLE"),
    held(facture(ligne(2100, 3), numero="S-3"), "REJETE", motifRejet=MOTIF),
)


def read(sandbox: OpcoSandbox, numero: str) -> dict[str, Any]:
    """The invoice of that referenceFactureCFA."""
    params = {"referenceFactureCFA": numero}
    response = sandbox.client("akto").get("/v1/factures", params=params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def echeances(sandbox: OpcoSandbox) -> list[tuple[float, float]]:
    """(montantEnCoursInstruction, montantRegle) of E1, E2, E3 of the demo's dossier."""
    response = sandbox.client("akto").get("/v1/dossiers", params={"numeroInterne": "DEMO-0001"})
    found = response.json()["echeances"][:3]
    return [(e["montantEnCoursInstruction"], e["montantRegle"]) for e in found]


def refusal(sandbox: OpcoSandbox, document: dict[str, Any]) -> list[tuple[str | None, str]]:
    """`(champ, message)` of each item of a refused scenario, every one SCENARIO_INVALIDE."""
    response = sandbox.control.put("/scenario", json=document)
    assert {code for code, _ in problems(response, 422)} == {"SCENARIO_INVALIDE"}
    return [(item["champ"], item["message"]) for item in response.json()["errors"]]


@pytest.mark.opco_scenario(THREE_STATES)
def test_scenario_invoices_are_held_in_their_states(opco_sandbox: OpcoSandbox) -> None:
    states = {n: read(opco_sandbox, n) for n in ("S-1", "S-2", "S-3")}
    assert {n: f["etatFacture"] for n, f in states.items()} == {
        "S-1": "EN_COURS_INSTRUCTION",
        "S-2": "REGLE",
        "S-3": "REJETE",
    }
    assert (states["S-2"]["dateReglement"], states["S-2"]["montantFacture"]) == (JUNE, 2100.0)
    assert states["S-3"]["motifsRejet"] == [{"code": "REJET_OPCO", "description": MOTIF}]
    assert states["S-3"]["commentaire"] == MOTIF
    assert states["S-1"]["lignes"] == THREE_STATES["factures"][0]["lignes"]
    # No PDF in a scenario: no document.
    assert {f["numeroInterneDocument"] for f in states.values()} == {None}
    assert states["S-1"]["numeroInterneFacture"] == "10000001"
    assert echeances(opco_sandbox) == [(2800.0, 0.0), (0.0, 2100.0), (0.0, 0.0)]


def test_scenario_counts_its_invoices(opco_sandbox: OpcoSandbox) -> None:
    assert opco_sandbox.load(THREE_STATES)["factures"] == 3


@pytest.mark.opco_scenario(THREE_STATES)
def test_scenario_invoice_in_instruction_is_paid_after_the_delay(
    opco_sandbox: OpcoSandbox,
) -> None:
    opco_sandbox.advance(5)
    assert read(opco_sandbox, "S-1")["dateReglement"] == "2027-06-06"
    assert echeances(opco_sandbox)[0] == (0.0, 2800.0)


@pytest.mark.opco_scenario(THREE_STATES)
def test_reset_restores_the_scenario_invoices(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.advance(5)
    opco_sandbox.control.post("/reset").raise_for_status()
    assert read(opco_sandbox, "S-1")["etatFacture"] == "EN_COURS_INSTRUCTION"
    assert echeances(opco_sandbox)[0] == (2800.0, 0.0)


@pytest.mark.opco_scenario(THREE_STATES)
def test_number_of_a_rejected_scenario_invoice_may_be_sent_again(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = opco_sandbox.client("akto").post(
        "/v1/factures", **invoice_parts(facture(ligne(2100, 3), numero="S-3"))
    )
    assert response.status_code == 200, response.text


@pytest.mark.opco_scenario(seeded(held(facture(ligne(2700), numero="S-1"), "REJETE")))
def test_scenario_invoice_declared_rejected_keeps_the_rules_it_breaks(
    opco_sandbox: OpcoSandbox,
) -> None:
    motifs = read(opco_sandbox, "S-1")["motifsRejet"]
    assert [m["code"] for m in motifs] == ["MONTANT_ECHEANCE_INCORRECT", "MONTANT_INCORRECT"]


@pytest.mark.parametrize("etat", ["EN_COURS_INSTRUCTION", "REGLE"])
def test_invalid_scenario_invoice_refuses_the_scenario(
    opco_sandbox: OpcoSandbox, etat: str
) -> None:
    assert refusal(opco_sandbox, seeded(held(facture(ligne(2700)), etat))) == [
        (
            "factures[0].lignes[0].montant",
            "corps de la requête : MONTANT_ECHEANCE_INCORRECT : "
            "Le montant de l'échéance ne correspond pas au montant attendu",
        ),
        (
            "factures[0].lignes[0].montant",
            "corps de la requête : MONTANT_INCORRECT : "
            "Le montant ne correspond pas au montant attendu",
        ),
    ]


def test_refused_scenario_leaves_the_espace_unchanged(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.client("akto")
    sent = client.post("/v1/factures", **invoice_parts(facture(numero="LIVE-1")))
    assert sent.status_code == 200
    opco_sandbox.advance(1)
    assert refusal(opco_sandbox, seeded(held(facture(ligne(2700)))))
    assert opco_sandbox.today.isoformat() == "2026-09-02"
    assert read(opco_sandbox, "LIVE-1")["etatFacture"] == "EN_COURS_INSTRUCTION"
    assert client.get("/v2/factures/etats").json()["total"] == 1


def test_scenario_invoice_of_an_unknown_emitter_is_refused(opco_sandbox: OpcoSandbox) -> None:
    document = seeded(held(facture(siretEmetteur=EMPLOYER_SIRET)))
    [(champ, message)] = refusal(opco_sandbox, document)
    assert champ == "factures[0].siretEmetteur"
    assert "SIRET_EMETTEUR_INCONNU" in message


def test_scenario_invoices_under_one_number_are_refused(opco_sandbox: OpcoSandbox) -> None:
    first = held(facture(ligne(2100, 2), numero="S-1"))
    document = seeded(held(facture(numero="S-1")), first)
    assert refusal(opco_sandbox, document) == [
        (
            "factures[1].numero",
            "corps de la requête : FACTURE_DEJA_CONNUE : "
            "La facture est déjà connue de notre système",
        )
    ]


def test_scenario_invoice_without_lines_is_refused(opco_sandbox: OpcoSandbox) -> None:
    document = seeded(held(facture() | {"lignes": []}))
    assert [champ for champ, _ in refusal(opco_sandbox, document)] == ["factures[0].lignes"]


def test_scenario_invoice_in_the_version_1_shape_is_refused(opco_sandbox: OpcoSandbox) -> None:
    v1 = held(
        {
            "numeroFacture": "S-1",
            "dateFacture": "2027-06-01",
            "montantTotal": 2800,
            "emetteur": {"siret": "79012345900014"},
            "lignes": [{"numeroExterneDossier": "AKTO-2026-000001", "nature": "PEDAGOGIQUE"}],
        }
    )
    champs = {champ for champ, _ in refusal(opco_sandbox, seeded(v1))}
    assert {"factures[0].dateEmission", "factures[0].numeroFacture"} <= champs


def test_scenario_invoice_state_is_etat_facture(opco_sandbox: OpcoSandbox) -> None:
    document = seeded(held(facture(numero="S-1")) | {"etat": "REGLE"})
    assert [champ for champ, _ in refusal(opco_sandbox, document)] == ["factures[0].etat"]
