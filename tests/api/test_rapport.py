"""The conformance report, built from the espace's journal."""

from typing import Any
from xml.etree import ElementTree

from sandbox.pytest_plugin import OpcoSandbox
from tests.builders import facture, frais, invoice_parts, ligne, opco_client, transmission


def report(sandbox: OpcoSandbox) -> dict[str, Any]:
    response = sandbox.control.get("/rapport")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def result(document: dict[str, Any], section: str, id_: str) -> tuple[str, int]:
    [item] = [i for i in document[section] if i["id"] == id_]
    return item["resultat"], item["requetes"]


def test_an_empty_journal_exercises_nothing(opco_sandbox: OpcoSandbox) -> None:
    document = report(opco_sandbox)
    assert document["requetes"] == 0
    assert document["synthese"]["REUSSI"] == 0
    assert document["synthese"]["ECHOUE"] == 0


def test_missing_software_headers_fail_the_requirement(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    akto.get("/v1/dossiers/etats")
    del akto.headers["VERSION"]
    akto.get("/v1/dossiers/etats")
    document = report(opco_sandbox)
    assert result(document, "exigences", "ENTETES_LOGICIEL") == ("ECHOUE", 1)
    assert result(document, "exigences", "CLE_API") == ("REUSSI", 2)


def test_coverage_follows_what_was_exercised(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    assert akto.post("/v1/dossiers", json=transmission("R-1")).status_code == 200
    assert akto.post("/v1/dossiers", json=transmission("R-2")).status_code == 400
    document = report(opco_sandbox)
    assert result(document, "couverture", "TRANSMISSION") == ("REUSSI", 1)
    assert result(document, "couverture", "DOSSIER_DOUBLON") == ("REUSSI", 1)
    assert result(document, "couverture", "APPAIRAGE") == ("NON_EXERCE", 0)
    assert result(document, "exigences", "SCHEMA") == ("REUSSI", 2)
    # The plugin's client has its OAuth2 token issued in-process: no request of its own.
    assert document["parStatut"] == {"200": 1, "400": 1}


def test_schema_errors_fail_the_schema_requirement(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").post("/v1/dossiers", json={"numeroInterne": "X"})
    assert result(report(opco_sandbox), "exigences", "SCHEMA") == ("ECHOUE", 1)


def test_junit_marks_failures_and_skips(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").post(
        "/v1/dossiers", content=b"{", headers={"content-type": "application/json"}
    )
    response = opco_sandbox.control.get("/rapport", params={"format": "junit"})
    assert response.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(response.text)
    schema = root.find("testsuite[@name='exigences']/testcase[@name='SCHEMA']")
    assert schema is not None
    assert schema.find("failure") is not None
    transmission_case = root.find("testsuite[@name='couverture']/testcase[@name='TRANSMISSION']")
    assert transmission_case is not None
    assert transmission_case.find("skipped") is not None


def test_html_is_a_self_contained_page(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.get("/rapport", params={"format": "html"})
    assert response.headers["content-type"].startswith("text/html")
    assert "Rapport de conformité" in response.text
    assert "http" not in response.text  # no external asset


def test_an_unknown_format_is_refused(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.get("/rapport", params={"format": "pdf"})
    assert response.status_code == 400


def test_coverage_counts_v2_twins_and_paths_in_any_case(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    assert akto.get("/v2/dossiers/etats").status_code == 200
    assert akto.get("/V1/Factures/Etats/").status_code == 200
    document = report(opco_sandbox)
    assert result(document, "couverture", "ETATS_DOSSIERS") == ("REUSSI", 1)
    assert result(document, "couverture", "ETATS_FACTURES") == ("REUSSI", 1)
    assert result(document, "exigences", "CLE_API") == ("REUSSI", 2)


def test_coverage_of_the_production_wire_format(opco_sandbox: OpcoSandbox) -> None:
    # Fetches its token over HTTP first, as production code does (the plugin's client has
    # its token issued in-process, which the journal does not see).
    akto = opco_client(opco_sandbox.server, f"/espaces/{opco_sandbox.espace}/akto", "demo-akto-key")
    body = transmission("X")
    del body["numeroInterne"]
    assert akto.post("/v1/dossiers", json=body).status_code == 200
    akto.get("/v1/dossiers", params={"numeroExterne": "AKTO-2026-000001"})
    opco_sandbox.control.post("/jetons/expirer").raise_for_status()
    akto.get("/v2/dossiers/etats", params={"numeroPage": 1, "taillePage": 1})  # renewed here
    akto.get("/v2/dossiers/etats", params={"numeroPage": 2, "taillePage": 1})
    document = report(opco_sandbox)
    for item in ("JETON_OBTENU", "SANS_NUMERO_INTERNE", "LECTURE_NUMERO_EXTERNE"):
        assert result(document, "couverture", item)[0] == "REUSSI", item
    assert result(document, "couverture", "JETON_RENOUVELE") == ("REUSSI", 1)
    assert result(document, "couverture", "PAGES_V2") == ("REUSSI", 1)


def test_the_new_coverage_is_not_exercised_by_a_plain_session(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").post("/v1/dossiers", json=transmission("Y"))
    opco_sandbox.client("akto").get("/v2/dossiers/etats", params={"numeroPage": 2})
    document = report(opco_sandbox)
    for item in ("SANS_NUMERO_INTERNE", "LECTURE_NUMERO_EXTERNE", "JETON_RENOUVELE", "PAGES_V2"):
        assert result(document, "couverture", item) == ("NON_EXERCE", 0), item


def test_invoices_documents_and_conventions_are_covered(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    certified = facture(frais(100), numero="R-1", estCertificatRealisation=True)
    assert akto.post("/v1/factures", **invoice_parts(certified)).status_code == 200
    document = report(opco_sandbox)
    assert result(document, "couverture", "FACTURE_CERTIFICAT_REALISATION") == ("REUSSI", 1)
    assert result(document, "couverture", "FACTURE_SANS_CERTIFICAT") == ("NON_EXERCE", 0)
    assert result(document, "couverture", "DOCUMENT") == ("NON_EXERCE", 0)
    assert result(document, "couverture", "CONVENTION") == ("NON_EXERCE", 0)

    assert akto.post("/v1/factures", **invoice_parts(facture(frais(100)))).status_code == 200
    infos = {
        "typeFichier": "FACTURE",
        "objets": [{"typeObjet": "DOSSIER_APPRENTISSAGE", "idObjet": "DEMO-0001"}],
    }
    assert (
        akto.post("/v1/documents", **invoice_parts(infos, part="infosFichier")).status_code == 200
    )
    convention = {"numeroInterneDossier": "DEMO-0001", "mandatEmployeur": True}
    sent = akto.post("/v1/conventions", **invoice_parts(convention, part="convention"))
    assert sent.status_code == 200
    document = report(opco_sandbox)
    assert result(document, "couverture", "FACTURE_SANS_CERTIFICAT") == ("REUSSI", 1)
    assert result(document, "couverture", "FACTURE_ACCEPTEE") == ("REUSSI", 2)
    assert result(document, "couverture", "DOCUMENT") == ("REUSSI", 1)
    assert result(document, "couverture", "CONVENTION") == ("REUSSI", 1)


def test_each_invoice_rule_exercised_is_covered(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    body = facture(ligne(2700), ibanEmetteur="")  # MONTANT_*, IBAN_ABSENT
    assert akto.post("/v1/factures", **invoice_parts(body)).status_code == 400
    document = report(opco_sandbox)
    for code in ("IBAN_ABSENT", "MONTANT_ECHEANCE_INCORRECT", "MONTANT_INCORRECT"):
        assert result(document, "couverture", f"FACTURE_{code}") == ("REUSSI", 1)
    assert result(document, "couverture", "FACTURE_IBAN_DIFFERENT") == ("NON_EXERCE", 0)
    assert result(document, "couverture", "FACTURE_ACCEPTEE") == ("NON_EXERCE", 0)
