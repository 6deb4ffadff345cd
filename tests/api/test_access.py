"""Who may call an OPCO: the URL's OPCO and espace, the CFA key, the software headers (§1, §2)."""

import httpx
import pytest

from sandbox.core.opcos import OPCOS
from sandbox.pytest_plugin import SOFTWARE_HEADERS, OpcoSandbox
from tests.builders import CFA_SIRET, OTHER_CFA_SIRET, codes, opco_client, problems, transmission

ABSENT = "<absent>"


def bare(opco_sandbox: OpcoSandbox, path: str, **headers: str) -> httpx.Client:
    """A client on a path of the test's espace carrying only the given headers, and the
    OAuth2 token at an OPCO that asks for one (the token has its own tests, test_oauth.py):
    the key and the software headers are what these tests judge."""
    opco = path.strip("/").split("/")[0]
    auth = opco_sandbox.token_auth(opco) if opco in OPCOS else None
    return opco_sandbox.server.client(f"/espaces/{opco_sandbox.espace}{path}", headers, auth=auth)


def keyed(key: str, **headers: str) -> dict[str, str]:
    """The software headers and that key, then `headers`; a header valued ABSENT is left out."""
    chosen = SOFTWARE_HEADERS | {"X-API-KEY": key} | headers
    return {name: value for name, value in chosen.items() if value != ABSENT}


def set_clock(opco_sandbox: OpcoSandbox, day: str) -> None:
    opco_sandbox.control.post("/horloge", json={"date": day}).raise_for_status()


# /v1/status


def test_status_needs_no_key_nor_software_headers(opco_sandbox: OpcoSandbox) -> None:
    response = bare(opco_sandbox, "/atlas").get("/v1/status")
    assert response.status_code == 200
    assert response.json() == {"status": "OK", "opco": "atlas", "nom": "OPCO ATLAS"}


def test_default_espace_is_served_without_prefix(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.server.client("/mobilites").get("/v1/status")
    assert response.status_code == 200
    assert response.json()["nom"] == "OPCO Mobilités"


def test_default_espace_knows_the_demo_keys(opco_sandbox: OpcoSandbox) -> None:
    client = opco_client(opco_sandbox.server, "/akto", "demo-akto-key")
    response = client.get("/v1/cfakeyinfo")
    assert response.status_code == 200
    assert response.json()["siret"] == CFA_SIRET


@pytest.mark.parametrize("path", ["/zzz/v1/status", "/AKTO/v1/status", "/zzz/v1/dossiers"])
def test_unknown_opco_is_404(opco_sandbox: OpcoSandbox, path: str) -> None:
    response = opco_sandbox.server.client("", keyed("demo-akto-key")).get(path)
    assert codes(response, 404) == ["OPCO_INCONNU"]


def test_unknown_opco_in_a_named_espace_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = bare(opco_sandbox, "/zzz", **keyed("demo-akto-key")).get("/v1/dossiers/etats")
    assert codes(response, 404) == ["OPCO_INCONNU"]


def test_opco_not_hooked_up_answers_503_on_status(opco_sandbox: OpcoSandbox) -> None:
    response = bare(opco_sandbox, "/constructys").get("/v1/status")
    assert codes(response, 503) == ["OPCO_NON_ACCROCHE"]


def test_opco_not_hooked_up_answers_503_with_a_valid_key(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("constructys").get("/v1/cfakeyinfo")
    assert codes(response, 503) == ["OPCO_NON_ACCROCHE"]


def test_opco_not_hooked_up_answers_503_on_a_transmission(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("constructys").post("/v1/dossiers", json=transmission())
    assert codes(response, 503) == ["OPCO_NON_ACCROCHE"]


# The key


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(ABSENT, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("no-such-key", id="unknown"),
        pytest.param("demo-atlas-key", id="valid-at-atlas-only"),
        pytest.param("demo-opcoep-key", id="valid-at-opcoep-only"),
    ],
)
def test_key_not_given_for_this_opco_is_401(opco_sandbox: OpcoSandbox, key: str) -> None:
    response = bare(opco_sandbox, "/akto", **keyed(key)).get("/v1/cfakeyinfo")
    assert codes(response, 401) == ["CLE_API_INVALIDE"]


def test_other_cfa_key_is_valid_at_its_opco_only(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto", cfa=OTHER_CFA_SIRET).get("/v1/cfakeyinfo")
    atlas = bare(opco_sandbox, "/atlas", **keyed("autre-akto-key")).get("/v1/cfakeyinfo")
    assert akto.json()["siret"] == OTHER_CFA_SIRET
    assert codes(atlas, 401) == ["CLE_API_INVALIDE"]


def test_key_is_valid_on_its_last_day(opco_sandbox: OpcoSandbox) -> None:
    set_clock(opco_sandbox, "2026-12-31")
    assert opco_sandbox.client("atlas").get("/v1/cfakeyinfo").status_code == 200


def test_key_past_its_last_day_is_expired(opco_sandbox: OpcoSandbox) -> None:
    set_clock(opco_sandbox, "2027-01-01")
    response = opco_sandbox.client("atlas").get("/v1/cfakeyinfo")
    assert codes(response, 401) == ["CLE_API_EXPIREE"]


def test_cfakeyinfo_answers_the_siret_and_no_end_date(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").get("/v1/cfakeyinfo")
    assert response.status_code == 200
    assert response.json() == {"status": "success", "siret": CFA_SIRET, "dateFinValidite": None}


def test_cfakeyinfo_answers_the_end_date(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("atlas").get("/v1/cfakeyinfo")
    assert response.json() == {
        "status": "success",
        "siret": CFA_SIRET,
        "dateFinValidite": "2026-12-31",
    }


# Software headers


@pytest.mark.parametrize("header", ["EDITEUR", "LOGICIEL", "VERSION"])
@pytest.mark.parametrize("value", [ABSENT, "", "   "], ids=["missing", "empty", "blank"])
def test_each_software_header_is_required(
    opco_sandbox: OpcoSandbox, header: str, value: str
) -> None:
    client = bare(opco_sandbox, "/akto", **keyed("demo-akto-key", **{header: value}))
    response = client.get("/v1/cfakeyinfo")
    assert problems(response, 400) == [("ENTETE_LOGICIEL_MANQUANTE", header)]


def test_status_ignores_missing_software_headers(opco_sandbox: OpcoSandbox) -> None:
    client = bare(opco_sandbox, "/akto", **keyed("demo-akto-key", EDITEUR=ABSENT))
    assert client.get("/v1/status").status_code == 200


# Order of checks: OPCO hooked up → key → software headers → body schema → business rules


def test_bad_key_is_reported_before_missing_headers(opco_sandbox: OpcoSandbox) -> None:
    response = bare(opco_sandbox, "/akto", **{"X-API-KEY": "no-such-key"}).get("/v1/cfakeyinfo")
    assert codes(response, 401) == ["CLE_API_INVALIDE"]


def test_expired_key_is_reported_before_missing_headers(opco_sandbox: OpcoSandbox) -> None:
    set_clock(opco_sandbox, "2027-01-01")
    response = bare(opco_sandbox, "/atlas", **{"X-API-KEY": "demo-atlas-key"}).get("/v1/cfakeyinfo")
    assert codes(response, 401) == ["CLE_API_EXPIREE"]


def test_not_hooked_up_is_reported_before_a_bad_key(opco_sandbox: OpcoSandbox) -> None:
    client = bare(opco_sandbox, "/constructys", **keyed("no-such-key"))
    assert codes(client.get("/v1/cfakeyinfo"), 503) == ["OPCO_NON_ACCROCHE"]


def test_bad_key_is_reported_before_an_invalid_body(opco_sandbox: OpcoSandbox) -> None:
    response = bare(opco_sandbox, "/akto", **keyed("no-such-key")).post("/v1/dossiers", json={})
    assert codes(response, 401) == ["CLE_API_INVALIDE"]


def test_bad_key_is_reported_before_malformed_json(opco_sandbox: OpcoSandbox) -> None:
    client = bare(opco_sandbox, "/akto", **keyed("no-such-key"))
    response = client.post(
        "/v1/dossiers", content=b"{", headers={"content-type": "application/json"}
    )
    assert codes(response, 401) == ["CLE_API_INVALIDE"]


def test_missing_headers_are_reported_before_an_invalid_body(opco_sandbox: OpcoSandbox) -> None:
    client = bare(opco_sandbox, "/akto", **keyed("demo-akto-key", VERSION=ABSENT))
    response = client.post("/v1/dossiers", json={"cerfa": 1})
    assert problems(response, 400) == [("ENTETE_LOGICIEL_MANQUANTE", "VERSION")]


# Espaces


def test_unknown_espace_is_404(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.server.client("/espaces/no-such-espace/akto")
    assert codes(client.get("/v1/status"), 404) == ["ESPACE_INCONNU"]


def test_unknown_espace_is_404_on_keyed_paths(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.server.client("/espaces/no-such-espace/akto", keyed("demo-akto-key"))
    assert codes(client.get("/v1/cfakeyinfo"), 404) == ["ESPACE_INCONNU"]


def test_espaces_do_not_see_each_others_dossiers(opco_sandbox: OpcoSandbox) -> None:
    other = OpcoSandbox(opco_sandbox.server, f"{opco_sandbox.espace}-other")
    try:
        other.load("demo")
        sent = opco_sandbox.client("akto").post("/v1/dossiers", json=transmission("SEUL-1"))
        assert sent.status_code == 200
        read = other.client("akto").get("/v1/dossiers", params={"numeroInterne": "SEUL-1"})
        again = other.client("akto").post("/v1/dossiers", json=transmission("SEUL-1"))
    finally:
        opco_sandbox.server.client("/_sandbox/espaces").delete(f"/{other.espace}")
    assert codes(read, 404) == ["DOSSIER_INCONNU"]
    assert again.status_code == 200
