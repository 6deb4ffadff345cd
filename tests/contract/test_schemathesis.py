"""schemathesis over every operation of the OpenAPI document, on SQLite and on PostgreSQL.

The document is the app's own; requests go to the app in-process, through schemathesis's
ASGI client, with the `demo` scenario's key and an OAuth2 token for AKTO and the software
headers, so that the
cases reach the work of each operation rather than stopping at the key. Each answer must not
be a 5xx, must have a declared status, and must conform to the schema declared for it. A
fixed seed, deterministic generation and a bounded number of examples keep the run the same
every time and short.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.python.asgi import ASGIClient, get_client

from sandbox.core.database import Database
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app, openapi_document
from tests.conftest import postgres_database

BASE_URL = "http://testserver"  # the host schemathesis's ASGI client answers for
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20260901,
        "generation": {"mode": "all", "max-examples": 25, "deterministic": True},
        "parameters": {
            # The demo CFA's key is for AKTO; the control API works on the default espace,
            # the one the OPCO paths of the document address.
            "path.opco": "akto",
            "path.espace": "default",
            "header.X-API-KEY": "demo-akto-key",
            "header.EDITEUR": "opco-sandbox",
            "header.LOGICIEL": "schemathesis",
            "header.VERSION": "1",
        },
        "operations": [
            {
                # An injected fault answers the status it names, on purpose: faults are
                # injected at an OPCO that the other operations here never call.
                "include-path-regex": "/pannes$",
                "parameters": {"path.opco": "afdas"},
            }
        ],
    }
)
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.response_schema_conformance,
]
schema = schemathesis.openapi.from_dict(openapi_document(), config=CONFIG)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sandbox(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ASGIClient]:
    """A fresh app on its own database, the demo scenario in its default espace."""
    if request.param == "sqlite":
        yield from _serve(f"sqlite:///{tmp_path_factory.mktemp('contract') / 'sandbox.db'}")
    else:
        with postgres_database() as url:
            yield from _serve(url)


def _serve(database_url: str) -> Iterator[ASGIClient]:
    database = Database(database_url)
    # schemathesis types an ASGI app's scope as a dict, Starlette as a MutableMapping.
    app: Any = create_app(database, resolve("demo"))
    with get_client(app) as client:
        yield client
    database.dispose()


def fresh_token(sandbox: ASGIClient) -> str:
    """A new OAuth2 token of the demo vendor at AKTO: each case gets its own, since a case
    of `POST …/jetons/expirer` expires every token of the espace."""
    response = sandbox.post(
        f"{BASE_URL}/akto/connect/token",
        data={"grant_type": "client_credentials", "client_id": "acme-cfa"}
        | {"client_secret": "acme-secret-demo"},
    )
    response.raise_for_status()
    token: str = response.json()["access_token"]
    return token


@schema.parametrize()
def test_operation_keeps_its_contract(case: schemathesis.Case[Any], sandbox: ASGIClient) -> None:
    if not case.path.endswith("/connect/token"):
        case.headers["Authorization"] = f"Bearer {fresh_token(sandbox)}"
    case.call_and_validate(base_url=BASE_URL, session=sandbox, checks=CHECKS)
