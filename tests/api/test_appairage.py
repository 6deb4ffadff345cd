"""Pairing, `POST /v1/dossiers/appairage`: a CFA numbers a dossier it did not transmit (§7)."""

import copy
import threading
from collections import Counter
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from tests.builders import CFA_SIRET, EMPLOYER_SIRET, OTHER_CFA_SIRET, cerfa, transmission

PATH = "/v1/dossiers/appairage"
# demo's employer deposit at akto, for the first CFA, not yet paired.
DEPOSIT = {
    "numeroInterne": "P-0001",
    "nom": "Bernard",
    "prenom": "Hugo",
    "dateNaissance": "2008-11-03",
    "siretEmployeur": EMPLOYER_SIRET,
    "dateDebutContrat": "2026-09-15",
}
# demo's engaged dossier, transmitted by the first CFA as DEMO-0001.
DEMO_0001 = {
    "numeroInterne": "DEMO-0001",
    "nom": "Dupont",
    "prenom": "Léa",
    "dateNaissance": "2007-03-14",
    "siretEmployeur": EMPLOYER_SIRET,
    "dateDebutContrat": "2026-09-01",
}


def pair(
    sandbox: OpcoSandbox, cfa: str | None = None, opco: str = "akto", **changes: Any
) -> httpx.Response:
    return sandbox.client(opco, cfa).post(PATH, json=DEPOSIT | changes)


def codes(response: httpx.Response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def read(sandbox: OpcoSandbox, numero: str) -> httpx.Response:
    return sandbox.client("akto").get("/v1/dossiers", params={"numeroInterne": numero})


def etats(sandbox: OpcoSandbox, cfa: str | None = None) -> list[dict[str, Any]]:
    response = sandbox.client("akto", cfa).get("/v1/dossiers/etats")
    results: list[dict[str, Any]] = response.json()
    return results


def page_total(sandbox: OpcoSandbox) -> int:
    """The `total` of the CFA's first `v2` page (the count kept as dossiers are numbered)."""
    total: int = sandbox.client("akto").get("/v2/dossiers/etats").json()["total"]
    return total


def last_journal_entry(sandbox: OpcoSandbox) -> dict[str, Any]:
    entry: dict[str, Any] = sandbox.control.get("/journal").json()["entrees"][-1]
    return entry


def deposit(nom: str, etat: str, **blocks: Any) -> dict[str, Any]:
    """A scenario dossier deposited at akto by the employer, for the first CFA."""
    built = cerfa(apprenti={"nom": nom}, **blocks)
    return {"opco": "akto", "canal": "EMPLOYEUR", "etat": etat, "cerfa": built}


def demo_with_dossiers(*dossiers: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(resolve("demo").document)
    document["dossiers"] += list(dossiers)
    return document


def pairing_of(nom: str, numero: str) -> dict[str, Any]:
    """The pairing body of a `deposit(nom, …)` built on the builder's contract."""
    return {
        "numeroInterne": numero,
        "nom": nom,
        "prenom": "Camille",
        "dateNaissance": "2009-01-20",
        "siretEmployeur": EMPLOYER_SIRET,
        "dateDebutContrat": "2026-09-01",
    }


# Found


def test_an_employer_deposit_is_paired_and_answered_like_a_dossier(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = pair(opco_sandbox)

    assert response.status_code == 200, response.text
    dossier = response.json()
    assert dossier["cerfa"]["numeroInterne"] == "P-0001"
    assert dossier["cerfa"]["numeroExterne"] == "AKTO-2026-000002"
    assert dossier["cerfa"]["etat"] == "TRANSMIS"
    assert dossier["cerfa"]["organismeFormation"]["siret"] == CFA_SIRET
    assert set(dossier) == {
        "cerfa",
        "engagement",
        "echeances",
        "engagementsFraisAnnexe",
        "detailsFacturation",
    }
    assert read(opco_sandbox, "P-0001").json() == dossier


def test_a_paired_deposit_enters_the_cfa_state_list(opco_sandbox: OpcoSandbox) -> None:
    assert [e["numeroInterne"] for e in etats(opco_sandbox)] == ["DEMO-0001"]
    assert read(opco_sandbox, "P-0001").status_code == 404

    pair(opco_sandbox).raise_for_status()

    listed = etats(opco_sandbox)
    assert [e["numeroInterne"] for e in listed] == ["DEMO-0001", "P-0001"]
    assert listed[1]["numeroExterne"] == "AKTO-2026-000002"


def test_a_page_counts_a_paired_deposit_once(opco_sandbox: OpcoSandbox) -> None:
    assert page_total(opco_sandbox) == 1

    pair(opco_sandbox).raise_for_status()
    pair(opco_sandbox).raise_for_status()  # the same number again: the same dossier
    assert codes(pair(opco_sandbox, numeroInterne="P-0002")) == ["APPAIRAGE_DEJA_REALISE"]

    assert page_total(opco_sandbox) == len(etats(opco_sandbox)) == 2


def test_a_paired_deposit_goes_on_with_the_clock(opco_sandbox: OpcoSandbox) -> None:
    pair(opco_sandbox).raise_for_status()

    opco_sandbox.advance(3)

    dossier = read(opco_sandbox, "P-0001").json()
    assert dossier["cerfa"]["etat"] == "ENGAGE"
    assert dossier["engagement"] == 14000.0


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"nom": " BERNARD ", "prenom": "hugo"}, id="casse et espaces"),
        pytest.param({"nom": "Bérnard", "prenom": "Hûgo"}, id="accents"),
        pytest.param({"prenom": "  Hugo  "}, id="espaces autour"),
        pytest.param({"dateNaissance": "2008-11-03T00:00:00+0000"}, id="date longue"),
        pytest.param({"dateDebutContrat": "2026-09-15T00:00:00+00:00"}, id="date longue 2"),
    ],
)
def test_names_and_dates_compare_as_for_duplicates(
    opco_sandbox: OpcoSandbox, changes: dict[str, str]
) -> None:
    response = pair(opco_sandbox, **changes)

    assert response.status_code == 200, response.text
    assert response.json()["cerfa"]["numeroExterne"] == "AKTO-2026-000002"


def test_accented_names_match_their_plain_spelling(opco_sandbox: OpcoSandbox) -> None:
    response = pair(opco_sandbox, **DEMO_0001 | {"nom": "DUPONT", "prenom": " lea "})

    assert response.status_code == 200, response.text
    assert response.json()["cerfa"]["numeroExterne"] == "AKTO-2026-000001"


def test_pairing_again_with_the_same_number_answers_the_same_dossier(
    opco_sandbox: OpcoSandbox,
) -> None:
    first = pair(opco_sandbox)
    again = pair(opco_sandbox, nom="BERNARD")

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == first.json()


def test_a_transmitted_dossier_pairs_to_its_own_number(opco_sandbox: OpcoSandbox) -> None:
    response = pair(opco_sandbox, **DEMO_0001)

    assert response.status_code == 200, response.text
    assert response.json()["cerfa"]["etat"] == "ENGAGE"


@pytest.mark.parametrize("etat", ["EN_COURS_INSTRUCTION", "ENGAGE", "REFUSE", "ANNULE", "SOLDE"])
def test_dossiers_in_every_state_can_be_paired(opco_sandbox: OpcoSandbox, etat: str) -> None:
    opco_sandbox.load(demo_with_dossiers(deposit("Lambert", etat)))

    response = pair(opco_sandbox, **pairing_of("Lambert", "P-ETAT"))

    assert response.status_code == 200, response.text
    assert response.json()["cerfa"]["etat"] == etat
    assert [e["etat"] for e in etats(opco_sandbox) if e["numeroInterne"] == "P-ETAT"] == [etat]


def test_a_live_dossier_is_paired_before_a_refused_one(opco_sandbox: OpcoSandbox) -> None:
    refused = deposit("Lambert", "REFUSE") | {"numeroExterne": "AKTO-2026-000010"}
    live = deposit("Lambert", "TRANSMIS") | {"numeroExterne": "AKTO-2026-000011"}
    opco_sandbox.load(demo_with_dossiers(refused, live))

    response = pair(opco_sandbox, **pairing_of("Lambert", "P-VIVANT"))

    assert response.json()["cerfa"]["numeroExterne"] == "AKTO-2026-000011"


# Not found


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"nom": "Bernardo"}, id="autre orthographe"),
        pytest.param({"nom": "Hugo", "prenom": "Bernard"}, id="nom et prenom inverses"),
        pytest.param({"dateNaissance": "2008-11-04"}, id="autre naissance"),
        pytest.param({"siretEmployeur": "53456789600012"}, id="autre employeur"),
        pytest.param({"dateDebutContrat": "2026-09-16"}, id="autre debut"),
    ],
)
def test_a_different_value_finds_nothing(
    opco_sandbox: OpcoSandbox, changes: dict[str, str]
) -> None:
    response = pair(opco_sandbox, **changes)

    assert response.status_code == 404
    assert codes(response) == ["DOSSIER_NON_TROUVE"]
    assert last_journal_entry(opco_sandbox)["diagnostics"] == []


def test_a_dossier_at_another_opco_is_not_found(opco_sandbox: OpcoSandbox) -> None:
    response = pair(opco_sandbox, opco="opcoep")

    assert response.status_code == 404
    assert codes(response) == ["DOSSIER_NON_TROUVE"]


def test_another_cfa_dossier_is_not_found_and_the_journal_says_why(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = pair(opco_sandbox, cfa=OTHER_CFA_SIRET)

    assert response.status_code == 404
    assert codes(response) == ["DOSSIER_NON_TROUVE"]
    assert CFA_SIRET not in response.text
    entry = last_journal_entry(opco_sandbox)
    assert (entry["cfa"], entry["statut"], entry["codes"]) == (
        OTHER_CFA_SIRET,
        404,
        ["DOSSIER_NON_TROUVE"],
    )
    assert len(entry["diagnostics"]) == 1
    assert CFA_SIRET in entry["diagnostics"][0]
    assert "SIRET" in entry["diagnostics"][0]
    assert read(opco_sandbox, "P-0001").status_code == 404


def test_a_dossier_another_cfa_transmitted_is_not_found(opco_sandbox: OpcoSandbox) -> None:
    other = transmission("AUTRE-1", organismeFormation={"siret": OTHER_CFA_SIRET})
    opco_sandbox.client("akto", OTHER_CFA_SIRET).post("/v1/dossiers", json=other)

    response = pair(opco_sandbox, **pairing_of("Moreau", "P-AUTRE"))

    assert response.status_code == 404
    assert OTHER_CFA_SIRET in last_journal_entry(opco_sandbox)["diagnostics"][0]


# Conflicts


def test_a_dossier_paired_to_another_number_is_a_conflict(opco_sandbox: OpcoSandbox) -> None:
    pair(opco_sandbox).raise_for_status()

    response = pair(opco_sandbox, numeroInterne="P-0002")

    assert response.status_code == 400
    assert codes(response) == ["APPAIRAGE_DEJA_REALISE"]
    assert read(opco_sandbox, "P-0001").status_code == 200
    assert read(opco_sandbox, "P-0002").status_code == 404


def test_a_transmitted_dossier_cannot_take_another_number(opco_sandbox: OpcoSandbox) -> None:
    response = pair(opco_sandbox, **DEMO_0001 | {"numeroInterne": "AUTRE"})

    assert response.status_code == 400
    assert codes(response) == ["APPAIRAGE_DEJA_REALISE"]


def test_a_number_of_another_dossier_of_the_cfa_is_a_conflict(opco_sandbox: OpcoSandbox) -> None:
    response = pair(opco_sandbox, numeroInterne="DEMO-0001")

    assert response.status_code == 400
    assert codes(response) == ["NUMERO_INTERNE_DEJA_UTILISE"]
    assert [e["numeroInterne"] for e in etats(opco_sandbox)] == ["DEMO-0001"]


def test_a_paired_dossier_is_reported_before_a_used_number(opco_sandbox: OpcoSandbox) -> None:
    pair(opco_sandbox).raise_for_status()

    response = pair(opco_sandbox, numeroInterne="DEMO-0001")

    assert codes(response) == ["APPAIRAGE_DEJA_REALISE"]


def test_another_cfa_may_use_the_same_number(opco_sandbox: OpcoSandbox) -> None:
    other = transmission("P-0001", organismeFormation={"siret": OTHER_CFA_SIRET})
    sent = opco_sandbox.client("akto", OTHER_CFA_SIRET).post("/v1/dossiers", json=other)
    assert sent.status_code == 200, sent.text

    assert pair(opco_sandbox).status_code == 200


def send_together(sandbox: OpcoSandbox, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every pairing at once: the threads wait at a barrier, then fire."""
    barrier = threading.Barrier(len(bodies))
    responses: list[httpx.Response] = []

    def send(body: dict[str, Any]) -> None:
        client = sandbox.client("akto")
        barrier.wait()
        responses.append(client.post(PATH, json=body))

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_concurrent_pairings_to_different_numbers_pair_once(opco_sandbox: OpcoSandbox) -> None:
    senders = 8
    bodies = [DEPOSIT | {"numeroInterne": f"RACE-{i}"} for i in range(senders)]

    responses = send_together(opco_sandbox, bodies)

    assert Counter(r.status_code for r in responses) == {200: 1, 400: senders - 1}
    winner = next(r for r in responses if r.status_code == 200).json()["cerfa"]["numeroInterne"]
    assert [e["numeroInterne"] for e in etats(opco_sandbox)] == ["DEMO-0001", winner]
    assert page_total(opco_sandbox) == 2  # the losers' counts rolled back with them


def test_concurrent_pairings_of_two_dossiers_to_one_number_pair_one(
    opco_sandbox: OpcoSandbox,
) -> None:
    opco_sandbox.load(demo_with_dossiers(deposit("Lambert", "TRANSMIS")))
    bodies = [DEPOSIT | {"numeroInterne": "RACE"}, pairing_of("Lambert", "RACE")]

    responses = send_together(opco_sandbox, bodies)

    assert sorted(r.status_code for r in responses) == [200, 400]
    assert [codes(r) for r in responses if r.status_code == 400] == [
        ["NUMERO_INTERNE_DEJA_UTILISE"]
    ]
    assert [e["numeroInterne"] for e in etats(opco_sandbox)] == ["DEMO-0001", "RACE"]
    assert page_total(opco_sandbox) == 2


# Schema and access


@pytest.mark.parametrize(
    ("body", "code", "champ"),
    [
        ({k: v for k, v in DEPOSIT.items() if k != "nom"}, "CHAMP_OBLIGATOIRE", "nom"),
        (DEPOSIT | {"siretEmployeur": "5234567880001"}, "FORMAT_INVALIDE", "siretEmployeur"),
        (DEPOSIT | {"dateNaissance": "03/11/2008"}, "FORMAT_INVALIDE", "dateNaissance"),
        (DEPOSIT | {"numeroInterne": " "}, "FORMAT_INVALIDE", "numeroInterne"),
    ],
)
def test_a_malformed_body_is_400(
    opco_sandbox: OpcoSandbox, body: dict[str, Any], code: str, champ: str
) -> None:
    response = opco_sandbox.client("akto").post(PATH, json=body)

    assert response.status_code == 400
    assert [(e["code"], e["champ"]) for e in response.json()["errors"]] == [(code, champ)]


def test_pairing_needs_a_key_of_that_opco(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("afdas").post(PATH, json=DEPOSIT)

    assert response.status_code == 401
    assert codes(response) == ["CLE_API_INVALIDE"]


def test_pairing_needs_the_software_headers(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.client("akto")
    del client.headers["VERSION"]

    response = client.post(PATH, json=DEPOSIT)

    assert (response.status_code, codes(response)) == (400, ["ENTETE_LOGICIEL_MANQUANTE"])


def test_pairing_at_an_opco_not_hooked_up_is_503(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("constructys").post(PATH, json={})

    assert (response.status_code, codes(response)) == (503, ["OPCO_NON_ACCROCHE"])


def test_pairing_is_only_a_post(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").get(PATH)

    assert (response.status_code, codes(response)) == (405, ["METHODE_NON_AUTORISEE"])
