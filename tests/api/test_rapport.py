"""The conformance report, built from the espace's journal."""

from typing import Any
from xml.etree import ElementTree

from sandbox.pytest_plugin import OpcoSandbox
from tests.builders import transmission


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
    assert akto.post("/v1/dossiers", json=transmission("R-1")).status_code == 201
    assert akto.post("/v1/dossiers", json=transmission("R-2")).status_code == 409
    document = report(opco_sandbox)
    assert result(document, "couverture", "TRANSMISSION") == ("REUSSI", 1)
    assert result(document, "couverture", "DOSSIER_DOUBLON") == ("REUSSI", 1)
    assert result(document, "couverture", "APPAIRAGE") == ("NON_EXERCE", 0)
    assert result(document, "exigences", "SCHEMA") == ("REUSSI", 2)
    assert document["parStatut"] == {"201": 1, "409": 1}


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
    assert response.status_code == 422
