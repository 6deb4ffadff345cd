"""OAuth2 client credentials (contract §2): the token endpoint of each OPCO, Bearer tokens on
every API call of the OPCOs that ask for them, expiry in real time and on demand."""

import base64
import time
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import SOFTWARE_HEADERS, OpcoSandbox
from tests.builders import codes

CLIENT = {"client_id": "acme-cfa", "client_secret": "acme-secret-demo"}
FORM = {"grant_type": "client_credentials", **CLIENT}


def espace_client(opco_sandbox: OpcoSandbox, opco: str) -> httpx.Client:
    """A client of the test's espace at that OPCO with no credentials at all."""
    return opco_sandbox.server.client(f"/espaces/{opco_sandbox.espace}/{opco}")


def token(opco_sandbox: OpcoSandbox, opco: str = "akto", **form: str) -> httpx.Response:
    return espace_client(opco_sandbox, opco).post("/connect/token", data=FORM | form)


def api_headers(access_token: str | None, key: str = "demo-akto-key") -> dict[str, str]:
    headers = SOFTWARE_HEADERS | {"X-API-KEY": key}
    if access_token is not None:
        headers["Authorization"] = f"Bearer {access_token}"
    return headers


def cfakeyinfo(opco_sandbox: OpcoSandbox, headers: dict[str, str], opco: str = "akto") -> Any:
    return espace_client(opco_sandbox, opco).get("/v1/cfakeyinfo", headers=headers)


def one_cfa(nom: str, opcos: dict[str, Any], *more: str) -> dict[str, Any]:
    """A scenario of the demo's first CFA, keyed at akto (and `more` OPCOs), with `opcos`."""
    keys = {opco: f"demo-{opco}-key" for opco in ("akto", *more)}
    cfa = {"siret": "79012345900014", "uai": "0751234A", "denomination": "CFA", "cles": keys}
    return {
        "nom": nom,
        "opcos": opcos,
        "logiciels": [
            {"editeur": "ACME", "clientId": "acme-cfa", "clientSecret": "acme-secret-demo"}
        ],
        "cfas": [cfa | {"iban": "FR7630006000011234567890189"}],
    }


def test_a_token_is_given_for_the_form_credentials(opco_sandbox: OpcoSandbox) -> None:
    response = token(opco_sandbox, scope="api.read api.write")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "scope"}
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "api.read api.write"
    assert len(body["access_token"]) >= 32
    assert response.headers["cache-control"] == "no-store"


def test_credentials_may_come_in_http_basic(opco_sandbox: OpcoSandbox) -> None:
    basic = base64.b64encode(b"acme-cfa:acme-secret-demo").decode()
    response = espace_client(opco_sandbox, "akto").post(
        "/connect/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 200, response.text


def test_scope_is_optional_and_defaults_to_both(opco_sandbox: OpcoSandbox) -> None:
    assert token(opco_sandbox).json()["scope"] == "api.read api.write"
    assert token(opco_sandbox, scope="api.read").json()["scope"] == "api.read"


@pytest.mark.parametrize(
    ("form", "status", "error"),
    [
        ({"client_secret": "wrong-secret"}, 401, "invalid_client"),
        ({"client_id": "nobody"}, 401, "invalid_client"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": ""}, 400, "invalid_request"),
        ({"client_secret": ""}, 400, "invalid_request"),
        ({"scope": "api.read admin"}, 400, "invalid_scope"),
    ],
)
def test_token_errors_follow_rfc_6749(
    opco_sandbox: OpcoSandbox, form: dict[str, str], status: int, error: str
) -> None:
    response = token(opco_sandbox, **form)
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error", "error_description"}
    assert body["error"] == error
    assert body["error_description"]


def test_a_bad_basic_secret_asks_for_basic_again(opco_sandbox: OpcoSandbox) -> None:
    basic = base64.b64encode(b"acme-cfa:nope-nope-nope").decode()
    response = espace_client(opco_sandbox, "akto").post(
        "/connect/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {basic}"},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")


def test_a_body_that_is_not_a_form_is_an_invalid_request(opco_sandbox: OpcoSandbox) -> None:
    response = espace_client(opco_sandbox, "akto").post("/connect/token", json=FORM)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("opco", ["akto", "atlas", "mobilites", "opcoep", "afdas"])
def test_production_oauth_opcos_refuse_a_call_without_token(
    opco_sandbox: OpcoSandbox, opco: str
) -> None:
    response = espace_client(opco_sandbox, opco).get("/v1/cfakeyinfo", headers=SOFTWARE_HEADERS)
    assert codes(response, 401) == ["JETON_INVALIDE"]
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_an_opco_without_oauth_ignores_a_bearer_header(opco_sandbox: OpcoSandbox) -> None:
    headers = api_headers("anything", key="demo-constructys-key")
    response = cfakeyinfo(opco_sandbox, headers, "sante")
    # sante is not OAuth: the Bearer is ignored and the key is judged (demo has none there).
    assert codes(response, 401) == ["CLE_API_INVALIDE"]


def test_a_token_opens_the_api_with_the_key(opco_sandbox: OpcoSandbox) -> None:
    access = token(opco_sandbox).json()["access_token"]
    response = cfakeyinfo(opco_sandbox, api_headers(access))
    assert response.status_code == 200, response.text


def test_the_token_comes_before_the_key(opco_sandbox: OpcoSandbox) -> None:
    response = cfakeyinfo(opco_sandbox, api_headers(None, key="not-a-key"))
    assert codes(response, 401) == ["JETON_INVALIDE"]
    access = token(opco_sandbox).json()["access_token"]
    response = cfakeyinfo(opco_sandbox, api_headers(access, key="not-a-key"))
    assert codes(response, 401) == ["CLE_API_INVALIDE"]


@pytest.mark.parametrize("value", ["Bearer nope", "Basic YWNtZTpzZWNyZXQ=", "Bearer", "nope"])
def test_unknown_or_malformed_tokens_are_refused(opco_sandbox: OpcoSandbox, value: str) -> None:
    headers = api_headers(None) | {"Authorization": value}
    assert codes(cfakeyinfo(opco_sandbox, headers), 401) == ["JETON_INVALIDE"]


def test_a_token_is_valid_only_at_the_opco_that_issued_it(opco_sandbox: OpcoSandbox) -> None:
    access = token(opco_sandbox, "atlas").json()["access_token"]
    response = cfakeyinfo(opco_sandbox, api_headers(access))
    assert codes(response, 401) == ["JETON_INVALIDE"]
    journal = opco_sandbox.control.get("/journal").json()["entrees"]
    assert any("OPCO ATLAS" in d for e in journal for d in e["diagnostics"])


def test_a_token_is_valid_only_in_its_espace(opco_sandbox: OpcoSandbox) -> None:
    access = token(opco_sandbox).json()["access_token"]
    other = opco_sandbox.server.client("/akto").get("/v1/cfakeyinfo", headers=api_headers(access))
    assert codes(other, 401) == ["JETON_INVALIDE"]


def test_tokens_expire_on_demand_then_a_new_one_works(opco_sandbox: OpcoSandbox) -> None:
    access = token(opco_sandbox).json()["access_token"]
    expired = opco_sandbox.control.post("/jetons/expirer")
    assert expired.status_code == 200
    assert expired.json() == {"jetonsExpires": 1}
    response = cfakeyinfo(opco_sandbox, api_headers(access))
    assert codes(response, 401) == ["JETON_EXPIRE"]
    assert "invalid_token" in response.headers["www-authenticate"]
    renewed = token(opco_sandbox).json()["access_token"]
    assert cfakeyinfo(opco_sandbox, api_headers(renewed)).status_code == 200


@pytest.mark.opco_scenario(one_cfa("jeton court", {"akto": {"dureeJeton": 1}}))
def test_tokens_expire_after_the_opcos_duration_in_real_time(opco_sandbox: OpcoSandbox) -> None:
    answer = token(opco_sandbox).json()
    assert answer["expires_in"] == 1
    assert cfakeyinfo(opco_sandbox, api_headers(answer["access_token"])).status_code == 200
    time.sleep(1.1)
    response = cfakeyinfo(opco_sandbox, api_headers(answer["access_token"]))
    assert codes(response, 401) == ["JETON_EXPIRE"]


@pytest.mark.opco_scenario(
    one_cfa("sans oauth", {"akto": {"oauth": False}, "sante": {"oauth": True}}, "sante")
)
def test_a_scenario_sets_oauth_per_opco(opco_sandbox: OpcoSandbox) -> None:
    assert cfakeyinfo(opco_sandbox, api_headers(None)).status_code == 200
    response = cfakeyinfo(opco_sandbox, api_headers(None, key="demo-sante-key"), "sante")
    assert codes(response, 401) == ["JETON_INVALIDE"]
    assert opco_sandbox.client("sante").get("/v1/cfakeyinfo").status_code == 200


def test_a_reset_revokes_the_tokens(opco_sandbox: OpcoSandbox) -> None:
    access = token(opco_sandbox).json()["access_token"]
    opco_sandbox.control.post("/reset").raise_for_status()
    assert codes(cfakeyinfo(opco_sandbox, api_headers(access)), 401) == ["JETON_INVALIDE"]


def test_the_plugin_client_gets_and_renews_its_token(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.client("akto")
    assert client.get("/v1/cfakeyinfo").status_code == 200
    opco_sandbox.control.post("/jetons/expirer").raise_for_status()
    assert client.get("/v1/cfakeyinfo").status_code == 200
    # Its tokens are issued in-process (no token call journaled): the expired one answered
    # 401 JETON_EXPIRE, then the call went again with a new one.
    assert [(e["statut"], e["codes"]) for e in opco_sandbox.journal()] == [
        (200, []),
        (401, ["JETON_EXPIRE"]),
        (200, []),
    ]
    assert opco_sandbox.control.post("/jetons/expirer").json() == {"jetonsExpires": 1}


def test_neither_secret_nor_token_reaches_the_journal(opco_sandbox: OpcoSandbox) -> None:
    access = token(opco_sandbox).json()["access_token"]
    cfakeyinfo(opco_sandbox, api_headers(access))
    espace_client(opco_sandbox, "akto").post(
        f"/connect/token?client_secret={CLIENT['client_secret']}&access_token={access}"
    )
    journal = opco_sandbox.control.get("/journal").text
    assert access not in journal
    assert CLIENT["client_secret"] not in journal
