"""Transmitting contracts, reading them back, duplicates and pages (§4, §5, §13)."""

import copy
import re
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server import pipeline
from tests.builders import (
    CFA_IBAN,
    CFA_SIRET,
    NIRS,
    OTHER_CFA_SIRET,
    OTHER_EMPLOYER_SIRET,
    cerfa,
    codes,
    dated,
    problems,
    replaced,
    transmission,
)

STATE_FIELDS = {
    "numeroInterne",
    "numeroExterne",
    "numeroDeca",
    "etat",
    "commentaireEtat",
    "dateMiseAJour",
    "aRegulariser",
}
DEMO_CONTRACT = {"nom": "Dupont", "prenom": "Léa", "dateNaissance": "2007-03-14"}


def send(opco_sandbox: OpcoSandbox, body: dict[str, Any], opco: str = "akto") -> httpx.Response:
    return opco_sandbox.client(opco).post("/v1/dossiers", json=body)


def send_as_other_cfa(opco_sandbox: OpcoSandbox, body: dict[str, Any]) -> httpx.Response:
    body["cerfa"]["organismeFormation"] = {"siret": OTHER_CFA_SIRET, "uaiCfa": "0691234B"}
    return opco_sandbox.client("akto", cfa=OTHER_CFA_SIRET).post("/v1/dossiers", json=body)


def read(opco_sandbox: OpcoSandbox, numero_interne: str, cfa: str | None = None) -> httpx.Response:
    client = opco_sandbox.client("akto", cfa=cfa)
    return client.get("/v1/dossiers", params={"numeroInterne": numero_interne})


def force(opco_sandbox: OpcoSandbox, numero_externe: str, etat: str) -> None:
    path = f"/akto/dossiers/{numero_externe}/etat"
    opco_sandbox.control.post(path, json={"etat": etat}).raise_for_status()


def page(opco_sandbox: OpcoSandbox, cfa: str | None = None, **params: int) -> httpx.Response:
    return opco_sandbox.client("akto", cfa=cfa).get("/v2/dossiers/etats", params=params)


def without_state(answered: dict[str, Any]) -> dict[str, Any]:
    """An answered CERFA without the dossier's state, as the CFA sent it."""
    return {k: v for k, v in answered.items() if k not in STATE_FIELDS}


def accepted(response: httpx.Response) -> str:
    """The numeroExterne of a 200."""
    assert response.status_code == 200, response.text
    numero: str = response.json()["numeroExterne"]
    return numero


# Accepted transmissions


def test_valid_transmission_is_200_transmis(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, transmission("CFA-1"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"numeroInterne", "numeroExterne", "etat", "avertissements"}
    assert body["numeroInterne"] == "CFA-1"
    assert body["etat"] == "TRANSMIS"
    assert body["avertissements"] == []
    assert re.fullmatch(r"AKTO-2026-[0-9]{6}", body["numeroExterne"])


def test_each_dossier_gets_its_own_numero_externe(opco_sandbox: OpcoSandbox) -> None:
    first = accepted(send(opco_sandbox, transmission("CFA-1")))
    second = accepted(send(opco_sandbox, transmission("CFA-2", apprenti={"nom": "Petit"})))
    assert len({first, second, "AKTO-2026-000001", "AKTO-2026-000002"}) == 4


def test_dossier_is_read_back_with_its_state(opco_sandbox: OpcoSandbox) -> None:
    numero = accepted(send(opco_sandbox, transmission("CFA-1")))
    response = read(opco_sandbox, "CFA-1")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "cerfa",
        "engagement",
        "echeances",
        "engagementsFraisAnnexe",
        "detailsFacturation",
    }
    assert {k: body["cerfa"][k] for k in STATE_FIELDS} == {
        "numeroInterne": "CFA-1",
        "numeroExterne": numero,
        "numeroDeca": None,
        "etat": "TRANSMIS",
        "commentaireEtat": None,
        "dateMiseAJour": "2026-09-01",
        "aRegulariser": False,
    }
    assert (body["engagement"], body["echeances"], body["engagementsFraisAnnexe"]) == (None, [], [])
    assert body["detailsFacturation"] == {
        "plafondFraisPremierEquipement": None,
        "fraisPremierEquipementRegles": 0,
        "plafondFraisMobilite": None,
        "fraisMobiliteRegles": 0,
        "iban": CFA_IBAN,
        "periodesFraisAnnexes": [],
    }


def test_every_field_is_returned_as_sent(opco_sandbox: OpcoSandbox) -> None:
    extra = {"a": [1, "deux", None, {"b": True, "c": 1.5}], "vide": {}}
    sent = cerfa(
        employeur={"adresse": {"codePostal": "75011", "commune": "Paris"}, "naf": "1071C"},
        apprenti={"handicap": False, "courriel": "camille@example.org", "extra": extra},
        maitre1={"emploi": "Boulanger", "diplome": None},
        maitre2={"nom": "Durand", "dateNaissance": "1980-01-01T00:00:00+0000"},
        contrat={"dateEffetAvenant": "2026-09-01T00:00:00+0000", "salaireEmbauche": 1234.56},
        formation={"dureeFormation": 800, "dateObtention": "30/06/2028"},
        organismeFormation={"denomination": "CFA Demo", "adresse": ["ligne 1", "ligne 2"]},
    )
    sent["extraRacine"] = extra
    send(opco_sandbox, {"numeroInterne": "CFA-1", "mandatGestion": True, "cerfa": sent})
    assert without_state(read(opco_sandbox, "CFA-1").json()["cerfa"]) == sent


@pytest.mark.parametrize("suffix", ["T00:00:00+0000", "T00:00:00+00:00"])
def test_interpreted_dates_accept_midnight_utc_and_are_answered_as_sent(
    opco_sandbox: OpcoSandbox, suffix: str
) -> None:
    body = dated(suffix)
    accepted(send(opco_sandbox, body))
    assert without_state(read(opco_sandbox, "CFA-0001").json()["cerfa"]) == body["cerfa"]


# Blocking controls, each alone


@pytest.mark.parametrize(
    "nir", ["209013306311176", "20901330631117", "2090133063111750", "2090133063111AB"]
)
def test_nir_with_a_wrong_key_or_length_is_refused(opco_sandbox: OpcoSandbox, nir: str) -> None:
    response = send(opco_sandbox, transmission(apprenti={"nir": nir}))
    assert problems(response, 400) == [("NIR_INVALIDE", "cerfa.apprenti.nir")]


@pytest.mark.parametrize("nir", NIRS)
def test_valid_nirs_are_accepted(opco_sandbox: OpcoSandbox, nir: str) -> None:
    accepted(send(opco_sandbox, transmission(apprenti={"nir": nir})))


def test_employer_siret_failing_its_check_digit_is_refused(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, transmission(employeur={"siret": "52345678800019"}))
    assert problems(response, 400) == [("SIRET_INVALIDE", "cerfa.employeur.siret")]


def test_cfa_siret_failing_its_check_digit_is_refused(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, transmission(organismeFormation={"siret": "79012345900015"}))
    assert problems(response, 400) == [
        ("SIRET_INVALIDE", "cerfa.organismeFormation.siret"),
        ("SIRET_CFA_DIFFERENT", "cerfa.organismeFormation.siret"),
    ]


def test_la_poste_siret_follows_its_own_rule(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission(employeur={"siret": "35600000000001"})))
    response = send(opco_sandbox, transmission("CFA-2", employeur={"siret": "35600000000002"}))
    assert problems(response, 400) == [("SIRET_INVALIDE", "cerfa.employeur.siret")]


@pytest.mark.parametrize("end", ["2026-08-31", "2026-09-01"], ids=["before", "same-day"])
def test_contract_ending_on_or_before_its_start_is_incoherent(
    opco_sandbox: OpcoSandbox, end: str
) -> None:
    response = send(opco_sandbox, transmission(contrat={"dateFinContrat": end}))
    assert problems(response, 400) == [("DATES_INCOHERENTES", "cerfa.contrat.dateFinContrat")]


@pytest.mark.parametrize("end", ["2026-08-31", "2026-09-01"], ids=["before", "same-day"])
def test_training_ending_on_or_before_its_start_is_incoherent(
    opco_sandbox: OpcoSandbox, end: str
) -> None:
    response = send(opco_sandbox, transmission(formation={"dateFinFormation": end}))
    assert problems(response, 400) == [("DATES_INCOHERENTES", "cerfa.formation.dateFinFormation")]


@pytest.mark.parametrize("kind", [11, 21, 22, 23])
def test_first_contract_concluded_after_its_start_is_incoherent(
    opco_sandbox: OpcoSandbox, kind: int
) -> None:
    body = transmission(contrat={"typeContratApp": kind, "dateConclusion": "2026-09-02"})
    response = send(opco_sandbox, body)
    assert problems(response, 400) == [("DATES_INCOHERENTES", "cerfa.contrat.dateConclusion")]


@pytest.mark.parametrize("kind", [31, 32, 37])
def test_amendment_may_be_concluded_after_the_start(opco_sandbox: OpcoSandbox, kind: int) -> None:
    body = transmission(contrat={"typeContratApp": kind, "dateConclusion": "2026-10-15"})
    accepted(send(opco_sandbox, body))


def test_contract_concluded_on_its_first_day_is_coherent(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission(contrat={"dateConclusion": "2026-09-01"})))


@pytest.mark.parametrize("end", ["2027-02-28", "2031-02-28"], ids=["6-months", "54-months"])
def test_contract_of_6_to_54_months_is_accepted(opco_sandbox: OpcoSandbox, end: str) -> None:
    accepted(send(opco_sandbox, transmission(contrat={"dateFinContrat": end})))


@pytest.mark.parametrize(
    "end",
    ["2027-02-27", "2031-03-01", "2036-09-01"],
    ids=["6-months-less-a-day", "54-months-and-a-day", "10-years"],
)
def test_contract_shorter_than_6_or_longer_than_54_months_is_refused(
    opco_sandbox: OpcoSandbox, end: str
) -> None:
    response = send(opco_sandbox, transmission(contrat={"dateFinContrat": end}))
    assert problems(response, 400) == [("DUREE_CONTRAT_INVALIDE", "cerfa.contrat.dateFinContrat")]


def old_contract(conclusion: str) -> dict[str, Any]:
    return transmission(
        contrat={
            "dateConclusion": conclusion,
            "dateDebutContrat": "2020-01-06",
            "dateFinContrat": "2022-01-05",
        },
        formation={"dateDebutFormation": "2020-01-06", "dateFinFormation": "2021-12-31"},
    )


def test_contract_concluded_before_2020_is_refused(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, old_contract("2019-12-31"))
    assert problems(response, 400) == [("CONTRAT_ANTERIEUR_2020", "cerfa.contrat.dateConclusion")]


def test_contract_concluded_on_2020_01_01_is_accepted(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, old_contract("2020-01-01")))


def test_cfa_siret_must_be_the_callers(opco_sandbox: OpcoSandbox) -> None:
    body = transmission(organismeFormation={"siret": OTHER_CFA_SIRET})
    response = send(opco_sandbox, body)
    assert problems(response, 400) == [("SIRET_CFA_DIFFERENT", "cerfa.organismeFormation.siret")]


def test_every_blocking_problem_is_reported_in_one_answer(opco_sandbox: OpcoSandbox) -> None:
    body = transmission(
        apprenti={"nir": "209013306311176"},
        employeur={"siret": "52345678800019"},
        contrat={"dateConclusion": "2019-06-01", "dateFinContrat": "2026-08-01"},
        formation={"dateFinFormation": "2026-08-01"},
        organismeFormation={"siret": OTHER_CFA_SIRET},
    )
    assert sorted(problems(send(opco_sandbox, body), 400)) == [
        ("CONTRAT_ANTERIEUR_2020", "cerfa.contrat.dateConclusion"),
        ("DATES_INCOHERENTES", "cerfa.contrat.dateFinContrat"),
        ("DATES_INCOHERENTES", "cerfa.formation.dateFinFormation"),
        ("NIR_INVALIDE", "cerfa.apprenti.nir"),
        ("SIRET_CFA_DIFFERENT", "cerfa.organismeFormation.siret"),
        ("SIRET_INVALIDE", "cerfa.employeur.siret"),
    ]


def test_blocking_problems_come_before_duplicates(opco_sandbox: OpcoSandbox) -> None:
    body = transmission("DEMO-0001", apprenti=DEMO_CONTRACT | {"nir": "209013306311176"})
    assert codes(send(opco_sandbox, body), 400) == ["NIR_INVALIDE"]


def test_refused_transmission_stores_nothing(opco_sandbox: OpcoSandbox) -> None:
    send(opco_sandbox, transmission(apprenti={"nir": "1"}))
    assert codes(read(opco_sandbox, "CFA-0001"), 404) == ["DOSSIER_INCONNU"]


# Duplicates


def test_same_contract_twice_is_a_duplicate_naming_the_first(opco_sandbox: OpcoSandbox) -> None:
    first = accepted(send(opco_sandbox, transmission("CFA-1")))
    response = send(opco_sandbox, transmission("CFA-2"))
    assert codes(response, 400) == ["DOSSIER_DOUBLON"]
    assert first in response.json()["errors"][0]["description"]


def test_duplicate_stores_nothing(opco_sandbox: OpcoSandbox) -> None:
    send(opco_sandbox, transmission("CFA-1"))
    send(opco_sandbox, transmission("CFA-2"))
    assert codes(read(opco_sandbox, "CFA-2"), 404) == ["DOSSIER_INCONNU"]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ({"prenom": " Éloïse "}, {"prenom": "ELOISE"}),
        ({"nom": "Le  Bihan"}, {"nom": " le bihan"}),
        (
            {"nom": "Noël-Lefèvre", "prenom": "Anaïs Zoé"},
            {"nom": "NOEL-LEFEVRE", "prenom": "anais  zoe"},
        ),
    ],
    ids=["accents-case-trim", "inner-spaces", "hyphen-accents"],
)
def test_names_compare_without_accents_case_or_extra_spaces(
    opco_sandbox: OpcoSandbox, first: dict[str, str], second: dict[str, str]
) -> None:
    accepted(send(opco_sandbox, transmission("CFA-1", apprenti=first)))
    assert codes(send(opco_sandbox, transmission("CFA-2", apprenti=second)), 400) == [
        "DOSSIER_DOUBLON"
    ]


@pytest.mark.parametrize(
    "change",
    [
        {"cerfa.apprenti.nom": "Dupond"},
        {"cerfa.apprenti.dateNaissance": "2009-01-21"},
        {"cerfa.apprenti.nom": "Camille", "cerfa.apprenti.prenom": "Dupont"},
        {"cerfa.employeur.siret": OTHER_EMPLOYER_SIRET},
        {"cerfa.contrat.dateDebutContrat": "2026-09-02"},
    ],
    ids=["other-spelling", "other-birth-date", "swapped-names", "other-employer", "other-start"],
)
def test_contract_differing_in_one_value_is_not_a_duplicate(
    opco_sandbox: OpcoSandbox, change: dict[str, str]
) -> None:
    accepted(send(opco_sandbox, transmission("CFA-1", apprenti={"nom": "Dupont"})))
    second = transmission("CFA-2", apprenti={"nom": "Dupont"})
    for path, value in change.items():
        second = replaced(second, path, value)
    accepted(send(opco_sandbox, second))


def test_same_contract_at_another_opco_is_not_a_duplicate(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission("CFA-1")))
    accepted(send(opco_sandbox, transmission("CFA-1"), opco="opcoep"))


def test_employer_deposit_counts_as_a_duplicate(opco_sandbox: OpcoSandbox) -> None:
    body = transmission(
        apprenti={"nom": "Bernard", "prenom": "Hugo", "dateNaissance": "2008-11-03"},
        contrat={"dateDebutContrat": "2026-09-15"},
    )
    assert codes(send(opco_sandbox, body), 400) == ["DOSSIER_DOUBLON"]


def test_other_cfas_dossier_counts_without_being_named(opco_sandbox: OpcoSandbox) -> None:
    theirs = accepted(send_as_other_cfa(opco_sandbox, transmission("AUTRE-1")))
    response = send(opco_sandbox, transmission("CFA-1"))
    assert codes(response, 400) == ["DOSSIER_DOUBLON"]
    assert theirs not in response.text


def test_own_dossier_is_named_in_the_duplicate_message(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, transmission("CFA-1", apprenti=DEMO_CONTRACT))
    assert codes(response, 400) == ["DOSSIER_DOUBLON"]
    assert "AKTO-2026-000001" in response.json()["errors"][0]["description"]


def test_cancelled_dossier_no_longer_blocks(opco_sandbox: OpcoSandbox) -> None:
    force(opco_sandbox, "AKTO-2026-000001", "ANNULE")
    accepted(send(opco_sandbox, transmission("CFA-1", apprenti=DEMO_CONTRACT)))


def test_refused_dossier_no_longer_blocks(opco_sandbox: OpcoSandbox) -> None:
    first = accepted(send(opco_sandbox, transmission("CFA-1")))
    force(opco_sandbox, first, "EN_COURS_INSTRUCTION")
    assert codes(send(opco_sandbox, transmission("CFA-2")), 400) == ["DOSSIER_DOUBLON"]
    force(opco_sandbox, first, "REFUSE")
    accepted(send(opco_sandbox, transmission("CFA-2")))


# numeroInterne


def test_reused_numero_interne_is_refused(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, transmission("DEMO-0001"))
    assert problems(response, 400) == [("NUMERO_INTERNE_DEJA_UTILISE", "numeroInterne")]


def test_numero_interne_may_be_reused_at_another_opco(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission("DEMO-0001"), opco="atlas"))


def test_numero_interne_may_be_reused_by_another_cfa(opco_sandbox: OpcoSandbox) -> None:
    accepted(send_as_other_cfa(opco_sandbox, transmission("DEMO-0001")))


def test_duplicate_wins_over_reused_numero_interne(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, transmission("DEMO-0001", apprenti=DEMO_CONTRACT))
    assert codes(response, 400) == ["DOSSIER_DOUBLON"]


# Mandat de gestion


@pytest.mark.parametrize("mandat", [None, False], ids=["absent", "false"])
def test_without_mandat_the_dossier_is_accepted_with_a_warning(
    opco_sandbox: OpcoSandbox, mandat: bool | None
) -> None:
    response = send(opco_sandbox, transmission("CFA-1", mandat_gestion=mandat))
    assert response.status_code == 200
    [warning] = response.json()["avertissements"]
    assert set(warning) == {"code", "description"}
    assert warning["code"] == "MANDAT_GESTION_ABSENT"
    assert warning["description"]
    assert read(opco_sandbox, "CFA-1").json()["cerfa"]["aRegulariser"] is True


def test_with_mandat_the_dossier_needs_no_regularisation(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, transmission("CFA-1", mandat_gestion=True))
    assert response.json()["avertissements"] == []
    assert read(opco_sandbox, "CFA-1").json()["cerfa"]["aRegulariser"] is False


# Reading


def test_unknown_numero_interne_is_404(opco_sandbox: OpcoSandbox) -> None:
    assert problems(read(opco_sandbox, "NOPE"), 404) == [("DOSSIER_INCONNU", "numeroInterne")]


def test_other_cfas_dossier_is_answered_as_a_missing_one(opco_sandbox: OpcoSandbox) -> None:
    theirs = read(opco_sandbox, "DEMO-0001", cfa=OTHER_CFA_SIRET)
    client = opco_sandbox.client("atlas")
    missing = client.get("/v1/dossiers", params={"numeroInterne": "DEMO-0001"})
    assert codes(theirs, 404) == ["DOSSIER_INCONNU"]
    assert theirs.json() == missing.json()
    assert "AKTO-2026-000001" not in theirs.text


def test_numero_interne_is_required_to_read(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").get("/v1/dossiers")
    assert problems(response, 400) == [("CHAMP_OBLIGATOIRE", "numeroInterne")]


# Pages of states


def scenario_with_dossiers(count: int) -> dict[str, Any]:
    """The demo with `count` more dossiers of its first CFA at AKTO, P-001 onwards."""
    document = copy.deepcopy(resolve("demo").document)
    document["dossiers"] += [
        {
            "opco": "akto",
            "numeroInterne": f"P-{i:03d}",
            "cerfa": cerfa(apprenti={"nom": f"Eleve {i}"}),
        }
        for i in range(1, count + 1)
    ]
    return document


def numeros(response: httpx.Response) -> list[str]:
    return [item["numeroInterne"] for item in response.json()["EtatDossierResult"]]


def test_page_lists_the_callers_dossiers_and_no_employer_deposit(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = page(opco_sandbox)
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["count"], body["page"]) == (1, 1, 1)
    [item] = body["EtatDossierResult"]
    assert set(item) == {"numeroInterne", "numeroExterne", "numeroDeca", "etat", "dateMiseAJour"}
    assert (item["numeroInterne"], item["numeroExterne"]) == ("DEMO-0001", "AKTO-2026-000001")
    assert (item["etat"], item["dateMiseAJour"]) == ("ENGAGE", "2026-09-01")
    assert item["numeroDeca"]


def test_page_shows_only_the_callers_dossiers(opco_sandbox: OpcoSandbox) -> None:
    accepted(send_as_other_cfa(opco_sandbox, transmission("AUTRE-1")))
    accepted(send(opco_sandbox, transmission("CFA-1", apprenti={"nom": "Petit"})))
    assert numeros(page(opco_sandbox, cfa=OTHER_CFA_SIRET)) == ["AUTRE-1"]
    assert numeros(page(opco_sandbox)) == ["CFA-1", "DEMO-0001"]


def test_page_shows_only_this_opcos_dossiers(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission("ATLAS-1"), opco="atlas"))
    response = opco_sandbox.client("atlas").get("/v2/dossiers/etats")
    assert numeros(response) == ["ATLAS-1"]
    assert numeros(page(opco_sandbox)) == ["DEMO-0001"]


def test_a_page_total_counts_each_stored_dossier_once(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission("CFA-1", apprenti={"nom": "Petit"})))
    unnumbered = transmission(apprenti={"nom": "Sans"})
    del unnumbered["numeroInterne"]  # numbered by the OPCO
    accepted(send(opco_sandbox, unnumbered))
    refused = [
        transmission("CFA-1", apprenti={"nom": "Petit"}),  # a duplicate
        transmission("CFA-1", apprenti={"nom": "Autre"}),  # a number already used
        transmission("CFA-2", apprenti={"nir": "1"}),  # a blocking control fails
    ]
    assert [send(opco_sandbox, body).status_code for body in refused] == [400, 400, 400]
    accepted(send_as_other_cfa(opco_sandbox, transmission("AUTRE-1")))

    body = page(opco_sandbox, taillePage=500).json()
    assert body["total"] == body["count"] == len(numeros(page(opco_sandbox))) == 3
    assert page(opco_sandbox, cfa=OTHER_CFA_SIRET).json()["total"] == 1


@pytest.mark.opco_scenario(scenario_with_dossiers(55))
def test_page_holds_50_dossiers_by_default(opco_sandbox: OpcoSandbox) -> None:
    first, second = page(opco_sandbox).json(), page(opco_sandbox, numeroPage=2).json()
    assert (first["total"], first["count"], first["page"]) == (56, 50, 1)
    assert (second["total"], second["count"], second["page"]) == (56, 6, 2)
    assert second["EtatDossierResult"][-1]["numeroInterne"] == "P-055"


@pytest.mark.opco_scenario(scenario_with_dossiers(55))
def test_page_may_hold_up_to_500(opco_sandbox: OpcoSandbox) -> None:
    body = page(opco_sandbox, taillePage=500).json()
    assert (body["total"], body["count"]) == (56, 56)


@pytest.mark.opco_scenario(scenario_with_dossiers(4))
def test_pages_follow_each_other_by_numero_interne(opco_sandbox: OpcoSandbox) -> None:
    pages = [numeros(page(opco_sandbox, numeroPage=n, taillePage=2)) for n in (1, 2, 3, 4)]
    assert pages == [["DEMO-0001", "P-001"], ["P-002", "P-003"], ["P-004"], []]


@pytest.mark.parametrize(
    ("param", "value"),
    [("numeroPage", 0), ("numeroPage", -1), ("taillePage", 0), ("taillePage", 501)],
)
def test_page_out_of_bounds_is_400(opco_sandbox: OpcoSandbox, param: str, value: int) -> None:
    response = opco_sandbox.client("akto").get("/v2/dossiers/etats", params={param: value})
    assert problems(response, 400) == [("FORMAT_INVALIDE", param)]


# Reading one dossier by any of its numbers, several at once (§4)

DEMO_NUMERO_EXTERNE = "AKTO-2026-000001"
DOSSIER_KEYS = {"cerfa", "engagement", "echeances", "engagementsFraisAnnexe", "detailsFacturation"}


def lookup(opco_sandbox: OpcoSandbox, cfa: str | None = None, **params: str) -> httpx.Response:
    return opco_sandbox.client("akto", cfa=cfa).get("/v1/dossiers", params=params)


def listed(opco_sandbox: OpcoSandbox, params: Any, cfa: str | None = None) -> httpx.Response:
    return opco_sandbox.client("akto", cfa=cfa).get("/v1/dossiers/liste", params=params)


def internes(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["cerfa"]["numeroInterne"] for item in response.json()]


def test_dossier_is_read_by_its_numero_externe_or_its_numero_deca(
    opco_sandbox: OpcoSandbox,
) -> None:
    by_interne = lookup(opco_sandbox, numeroInterne="DEMO-0001").json()
    deca = by_interne["cerfa"]["numeroDeca"]
    assert deca
    assert lookup(opco_sandbox, numeroExterne=DEMO_NUMERO_EXTERNE).json() == by_interne
    assert lookup(opco_sandbox, numeroDeca=deca).json() == by_interne


@pytest.mark.parametrize(
    ("params", "champ"),
    [
        ({}, "numeroInterne"),
        ({"numeroInterne": ""}, "numeroInterne"),
        ({"numeroInterne": "DEMO-0001", "numeroExterne": DEMO_NUMERO_EXTERNE}, "numeroExterne"),
        ({"numeroExterne": DEMO_NUMERO_EXTERNE, "numeroDeca": "075202609000001"}, "numeroDeca"),
    ],
    ids=["none", "empty", "interne-and-externe", "externe-and-deca"],
)
def test_reading_takes_exactly_one_number(
    opco_sandbox: OpcoSandbox, params: dict[str, str], champ: str
) -> None:
    assert problems(lookup(opco_sandbox, **params), 400) == [("CHAMP_OBLIGATOIRE", champ)]


@pytest.mark.parametrize("numero", ["numeroExterne", "numeroDeca"])
def test_unknown_numero_externe_or_deca_is_404(opco_sandbox: OpcoSandbox, numero: str) -> None:
    response = lookup(opco_sandbox, **{numero: "AKTO-2099-999999"})
    assert problems(response, 404) == [("DOSSIER_INCONNU", numero)]


def test_other_cfas_dossier_by_numero_externe_is_answered_as_a_missing_one(
    opco_sandbox: OpcoSandbox,
) -> None:
    theirs = lookup(opco_sandbox, cfa=OTHER_CFA_SIRET, numeroExterne=DEMO_NUMERO_EXTERNE)
    client = opco_sandbox.client("atlas")
    missing = client.get("/v1/dossiers", params={"numeroExterne": DEMO_NUMERO_EXTERNE})
    assert codes(theirs, 404) == ["DOSSIER_INCONNU"]
    assert theirs.json() == missing.json()


def test_an_employer_deposit_not_paired_is_not_the_cfas_to_read(opco_sandbox: OpcoSandbox) -> None:
    response = lookup(opco_sandbox, numeroExterne="AKTO-2026-000002")
    assert codes(response, 404) == ["DOSSIER_INCONNU"]


def test_liste_answers_the_dossiers_found_in_the_order_asked(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission("CFA-1")))
    accepted(send(opco_sandbox, transmission("CFA-2", apprenti={"nom": "Petit"})))
    response = listed(opco_sandbox, {"numerosInternes": "CFA-2,INCONNU, DEMO-0001,CFA-2"})
    assert internes(response) == ["CFA-2", "DEMO-0001"]
    assert all(set(item) == DOSSIER_KEYS for item in response.json())
    assert response.json()[1] == lookup(opco_sandbox, numeroInterne="DEMO-0001").json()


def test_liste_parameter_may_repeat(opco_sandbox: OpcoSandbox) -> None:
    accepted(send(opco_sandbox, transmission("CFA-1")))
    params = [("numerosInternes", "DEMO-0001"), ("numerosInternes", "CFA-1")]
    assert internes(listed(opco_sandbox, params)) == ["DEMO-0001", "CFA-1"]


def test_liste_leaves_out_another_cfas_dossiers(opco_sandbox: OpcoSandbox) -> None:
    accepted(send_as_other_cfa(opco_sandbox, transmission("AUTRE-1")))
    params = {"numerosInternes": "DEMO-0001,AUTRE-1"}
    assert internes(listed(opco_sandbox, params, cfa=OTHER_CFA_SIRET)) == ["AUTRE-1"]
    assert internes(listed(opco_sandbox, params)) == ["DEMO-0001"]


def test_liste_takes_up_to_100_numbers(opco_sandbox: OpcoSandbox) -> None:
    hundred = ",".join(["DEMO-0001"] + [f"X-{i}" for i in range(99)])
    assert internes(listed(opco_sandbox, {"numerosInternes": hundred})) == ["DEMO-0001"]
    response = listed(opco_sandbox, {"numerosInternes": hundred + ",X-100"})
    assert problems(response, 400) == [("TROP_DE_DOSSIERS", "numerosInternes")]


def test_liste_needs_a_number(opco_sandbox: OpcoSandbox) -> None:
    assert problems(listed(opco_sandbox, {}), 400) == [("CHAMP_OBLIGATOIRE", "numerosInternes")]


# The dossier's money, in production's names (§6)

ECHEANCE_KEYS = {
    "numero",
    "codification",
    "dateOuverture",
    "dateDebut",
    "dateFin",
    "montantTotal",
    "dontMontantPedagogie",
    "dontMajorationRqth",
    "montantRegle",
    "montantEnCoursInstruction",
    "siretCfa",
    "iban",
}


def demo_with_frais(*frais: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(resolve("demo").document)
    document["dossiers"][0]["engagementsFraisAnnexe"] = list(frais)
    return document


def test_echeances_have_production_names(opco_sandbox: OpcoSandbox) -> None:
    echeances = read(opco_sandbox, "DEMO-0001").json()["echeances"]
    assert [e["codification"] for e in echeances] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    for e in echeances:
        assert set(e) == ECHEANCE_KEYS
        assert e["montantTotal"] == e["dontMontantPedagogie"] + e["dontMajorationRqth"]
        assert (e["siretCfa"], e["iban"]) == (CFA_SIRET, CFA_IBAN)


@pytest.mark.opco_scenario(
    demo_with_frais(
        {"natureFrais": "RESTAURATION", "quantite": 100, "prixUnitaire": 3, "montantTotal": 300},
        {
            "natureFrais": "Premierequipement",
            "quantite": 1,
            "prixUnitaire": 800,
            "montantTotal": 800,
        },
        {"natureFrais": "mobilite", "quantite": 1, "prixUnitaire": 250, "montantTotal": 250},
    )
)
def test_details_facturation_name_caps_and_periods(opco_sandbox: OpcoSandbox) -> None:
    body = read(opco_sandbox, "DEMO-0001").json()
    assert [f["natureFrais"] for f in body["engagementsFraisAnnexe"]] == [
        "RESTAURATION",
        "PREMIEREQUIPEMENT",
        "MOBILITE",
    ]
    assert body["engagementsFraisAnnexe"][1] == {
        "natureFrais": "PREMIEREQUIPEMENT",
        "quantite": 1,
        "prixUnitaire": 800,
        "montantTotal": 800,
    }
    details = body["detailsFacturation"]
    assert {k: v for k, v in details.items() if k != "periodesFraisAnnexes"} == {
        "plafondFraisPremierEquipement": 500,
        "fraisPremierEquipementRegles": 0,
        "plafondFraisMobilite": 250,
        "fraisMobiliteRegles": 0,
        "iban": CFA_IBAN,
    }
    periods = [(p["numeroEcheance"], p["nature"]) for p in details["periodesFraisAnnexes"]]
    assert periods == [
        (1, "RESTAURATION"),
        (1, "PREMIEREQUIPEMENT"),
        (1, "MOBILITE"),
        *((n, nature) for n in range(2, 7) for nature in ("RESTAURATION", "MOBILITE")),
    ]
    assert {p["iban"] for p in details["periodesFraisAnnexes"]} == {CFA_IBAN}


@pytest.mark.opco_scenario(
    demo_with_frais(
        {
            "natureFrais": "PREMIEREQUIPEMENT",
            "quantite": 1,
            "prixUnitaire": 300,
            "montantTotal": 300,
        }
    )
)
def test_first_equipment_cap_is_what_is_engaged_under_500(opco_sandbox: OpcoSandbox) -> None:
    details = read(opco_sandbox, "DEMO-0001").json()["detailsFacturation"]
    assert (details["plafondFraisPremierEquipement"], details["plafondFraisMobilite"]) == (
        300,
        None,
    )
    assert [p["nature"] for p in details["periodesFraisAnnexes"]] == ["PREMIEREQUIPEMENT"]


def test_forced_transition_answers_the_dossier_as_read(opco_sandbox: OpcoSandbox) -> None:
    numero = accepted(send(opco_sandbox, transmission("CFA-1")))
    force(opco_sandbox, numero, "EN_COURS_INSTRUCTION")
    forced = opco_sandbox.control.post(f"/akto/dossiers/{numero}/etat", json={"etat": "ENGAGE"})
    assert forced.status_code == 200
    assert forced.json() == read(opco_sandbox, "CFA-1").json()
    assert set(forced.json()["echeances"][0]) == ECHEANCE_KEYS


def test_pairing_answers_the_dossier_as_read(opco_sandbox: OpcoSandbox) -> None:
    demande = {
        "numeroInterne": "CFA-9",
        "nom": "Bernard",
        "prenom": "Hugo",
        "dateNaissance": "2008-11-03",
        "siretEmployeur": "52345678800018",
        "dateDebutContrat": "2026-09-15",
    }
    paired = opco_sandbox.client("akto").post("/v1/dossiers/appairage", json=demande)
    assert paired.status_code == 200, paired.text
    assert set(paired.json()) == DOSSIER_KEYS
    assert paired.json() == read(opco_sandbox, "CFA-9").json()


def test_a_transmission_checked_before_a_reload_is_checked_again_after_it(
    opco_sandbox: OpcoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A write's checks run before its write transaction opens: an espace loaded anew in
    # between (here, with akto no longer hooked up) plays the request again, checked against
    # what the espace then holds.
    unhooked = copy.deepcopy(resolve("demo").document)
    unhooked.setdefault("opcos", {})["akto"] = {"accroche": False}
    reloaded: list[object] = []
    write = pipeline._Pending.write

    def reloaded_in_between(pending: pipeline._Pending) -> None:
        if not reloaded:
            reloaded.append(opco_sandbox.load(unhooked))
        write(pending)

    monkeypatch.setattr(pipeline._Pending, "write", reloaded_in_between)
    response = send(opco_sandbox, transmission("APRES-1", apprenti={"nom": "Petit"}))

    assert reloaded
    assert codes(response, 503) == ["OPCO_NON_ACCROCHE"]
