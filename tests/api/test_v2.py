"""`/v2` beside `/v1` (§4): every `v2` path answers as its `v1` twin, but the two pages,
bare arrays under `/v1` and paged under `/v2`."""

from typing import Any

import pytest

from sandbox.pytest_plugin import OpcoSandbox
from sandbox.server.app import openapi_document
from tests.builders import facture, invoice_parts, problems, transmission

PAGES = {"/{opco}/v1/dossiers/etats", "/{opco}/v1/factures/etats"}
STATE_KEYS = {"numeroInterne", "numeroExterne", "numeroDeca", "etat", "dateMiseAJour"}


def test_the_openapi_document_lists_every_v1_path_under_v2_too() -> None:
    paths: dict[str, dict[str, Any]] = openapi_document()["paths"]
    v1 = {p for p in paths if p.startswith("/{opco}/v1/")}
    assert len(v1) >= 7
    for path in v1:
        twin = path.replace("/v1/", "/v2/", 1)
        assert twin in paths, twin
        if path not in PAGES:
            assert set(paths[twin]) == set(paths[path]), path


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/status", {}),
        ("/cfakeyinfo", {}),
        ("/dossiers", {"numeroInterne": "DEMO-0001"}),
        ("/dossiers", {"numeroInterne": "INCONNU"}),
        ("/dossiers", {}),
        ("/dossiers/liste", {"numerosInternes": "DEMO-0001"}),
        ("/factures", {"numeroInterneFacture": "10009999"}),
        ("/factures", {"referenceFactureCFA": "INCONNUE"}),
    ],
)
def test_a_v2_read_answers_as_its_v1_twin(
    opco_sandbox: OpcoSandbox, path: str, params: dict[str, str]
) -> None:
    akto = opco_sandbox.client("akto")
    v1, v2 = akto.get("/v1" + path, params=params), akto.get("/v2" + path, params=params)
    assert (v2.status_code, v2.json()) == (v1.status_code, v1.json())


def test_a_contract_transmitted_under_v2_is_read_under_v1(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    sent = akto.post("/v2/dossiers", json=transmission("CFA-V2"))
    assert sent.status_code == 200, sent.text
    read = akto.get("/v1/dossiers", params={"numeroInterne": "CFA-V2"})
    assert read.json()["cerfa"]["numeroExterne"] == sent.json()["numeroExterne"]


def test_an_invoice_sent_under_v2_is_judged_as_under_v1(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    assert akto.post("/v2/factures", **invoice_parts(facture())).status_code == 200
    again = akto.post("/v1/factures", **invoice_parts(facture()))
    assert ("FACTURE_DEJA_CONNUE", "facture.numero") in problems(again, 400)


def test_v2_checks_the_credentials_as_v1_does(opco_sandbox: OpcoSandbox) -> None:
    bare = opco_sandbox.server.client(f"/espaces/{opco_sandbox.espace}/opcoep")
    v1, v2 = bare.get("/v1/dossiers/etats"), bare.get("/v2/dossiers/etats")
    assert v2.status_code == 401
    assert (v2.status_code, v2.json()) == (v1.status_code, v1.json())


# The pages


def test_v1_etats_is_a_bare_array_of_every_dossier(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    akto.post("/v1/dossiers", json=transmission("CFA-1")).raise_for_status()
    response = akto.get("/v1/dossiers/etats", params={"taillePage": 1})
    assert response.status_code == 200
    every = response.json()
    assert isinstance(every, list)
    assert [item["numeroInterne"] for item in every] == ["CFA-1", "DEMO-0001"]
    assert all(set(item) == STATE_KEYS for item in every)
    assert every == akto.get("/v2/dossiers/etats").json()["EtatDossierResult"]


def test_lists_are_ordered_by_numero_interne(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    for numero, nom in (("Z-1", "Zola"), ("A-1", "Abel"), ("M-1", "Morel")):
        body = transmission(numero, apprenti={"nom": nom})
        akto.post("/v1/dossiers", json=body).raise_for_status()
    page = akto.get("/v2/dossiers/etats", params={"taillePage": 2, "numeroPage": 2}).json()
    assert [item["numeroInterne"] for item in page["EtatDossierResult"]] == ["M-1", "Z-1"]
    every = akto.get("/v1/dossiers/etats").json()
    assert [item["numeroInterne"] for item in every] == ["A-1", "DEMO-0001", "M-1", "Z-1"]


def test_a_v2_page_past_the_end_is_empty_with_the_total(opco_sandbox: OpcoSandbox) -> None:
    body = opco_sandbox.client("akto").get("/v2/dossiers/etats", params={"numeroPage": 3}).json()
    assert body == {"total": 1, "count": 0, "page": 3, "EtatDossierResult": []}


# The machinery around the routes: faults and the journal


def test_faults_act_on_v2_paths(opco_sandbox: OpcoSandbox) -> None:
    rule = {"chemin": "/v2/*", "statut": 503}
    opco_sandbox.control.put("/akto/pannes", json={"pannes": [rule]}).raise_for_status()
    akto = opco_sandbox.client("akto")
    failed = akto.get("/v2/status")
    assert (failed.status_code, failed.json()["errors"][0]["code"]) == (503, "PANNE_SIMULEE")
    assert akto.get("/v1/status").status_code == 200


def test_v2_requests_are_journaled(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").get("/v2/dossiers/etats")
    entry = opco_sandbox.control.get("/journal").json()["entrees"][-1]
    assert entry["chemin"].endswith("/akto/v2/dossiers/etats")
    assert (entry["opco"], entry["statut"]) == ("akto", 200)
