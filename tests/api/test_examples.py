"""The OpenAPI document's examples work against `demo`, sent as Swagger UI's Try it out sends
them: every request body's example is accepted as is (200, never 400 or 422), and every
success answer's example, the answer sample ReDoc shows, has the shape of the real answer.

Each example runs in a fresh `demo` (loaded in the default espace), with demo's vendor token
and key, after what a person would run first in Swagger UI where demo holds nothing to read
(an invoice to read or to pay, a file to list).
"""

import json
from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import pytest

from sandbox.core.database import Database
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app, openapi_document
from sandbox.testing import InProcessServer
from tests.builders import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, PDF

DOCUMENT = openapi_document()
OPERATIONS = {
    f"{method.upper()} {path}": operation
    for path, item in DOCUMENT["paths"].items()
    for method, operation in item.items()
}
KEY = "demo-akto-key"  # demo's first CFA, at AKTO
TOKEN = "POST /{opco}/connect/token"
INVOICE, DOCUMENT_SENT = "POST /{opco}/v1/factures", "POST /{opco}/v1/documents"
# What demo lacks for an example to work: what a person sends first.
NEEDS = {
    "GET /{opco}/v1/factures": INVOICE,
    "GET /{opco}/v2/factures": INVOICE,
    "GET /{opco}/v1/factures/etats": INVOICE,
    "GET /{opco}/v2/factures/etats": INVOICE,
    "POST /_sandbox/espaces/{espace}/{opco}/factures/{numeroInterneFacture}/etat": INVOICE,
    "GET /_sandbox/espaces/{espace}/documents": DOCUMENT_SENT,
}
# Their answers are the journal's, whose shapes another part of the house owns: ReDoc shows
# samples made from their schemas, which hold no pattern.
WITHOUT_EXAMPLE = {
    "GET /_sandbox/espaces/{espace}/journal",
    "GET /_sandbox/espaces/{espace}/rapport",
}
BODIES = [
    (label, media)
    for label, operation in OPERATIONS.items()
    for media in operation.get("requestBody", {}).get("content", {})
]
JSON_ANSWERS = [
    label
    for label, operation in OPERATIONS.items()
    if "application/json" in operation["responses"].get("200", {}).get("content", {})
]
EXAMPLE_ANSWERS = [label for label in JSON_ANSWERS if label not in WITHOUT_EXAMPLE]


def resolved(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    found: dict[str, Any] = (
        DOCUMENT["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema
    )
    return found


def media_example(content: dict[str, Any]) -> Any:
    """The example Swagger UI shows first: `example`, else the first of `examples`."""
    if "example" in content:
        return content["example"]
    return next(iter(content["examples"].values()))["value"]


def parameter_value(parameter: dict[str, Any]) -> Any:
    """What Try it out fills a parameter with: its `example`, else its first `examples`."""
    if "example" in parameter:
        return parameter["example"]
    if "examples" in parameter:
        return next(iter(parameter["examples"].values()))["value"]
    return None


def is_file(schema: dict[str, Any]) -> bool:
    """A file input in Swagger UI: the first alternative of the property is binary."""
    first = schema.get("anyOf", [schema])[0]
    return "contentMediaType" in first or first.get("format") == "binary"


def form_fields(schema: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A form's text fields (their examples) and its file parts (a small PDF each)."""
    properties = resolved(schema)["properties"]
    texts = {name: prop["examples"][0] for name, prop in properties.items() if not is_file(prop)}
    files = {
        name: (f"{name}.pdf", PDF, "application/pdf")
        for name, prop in properties.items()
        if is_file(prop)
    }
    return texts, files


def body_of(operation: dict[str, Any], media: str) -> dict[str, Any]:
    """httpx keywords sending the operation's request example in that media type."""
    content = operation["requestBody"]["content"][media]
    if media == "application/json":
        return {"json": media_example(content)}
    if media == "application/x-www-form-urlencoded":
        return {"data": form_fields(content["schema"])[0]}
    if media == "multipart/form-data":
        texts, files = form_fields(content["schema"])
        return {"data": texts, "files": files}
    return {"content": media_example(content), "headers": {"Content-Type": media}}


class Swagger:
    """Sends an operation as Try it out does: its parameters' and body's examples, and the
    credentials entered once (Authorize)."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.token = self.send(TOKEN).json()["access_token"]

    def send(self, label: str, media: str | None = None) -> httpx.Response:
        method, path = label.split(" ", 1)
        operation = OPERATIONS[label]
        query: dict[str, Any] = {}
        headers: dict[str, str] = {}
        for parameter in operation.get("parameters", []):
            name, value = parameter["name"], parameter_value(parameter)
            if value is None:
                continue
            if parameter["in"] == "path":
                path = path.replace(f"{{{name}}}", str(value))
            elif parameter["in"] == "query":
                query[name] = value
            elif parameter["in"] == "header":
                headers[name] = str(value)
        if "X-API-KEY" in json.dumps(operation.get("security", [])):
            headers |= {"X-API-KEY": KEY, "Authorization": f"Bearer {self.token}"}
        keywords: dict[str, Any] = {}
        if "requestBody" in operation:
            keywords = body_of(operation, media or next(iter(operation["requestBody"]["content"])))
        headers |= keywords.pop("headers", {})
        return self.client.request(method, path, params=query, headers=headers, **keywords)

    def answer(self, label: str, media: str | None = None) -> httpx.Response:
        """The operation's answer in a fresh demo, after what it needs."""
        if label in NEEDS:
            assert self.send(NEEDS[label]).status_code == 200
        return self.send(label, media)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('examples') / 'sandbox.db'}")
    with InProcessServer(create_app(database, resolve("demo"))) as running:
        yield running
    database.dispose()


@pytest.fixture
def swagger(server: InProcessServer) -> Swagger:
    """A person in Swagger UI on a fresh demo, authorized with demo's vendor and key."""
    client = server.client()
    # Loaded again rather than reset: an example loads another scenario.
    client.put("/_sandbox/espaces/default/scenario", json={"nom": "demo"}).raise_for_status()
    return Swagger(client)


def test_token_form_is_filled_with_demo_s_vendor() -> None:
    form = OPERATIONS[TOKEN]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    texts, _ = form_fields(form["schema"])
    assert (texts["client_id"], texts["client_secret"]) == (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)


@pytest.mark.parametrize(("label", "media"), BODIES, ids=[f"{lb} {m}" for lb, m in BODIES])
def test_request_example_is_accepted_by_demo(swagger: Swagger, label: str, media: str) -> None:
    response = swagger.answer(label, media)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("label", EXAMPLE_ANSWERS)
def test_answer_example_is_shaped_as_the_real_answer(swagger: Swagger, label: str) -> None:
    content = OPERATIONS[label]["responses"]["200"]["content"]["application/json"]
    example = media_example(content)
    jsonschema.validate(example, content["schema"] | {"components": DOCUMENT["components"]})
    response = swagger.answer(label)
    assert response.status_code == 200, response.text
    assert shape(example) == shape(response.json())


@pytest.mark.parametrize(
    ("status", "changed"), [(400, {"grant_type": "password"}), (401, {"client_secret": "faux"})]
)
def test_token_refusal_example_is_the_real_refusal(
    swagger: Swagger, status: int, changed: dict[str, str]
) -> None:
    form = OPERATIONS[TOKEN]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    texts, _ = form_fields(form["schema"])
    response = swagger.client.post("/akto/connect/token", data=texts | changed)
    content = OPERATIONS[TOKEN]["responses"][str(status)]["content"]["application/json"]
    assert (response.status_code, response.json()) == (status, media_example(content))


def shape(value: Any) -> Any:
    """The keys of a JSON value, at every depth; a list by its first item."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return None


def test_every_json_success_answer_has_an_example() -> None:
    missing = [
        label
        for label in EXAMPLE_ANSWERS
        if not {"example", "examples"}
        & set(OPERATIONS[label]["responses"]["200"]["content"]["application/json"])
    ]
    assert missing == []


@pytest.mark.parametrize(("label", "media"), BODIES, ids=[f"{lb} {m}" for lb, m in BODIES])
def test_request_body_has_an_example(label: str, media: str) -> None:
    content = OPERATIONS[label]["requestBody"]["content"][media]
    if media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        properties = resolved(content["schema"])["properties"].values()
        assert all(prop.get("examples") for prop in properties if not is_file(prop))
    else:
        assert media_example(content) is not None


@pytest.mark.parametrize("label", list(OPERATIONS))
def test_required_parameters_are_filled_in(label: str) -> None:
    """Swagger UI fills a parameter from its `example`: the path's segments and the
    software headers are there, at demo's values."""
    demo = {"opco": "akto", "espace": "default"}
    for parameter in OPERATIONS[label].get("parameters", []):
        if parameter["required"]:
            assert "example" in parameter, parameter["name"]
        if parameter["in"] == "path" and parameter["name"] in demo:
            assert parameter["example"] == demo[parameter["name"]]
