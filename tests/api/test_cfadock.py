"""The CFADock emulation: an employer's OPCO by SIRET or SIREN, and the OPCOs hooked up (§8)."""

import copy
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from stdnum.fr import siren

from sandbox.cfadock import service as cfadock_service
from sandbox.cfadock.service import OPCO_SIREN
from sandbox.core.opcos import OPCOS
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.testing import BASE_URL
from tests.builders import EMPLOYER_SIRET

UNKNOWN_SIRET = "73282932000074"
NOT_FOUND = {
    "filterNAFCode": None,
    "filterNAFType": None,
    "idcc": None,
    "opcoName": None,
    "opcoSiren": None,
    "searchStatus": "NOT_FOUND",
    "url": None,
}


def demo() -> dict[str, Any]:
    return copy.deepcopy(resolve("demo").document)


def cfadock(sandbox: OpcoSandbox) -> httpx.Client:
    """CFADock of the test's espace; no key, no software headers."""
    return sandbox.server.client(f"/espaces/{sandbox.espace}/cfadock/api")


def codes(response: httpx.Response) -> list[str]:
    return [e["code"] for e in response.json()["errors"]]


def boulangerie(sandbox: OpcoSandbox, asked: str) -> dict[str, Any]:
    """The answer for demo's Boulangerie Martin (akto), searched as `asked`."""
    return {
        "filters": {"siret": asked, "idcc": None},
        "filterNAFCode": "1071C",
        "filterNAFType": "NAF_REV2",
        "idcc": 843,
        "opcoName": "AKTO",
        "opcoSiren": OPCO_SIREN["akto"],
        "searchStatus": "OK",
        "url": f"{BASE_URL}/espaces/{sandbox.espace}/akto",
    }


# GET /api/opcos


def test_an_employer_is_found_by_its_siret(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).get("/opcos", params={"siret": EMPLOYER_SIRET})

    assert response.status_code == 200
    assert response.json() == boulangerie(opco_sandbox, EMPLOYER_SIRET)


def test_an_employer_is_found_by_its_siren(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).get("/opcos", params={"siret": "523456788"})

    assert response.json() == boulangerie(opco_sandbox, "523456788")


def test_another_establishment_of_a_known_company_is_found(opco_sandbox: OpcoSandbox) -> None:
    other_establishment = "52345678800026"

    response = cfadock(opco_sandbox).get("/opcos", params={"siret": other_establishment})

    assert response.json()["opcoName"] == "AKTO"


@pytest.mark.parametrize(
    ("siret", "opco", "nom"),
    [
        ("53456789600012", "atlas", "OPCO ATLAS"),
        ("54567890600011", "mobilites", "OPCO Mobilités"),
        ("55678901400017", "constructys", "Constructys"),
    ],
)
def test_each_employer_has_its_own_opco(
    opco_sandbox: OpcoSandbox, siret: str, opco: str, nom: str
) -> None:
    found = cfadock(opco_sandbox).get("/opcos", params={"siret": siret}).json()

    assert (found["opcoName"], found["opcoSiren"]) == (nom, OPCO_SIREN[opco])
    assert found["url"] == f"{BASE_URL}/espaces/{opco_sandbox.espace}/{opco}"


def test_an_unknown_employer_is_not_found(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).get("/opcos", params={"siret": UNKNOWN_SIRET})

    assert response.status_code == 200
    assert response.json() == {"filters": {"siret": UNKNOWN_SIRET, "idcc": None}, **NOT_FOUND}


def test_an_employer_without_naf_nor_idcc_answers_nulls(opco_sandbox: OpcoSandbox) -> None:
    employeurs = [{"siret": UNKNOWN_SIRET, "denomination": "Sans code", "opco": "sante"}]
    opco_sandbox.load(demo() | {"employeurs": employeurs})

    found = cfadock(opco_sandbox).get("/opcos", params={"siret": UNKNOWN_SIRET}).json()

    assert (found["searchStatus"], found["opcoName"]) == ("OK", "OPCO Santé")
    assert (found["filterNAFCode"], found["filterNAFType"], found["idcc"]) == (None, None, None)


@pytest.mark.parametrize("siret", ["5234567880001", "52345678", "5234567880001A", "", "abcdefghi"])
def test_a_malformed_siret_is_400(opco_sandbox: OpcoSandbox, siret: str) -> None:
    response = cfadock(opco_sandbox).get("/opcos", params={"siret": siret})

    assert response.status_code == 400
    assert [(e["code"], e["champ"]) for e in response.json()["errors"]] == [
        ("FORMAT_INVALIDE", "siret")
    ]


def test_a_missing_siret_is_400(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).get("/opcos")

    assert (response.status_code, codes(response)) == (400, ["CHAMP_OBLIGATOIRE"])


def test_an_employer_is_found_by_its_idcc(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).get("/opcos", params={"idcc": 843})

    assert response.status_code == 200
    # A search by IDCC goes through no NAF code.
    assert response.json() == boulangerie(opco_sandbox, EMPLOYER_SIRET) | {
        "filters": {"siret": None, "idcc": 843},
        "filterNAFCode": None,
        "filterNAFType": None,
    }


def test_each_idcc_leads_to_its_opco(opco_sandbox: OpcoSandbox) -> None:
    found = cfadock(opco_sandbox).get("/opcos", params={"idcc": "1486"}).json()

    assert (found["searchStatus"], found["opcoName"], found["idcc"]) == ("OK", "OPCO ATLAS", 1486)


def test_an_unknown_idcc_is_not_found(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).get("/opcos", params={"idcc": 9999})

    assert response.json() == {"filters": {"siret": None, "idcc": 9999}, **NOT_FOUND}


def test_siret_and_idcc_together_are_refused(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).get("/opcos", params={"siret": EMPLOYER_SIRET, "idcc": 843})

    assert response.status_code == 400
    assert [(e["code"], e["champ"]) for e in response.json()["errors"]] == [
        ("CHAMP_OBLIGATOIRE", "idcc")
    ]


@pytest.mark.parametrize("idcc", ["abc", "-1", "10000"])
def test_a_malformed_idcc_is_400(opco_sandbox: OpcoSandbox, idcc: str) -> None:
    response = cfadock(opco_sandbox).get("/opcos", params={"idcc": idcc})

    assert (response.status_code, codes(response)) == (400, ["FORMAT_INVALIDE"])


def test_the_default_espace_answers_under_cfadock(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.server.client("/cfadock/api")

    found = client.get("/opcos", params={"siret": EMPLOYER_SIRET}).json()

    assert found["url"] == f"{BASE_URL}/akto"


def test_an_unknown_espace_is_404(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.server.client("/espaces/nulle-part/cfadock/api")

    response = client.get("/opcos", params={"siret": EMPLOYER_SIRET})

    assert (response.status_code, codes(response)) == (404, ["ESPACE_INCONNU"])


def test_the_url_leads_to_the_opco_api(opco_sandbox: OpcoSandbox) -> None:
    found = cfadock(opco_sandbox).get("/opcos", params={"siret": EMPLOYER_SIRET}).json()

    status = opco_sandbox.server.client().get(found["url"].removeprefix(BASE_URL) + "/v1/status")

    assert status.json() == {"status": "OK", "opco": "akto", "nom": "AKTO"}


def test_cfadock_requests_are_journaled(opco_sandbox: OpcoSandbox) -> None:
    cfadock(opco_sandbox).get("/opcos", params={"siret": EMPLOYER_SIRET})

    entry = opco_sandbox.control.get("/journal").json()["entrees"][-1]

    assert (entry["methode"], entry["statut"], entry["cfa"]) == ("GET", 200, None)
    assert entry["chemin"].endswith(f"/cfadock/api/opcos?siret={EMPLOYER_SIRET}")


# POST /api/opcos


def test_a_batch_splits_found_and_not_found(opco_sandbox: OpcoSandbox) -> None:
    batch = [{"siret": EMPLOYER_SIRET}, {"siret": UNKNOWN_SIRET}, {"siret": "534567896"}]

    response = cfadock(opco_sandbox).post("/opcos", json=batch)

    assert response.status_code == 200
    answer = response.json()
    assert answer["notFound"] == [UNKNOWN_SIRET]
    assert answer["found"][0] == boulangerie(opco_sandbox, EMPLOYER_SIRET)
    assert [(f["filters"]["siret"], f["opcoName"]) for f in answer["found"]] == [
        (EMPLOYER_SIRET, "AKTO"),
        ("534567896", "OPCO ATLAS"),
    ]


@pytest.mark.parametrize("count", [0, 1, 100])
def test_a_batch_takes_up_to_100_sirets(opco_sandbox: OpcoSandbox, count: int) -> None:
    response = cfadock(opco_sandbox).post("/opcos", json=[{"siret": EMPLOYER_SIRET}] * count)

    assert response.status_code == 200
    assert len(response.json()["found"]) == count


@pytest.mark.parametrize("item", [{"siret": EMPLOYER_SIRET}, {"siret": "faux"}, {}])
def test_more_than_100_sirets_is_400_whatever_they_hold(
    opco_sandbox: OpcoSandbox, item: dict[str, str]
) -> None:
    response = cfadock(opco_sandbox).post("/opcos", json=[item] * 101)

    assert (response.status_code, codes(response)) == (400, ["TROP_DE_SIRET"])


def test_a_malformed_item_is_400_naming_it(opco_sandbox: OpcoSandbox) -> None:
    batch = [{"siret": EMPLOYER_SIRET}, {"siret": "123"}, {}]

    response = cfadock(opco_sandbox).post("/opcos", json=batch)

    assert response.status_code == 400
    assert [(e["code"], e["champ"]) for e in response.json()["errors"]] == [
        ("FORMAT_INVALIDE", "[1].siret"),
        ("CHAMP_OBLIGATOIRE", "[2].siret"),
    ]


def test_a_batch_must_be_a_list(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).post("/opcos", json={"siret": EMPLOYER_SIRET})

    assert (response.status_code, codes(response)) == (400, ["FORMAT_INVALIDE"])


def test_a_batch_that_is_not_json_is_400(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).post(
        "/opcos", content=b"[{", headers={"Content-Type": "application/json"}
    )

    assert (response.status_code, codes(response)) == (400, ["JSON_INVALIDE"])


# GET /api/accrochage


def test_accrochage_lists_every_opco_with_its_url(opco_sandbox: OpcoSandbox) -> None:
    response = cfadock(opco_sandbox).get("/accrochage")

    assert response.status_code == 200
    base = f"{BASE_URL}/espaces/{opco_sandbox.espace}"
    assert response.json() == [
        {
            "opco": opco.code,
            "nom": opco.nom,
            "accroche": opco.code != "constructys",
            "url": f"{base}/{opco.code}",
            "services": ["contrats", "factures"],
        }
        for opco in OPCOS.values()
    ]


def test_accrochage_follows_the_scenario(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(demo() | {"opcos": {"sante": {"accroche": False}}})

    listed = cfadock(opco_sandbox).get("/accrochage").json()

    assert [o["opco"] for o in listed if not o["accroche"]] == ["sante"]


def test_the_opco_sirens_are_valid_and_distinct() -> None:
    assert set(OPCO_SIREN) == set(OPCOS)
    assert all(siren.is_valid(number) for number in OPCO_SIREN.values())
    assert len(set(OPCO_SIREN.values())) == len(OPCOS)


# The opt-in rate limit (scenario key cfadock.limiteParMinute)


def limited(per_minute: int | None) -> dict[str, Any]:
    return demo() | {"cfadock": {"limiteParMinute": per_minute}}


def at(monkeypatch: pytest.MonkeyPatch, instant: datetime) -> None:
    """CFADock's real-time clock, stopped at `instant`."""
    monkeypatch.setattr(cfadock_service, "now", lambda: instant)


T0 = datetime(2026, 9, 1, 10, 0, 0)


@pytest.mark.opco_scenario(limited(2))
def test_past_the_limit_cfadock_answers_429_with_retry_after(
    opco_sandbox: OpcoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = cfadock(opco_sandbox)
    at(monkeypatch, T0)
    assert client.get("/accrochage").status_code == 200
    at(monkeypatch, T0 + timedelta(seconds=10))
    assert client.get("/opcos", params={"siret": EMPLOYER_SIRET}).status_code == 200
    at(monkeypatch, T0 + timedelta(seconds=47, milliseconds=500))

    refused = client.get("/opcos", params={"siret": EMPLOYER_SIRET})

    assert (refused.status_code, codes(refused)) == (429, ["LIMITE_REQUETES"])
    assert refused.headers["Retry-After"] == "13"
    entry = opco_sandbox.control.get("/journal").json()["entrees"][-1]
    assert (entry["statut"], entry["codes"]) == (429, ["LIMITE_REQUETES"])


@pytest.mark.opco_scenario(limited(1))
def test_the_minute_frees_after_60_seconds(
    opco_sandbox: OpcoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = cfadock(opco_sandbox)
    at(monkeypatch, T0)
    assert client.get("/accrochage").status_code == 200
    at(monkeypatch, T0 + timedelta(seconds=59))
    assert client.get("/accrochage").status_code == 429
    at(monkeypatch, T0 + timedelta(seconds=60))
    assert client.get("/accrochage").status_code == 200
    assert client.get("/accrochage").status_code == 429


@pytest.mark.opco_scenario(limited(1))
def test_the_limit_is_counted_per_espace(
    opco_sandbox: OpcoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T0)
    assert cfadock(opco_sandbox).get("/accrochage").status_code == 200
    other = f"{opco_sandbox.espace}-bis"
    scenario = opco_sandbox.server.client().put(
        f"/_sandbox/espaces/{other}/scenario", json=limited(1)
    )
    assert scenario.status_code == 200, scenario.text

    assert (
        opco_sandbox.server.client(f"/espaces/{other}/cfadock/api").get("/accrochage").status_code
        == 200
    )
    assert cfadock(opco_sandbox).get("/accrochage").status_code == 429
    opco_sandbox.server.client().delete(f"/_sandbox/espaces/{other}").raise_for_status()


@pytest.mark.opco_scenario(limited(1))
def test_a_reset_frees_the_minute(
    opco_sandbox: OpcoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    at(monkeypatch, T0)
    assert cfadock(opco_sandbox).get("/accrochage").status_code == 200
    opco_sandbox.control.post("/reset").raise_for_status()

    assert cfadock(opco_sandbox).get("/accrochage").status_code == 200


def test_without_a_limit_cfadock_answers_every_request(opco_sandbox: OpcoSandbox) -> None:
    client = cfadock(opco_sandbox)

    assert {client.get("/accrochage").status_code for _ in range(40)} == {200}
