"""Two workers on one database: each keeps its espaces' worlds and fault rules in memory,
and a change made through one is seen by the other's next request (the caches are keyed
by versions read from the database in every request)."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.core.database import Database
from sandbox.pytest_plugin import SOFTWARE_HEADERS, OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer

ESPACE = "deux-workers"


def scenario(key: str) -> dict[str, Any]:
    """One CFA whose AKTO key is `key` (no OAuth2 token: the key decides alone)."""
    return {
        "nom": f"cle-{key}",
        "date": "2026-09-01",
        "opcos": {"akto": {"oauth": False}},
        "cfas": [
            {
                "siret": "79012345900014",
                "uai": "0751234A",
                "denomination": "CFA Demo",
                "iban": "FR7630006000011234567890189",
                "cles": {"akto": key},
            }
        ],
    }


@pytest.fixture
def workers(opco_sandbox_database_url: str) -> Iterator[tuple[OpcoSandbox, httpx.Client]]:
    """The plugin's espace on a first worker, and a plain client of the same espace on a
    second worker (another app, its own caches, the same database)."""
    database = Database(opco_sandbox_database_url)
    with (
        InProcessServer(create_app(database, resolve("demo"))) as first,
        InProcessServer(create_app(database, resolve("demo"))) as second,
    ):
        sandbox = OpcoSandbox(first, ESPACE)
        sandbox.load(scenario("cle-numero-une"))
        with second.client(f"/espaces/{ESPACE}/akto", SOFTWARE_HEADERS) as other:
            yield sandbox, other
        sandbox.close()
    database.dispose()


def states(client: httpx.Client, key: str) -> int:
    return client.get("/v1/dossiers/etats", headers={"X-API-KEY": key}).status_code


def test_faults_put_through_one_worker_act_on_the_other(
    workers: tuple[OpcoSandbox, httpx.Client],
) -> None:
    sandbox, other = workers
    assert other.get("/v1/status").status_code == 200  # its rules (none) now cached
    sandbox.control.put("/akto/pannes", json={"pannes": [{"statut": 503}]})
    assert other.get("/v1/status").status_code == 503
    sandbox.control.put("/akto/pannes", json={"pannes": []})
    assert other.get("/v1/status").status_code == 200


def test_a_scenario_put_through_one_worker_changes_the_keys_of_the_other(
    workers: tuple[OpcoSandbox, httpx.Client],
) -> None:
    sandbox, other = workers
    assert states(other, "cle-numero-une") == 200  # its world now cached
    sandbox.load(scenario("cle-numero-deux"))
    assert (states(other, "cle-numero-une"), states(other, "cle-numero-deux")) == (401, 200)


def test_an_espace_made_again_under_its_name_is_not_taken_for_the_old_one(
    workers: tuple[OpcoSandbox, httpx.Client],
) -> None:
    sandbox, other = workers
    assert states(other, "cle-numero-une") == 200
    with sandbox.server.client() as control:
        assert control.delete(f"/_sandbox/espaces/{ESPACE}").status_code == 204
    sandbox.load(scenario("cle-numero-deux"))  # the same name, made anew
    assert (states(other, "cle-numero-une"), states(other, "cle-numero-deux")) == (401, 200)


def test_tokens_expired_through_one_worker_are_refused_by_the_other(
    opco_sandbox_database_url: str,
) -> None:
    # The second worker keeps the token's row in memory once it has read it: the expiry,
    # made through the first, must reach it all the same.
    database = Database(opco_sandbox_database_url)
    espace = f"{ESPACE}-jetons"
    with (
        InProcessServer(create_app(database, resolve("demo"))) as first,
        InProcessServer(create_app(database, resolve("demo"))) as second,
    ):
        sandbox = OpcoSandbox(first, espace)
        sandbox.load("demo")
        with second.client(f"/espaces/{espace}/akto") as anonymous:
            form = {"grant_type": "client_credentials"}
            form |= {"client_id": "acme-cfa", "client_secret": "acme-secret-demo"}
            token = anonymous.post("/connect/token", data=form).json()["access_token"]
        headers = SOFTWARE_HEADERS | {"X-API-KEY": "demo-akto-key"}
        with second.client(f"/espaces/{espace}/akto", headers) as other:
            other.headers["Authorization"] = f"Bearer {token}"
            assert other.get("/v1/dossiers/etats").status_code == 200  # its row now cached
            assert sandbox.control.post("/jetons/expirer").json() == {"jetonsExpires": 1}
            refused = other.get("/v1/dossiers/etats")
            assert refused.status_code == 401
            assert [e["code"] for e in refused.json()["errors"]] == ["JETON_EXPIRE"]
        sandbox.close()
    database.dispose()
