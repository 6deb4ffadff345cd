"""One error shape for every status; schema errors before business rules (§3, §13)."""

import json
import string
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.pytest_plugin import OpcoSandbox
from tests.builders import (
    assert_error_shape,
    codes,
    problems,
    replaced,
    transmission,
    without,
)

REQUIRED = [
    "cerfa",
    "cerfa.apprenti",
    "cerfa.apprenti.nom",
    "cerfa.apprenti.prenom",
    "cerfa.apprenti.sexe",
    "cerfa.apprenti.dateNaissance",
    "cerfa.apprenti.nir",
    "cerfa.employeur.siret",
    "cerfa.employeur.denomination",
    "cerfa.maitre1.nom",
    "cerfa.maitre1.prenom",
    "cerfa.maitre1.dateNaissance",
    "cerfa.contrat.typeContratApp",
    "cerfa.contrat.dateConclusion",
    "cerfa.contrat.dateDebutContrat",
    "cerfa.contrat.dateFinContrat",
    "cerfa.contrat.salaireEmbauche",
    "cerfa.formation.rncp",
    "cerfa.formation.intituleQualification",
    "cerfa.formation.dateDebutFormation",
    "cerfa.formation.dateFinFormation",
    "cerfa.organismeFormation.siret",
    "cerfa.organismeFormation.uaiCfa",
]


def post(opco_sandbox: OpcoSandbox, body: Any) -> httpx.Response:
    return opco_sandbox.client("akto").post("/v1/dossiers", json=body)


def post_text(opco_sandbox: OpcoSandbox, text: str) -> httpx.Response:
    return opco_sandbox.client("akto").post(
        "/v1/dossiers", content=text.encode(), headers={"content-type": "application/json"}
    )


@pytest.mark.parametrize("text", ["{", "", "{'a': 1}", '{"numeroInterne": "X",}', "nul"])
def test_malformed_json_is_400(opco_sandbox: OpcoSandbox, text: str) -> None:
    assert problems(post_text(opco_sandbox, text), 400) == [("JSON_INVALIDE", None)]


@pytest.mark.parametrize("path", REQUIRED)
def test_missing_field_is_named_with_its_dotted_path(opco_sandbox: OpcoSandbox, path: str) -> None:
    response = post(opco_sandbox, without(transmission(), path))
    assert problems(response, 400) == [("CHAMP_OBLIGATOIRE", path)]


@pytest.mark.parametrize("path", REQUIRED[1:])
def test_empty_string_in_a_required_field_is_a_missing_field(
    opco_sandbox: OpcoSandbox, path: str
) -> None:
    response = post(opco_sandbox, replaced(transmission(), path, ""))
    assert problems(response, 400) == [("CHAMP_OBLIGATOIRE", path)]


def test_every_missing_field_is_reported(opco_sandbox: OpcoSandbox) -> None:
    body = without(without(transmission(), "cerfa.apprenti.nom"), "cerfa.formation.rncp")
    assert problems(post(opco_sandbox, body), 400) == [
        ("CHAMP_OBLIGATOIRE", "cerfa.apprenti.nom"),
        ("CHAMP_OBLIGATOIRE", "cerfa.formation.rncp"),
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("cerfa.employeur.siret", "5234567880001"),
        ("cerfa.employeur.siret", "523456788000189"),
        ("cerfa.organismeFormation.siret", "7901234590001A"),
        ("cerfa.organismeFormation.siret", 7901234590001),
        ("cerfa.contrat.dateDebutContrat", "2026-13-01"),
        ("cerfa.contrat.dateDebutContrat", "01/09/2026"),
        ("cerfa.contrat.dateDebutContrat", "2026-09-01T25:00:00"),
        ("cerfa.contrat.dateDebutContrat", "2026-09-01T"),
        ("cerfa.contrat.dateDebutContrat", "2026-09-01T10:00:00+2"),
        ("cerfa.contrat.dateDebutContrat", 20260901),
        ("cerfa.apprenti.dateNaissance", "2009-02-30"),
        ("cerfa.apprenti.sexe", "X"),
        ("cerfa.apprenti.nom", "   "),
        ("cerfa.contrat.typeContratApp", "onze"),
        ("cerfa.contrat.salaireEmbauche", "beaucoup"),
        ("cerfa.contrat.salaireEmbauche", -1),
        ("cerfa.formation.rncp", "RNCP"),
        ("cerfa.organismeFormation.uaiCfa", "075123A"),
        ("cerfa.apprenti", "Moreau"),
        ("cerfa.contrat.typeContratApp", "11.5"),
        ("mandatGestion", "peut-être"),
        ("numeroInterne", "   "),
    ],
)
def test_wrong_format_is_named_with_its_dotted_path(
    opco_sandbox: OpcoSandbox, path: str, value: Any
) -> None:
    response = post(opco_sandbox, replaced(transmission(), path, value))
    assert problems(response, 400) == [("FORMAT_INVALIDE", path)]


def test_body_that_is_not_an_object_is_400(opco_sandbox: OpcoSandbox) -> None:
    assert problems(post(opco_sandbox, [1, 2]), 400) == [("FORMAT_INVALIDE", None)]


def description(response: httpx.Response, status: int = 400) -> str:
    """The description of the one item of an error answer."""
    assert response.status_code == status, response.text
    [item] = response.json()["errors"]
    found: str = item["description"]
    return found


def test_an_enumeration_error_names_the_allowed_values(opco_sandbox: OpcoSandbox) -> None:
    response = post(opco_sandbox, replaced(transmission(), "cerfa.apprenti.sexe", "X"))
    assert description(response).endswith(" : la valeur doit être l'une de : 'M', 'F'.")


def test_an_enum_error_of_the_control_api_names_the_allowed_values(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = opco_sandbox.control.post(
        "/akto/dossiers/AKTO-2026-000001/etat", json={"etat": "NOPE"}
    )
    assert problems(response, 400) == [("FORMAT_INVALIDE", "etat")]
    assert "l'une de : 'TRANSMIS', 'EN_COURS_INSTRUCTION'," in description(response)


@pytest.mark.parametrize("value", ["01/09/2026", "2026-13-01", "9999-09-01", 20260901, "demain"])
def test_a_date_error_names_the_expected_format(opco_sandbox: OpcoSandbox, value: Any) -> None:
    body = replaced(transmission(), "cerfa.contrat.dateDebutContrat", value)
    assert "AAAA-MM-JJ" in description(post(opco_sandbox, body))


@pytest.mark.parametrize(
    ("champ", "value", "detail"),
    [
        ("cerfa.apprenti.nom", "x" * 201, "la valeur est trop longue (200 caractères au plus)."),
        ("cerfa.contrat.salaireEmbauche", -1, "la valeur est trop petite (0 au moins)."),
    ],
)
def test_a_bound_error_names_the_bound(
    opco_sandbox: OpcoSandbox, champ: str, value: Any, detail: str
) -> None:
    response = post(opco_sandbox, replaced(transmission(), champ, value))
    assert description(response) == f"Le format de la valeur est invalide : {detail}"


def post_as(opco_sandbox: OpcoSandbox, path: str, body: Any, **headers: str) -> httpx.Response:
    """`body` as JSON text (a string as is), with only the headers given (httpx adds no
    content type to raw content)."""
    text = (body if isinstance(body, str) else json.dumps(body)).encode()
    return opco_sandbox.client("akto").post(path, content=text, headers=headers)


@pytest.mark.parametrize(
    "headers",
    [{}, {"content-type": "text/plain"}, {"content-type": "application/x-www-form-urlencoded"}],
    ids=["none", "text", "form"],
)
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/dossiers", transmission()),
        ("/v1/dossiers", "{"),
        ("/v1/dossiers/appairage", {"numeroInterne": "X"}),
    ],
    ids=["contract", "malformed", "pairing"],
)
def test_a_body_without_a_json_content_type_names_the_expected_one(
    opco_sandbox: OpcoSandbox, path: str, body: Any, headers: dict[str, str]
) -> None:
    response = post_as(opco_sandbox, path, body, **headers)
    assert problems(response, 400) == [("FORMAT_INVALIDE", None)]
    assert "Content-Type: application/json" in description(response)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "text/plain"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "application/json"},
    ],
    ids=["none", "text", "form", "json"],
)
@pytest.mark.parametrize("path", ["/v1/factures", "/v1/conventions", "/v1/documents"])
def test_a_body_that_is_not_multipart_names_the_multipart_form(
    opco_sandbox: OpcoSandbox, path: str, headers: dict[str, str]
) -> None:
    # Invoices, conventions and documents are multipart (contract v2 §9, §9b).
    response = post_as(opco_sandbox, path, {"numero": "F-1"}, **headers)
    assert problems(response, 400) == [("FORMAT_INVALIDE", None)]
    assert "Content-Type: multipart/form-data" in description(response)
    assert (headers.get("content-type") or "aucun") in description(response)


def test_schema_errors_stop_before_business_rules(opco_sandbox: OpcoSandbox) -> None:
    body = replaced(without(transmission(), "cerfa.apprenti.nom"), "cerfa.apprenti.nir", "1")
    assert problems(post(opco_sandbox, body), 400) == [("CHAMP_OBLIGATOIRE", "cerfa.apprenti.nom")]


def test_schema_errors_stop_before_duplicate_detection(opco_sandbox: OpcoSandbox) -> None:
    body = replaced(transmission("DEMO-0001"), "cerfa.apprenti.sexe", "X")
    assert codes(post(opco_sandbox, body), 400) == ["FORMAT_INVALIDE"]


@pytest.mark.parametrize("path", ["/v1/nothing", "/v3/dossiers", "/v1/dossiers/etats/1"])
def test_unknown_route_is_404(opco_sandbox: OpcoSandbox, path: str) -> None:
    assert codes(opco_sandbox.client("akto").get(path), 404) == ["ROUTE_INCONNUE"]


def test_unknown_route_outside_any_opco_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.server.client().get("/nothing/here/at/all")
    assert codes(response, 404) == ["ROUTE_INCONNUE"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("DELETE", "/v1/dossiers"), ("PUT", "/v1/status"), ("POST", "/v1/cfakeyinfo")],
)
def test_wrong_method_is_405(opco_sandbox: OpcoSandbox, method: str, path: str) -> None:
    response = opco_sandbox.client("akto").request(method, path)
    assert codes(response, 405) == ["METHODE_NON_AUTORISEE"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/akto/v1/dossiers", "GET, POST"),  # one route per method
        ("DELETE", "/akto/V1/Factures/", "GET, POST"),  # as production's IIS spells it
        ("PATCH", "/akto/v2/dossiers/etats", "GET"),
        ("OPTIONS", "/akto/connect/token", "POST"),
        ("OPTIONS", "/_sandbox/espaces/{espace}/horloge", "GET, POST"),
        ("PATCH", "/_sandbox/espaces/{espace}", "DELETE"),
        ("PUT", "/cfadock/api/opcos", "GET, POST"),
    ],
)
def test_a_405_allows_every_method_of_its_path(
    opco_sandbox: OpcoSandbox, method: str, path: str, allowed: str
) -> None:
    with opco_sandbox.server.client() as client:
        response = client.request(method, path.format(espace=opco_sandbox.espace))
    assert codes(response, 405) == ["METHODE_NON_AUTORISEE"]
    assert response.headers["Allow"] == allowed


def test_control_character_in_a_name_is_a_format_error(opco_sandbox: OpcoSandbox) -> None:
    response = post(opco_sandbox, transmission(apprenti={"nom": "Mor\x00eau"}))
    assert problems(response, 400) == [("FORMAT_INVALIDE", "cerfa.apprenti.nom")]


# Whatever the input, never a 500, always the error shape.


def check_answer(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_error_shape(response.json())


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        pytest.param("GET", "/v1/dossiers?numeroInterne=%00", None, id="nul-in-query"),
        pytest.param("GET", "/v1/%00", None, id="nul-in-path"),
        pytest.param("VERYLONGMETHOD", "/v1/status", None, id="long-method"),
        pytest.param("POST", "/v1/dossiers", transmission(apprenti={"nom": "A\x00"}), id="nul"),
        pytest.param(
            "POST",
            "/v1/dossiers",
            json.dumps(replaced(transmission(), "cerfa.x", "INF")).replace('"INF"', "1e400"),
            id="infinite-extra-field",
        ),
        pytest.param(
            "POST",
            "/v1/dossiers",
            replaced(transmission(), "cerfa.contrat.dateFinContrat", "9999-12-31"),
            id="year-9999",
        ),
        pytest.param(
            "POST",
            "/v1/dossiers",
            json.dumps(transmission()).replace("1200.0", "1e400"),
            id="infinite-salary",
        ),
    ],
)
def test_odd_input_is_never_a_server_error(
    opco_sandbox: OpcoSandbox, method: str, path: str, body: Any
) -> None:
    text = body if isinstance(body, str) or body is None else json.dumps(body)
    response = opco_sandbox.client("akto").request(
        method, path, content=text, headers={"content-type": "application/json"}
    )
    check_answer(response)


def test_nul_in_the_espace_name_is_never_a_server_error(opco_sandbox: OpcoSandbox) -> None:
    check_answer(opco_sandbox.server.client().get("/espaces/%00/akto/v1/status"))


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)


def paths(document: Any, prefix: str = "") -> list[str]:
    """Every dotted path to a value of the nested objects of `document`."""
    found = []
    if isinstance(document, dict):
        for key, value in document.items():
            if not key or "." in key:
                continue  # a generated key a dotted path cannot name
            path = f"{prefix}.{key}" if prefix else key
            found += [path, *paths(value, path)]
    return found


def value_at(document: Any, path: str) -> Any:
    for key in path.split("."):
        document = document[key]
    return document


def like(value: Any) -> st.SearchStrategy[Any]:
    """Any JSON value, or often one of the same type, which is likelier to pass the schema."""
    same: st.SearchStrategy[Any] = JSON_VALUES
    if isinstance(value, str):
        same = st.text()
    elif isinstance(value, bool):
        same = st.booleans()
    elif isinstance(value, int | float):
        same = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    return same | JSON_VALUES


IDENTIFIERS = st.text(string.ascii_letters + string.digits, min_size=1, max_size=12)


@st.composite
def mutated_bodies(draw: st.DrawFn) -> Any:
    """A valid transmission with a few fields replaced by any value, removed, or added."""
    body = transmission(draw(IDENTIFIERS), apprenti={"nom": draw(IDENTIFIERS)})
    for _ in range(draw(st.integers(1, 3))):
        if not (choices := paths(body)):
            break
        path = draw(st.sampled_from(choices))
        kind = draw(st.sampled_from(["replace", "remove", "add"]))
        if kind == "replace":
            body = replaced(body, path, draw(like(value_at(body, path))))
        elif kind == "remove":
            body = without(body, path)
        elif isinstance(value_at(body, path), dict):
            body = replaced(body, f"{path}.{draw(IDENTIFIERS)}", draw(JSON_VALUES))
    return body


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=JSON_VALUES)
def test_any_json_value_is_answered_in_the_error_shape(
    opco_sandbox: OpcoSandbox, body: Any
) -> None:
    response = post_text(opco_sandbox, json.dumps(body))
    assert 400 <= response.status_code < 500
    assert_error_shape(response.json())


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=mutated_bodies())
def test_any_mutation_of_a_valid_body_is_answered_without_500(
    opco_sandbox: OpcoSandbox, body: Any
) -> None:
    check_answer(post(opco_sandbox, body))
