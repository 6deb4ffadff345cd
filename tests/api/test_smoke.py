from sandbox.pytest_plugin import OpcoSandbox


def test_status_answers_the_official_name(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").get("/v1/status")
    assert response.status_code == 200
    assert response.json() == {"status": "OK", "opco": "akto", "nom": "AKTO"}
