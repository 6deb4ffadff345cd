"""Contracts as production clients send them (§4 "Inputs", §5, §13): ISO date-times with
offsets, numbers and booleans as strings, numbers for codes, "" for an empty field, no
numeroInterne, keys the sandbox does not know; and the opt-in production quirks (§3)."""

import copy
import json
import re
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from tests.builders import (
    CFA_SIRET,
    EMPLOYER_SIRET,
    NIRS,
    assert_error_shape,
    cerfa,
    codes,
    dated,
    problems,
    transmission,
)

SANDBOX_KEYS = {
    "numeroInterne",
    "numeroExterne",
    "numeroDeca",
    "etat",
    "commentaireEtat",
    "dateMiseAJour",
    "aRegulariser",
}


def send(opco_sandbox: OpcoSandbox, body: Any, opco: str = "akto") -> httpx.Response:
    return opco_sandbox.client(opco).post("/v1/dossiers", json=body)


def accepted(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def read(opco_sandbox: OpcoSandbox, numero_interne: str, opco: str = "akto") -> httpx.Response:
    return opco_sandbox.client(opco).get("/v1/dossiers", params={"numeroInterne": numero_interne})


def read_cerfa(opco_sandbox: OpcoSandbox, numero_interne: str) -> dict[str, Any]:
    response = read(opco_sandbox, numero_interne)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["cerfa"]
    return found


def as_sent(answered: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answered.items() if k not in SANDBOX_KEYS}


# Dates


DATE_TIMES = [
    "T00:00:00+02:00",
    "T00:00:00+0200",
    "T00:00:00+0000",
    "T00:00:00Z",
    "T10:30:00",
    "T23:59:59.999-05:00",
    "T00:00:00.1234567+01:00",
]


@pytest.mark.parametrize("suffix", DATE_TIMES)
def test_date_times_are_accepted_and_returned_as_sent(
    opco_sandbox: OpcoSandbox, suffix: str
) -> None:
    body = dated(suffix)
    accepted(send(opco_sandbox, body))
    assert as_sent(read_cerfa(opco_sandbox, "CFA-0001")) == body["cerfa"]


@pytest.mark.parametrize("suffix", DATE_TIMES)
def test_the_date_is_the_day_as_written_never_shifted_by_the_offset(
    opco_sandbox: OpcoSandbox, suffix: str
) -> None:
    # The same contract in plain days: a duplicate only if every date reads the same day.
    accepted(send(opco_sandbox, transmission("CFA-1")))
    response = send(opco_sandbox, dated(suffix) | {"numeroInterne": "CFA-2"})
    assert codes(response, 400) == ["DOSSIER_DOUBLON"]


def test_a_paris_midnight_is_not_the_day_before(opco_sandbox: OpcoSandbox) -> None:
    # 6 months exactly as written; shifted to UTC, the end would be the day before: too short.
    body = transmission(
        contrat={
            "dateConclusion": "2026-08-25T00:00:00+02:00",
            "dateDebutContrat": "2026-09-01T00:00:00-05:00",
            "dateFinContrat": "2027-02-28T00:00:00+02:00",
        },
    )
    accepted(send(opco_sandbox, body))


# Numbers, booleans and codes


def test_numbers_and_booleans_may_come_as_strings(opco_sandbox: OpcoSandbox) -> None:
    body = transmission(
        apprenti={"handicap": "false", "inscriptionSportifDeHautNiveau": "true"},
        contrat={"typeContratApp": "11", "salaireEmbauche": "1200.00", "typeDerogation": "12"},
    )
    body["mandatGestion"] = "true"
    answer = accepted(send(opco_sandbox, body))
    assert answer["avertissements"] == []  # "true" is read as true
    assert read_cerfa(opco_sandbox, "CFA-0001")["aRegulariser"] is False
    assert as_sent(read_cerfa(opco_sandbox, "CFA-0001")) == body["cerfa"]


def test_a_numeric_string_is_read_as_its_number(opco_sandbox: OpcoSandbox) -> None:
    # "11" is a first contract: concluded after its start, it is incoherent; "31" is not.
    late = {"dateConclusion": "2026-09-02"}
    first = transmission("CFA-1", contrat=late | {"typeContratApp": "11"})
    assert codes(send(opco_sandbox, first), 400) == ["DATES_INCOHERENTES"]
    accepted(send(opco_sandbox, transmission("CFA-2", contrat=late | {"typeContratApp": "31"})))


def test_false_as_a_string_is_false(opco_sandbox: OpcoSandbox) -> None:
    body = transmission()
    body["mandatGestion"] = "false"
    [warning] = accepted(send(opco_sandbox, body))["avertissements"]
    assert warning["code"] == "MANDAT_GESTION_ABSENT"


def test_numbers_are_accepted_where_a_code_is_expected(opco_sandbox: OpcoSandbox) -> None:
    body = transmission(
        apprenti={"nir": int(NIRS[0]), "adresse": {"codePostal": 75011}},
        employeur={"siret": int(EMPLOYER_SIRET), "codeIdcc": 843},
        formation={"rncp": 38580},
        organismeFormation={"siret": int(CFA_SIRET)},
    )
    body["numeroInterne"] = 4242
    answer = accepted(send(opco_sandbox, body))
    assert answer["numeroInterne"] == "4242"
    assert as_sent(read_cerfa(opco_sandbox, "4242")) == body["cerfa"]


def test_a_number_for_a_code_is_still_checked(opco_sandbox: OpcoSandbox) -> None:
    body = transmission(apprenti={"nir": int(NIRS[0]) + 1})
    assert problems(send(opco_sandbox, body), 400) == [("NIR_INVALIDE", "cerfa.apprenti.nir")]


# Empty strings


def test_an_empty_string_in_an_optional_field_is_absent(opco_sandbox: OpcoSandbox) -> None:
    body = transmission(
        apprenti={"handicap": "", "inscriptionSportifDeHautNiveau": "", "courriel": ""},
        contrat={"typeDerogation": ""},
    )
    body["cerfa"]["maitre2"] = ""
    body["mandatGestion"] = ""
    answer = accepted(send(opco_sandbox, body))
    assert [w["code"] for w in answer["avertissements"]] == ["MANDAT_GESTION_ABSENT"]
    assert as_sent(read_cerfa(opco_sandbox, "CFA-0001")) == body["cerfa"]


def test_an_empty_numero_interne_is_absent(opco_sandbox: OpcoSandbox) -> None:
    answer = accepted(send(opco_sandbox, transmission("")))
    assert re.fullmatch(r"[0-9]{7}", answer["numeroInterne"])


# No numeroInterne


def without_numero(**blocks: dict[str, Any]) -> dict[str, Any]:
    return {"cerfa": cerfa(**blocks), "mandatGestion": True}


def test_without_numero_interne_the_opco_assigns_seven_digits(opco_sandbox: OpcoSandbox) -> None:
    answer = accepted(send(opco_sandbox, without_numero()))
    assert set(answer) == {"numeroInterne", "numeroExterne", "etat", "avertissements"}
    assert re.fullmatch(r"[1-9][0-9]{6}", answer["numeroInterne"])
    assert answer["etat"] == "TRANSMIS"
    found = read_cerfa(opco_sandbox, answer["numeroInterne"])
    assert (found["numeroInterne"], found["numeroExterne"]) == (
        answer["numeroInterne"],
        answer["numeroExterne"],
    )


def test_assigned_numbers_are_distinct_and_increasing(opco_sandbox: OpcoSandbox) -> None:
    first = accepted(send(opco_sandbox, without_numero()))["numeroInterne"]
    second = accepted(send(opco_sandbox, without_numero(apprenti={"nom": "Petit"})))[
        "numeroInterne"
    ]
    assert (first, second) == ("1000001", "1000002")


def test_assigned_numbers_follow_a_sequence_per_opco(opco_sandbox: OpcoSandbox) -> None:
    assert accepted(send(opco_sandbox, without_numero()))["numeroInterne"] == "1000001"
    atlas = accepted(send(opco_sandbox, without_numero(), opco="atlas"))
    assert atlas["numeroInterne"] == "1000001"
    assert (
        accepted(send(opco_sandbox, without_numero(apprenti={"nom": "Petit"})))["numeroInterne"]
        == "1000002"
    )


def test_an_assigned_number_skips_one_the_cfa_chose(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission("1000001")))
    answer = accepted(send(opco_sandbox, without_numero(apprenti={"nom": "Petit"})))
    assert answer["numeroInterne"] == "1000002"


def test_assigned_numbers_appear_in_the_pages(opco_sandbox: OpcoSandbox) -> None:
    numero = accepted(send(opco_sandbox, without_numero()))["numeroInterne"]
    page = opco_sandbox.client("akto").get("/v1/dossiers/etats")
    assert page.status_code == 200, page.text
    assert numero in page.text


def test_a_duplicate_without_numero_interne_is_still_a_duplicate(
    opco_sandbox: OpcoSandbox,
) -> None:
    accepted(send(opco_sandbox, without_numero()))
    assert codes(send(opco_sandbox, without_numero()), 400) == ["DOSSIER_DOUBLON"]


# Keys the sandbox does not know, keys the sandbox owns


def test_unknown_keys_are_accepted_and_the_cerfa_stored_as_sent(
    opco_sandbox: OpcoSandbox,
) -> None:
    sent = cerfa() | {
        "versionCERFA": "10103*14",
        "CERFAsignatureProbante": True,
        "etat": "BROUILLON",
        "numeroInterne": "PAS-LE-BON",
        "numeroExterne": "PAS-LE-BON",
        "numeroDeca": "000000000000000",
        "commentaireEtat": "de la part du client",
        "dateMiseAJour": "1999-01-01",
        "aRegulariser": True,
    }
    body = {"cerfa": sent, "mandatGestion": True, "versionCERFA": "10103*14", "autre": [1]}
    answer = accepted(send(opco_sandbox, body))
    found = read_cerfa(opco_sandbox, answer["numeroInterne"])
    assert {k: found[k] for k in SANDBOX_KEYS} == {
        "numeroInterne": answer["numeroInterne"],
        "numeroExterne": answer["numeroExterne"],
        "numeroDeca": None,
        "etat": "TRANSMIS",
        "commentaireEtat": None,
        "dateMiseAJour": "2026-09-01",
        "aRegulariser": False,
    }
    assert as_sent(found) == as_sent(sent)
    assert (found["versionCERFA"], found["CERFAsignatureProbante"]) == ("10103*14", True)


# Content types


def post_raw(opco_sandbox: OpcoSandbox, path: str, text: str, **headers: str) -> httpx.Response:
    return opco_sandbox.client("akto").post(path, content=text.encode(), headers=headers)


@pytest.mark.parametrize(
    "content_type", ["application/json; charset=utf-8", "application/json;charset=UTF-8"]
)
def test_a_json_content_type_with_a_charset_is_json(
    opco_sandbox: OpcoSandbox, content_type: str
) -> None:
    response = post_raw(
        opco_sandbox, "/v1/dossiers", json.dumps(transmission()), **{"content-type": content_type}
    )
    accepted(response)


# The opt-in production quirks (§3)


def with_profiles(**profiles: str) -> dict[str, Any]:
    document = copy.deepcopy(resolve("demo").document)
    opcos = document.setdefault("opcos", {})
    for opco, profil in profiles.items():
        opcos[opco] = {**opcos.get(opco, {}), "profil": profil}
    return document


BAD_NIR = transmission(apprenti={"nir": "209013306311176"})


def test_atlas_in_production_adds_the_first_description_to_its_400s(
    opco_sandbox: OpcoSandbox,
) -> None:
    opco_sandbox.load(with_profiles(atlas="production"))
    response = send(opco_sandbox, BAD_NIR, opco="atlas")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"errors", "description"}
    assert body["description"] == body["errors"][0]["description"]
    assert body["errors"][0]["code"] == "NIR_INVALIDE"


def test_atlas_in_production_keeps_its_404s_and_other_opcos_unchanged(
    opco_sandbox: OpcoSandbox,
) -> None:
    opco_sandbox.load(with_profiles(atlas="production", akto="production"))
    assert codes(read(opco_sandbox, "NOPE", opco="atlas"), 404) == ["DOSSIER_INCONNU"]
    assert codes(send(opco_sandbox, BAD_NIR), 400) == ["NIR_INVALIDE"]  # akto has no quirk


def test_opcoep_in_production_adds_a_comment_to_its_400s(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(with_profiles(opcoep="production"))
    body = send(opco_sandbox, BAD_NIR, opco="opcoep").json()
    assert set(body) == {"errors", "comment"}
    assert body["comment"] == body["errors"][0]["description"]


def test_opcoep_in_production_answers_an_unknown_dossier_400(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(with_profiles(opcoep="production"))
    response = read(opco_sandbox, "NOPE", opco="opcoep")
    assert response.status_code == 400
    body = response.json()
    assert [item["code"] for item in body["errors"]] == ["DOSSIER_INCONNU"]
    assert body["comment"] == body["errors"][0]["description"]


@pytest.mark.parametrize("opco", ["atlas", "opcoep"])
def test_under_the_norme_profile_there_is_no_quirk(opco_sandbox: OpcoSandbox, opco: str) -> None:
    opco_sandbox.load(with_profiles(**{opco: "norme"}))
    assert codes(send(opco_sandbox, BAD_NIR, opco=opco), 400) == ["NIR_INVALIDE"]
    assert codes(read(opco_sandbox, "NOPE", opco=opco), 404) == ["DOSSIER_INCONNU"]


def test_the_default_profile_is_the_norme(opco_sandbox: OpcoSandbox) -> None:
    for opco in ("atlas", "opcoep"):
        assert_error_shape(send(opco_sandbox, BAD_NIR, opco=opco).json())
        assert codes(read(opco_sandbox, "NOPE", opco=opco), 404) == ["DOSSIER_INCONNU"]


def test_an_unknown_profile_is_a_scenario_error(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.control.put("/scenario", json=with_profiles(atlas="prod"))
    assert problems(response, 422) == [("SCENARIO_INVALIDE", "opcos.atlas.profil")]
