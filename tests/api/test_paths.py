"""Paths as production's servers treat them (§1, §13): below an OPCO's base, any case, a
trailing slash ignored, never a redirect; an unknown route named with its nearest."""

import pytest

from sandbox.pytest_plugin import OpcoSandbox
from tests.builders import codes, facture, invoice_parts, problems


@pytest.mark.parametrize(
    "path",
    ["/v1/Dossiers/Etats", "/V1/dossiers/etats", "/v1/dossiers/etats/", "/V2/DOSSIERS/ETATS/"],
)
def test_a_path_matches_whatever_its_case_and_trailing_slash(
    opco_sandbox: OpcoSandbox, path: str
) -> None:
    akto = opco_sandbox.client("akto")
    response = akto.get(path)
    assert response.status_code == 200, response.text
    expected = akto.get(path.lower().rstrip("/")).json()
    assert response.json() == expected


def test_no_redirect_is_answered_for_a_trailing_slash(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").get("/v1/status/", follow_redirects=False)
    assert (response.status_code, response.json()["opco"]) == (200, "akto")


def test_a_post_in_another_case_is_served(opco_sandbox: OpcoSandbox) -> None:
    # AKTO, Atlas and Mobilités clients write /v1/Factures.
    response = opco_sandbox.client("akto").post("/v1/Factures", **invoice_parts(facture()))
    assert response.status_code == 200, response.text


def test_query_parameters_keep_their_value(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").get(
        "/V1/Dossiers/", params={"numeroInterne": "DEMO-0001"}
    )
    assert response.json()["cerfa"]["numeroInterne"] == "DEMO-0001"


def test_the_opco_code_keeps_its_own_rule(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.server.client(f"/espaces/{opco_sandbox.espace}/AKTO").get("/v1/status")
    assert codes(response, 404) == ["OPCO_INCONNU"]


def test_the_default_espace_matches_too(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.server.client("/akto").get("/V1/Status/")
    assert response.json() == {"status": "OK", "opco": "akto", "nom": "AKTO"}


@pytest.mark.parametrize(
    ("path", "nearest"),
    [
        ("/v1/factur", "/v1/factures"),
        ("/v1/dossiers/etat", "/v1/dossiers/etats"),
        ("/v2/dossiers/listes/", "/v2/dossiers/liste"),
    ],
)
def test_an_unknown_route_names_the_nearest(
    opco_sandbox: OpcoSandbox, path: str, nearest: str
) -> None:
    response = opco_sandbox.client("akto").get(path)
    assert problems(response, 404) == [("ROUTE_INCONNUE", None)]
    base = f"/espaces/{opco_sandbox.espace}/akto"
    assert response.json()["errors"][0]["description"].endswith(
        f"la route connue la plus proche est {base}{nearest}."
    )


def test_an_unknown_route_is_journaled_with_its_nearest(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").get("/v1/Factur")
    entry = opco_sandbox.control.get("/journal").json()["entrees"][-1]
    base = f"/espaces/{opco_sandbox.espace}/akto"
    assert (entry["chemin"], entry["statut"], entry["opco"]) == (f"{base}/v1/Factur", 404, "akto")
    assert entry["codes"] == ["ROUTE_INCONNUE"]
    [diagnostic] = entry["diagnostics"]
    assert f"{base}/v1/factures" in diagnostic


def test_the_journal_keeps_the_path_as_sent(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").get("/V1/Dossiers/Etats/")
    entry = opco_sandbox.control.get("/journal").json()["entrees"][-1]
    assert (entry["statut"], entry["chemin"].rsplit("/akto", 1)[1]) == (200, "/V1/Dossiers/Etats/")


def test_an_unknown_route_elsewhere_names_the_nearest_template(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = opco_sandbox.server.client().get("/_sandbox/espaces/default/horlog")
    assert codes(response, 404) == ["ROUTE_INCONNUE"]
    assert "/_sandbox/espaces/{espace}/horloge" in response.json()["errors"][0]["description"]


@pytest.mark.parametrize("path", ["/opcos/", "/Opcos", "/OPCOS/"])
def test_cfadock_paths_match_in_any_case_and_trailing_slash(
    opco_sandbox: OpcoSandbox, path: str
) -> None:
    cfadock = opco_sandbox.server.client(f"/espaces/{opco_sandbox.espace}/cfadock/api")
    response = cfadock.get(path, params={"siret": "52345678800018"}, follow_redirects=False)
    assert (response.status_code, response.json()["opcoName"]) == (200, "AKTO")
