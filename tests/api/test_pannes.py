"""Fault injection through the control API, seen by the OPCO API."""

import time

import httpx

from sandbox.pytest_plugin import OpcoSandbox
from tests.builders import opco_client


def put_faults(sandbox: OpcoSandbox, opco: str, *rules: dict[str, object]) -> httpx.Response:
    return sandbox.control.put(f"/{opco}/pannes", json={"pannes": list(rules)})


def test_the_next_two_requests_fail_with_the_status_asked(opco_sandbox: OpcoSandbox) -> None:
    assert put_faults(opco_sandbox, "akto", {"statut": 503, "prochaines": 2}).status_code == 200
    akto = opco_sandbox.client("akto")
    answers = [akto.get("/v1/status") for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].json()["errors"][0]["code"] == "PANNE_SIMULEE"


def test_faults_touch_only_their_opco_path_and_method(opco_sandbox: OpcoSandbox) -> None:
    put_faults(opco_sandbox, "akto", {"chemin": "/v1/dossiers*", "methode": "POST", "statut": 500})
    akto = opco_sandbox.client("akto")
    assert akto.get("/v1/dossiers/etats").status_code == 200
    assert akto.post("/v1/dossiers", json={}).status_code == 500
    assert opco_sandbox.client("opcoep").get("/v1/status").status_code == 200


def test_a_share_of_requests_fails(opco_sandbox: OpcoSandbox) -> None:
    put_faults(opco_sandbox, "akto", {"statut": 429, "proportion": 0.5})
    akto = opco_sandbox.client("akto")
    assert [akto.get("/v1/status").status_code for _ in range(4)] == [200, 429, 200, 429]


def test_latency_delays_the_answer(opco_sandbox: OpcoSandbox) -> None:
    put_faults(opco_sandbox, "akto", {"latenceMs": 300})
    started = time.monotonic()
    assert opco_sandbox.client("akto").get("/v1/status").status_code == 200
    # A lower bound only: the delay is at least what was asked, however loaded the machine.
    assert time.monotonic() - started >= 0.3


def test_the_rules_read_back_with_their_counts(opco_sandbox: OpcoSandbox) -> None:
    put_faults(opco_sandbox, "akto", {"statut": 503, "prochaines": 3})
    opco_sandbox.client("akto").get("/v1/status")
    [rule] = opco_sandbox.control.get("/akto/pannes").json()["pannes"]
    assert (rule["vues"], rule["restantes"], rule["statut"]) == (1, 2, 503)


def test_an_empty_list_removes_the_faults(opco_sandbox: OpcoSandbox) -> None:
    put_faults(opco_sandbox, "akto", {"statut": 503})
    put_faults(opco_sandbox, "akto")
    assert opco_sandbox.client("akto").get("/v1/status").status_code == 200


def test_a_reset_removes_the_faults(opco_sandbox: OpcoSandbox) -> None:
    put_faults(opco_sandbox, "akto", {"statut": 503})
    opco_sandbox.control.post("/reset")
    assert opco_sandbox.client("akto").get("/v1/status").status_code == 200


def test_a_simulated_failure_is_journaled(opco_sandbox: OpcoSandbox) -> None:
    put_faults(opco_sandbox, "akto", {"statut": 502})
    # A client that fetches its token over HTTP (the plugin's has it issued in-process).
    base = f"/espaces/{opco_sandbox.espace}/akto"
    opco_client(opco_sandbox.server, base, "demo-akto-key").get("/v1/dossiers/etats")
    token, entry = opco_sandbox.control.get("/journal").json()["entrees"]
    assert token["chemin"].endswith("/connect/token")  # faults act on the API, not the token
    assert (entry["statut"], entry["codes"], entry["opco"]) == (502, ["PANNE_SIMULEE"], "akto")


def test_bad_rules_are_refused(opco_sandbox: OpcoSandbox) -> None:
    bads: list[dict[str, object]] = [
        {"statut": 200},
        {"proportion": 1.5},
        {"chemin": "v1"},
        {"latenceMs": -1},
    ]
    for bad in bads:
        response = put_faults(opco_sandbox, "akto", bad)
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["code"] == "FORMAT_INVALIDE"
    assert put_faults(opco_sandbox, "nowhere", {"statut": 503}).status_code == 404
