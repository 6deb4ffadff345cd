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
    "numeroInterne",
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
    assert problems(response, 422) == [("CHAMP_OBLIGATOIRE", path)]


def test_every_missing_field_is_reported(opco_sandbox: OpcoSandbox) -> None:
    body = without(without(transmission(), "cerfa.apprenti.nom"), "cerfa.formation.rncp")
    assert problems(post(opco_sandbox, body), 422) == [
        ("CHAMP_OBLIGATOIRE", "cerfa.apprenti.nom"),
        ("CHAMP_OBLIGATOIRE", "cerfa.formation.rncp"),
    ]


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("cerfa.employeur.siret", "5234567880001"),
        ("cerfa.employeur.siret", "523456788000189"),
        ("cerfa.organismeFormation.siret", "7901234590001A"),
        ("cerfa.organismeFormation.siret", 79012345900014),
        ("cerfa.contrat.dateDebutContrat", "2026-13-01"),
        ("cerfa.contrat.dateDebutContrat", "01/09/2026"),
        ("cerfa.contrat.dateDebutContrat", "2026-09-01T10:00:00+0000"),
        ("cerfa.apprenti.dateNaissance", "2009-02-30"),
        ("cerfa.apprenti.sexe", "X"),
        ("cerfa.apprenti.nom", ""),
        ("cerfa.apprenti.nom", "   "),
        ("cerfa.contrat.typeContratApp", "onze"),
        ("cerfa.contrat.salaireEmbauche", "beaucoup"),
        ("cerfa.contrat.salaireEmbauche", -1),
        ("cerfa.formation.rncp", "RNCP"),
        ("cerfa.organismeFormation.uaiCfa", "075123A"),
        ("cerfa.apprenti", "Moreau"),
        ("mandatGestion", "peut-être"),
    ],
)
def test_wrong_format_is_named_with_its_dotted_path(
    opco_sandbox: OpcoSandbox, path: str, value: Any
) -> None:
    response = post(opco_sandbox, replaced(transmission(), path, value))
    assert problems(response, 422) == [("FORMAT_INVALIDE", path)]


def test_body_that_is_not_an_object_is_422(opco_sandbox: OpcoSandbox) -> None:
    assert problems(post(opco_sandbox, [1, 2]), 422) == [("FORMAT_INVALIDE", None)]


def test_schema_errors_stop_before_business_rules(opco_sandbox: OpcoSandbox) -> None:
    body = replaced(without(transmission(), "cerfa.apprenti.nom"), "cerfa.apprenti.nir", "1")
    assert problems(post(opco_sandbox, body), 422) == [("CHAMP_OBLIGATOIRE", "cerfa.apprenti.nom")]


def test_schema_errors_stop_before_duplicate_detection(opco_sandbox: OpcoSandbox) -> None:
    body = replaced(transmission("DEMO-0001"), "cerfa.apprenti.sexe", "X")
    assert codes(post(opco_sandbox, body), 422) == ["FORMAT_INVALIDE"]


@pytest.mark.parametrize("path", ["/v1/nothing", "/v2/dossiers", "/v1/dossiers/etats/1"])
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


def test_control_character_in_a_name_is_a_format_error(opco_sandbox: OpcoSandbox) -> None:
    response = post(opco_sandbox, transmission(apprenti={"nom": "Mor\x00eau"}))
    assert problems(response, 422) == [("FORMAT_INVALIDE", "cerfa.apprenti.nom")]


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
