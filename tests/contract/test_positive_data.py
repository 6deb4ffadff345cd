"""What the OpenAPI document declares valid passes the schema checks of the sandbox: a
request built from the declared schema may break a business rule (a NIR key, a duplicate),
never the format of a field. Amounts and dates are where the two used to part: an amount
declared as any string, a date of any year.
"""

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from sandbox.core.database import Database
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app, openapi_document
from sandbox.testing import InProcessServer
from tests.builders import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

schema = schemathesis.openapi.from_dict(openapi_document())
# The operations whose bodies carry amounts or dates.
OPERATIONS = [
    ("/{opco}/v1/dossiers", "POST"),
    ("/{opco}/v1/dossiers/appairage", "POST"),
    ("/_sandbox/espaces/{espace}/horloge", "POST"),
]
SCHEMA_CODES = {"FORMAT_INVALIDE", "CHAMP_OBLIGATOIRE", "JSON_INVALIDE"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('positive') / 'sandbox.db'}")
    with InProcessServer(create_app(database, resolve("demo"))) as running:
        yield running
    database.dispose()


def bearer(server: InProcessServer) -> str:
    with server.client() as client:
        response = client.post(
            "/akto/connect/token",
            data={"grant_type": "client_credentials", "client_id": DEMO_CLIENT_ID}
            | {"client_secret": DEMO_CLIENT_SECRET},
        )
    token: str = response.json()["access_token"]
    return token


def codes_of(answer: Any) -> set[str]:
    if isinstance(answer, dict) and isinstance(answer.get("errors"), list):
        return {str(item.get("code")) for item in answer["errors"]}
    return set()


@pytest.mark.parametrize(("path", "method"), OPERATIONS)
def test_a_body_the_schema_declares_valid_passes_the_schema_checks(
    server: InProcessServer, path: str, method: str
) -> None:
    operation = schema[path][method]
    headers = {"X-API-KEY": "demo-akto-key", "EDITEUR": "e", "LOGICIEL": "l", "VERSION": "1"}
    headers["Authorization"] = f"Bearer {bearer(server)}"

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case[Any]) -> None:
        url = path.format(opco="akto", espace="default")
        with server.client() as client:
            # The clock back to the scenario's day: moved by each case, it would leave the
            # years a date may name.
            client.post("/_sandbox/espaces/default/reset").raise_for_status()
            response = client.request(method, url, json=case.body, headers=headers)
        assert not codes_of(response.json()) & SCHEMA_CODES, (case.body, response.text)

    check()
