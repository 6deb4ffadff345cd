"""Production URLs intercepted (contract §12): a client written as production's are, pointed
at the real production URLs, runs against the test's espace unchanged; other hosts are
left alone."""

from typing import Any

import anyio
import httpx
import pytest
import requests

from sandbox.interception import sandbox_path
from sandbox.pytest_plugin import OpcoSandbox

AKTO_TOKEN = "https://cfa-ws.akto.fr/SorApiIdentityServer/connect/token"
AKTO_API = "https://cfa-ws.akto.fr/SorApiEchangeCFA"
CREDENTIALS = {"client_id": "acme-cfa", "client_secret": "acme-secret-demo"}
SOFTWARE = {"EDITEUR": "ACME", "LOGICIEL": "ACME-CFA", "VERSION": "4.2.0"}


class AktoClient:
    """A production AKTO client (the Python connector's flow), with `requests`."""

    def __init__(self) -> None:
        self.session = requests.Session()

    def login(self) -> None:
        form = {"grant_type": "client_credentials", **CREDENTIALS, "scope": "api.read api.write"}
        answer = self.session.post(AKTO_TOKEN, data=form, timeout=10)
        answer.raise_for_status()
        token = answer.json()["access_token"]
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "X-API-KEY": "demo-akto-key", **SOFTWARE}
        )

    def all_states(self) -> list[dict[str, Any]]:
        states: list[dict[str, Any]] = []
        page = 1
        while True:
            body = self.session.get(
                f"{AKTO_API}/v2/dossiers/etats", params={"numeroPage": page}, timeout=10
            ).json()
            states += body["EtatDossierResult"]
            if len(states) >= body["total"]:
                return states
            page += 1


def test_a_requests_client_on_production_urls_reaches_the_espace(
    opco_sandbox_intercept: OpcoSandbox,
) -> None:
    client = AktoClient()
    client.login()
    states = client.all_states()
    assert [s["numeroInterne"] for s in states] == ["DEMO-0001"]
    journal = opco_sandbox_intercept.control.get("/journal").json()["entrees"]
    assert [e["chemin"].split("?")[0].rsplit("/", 2)[-2:] for e in journal] == [
        ["connect", "token"],
        ["dossiers", "etats"],
    ]


def test_httpx_sync_and_async_clients_are_intercepted(opco_sandbox: OpcoSandbox) -> None:
    with opco_sandbox.intercept():
        token = httpx.post(AKTO_TOKEN, data={"grant_type": "client_credentials", **CREDENTIALS})
        assert token.status_code == 200
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        headers |= {"X-API-KEY": "demo-akto-key", **SOFTWARE}
        with httpx.Client(base_url=AKTO_API, headers=headers) as client:
            dossier = client.get("/v1/dossiers", params={"numeroInterne": "DEMO-0001"})
        assert dossier.json()["cerfa"]["numeroExterne"] == "AKTO-2026-000001"

        async def read() -> int:
            async with httpx.AsyncClient(base_url=AKTO_API, headers=headers) as client:
                return (await client.get("/V1/Dossiers/Etats")).status_code

        assert anyio.run(read) == 200


def test_other_hosts_are_left_alone(opco_sandbox: OpcoSandbox) -> None:
    with opco_sandbox.intercept():
        with pytest.raises(httpx.ConnectError):
            httpx.get("http://127.0.0.1:9/v1/status", timeout=2)
        with pytest.raises(requests.ConnectionError):
            requests.get("http://127.0.0.1:9/v1/status", timeout=2)


def test_nothing_is_intercepted_outside_the_block(opco_sandbox: OpcoSandbox) -> None:
    with opco_sandbox.intercept():
        pass
    with pytest.raises(httpx.ConnectError):
        httpx.get("http://127.0.0.1:9/akto", timeout=2)


@pytest.mark.opco_scenario(
    {
        "nom": "hote",
        "hotes": {"api.example.fr": "akto"},
        "opcos": {"akto": {"oauth": False}},
        "cfas": [
            {
                "siret": "79012345900014",
                "uai": "0751234A",
                "denomination": "CFA",
                "iban": "FR7630006000011234567890189",
                "cles": {"akto": "demo-akto-key"},
            }
        ],
    }
)
def test_a_scenario_adds_hosts(opco_sandbox_intercept: OpcoSandbox) -> None:
    headers = {"X-API-KEY": "demo-akto-key", **SOFTWARE}
    response = httpx.get("https://api.example.fr/ApiEchangeCFA/v1/cfakeyinfo", headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["siret"] == "79012345900014"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"{AKTO_API}/v2/dossiers/etats?numeroPage=2",
            "/espaces/e/akto/v2/dossiers/etats?numeroPage=2",
        ),
        (f"{AKTO_API}/v1/Factures", "/espaces/e/akto/v1/Factures"),
        (AKTO_TOKEN, "/espaces/e/akto/connect/token"),
        ("https://x/auth/realms/r/protocol/openid-connect/token", "/espaces/e/akto/connect/token"),
        (f"{AKTO_API}/swagger", None),
    ],
)
def test_production_urls_map_by_what_follows_the_base(url: str, expected: str | None) -> None:
    assert sandbox_path("e", "akto", url) == expected
