"""The OpenAPI document: valid, complete, and the published file up to date."""

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate
from typer.testing import CliRunner

from sandbox.cli import app as cli
from sandbox.core.database import Database
from sandbox.errors import CATALOGUE
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app, openapi_document
from sandbox.testing import InProcessServer

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "openapi" / "opco-sandbox.json"
REGENERATE = "regenerate it with: opco-sandbox openapi > openapi/opco-sandbox.json"
DOCUMENT = openapi_document()
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
]
KEYED = [(label, op) for label, op in OPERATIONS if "/v1/" in label and "/status" not in label]
CONTROL = [(label, op) for label, op in OPERATIONS if " /_sandbox/" in label]
JSON_BODY = [
    (label, op)
    for label, op in OPERATIONS
    if list(op.get("requestBody", {}).get("content", {})) == ["application/json"]
]
ERROR_BODY = {"$ref": "#/components/schemas/ErrorBody"}
SOFTWARE_HEADERS = ("EDITEUR", "LOGICIEL", "VERSION")


def each(operations: list[tuple[str, dict[str, Any]]]) -> pytest.MarkDecorator:
    """Parametrize a test over operations, named by method and path."""
    return pytest.mark.parametrize(
        "operation", [op for _, op in operations], ids=[label for label, _ in operations]
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`/openapi.json` as a running app serves it."""
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'sandbox.db'}")
    with InProcessServer(create_app(database, resolve("demo"))) as server:
        response = server.client().get("/openapi.json")
    database.dispose()
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_served_document_is_valid_openapi_3(served: dict[str, Any]) -> None:
    assert served["openapi"].startswith("3.")
    validate(served)


def test_published_file_is_what_the_cli_prints() -> None:
    printed = CliRunner().invoke(cli, ["openapi"])
    assert printed.exit_code == 0, printed.output
    assert PUBLISHED.read_text(encoding="utf-8") == printed.stdout, (
        f"{PUBLISHED.relative_to(ROOT)} is stale: {REGENERATE}"
    )


def test_published_file_is_what_the_app_serves(served: dict[str, Any]) -> None:
    published = json.loads(PUBLISHED.read_text(encoding="utf-8"))
    assert published == served, f"{PUBLISHED.relative_to(ROOT)} is stale: {REGENERATE}"


@each(OPERATIONS)
def test_operation_has_a_summary_and_a_description(operation: dict[str, Any]) -> None:
    assert operation.get("summary", "").strip()
    assert operation.get("description", "").strip()


def described_or_missing(name: str, schema: dict[str, Any]) -> Iterator[str]:
    """The places in a schema that lack a description: its properties, recursively."""
    for prop, sub in schema.get("properties", {}).items():
        if "description" not in sub:
            yield f"{name}.{prop}"
        yield from described_or_missing(f"{name}.{prop}", sub)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield from described_or_missing(f"{name}[]", schema[key])
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from described_or_missing(name, sub)


@pytest.mark.parametrize("name", sorted(DOCUMENT["components"]["schemas"]))
def test_schema_and_each_of_its_fields_have_a_description(name: str) -> None:
    schema = DOCUMENT["components"]["schemas"][name]
    assert schema.get("description", "").strip(), f"{name} has no description"
    assert list(described_or_missing(name, schema)) == []


@each(OPERATIONS)
def test_error_statuses_answer_the_error_shape_with_an_example_per_code(
    operation: dict[str, Any],
) -> None:
    errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
    for status, response in errors.items():
        content = response["content"]["application/json"]
        if content["schema"] == {"$ref": "#/components/schemas/ErreurOAuth"}:
            # The token endpoint speaks RFC 6749 §5.2, as OAuth2 clients expect.
            assert operation["operationId"].startswith("token"), operation["operationId"]
            assert status in ("400", "401")
            continue
        assert content["schema"] == ERROR_BODY, status
        examples = content["examples"]
        assert examples, status
        for code, example in examples.items():
            assert CATALOGUE[code].status == int(status)
            assert f"`{code}`" in response["description"]
            validate_error_body(example["value"])
            assert [item["code"] for item in example["value"]["errors"]] == [code]


def validate_error_body(body: Any) -> None:
    """Against the document's own ErrorBody, and the contract's rules for codes."""
    schema = {**ERROR_BODY, "components": DOCUMENT["components"]}
    jsonschema.validate(body, schema)
    for item in body["errors"]:
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", item["code"])
        assert item["description"].strip()
        assert item["message"] == item["description"]


def declared(operation: dict[str, Any]) -> set[int]:
    return {int(status) for status in operation["responses"]}


def test_status_declares_what_answers_before_any_key() -> None:
    [status] = [op for label, op in OPERATIONS if label == "GET /{opco}/v1/status"]
    assert declared(status) == {200, 404, 503}
    assert "security" not in status


@each(KEYED)
def test_cfa_operations_declare_key_headers_and_their_errors(operation: dict[str, Any]) -> None:
    assert {400, 401, 404, 503} <= declared(operation)
    assert operation["security"] == [{"OAuth2": [], "X-API-KEY": []}, {"X-API-KEY": []}]
    headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
    for name in SOFTWARE_HEADERS:
        assert headers[name]["required"] is True
        assert headers[name]["description"]


def test_oauth2_scheme_is_client_credentials_at_the_token_endpoint() -> None:
    scheme = DOCUMENT["components"]["securitySchemes"]["OAuth2"]
    flow = scheme["flows"]["clientCredentials"]
    assert scheme["type"] == "oauth2"
    assert flow["tokenUrl"] == "/akto/connect/token"
    assert set(flow["scopes"]) == {"api.read", "api.write"}
    assert "/{opco}/connect/token" in DOCUMENT["paths"]


def test_api_key_scheme_is_the_x_api_key_header() -> None:
    scheme = DOCUMENT["components"]["securitySchemes"]["X-API-KEY"]
    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "X-API-KEY")


@each(JSON_BODY)
def test_operations_with_a_json_body_declare_its_refusals(operation: dict[str, Any]) -> None:
    # Schema violations and malformed JSON are both 400, as in production.
    examples = operation["responses"]["400"]["content"]["application/json"]["examples"]
    assert {"JSON_INVALIDE", "FORMAT_INVALIDE"} <= set(examples)
    assert 422 not in declared(operation)


def test_scenario_upload_declares_its_refusal() -> None:
    [upload] = [op for label, op in OPERATIONS if label.endswith("/scenario")]
    assert 422 in declared(upload)
    assert (
        "SCENARIO_INVALIDE" in upload["responses"]["422"]["content"]["application/json"]["examples"]
    )


@each(CONTROL)
def test_control_operations_declare_the_admin_token(operation: dict[str, Any]) -> None:
    assert 401 in declared(operation)
    assert operation["security"] == [{"jetonAdmin": []}, {}]


def test_control_operations_on_an_espace_declare_it_unknown() -> None:
    for label, operation in CONTROL:
        # `PUT …/scenario` creates the espace; the list is of every espace.
        if "{espace}" in label and not label.endswith("/scenario"):
            assert 404 in declared(operation), label


def test_path_parameters_are_declared() -> None:
    for label, operation in OPERATIONS:
        names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert names == set(re.findall(r"{(\w+)}", label)), label


def test_framework_validation_shape_is_not_documented() -> None:
    assert "HTTPValidationError" not in str(DOCUMENT)
