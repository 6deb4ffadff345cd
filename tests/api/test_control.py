"""The control API: scenarios, reset, deletion, clock, forced states, journal (§10, §13)."""

import copy
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
import yaml

from sandbox.core.database import Database
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer
from tests.builders import (
    CFA_SIRET,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    NIRS,
    codes,
    opco_client,
    problems,
    transmission,
)

MINI = {
    "nom": "mini",
    "date": "2026-10-05",
    "logiciels": [
        {"editeur": "ACME", "clientId": DEMO_CLIENT_ID, "clientSecret": DEMO_CLIENT_SECRET}
    ],
    "cfas": [
        {
            "siret": CFA_SIRET,
            "uai": "0751234A",
            "denomination": "CFA Mini",
            "iban": "FR7630006000011234567890189",
            "cles": {"akto": "mini-akto-key"},
        }
    ],
}


def demo() -> dict[str, Any]:
    return copy.deepcopy(resolve("demo").document)


def clock(opco_sandbox: OpcoSandbox, **change: Any) -> httpx.Response:
    return opco_sandbox.control.post("/horloge", json=change)


def read(opco_sandbox: OpcoSandbox, numero_interne: str) -> httpx.Response:
    client = opco_sandbox.client("akto")
    return client.get("/v1/dossiers", params={"numeroInterne": numero_interne})


def journal(opco_sandbox: OpcoSandbox) -> list[dict[str, Any]]:
    response = opco_sandbox.control.get("/journal")
    assert response.status_code == 200
    entries: list[dict[str, Any]] = response.json()["entrees"]
    return entries


def espaces(opco_sandbox: OpcoSandbox) -> httpx.Client:
    """A control client on `/_sandbox/espaces`: `.delete(f"/{name}")` drops one."""
    return opco_sandbox.server.client("/_sandbox/espaces")


@pytest.fixture
def other(opco_sandbox: OpcoSandbox) -> Iterator[str]:
    """The name of another espace, dropped after the test."""
    name = f"{opco_sandbox.espace}-autre"
    yield name
    espaces(opco_sandbox).delete(f"/{name}")


def control_of(opco_sandbox: OpcoSandbox, espace: str) -> httpx.Client:
    return opco_sandbox.server.client(f"/_sandbox/espaces/{espace}")


# PUT …/scenario


def test_scenario_as_json_answers_a_summary(opco_sandbox: OpcoSandbox, other: str) -> None:
    response = control_of(opco_sandbox, other).put("/scenario", json=MINI)
    assert response.status_code == 200
    assert response.json() == {
        "espace": other,
        "scenario": "mini",
        "cfas": 1,
        "dossiers": 0,
        "factures": 0,
        "horloge": "2026-10-05",
    }


def test_scenario_as_yaml_is_accepted(opco_sandbox: OpcoSandbox, other: str) -> None:
    text = yaml.safe_dump(MINI | {"date": date(2026, 10, 5)}, allow_unicode=True)
    response = control_of(opco_sandbox, other).put(
        "/scenario", content=text, headers={"content-type": "application/yaml"}
    )
    assert response.status_code == 200
    assert (response.json()["scenario"], response.json()["horloge"]) == ("mini", "2026-10-05")


def test_scenario_counts_cfas_and_dossiers(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.put("/scenario", json=demo())
    body = response.json()
    assert (body["cfas"], body["dossiers"], body["horloge"]) == (2, 2, "2026-09-01")


def test_scenario_creates_the_espace(opco_sandbox: OpcoSandbox, other: str) -> None:
    control_of(opco_sandbox, other).put("/scenario", json=MINI).raise_for_status()
    client = opco_client(opco_sandbox.server, f"/espaces/{other}/akto", "mini-akto-key")
    assert client.get("/v1/cfakeyinfo").json()["siret"] == CFA_SIRET


def test_scenario_without_date_starts_the_clock_today(
    opco_sandbox: OpcoSandbox, other: str
) -> None:
    undated = {k: v for k, v in MINI.items() if k != "date"}
    assert (
        control_of(opco_sandbox, other).put("/scenario", json=undated).json()["horloge"]
        == date.today().isoformat()
    )


def test_scenario_replaces_the_whole_state(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").post("/v1/dossiers", json=transmission("CFA-1"))
    opco_sandbox.control.put("/scenario", json=demo()).raise_for_status()
    assert codes(read(opco_sandbox, "CFA-1"), 404) == ["DOSSIER_INCONNU"]


def test_invalid_scenario_lists_every_problem_with_its_path(opco_sandbox: OpcoSandbox) -> None:
    document = demo()
    document["cfas"][0]["siret"] = "79012345900015"
    document["employeurs"][1]["siret"] = "53456789600013"
    response = opco_sandbox.control.put("/scenario", json=document)
    assert problems(response, 422) == [
        ("SCENARIO_INVALIDE", "cfas[0].siret"),
        ("SCENARIO_INVALIDE", "employeurs[1].siret"),
    ]


def test_invalid_scenario_names_schema_problems(opco_sandbox: OpcoSandbox) -> None:
    document = demo()
    document["cfas"][1]["uai"] = "?"
    document["employeurs"][0]["opco"] = "zzz"
    del document["nom"]
    assert problems(opco_sandbox.control.put("/scenario", json=document), 422) == [
        ("SCENARIO_INVALIDE", "nom"),
        ("SCENARIO_INVALIDE", "cfas[1].uai"),
        ("SCENARIO_INVALIDE", "employeurs[0].opco"),
    ]


def test_unknown_opco_key_in_a_scenario_is_named_by_its_path(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.put("/scenario", json=demo() | {"opcos": {"zzz": {}}})
    assert problems(response, 422) == [("SCENARIO_INVALIDE", "opcos.zzz")]


def test_scenario_that_is_not_yaml_is_invalid(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.put("/scenario", content=b"nom: [unclosed")
    assert problems(response, 422) == [("SCENARIO_INVALIDE", None)]


def test_invalid_yaml_scenario_names_the_line_in_the_description(
    opco_sandbox: OpcoSandbox,
) -> None:
    text = yaml.safe_dump(MINI, sort_keys=False).replace("0751234A", "A075")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "uai:" in row)
    response = opco_sandbox.control.put(
        "/scenario", content=text, headers={"content-type": "application/yaml"}
    )
    assert problems(response, 422) == [("SCENARIO_INVALIDE", "cfas[0].uai")]
    [item] = response.json()["errors"]
    assert item["description"] == (
        f"corps de la requête, ligne {line} : la valeur ne respecte pas le format attendu."
    )


def test_invalid_scenario_leaves_the_espace_unchanged(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").post("/v1/dossiers", json=transmission("CFA-1"))
    clock(opco_sandbox, jours=2)
    opco_sandbox.control.put("/scenario", json=MINI | {"cfas": []})
    assert read(opco_sandbox, "CFA-1").status_code == 200
    assert opco_sandbox.today == date(2026, 9, 3)


def test_invalid_scenario_creates_no_espace(opco_sandbox: OpcoSandbox, other: str) -> None:
    control_of(opco_sandbox, other).put("/scenario", json=MINI | {"cfas": []})
    assert codes(control_of(opco_sandbox, other).get("/horloge"), 404) == ["ESPACE_INCONNU"]


def test_espace_name_must_be_simple(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.server.client("/_sandbox/espaces/-bad")
    assert problems(client.put("/scenario", json=MINI), 400) == [("FORMAT_INVALIDE", "espace")]


# POST …/reset, DELETE


def test_reset_restores_data_clock_and_empties_the_journal(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").post("/v1/dossiers", json=transmission("CFA-1"))
    opco_sandbox.control.post("/akto/dossiers/AKTO-2026-000001/etat", json={"etat": "ANNULE"})
    clock(opco_sandbox, jours=10)
    response = opco_sandbox.control.post("/reset")
    assert response.status_code == 200
    assert response.json()["horloge"] == "2026-09-01"
    assert journal(opco_sandbox) == []
    assert opco_sandbox.today == date(2026, 9, 1)
    assert codes(read(opco_sandbox, "CFA-1"), 404) == ["DOSSIER_INCONNU"]
    assert read(opco_sandbox, "DEMO-0001").json()["cerfa"]["etat"] == "ENGAGE"


def test_reset_keeps_the_scenario_put_last(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.control.put("/scenario", json=MINI).raise_for_status()
    clock(opco_sandbox, jours=1)
    assert opco_sandbox.control.post("/reset").json()["horloge"] == "2026-10-05"


def test_deleted_espace_no_longer_exists(opco_sandbox: OpcoSandbox) -> None:
    response = espaces(opco_sandbox).delete(f"/{opco_sandbox.espace}")
    assert response.status_code == 204
    assert response.content == b""
    assert codes(opco_sandbox.control.get("/horloge"), 404) == ["ESPACE_INCONNU"]
    assert codes(opco_sandbox.client("akto").get("/v1/status"), 404) == ["ESPACE_INCONNU"]


def test_fixture_drops_its_espace_when_closed(opco_sandbox: OpcoSandbox, other: str) -> None:
    sandbox = OpcoSandbox(opco_sandbox.server, other)
    sandbox.load("demo")
    sandbox.close()
    assert codes(control_of(opco_sandbox, other).get("/horloge"), 404) == ["ESPACE_INCONNU"]


def test_default_espace_is_only_reset(opco_sandbox: OpcoSandbox) -> None:
    control = opco_sandbox.server.client("/_sandbox/espaces/default")
    akto = opco_client(opco_sandbox.server, "/akto", "demo-akto-key")
    try:
        akto.post("/v1/dossiers", json=transmission("DEFAUT-1")).raise_for_status()
        assert espaces(opco_sandbox).delete("/default").status_code == 204
        assert control.get("/horloge").status_code == 200
        gone = akto.get("/v1/dossiers", params={"numeroInterne": "DEFAUT-1"})
    finally:
        control.post("/reset")
    assert codes(gone, 404) == ["DOSSIER_INCONNU"]


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/horloge"), ("POST", "/reset"), ("GET", "/journal"), ("DELETE", "")],
)
def test_unknown_espace_is_404_on_the_control_api(
    opco_sandbox: OpcoSandbox, method: str, path: str
) -> None:
    response = espaces(opco_sandbox).request(method, f"/no-such-espace{path}")
    assert codes(response, 404) == ["ESPACE_INCONNU"]


# Clock


def test_clock_starts_at_the_scenarios_date(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.get("/horloge")
    assert response.status_code == 200
    assert response.json() == {"date": "2026-09-01"}


def test_clock_is_set_to_a_date(opco_sandbox: OpcoSandbox) -> None:
    response = clock(opco_sandbox, date="2026-10-01")
    assert (response.status_code, response.json()) == (200, {"date": "2026-10-01"})
    assert opco_sandbox.today == date(2026, 10, 1)


def test_clock_advances_by_days(opco_sandbox: OpcoSandbox) -> None:
    assert clock(opco_sandbox, jours=3).json() == {"date": "2026-09-04"}
    assert clock(opco_sandbox, jours=0).json() == {"date": "2026-09-04"}


@pytest.mark.parametrize("change", [{"date": "2026-08-31"}, {"jours": -1}])
def test_clock_never_goes_back(opco_sandbox: OpcoSandbox, change: dict[str, Any]) -> None:
    assert codes(clock(opco_sandbox, **change), 409) == ["HORLOGE_RETOUR_ARRIERE"]
    assert opco_sandbox.today == date(2026, 9, 1)


@pytest.mark.parametrize("change", [{"date": "2026-10-01", "jours": 1}, {}], ids=["both", "none"])
def test_clock_takes_a_date_or_days(opco_sandbox: OpcoSandbox, change: dict[str, Any]) -> None:
    assert codes(clock(opco_sandbox, **change), 400) == ["FORMAT_INVALIDE"]
    assert opco_sandbox.today == date(2026, 9, 1)


def test_clock_date_has_the_date_format(opco_sandbox: OpcoSandbox) -> None:
    assert problems(clock(opco_sandbox, date="01/10/2026"), 400) == [("FORMAT_INVALIDE", "date")]


# Forced transitions


def test_forced_transition_answers_the_dossier(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.post(
        "/akto/dossiers/AKTO-2026-000001/etat", json={"etat": "ANNULE", "commentaire": "test"}
    )
    assert response.status_code == 200
    assert response.json()["cerfa"]["etat"] == "ANNULE"
    assert response.json()["cerfa"]["commentaireEtat"] == "test"


def test_transition_the_table_forbids_is_409(opco_sandbox: OpcoSandbox) -> None:
    path = "/akto/dossiers/AKTO-2026-000002/etat"
    response = opco_sandbox.control.post(path, json={"etat": "ENGAGE"})
    assert problems(response, 409) == [("TRANSITION_INVALIDE", "etat")]


def test_forcing_an_unknown_dossier_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.post(
        "/akto/dossiers/AKTO-2026-999999/etat", json={"etat": "ANNULE"}
    )
    assert problems(response, 404) == [("DOSSIER_INCONNU", "numeroExterne")]


# Journal


def test_journal_lists_opco_requests_oldest_first(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    akto.get("/v1/status")
    akto.post("/v1/dossiers", json=transmission("CFA-1"))
    clock(opco_sandbox, jours=2)
    akto.post("/v1/dossiers", json=transmission("CFA-2", apprenti={"nir": "1"}))
    prefix = f"/espaces/{opco_sandbox.espace}/akto"
    assert [
        (e["date"], e["opco"], e["cfa"], e["methode"], e["chemin"], e["statut"], e["codes"])
        for e in journal(opco_sandbox)
    ] == [
        # The plugin's client has its OAuth2 token issued in-process: no request, no entry.
        ("2026-09-01", "akto", None, "GET", f"{prefix}/v1/status", 200, []),
        ("2026-09-01", "akto", CFA_SIRET, "POST", f"{prefix}/v1/dossiers", 200, []),
        ("2026-09-03", "akto", CFA_SIRET, "POST", f"{prefix}/v1/dossiers", 400, ["NIR_INVALIDE"]),
    ]


def test_journal_entry_has_the_contract_fields(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.server.client(f"/espaces/{opco_sandbox.espace}/akto").get("/v1/status")
    [entry] = journal(opco_sandbox)
    assert set(entry) == {
        "instant",
        "date",
        "opco",
        "cfa",
        "methode",
        "chemin",
        "statut",
        "codes",
        "diagnostics",
        "logiciel",
        "requete",
        "reponse",
    }
    assert entry["diagnostics"] == []
    assert re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z", entry["instant"])


def test_journal_names_the_cfa_of_a_known_key_even_when_refused(
    opco_sandbox: OpcoSandbox,
) -> None:
    client = opco_sandbox.client("akto")
    del client.headers["EDITEUR"]
    client.get("/v1/cfakeyinfo")
    keyless = f"/espaces/{opco_sandbox.espace}/akto"
    opco_sandbox.server.client(keyless, auth=opco_sandbox.token_auth("akto")).get("/v1/cfakeyinfo")
    assert [(e["cfa"], e["statut"], e["codes"]) for e in journal(opco_sandbox)] == [
        (CFA_SIRET, 400, ["ENTETE_LOGICIEL_MANQUANTE"]),
        (None, 401, ["CLE_API_INVALIDE"]),
    ]


def test_journal_leaves_out_the_control_api(opco_sandbox: OpcoSandbox) -> None:
    clock(opco_sandbox, jours=1)
    opco_sandbox.control.get("/horloge")
    opco_sandbox.control.post("/akto/dossiers/AKTO-2026-000001/etat", json={"etat": "ANNULE"})
    assert journal(opco_sandbox) == []


def test_journal_never_shows_a_nir_or_a_key(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    akto.post("/v1/dossiers", json=transmission("CFA-1", apprenti={"nir": NIRS[1]}))
    akto.get("/v1/dossiers", params={"numeroInterne": NIRS[1]})
    akto.get(f"/v1/dossiers/{NIRS[2]}")
    akto.get("/v1/dossiers", params={"nir": NIRS[2][:13], "X-API-KEY": "demo-akto-key"})
    akto.get("/v1/status", params={"apikey": "demo-atlas-key", "cle": "demo-opcoep-key"})
    text = json.dumps(journal(opco_sandbox))
    assert len(journal(opco_sandbox)) == 5
    for secret in (
        NIRS[1],
        NIRS[2],
        NIRS[2][:13],
        "demo-akto-key",
        "demo-atlas-key",
        "demo-opcoep-key",
    ):
        assert secret not in text


# Admin token


@pytest.fixture
def guarded(opco_sandbox_database_url: str) -> Iterator[InProcessServer]:
    """An app started with an admin token, on the test session's database."""
    database = Database(opco_sandbox_database_url)
    with InProcessServer(create_app(database, resolve("demo"), admin_token="s3cret")) as server:
        yield server
    database.dispose()


@pytest.mark.parametrize("authorization", [None, "Bearer nope", "s3cret", "Bearer s3cret "])
def test_admin_token_guards_the_control_api(
    guarded: InProcessServer, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = guarded.client("/_sandbox/espaces/default", headers).get("/horloge")
    assert codes(response, 401) == ["JETON_ADMIN_INVALIDE"]


def test_admin_token_opens_the_control_api(guarded: InProcessServer) -> None:
    headers = {"Authorization": "Bearer s3cret"}
    response = guarded.client("/_sandbox/espaces/default", headers).get("/horloge")
    assert response.status_code == 200


def test_admin_token_leaves_the_opco_api_open(guarded: InProcessServer) -> None:
    assert guarded.client("/akto").get("/v1/status").status_code == 200


def test_the_clock_stops_at_the_last_year_it_knows(opco_sandbox: OpcoSandbox) -> None:
    assert opco_sandbox.control.post("/horloge", json={"date": "2999-12-31"}).status_code == 200
    response = opco_sandbox.control.post("/horloge", json={"jours": 36500})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "FORMAT_INVALIDE"
    assert opco_sandbox.today.isoformat() == "2999-12-31"


def test_a_bundled_scenario_loads_by_name(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.put("/scenario", json={"nom": "refus"})
    assert response.status_code == 200, response.text
    assert response.json()["scenario"] == "refus"
    unknown = opco_sandbox.control.put("/scenario", json={"nom": "nulle-part"})
    [problem] = problems(unknown, 422)
    assert problem == ("SCENARIO_INVALIDE", "nom")
    assert "refus" in unknown.json()["errors"][0]["description"]  # names the bundled ones
    assert opco_sandbox.control.get("/horloge").status_code == 200  # the espace is kept


def test_the_espaces_are_listed_with_their_counts(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.server.client().get("/_sandbox/espaces")
    assert response.status_code == 200, response.text
    listed = {e["espace"]: e for e in response.json()["espaces"]}
    mine = listed[opco_sandbox.espace]
    assert mine["scenario"] == "demo"
    assert mine["horloge"] == "2026-09-01"
    assert mine["dossiers"] == 2
    assert "default" in listed
