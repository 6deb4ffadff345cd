"""A dossier's life through the API: the clock's transitions, instruction's decisions,
forced transitions, ruptures, settlement, scenario dossiers and determinism (§6, §10, §13)."""

import copy
import uuid
from datetime import date
from decimal import Decimal
from itertools import product
from typing import Any

import httpx
import pytest

from sandbox.dossiers.deca import DECA_PATTERN
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from tests.builders import (
    ALLOWED,
    CFA_IBAN,
    CFA_SIRET,
    EMPLOYER_SIRET,
    ETATS,
    cerfa,
    transmission,
)

# Forced steps from TRANSMIS to each state.
PATHS: dict[str, tuple[str, ...]] = {
    "TRANSMIS": (),
    "EN_COURS_INSTRUCTION": ("EN_COURS_INSTRUCTION",),
    "ENGAGE": ("EN_COURS_INSTRUCTION", "ENGAGE"),
    "REFUSE": ("EN_COURS_INSTRUCTION", "REFUSE"),
    "ANNULE": ("ANNULE",),
    "RUPTURE": ("EN_COURS_INSTRUCTION", "ENGAGE", "RUPTURE"),
    "SOLDE": ("EN_COURS_INSTRUCTION", "ENGAGE", "SOLDE"),
}
# The builder's contract: 2026-09-01 → 2028-08-31, BTS at €8,200 a year, 40/30/30.
OPENINGS = ["2026-09-01", "2027-03-01", "2027-06-01", "2027-09-01", "2028-03-01", "2028-06-01"]
PEDAGOGIQUES = [3280.0, 2460.0, 2460.0, 3280.0, 2460.0, 2460.0]
THIRTY = {"dateNaissance": "1996-09-01"}  # 30 on the contract's first day
FULL_PAY = {"salaireEmbauche": 2000}  # above 100 % of the SMIC


# Builders


def demo(**changes: Any) -> dict[str, Any]:
    """The demo scenario with top-level keys replaced (and `akto` for its OPCO profile)."""
    document = copy.deepcopy(resolve("demo").document)
    if "akto" in changes:
        document["opcos"]["akto"] = changes.pop("akto")
    return document | changes


def apprenti(nom: str, **fields: Any) -> dict[str, Any]:
    return {"nom": nom, **fields}


def transmit(
    sandbox: OpcoSandbox, numero: str = "CFA-0001", opco: str = "akto", **blocks: Any
) -> str:
    """Transmit the builder's contract (changed by `blocks`); its numeroExterne."""
    response = sandbox.client(opco).post("/v1/dossiers", json=transmission(numero, **blocks))
    assert response.status_code == 200, response.text
    numero_externe: str = response.json()["numeroExterne"]
    return numero_externe


def read(sandbox: OpcoSandbox, numero: str = "CFA-0001", opco: str = "akto") -> dict[str, Any]:
    response = sandbox.client(opco).get("/v1/dossiers", params={"numeroInterne": numero})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def etat(sandbox: OpcoSandbox, numero: str = "CFA-0001") -> tuple[str, str]:
    """(etat, dateMiseAJour) of a dossier of the first CFA at akto."""
    answered = read(sandbox, numero)["cerfa"]
    return answered["etat"], answered["dateMiseAJour"]


def force(
    sandbox: OpcoSandbox, numero_externe: str, etat: str, commentaire: str | None = None
) -> httpx.Response:
    body = {"etat": etat} | ({"commentaire": commentaire} if commentaire else {})
    return sandbox.control.post(f"/akto/dossiers/{numero_externe}/etat", json=body)


def force_path(sandbox: OpcoSandbox, numero_externe: str, etat: str) -> None:
    for step in PATHS[etat]:
        response = force(sandbox, numero_externe, step)
        assert response.status_code == 200, response.text


def set_clock(sandbox: OpcoSandbox, day: str) -> None:
    sandbox.control.post("/horloge", json={"date": day}).raise_for_status()


def amounts(dossier: dict[str, Any], field: str) -> list[Any]:
    """One field of each échéance, in order."""
    return [e[field] for e in dossier["echeances"]]


# The clock's transitions


def test_a_dossier_is_instructed_after_the_delay_then_engaged(opco_sandbox: OpcoSandbox) -> None:
    transmit(opco_sandbox)
    assert etat(opco_sandbox) == ("TRANSMIS", "2026-09-01")

    opco_sandbox.advance(1)
    assert etat(opco_sandbox) == ("EN_COURS_INSTRUCTION", "2026-09-02")
    opco_sandbox.advance(1)
    assert etat(opco_sandbox) == ("EN_COURS_INSTRUCTION", "2026-09-02")
    opco_sandbox.advance(1)
    assert etat(opco_sandbox) == ("ENGAGE", "2026-09-04")


def test_an_engaged_dossier_has_its_deca_engagement_and_echeancier(
    opco_sandbox: OpcoSandbox,
) -> None:
    transmit(opco_sandbox)
    opco_sandbox.advance(3)

    dossier = read(opco_sandbox)

    assert DECA_PATTERN.fullmatch(dossier["cerfa"]["numeroDeca"])
    assert dossier["cerfa"]["numeroDeca"][3:9] == "202609"
    assert dossier["engagement"] == 16400.0 == sum(amounts(dossier, "montantTotal"))
    assert amounts(dossier, "dateOuverture") == OPENINGS
    assert amounts(dossier, "dontMontantPedagogie") == PEDAGOGIQUES
    assert amounts(dossier, "dontMajorationRqth") == [0.0] * 6
    assert {(e["siretCfa"], e["iban"]) for e in dossier["echeances"]} == {(CFA_SIRET, CFA_IBAN)}
    assert [e["numero"] for e in dossier["echeances"]] == [1, 2, 3, 4, 5, 6]
    assert amounts(dossier, "montantRegle") == [0.0] * 6


@pytest.mark.parametrize(
    ("adresse", "departement"),
    [
        ({"adresse1": "1 quai du Port", "codePostal": "13002", "commune": "Marseille"}, "013"),
        ({"codePostal": "20090"}, "02A"),
        ({"codePostal": "97400"}, "974"),
        ({"codePostal": 69001}, "069"),
        ({"codePostal": "inconnu"}, "075"),
        ("3 rue du Four, 13002 Marseille", "075"),
        (None, "075"),
    ],
)
def test_the_deca_number_starts_with_the_employer_departement(
    opco_sandbox: OpcoSandbox, adresse: Any, departement: str
) -> None:
    transmit(opco_sandbox, employeur={"adresse": adresse})
    opco_sandbox.advance(3)

    assert read(opco_sandbox)["cerfa"]["numeroDeca"][:3] == departement


def test_before_engagement_a_dossier_has_no_deca_nor_echeances(opco_sandbox: OpcoSandbox) -> None:
    transmit(opco_sandbox)
    opco_sandbox.advance(2)

    dossier = read(opco_sandbox)

    assert (dossier["cerfa"]["numeroDeca"], dossier["engagement"]) == (None, None)
    assert dossier["echeances"] == []


def test_the_scenario_opco_profile_sets_the_delays(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(demo(akto={"delaiPriseEnCharge": 3, "delaiInstruction": 5}))
    transmit(opco_sandbox)

    opco_sandbox.advance(2)
    assert etat(opco_sandbox) == ("TRANSMIS", "2026-09-01")
    opco_sandbox.advance(1)
    assert etat(opco_sandbox) == ("EN_COURS_INSTRUCTION", "2026-09-04")
    opco_sandbox.advance(4)
    assert etat(opco_sandbox)[0] == "EN_COURS_INSTRUCTION"
    opco_sandbox.advance(1)
    assert etat(opco_sandbox) == ("ENGAGE", "2026-09-09")


def test_an_opco_the_scenario_does_not_list_uses_the_default_delays(
    opco_sandbox: OpcoSandbox,
) -> None:
    transmit(opco_sandbox, opco="opcoep")

    opco_sandbox.advance(1)
    assert read(opco_sandbox, opco="opcoep")["cerfa"]["etat"] == "EN_COURS_INSTRUCTION"
    opco_sandbox.advance(1)
    assert read(opco_sandbox, opco="opcoep")["cerfa"]["etat"] == "EN_COURS_INSTRUCTION"
    opco_sandbox.advance(1)
    assert read(opco_sandbox, opco="opcoep")["cerfa"]["etat"] == "ENGAGE"


def test_zero_delays_engage_on_transmission(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(demo(akto={"delaiPriseEnCharge": 0, "delaiInstruction": 0}))

    transmit(opco_sandbox)

    dossier = read(opco_sandbox)
    assert (dossier["cerfa"]["etat"], dossier["cerfa"]["dateMiseAJour"]) == ("ENGAGE", "2026-09-01")
    assert dossier["engagement"] == 16400.0


@pytest.mark.parametrize(
    ("delais", "after_0", "after_1"),
    [
        ((0, 2), "EN_COURS_INSTRUCTION", "EN_COURS_INSTRUCTION"),
        ((1, 0), "TRANSMIS", "ENGAGE"),
    ],
)
def test_one_zero_delay_plays_that_step_at_once(
    opco_sandbox: OpcoSandbox, delais: tuple[int, int], after_0: str, after_1: str
) -> None:
    prise_en_charge, instruction = delais
    opco_sandbox.load(
        demo(akto={"delaiPriseEnCharge": prise_en_charge, "delaiInstruction": instruction})
    )
    transmit(opco_sandbox)
    assert etat(opco_sandbox)[0] == after_0
    opco_sandbox.advance(1)
    assert etat(opco_sandbox)[0] == after_1


def test_a_long_jump_plays_every_transition_on_its_own_day(opco_sandbox: OpcoSandbox) -> None:
    transmit(opco_sandbox, "OK")
    opco_sandbox.advance(1)
    transmit(opco_sandbox, "JEUNE", apprenti=apprenti("Petit", dateNaissance="2011-09-02"))

    assert opco_sandbox.advance(400) == date(2027, 10, 7)

    assert etat(opco_sandbox, "OK") == ("ENGAGE", "2026-09-04")
    assert etat(opco_sandbox, "JEUNE") == ("REFUSE", "2026-09-05")
    assert read(opco_sandbox, "OK")["cerfa"]["numeroDeca"][3:9] == "202609"


# Instruction's decisions


@pytest.mark.parametrize(
    ("blocks", "codes"),
    [
        ({"apprenti": {"dateNaissance": "2011-09-02"}}, "AGE_APPRENTI"),
        ({"apprenti": THIRTY, "contrat": FULL_PAY}, "AGE_APPRENTI"),
        ({"apprenti": {**THIRTY, "handicap": False}, "contrat": FULL_PAY}, "AGE_APPRENTI"),
        ({"apprenti": THIRTY, "contrat": {**FULL_PAY, "typeDerogation": 11}}, "AGE_APPRENTI"),
        ({"apprenti": {"dateNaissance": "2011-09-02", "handicap": True}}, "AGE_APPRENTI"),
        ({"maitre1": {"dateNaissance": "2008-09-02"}}, "AGE_MAITRE"),
        ({"formation": {"rncp": "RNCP12345"}}, "CERTIFICATION_INELIGIBLE"),
        ({"formation": {"rncp": "12345"}}, "CERTIFICATION_INELIGIBLE"),
        ({"contrat": {"salaireEmbauche": 492.21}}, "REMUNERATION_INSUFFISANTE"),
        (
            {
                "apprenti": {"dateNaissance": "2011-09-02"},
                "maitre1": {"dateNaissance": "2009-01-01"},
                "formation": {"rncp": "RNCP12345"},
                "contrat": {"salaireEmbauche": 100},
            },
            "AGE_APPRENTI AGE_MAITRE CERTIFICATION_INELIGIBLE REMUNERATION_INSUFFISANTE",
        ),
    ],
)
def test_instruction_refuses_naming_every_reason(
    opco_sandbox: OpcoSandbox, blocks: dict[str, Any], codes: str
) -> None:
    transmit(opco_sandbox, **blocks)
    opco_sandbox.advance(3)

    dossier = read(opco_sandbox)

    assert dossier["cerfa"]["etat"] == "REFUSE"
    assert dossier["cerfa"]["commentaireEtat"] == codes
    assert dossier["cerfa"]["dateMiseAJour"] == "2026-09-04"
    assert (dossier["cerfa"]["numeroDeca"], dossier["engagement"], dossier["echeances"]) == (
        None,
        None,
        [],
    )


def test_a_certification_not_open_to_apprenticeship_is_refused(opco_sandbox: OpcoSandbox) -> None:
    certifications = resolve("demo").document["certifications"] + [
        {
            "rncp": "RNCP40000",
            "intitule": "Titre fermé",
            "npec": 5000,
            "eligibleApprentissage": False,
        }
    ]
    opco_sandbox.load(demo(certifications=certifications))
    transmit(opco_sandbox, formation={"rncp": "RNCP40000"})
    opco_sandbox.advance(3)

    assert read(opco_sandbox)["cerfa"]["commentaireEtat"] == "CERTIFICATION_INELIGIBLE"


@pytest.mark.parametrize(
    "blocks",
    [
        pytest.param({"apprenti": {"dateNaissance": "2011-09-01"}}, id="15 ans"),
        pytest.param({"apprenti": {"dateNaissance": "1996-09-02"}, "contrat": FULL_PAY}, id="29"),
        pytest.param({"maitre1": {"dateNaissance": "2008-09-01"}}, id="maitre 18 ans"),
        pytest.param({"contrat": {"salaireEmbauche": 492.22}}, id="salaire minimum"),
        pytest.param({"formation": {"rncp": "RNCP99999"}}, id="hors referentiel"),
        pytest.param({"apprenti": {**THIRTY, "handicap": True}, "contrat": FULL_PAY}, id="rqth"),
        pytest.param(
            {"apprenti": {**THIRTY, "inscriptionSportifDeHautNiveau": True}, "contrat": FULL_PAY},
            id="sportif",
        ),
        pytest.param(
            {"apprenti": {**THIRTY, "projetCreationRepriseEntreprise": True}, "contrat": FULL_PAY},
            id="creation",
        ),
        pytest.param(
            {"apprenti": THIRTY, "contrat": {**FULL_PAY, "typeDerogation": 12}}, id="derogation 12"
        ),
        pytest.param(
            {"apprenti": THIRTY, "contrat": {**FULL_PAY, "typeDerogation": 50}}, id="derogation 50"
        ),
    ],
)
def test_instruction_engages_what_the_rules_allow(
    opco_sandbox: OpcoSandbox, blocks: dict[str, Any]
) -> None:
    transmit(opco_sandbox, **blocks)
    opco_sandbox.advance(3)

    dossier = read(opco_sandbox)

    assert (dossier["cerfa"]["etat"], dossier["cerfa"]["commentaireEtat"]) == ("ENGAGE", None)


def test_an_uncatalogued_certification_is_funded_at_the_default_npec(
    opco_sandbox: OpcoSandbox,
) -> None:
    transmit(opco_sandbox, formation={"rncp": "RNCP99999"})
    opco_sandbox.advance(3)

    assert read(opco_sandbox)["engagement"] == 12000.0


def test_rqth_adds_its_yearly_supplement_to_the_echeances(opco_sandbox: OpcoSandbox) -> None:
    transmit(opco_sandbox, apprenti={"handicap": True})
    opco_sandbox.advance(3)

    dossier = read(opco_sandbox)

    assert amounts(dossier, "dontMajorationRqth") == [
        1600.0,
        1200.0,
        1200.0,
        1600.0,
        1200.0,
        1200.0,
    ]
    assert amounts(dossier, "dontMontantPedagogie") == PEDAGOGIQUES
    assert amounts(dossier, "montantTotal") == [
        p + r for p, r in zip(PEDAGOGIQUES, amounts(dossier, "dontMajorationRqth"), strict=True)
    ]
    assert dossier["engagement"] == 24400.0


def test_rqth_is_pro_rated_on_a_short_contract(opco_sandbox: OpcoSandbox) -> None:
    short = {"dateDebutContrat": "2026-09-01", "dateFinContrat": "2027-02-28"}
    transmit(opco_sandbox, apprenti={"handicap": True}, contrat=short)
    opco_sandbox.advance(3)

    dossier = read(opco_sandbox)

    # 181 days of 365: €1,983.56 of RQTH, all in the one échéance that opens.
    assert amounts(dossier, "dontMajorationRqth") == [1983.56]
    assert dossier["engagement"] == 6049.86  # with €4,066.30 of the NPEC


def test_the_scenario_sets_the_rqth_supplement(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(demo(rqthAnnuel=2000))
    transmit(opco_sandbox, apprenti={"handicap": True})
    opco_sandbox.advance(3)

    assert sum(amounts(read(opco_sandbox), "dontMajorationRqth")) == 4000.0


# Forced transitions


@pytest.mark.parametrize(("source", "target"), list(product(ETATS, ETATS)))
def test_forced_transitions_follow_the_table(
    opco_sandbox: OpcoSandbox, source: str, target: str
) -> None:
    numero_externe = transmit(opco_sandbox)
    force_path(opco_sandbox, numero_externe, source)

    response = force(opco_sandbox, numero_externe, target, "forcé")

    if (source, target) in ALLOWED:
        assert response.status_code == 200, response.text
        assert response.json()["cerfa"]["etat"] == target
        assert etat(opco_sandbox) == (target, "2026-09-01")
        assert read(opco_sandbox)["cerfa"]["commentaireEtat"] == "forcé"
    else:
        assert response.status_code == 409
        assert [e["code"] for e in response.json()["errors"]] == ["TRANSITION_INVALIDE"]
        assert etat(opco_sandbox)[0] == source


def test_forcing_an_unknown_dossier_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = force(opco_sandbox, "AKTO-2026-999999", "ANNULE")

    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "DOSSIER_INCONNU"


def test_a_forced_engagement_engages_as_instruction_does(opco_sandbox: OpcoSandbox) -> None:
    transmit(opco_sandbox, "AUTO")
    forced = transmit(opco_sandbox, "FORCE", apprenti=apprenti("Girard"))
    force_path(opco_sandbox, forced, "ENGAGE")
    opco_sandbox.advance(3)

    auto, by_force = read(opco_sandbox, "AUTO"), read(opco_sandbox, "FORCE")

    assert by_force["cerfa"]["dateMiseAJour"] == "2026-09-01"
    assert DECA_PATTERN.fullmatch(by_force["cerfa"]["numeroDeca"])
    assert by_force["cerfa"]["numeroDeca"] != auto["cerfa"]["numeroDeca"]
    assert by_force["echeances"] == auto["echeances"]
    assert by_force["engagement"] == auto["engagement"] == 16400.0


def test_a_forced_engagement_overrides_the_rules(opco_sandbox: OpcoSandbox) -> None:
    numero_externe = transmit(opco_sandbox, maitre1={"dateNaissance": "2010-01-01"})

    force_path(opco_sandbox, numero_externe, "ENGAGE")

    assert read(opco_sandbox)["engagement"] == 16400.0


def test_a_forced_instruction_is_decided_after_the_instruction_delay(
    opco_sandbox: OpcoSandbox,
) -> None:
    force(opco_sandbox, transmit(opco_sandbox), "EN_COURS_INSTRUCTION").raise_for_status()

    opco_sandbox.advance(1)
    assert etat(opco_sandbox) == ("EN_COURS_INSTRUCTION", "2026-09-01")
    opco_sandbox.advance(1)
    assert etat(opco_sandbox) == ("ENGAGE", "2026-09-03")


def test_a_forced_instruction_with_no_delay_is_decided_at_once(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(demo(akto={"delaiPriseEnCharge": 5, "delaiInstruction": 0}))

    response = force(opco_sandbox, transmit(opco_sandbox), "EN_COURS_INSTRUCTION")

    assert response.json()["cerfa"]["etat"] == "ENGAGE"


@pytest.mark.parametrize("etat_final", ["ANNULE", "REFUSE"])
def test_a_dossier_taken_out_of_instruction_stays_out(
    opco_sandbox: OpcoSandbox, etat_final: str
) -> None:
    numero_externe = transmit(opco_sandbox)
    force_path(opco_sandbox, numero_externe, etat_final)

    opco_sandbox.advance(30)

    assert etat(opco_sandbox) == (etat_final, "2026-09-01")


def test_rupture_drops_the_echeances_opening_after_the_clock(opco_sandbox: OpcoSandbox) -> None:
    numero_externe = transmit(opco_sandbox)
    set_clock(opco_sandbox, "2027-04-15")

    response = force(opco_sandbox, numero_externe, "RUPTURE", "rupture à l'essai")

    dossier = read(opco_sandbox)
    assert response.json() == dossier
    assert (dossier["cerfa"]["etat"], dossier["cerfa"]["dateMiseAJour"]) == (
        "RUPTURE",
        "2027-04-15",
    )
    assert amounts(dossier, "dateOuverture") == OPENINGS[:2]
    assert dossier["echeances"][-1]["dateFin"] == "2027-04-15"
    assert dossier["engagement"] == 3280.0 + 2460.0 == sum(amounts(dossier, "montantTotal"))


def test_rupture_on_an_opening_day_keeps_that_echeance(opco_sandbox: OpcoSandbox) -> None:
    numero_externe = transmit(opco_sandbox)
    set_clock(opco_sandbox, "2027-06-01")

    force(opco_sandbox, numero_externe, "RUPTURE").raise_for_status()

    assert amounts(read(opco_sandbox), "dateOuverture") == OPENINGS[:3]


def test_rupture_after_the_contract_keeps_every_echeance(opco_sandbox: OpcoSandbox) -> None:
    numero_externe = transmit(opco_sandbox)
    set_clock(opco_sandbox, "2028-10-01")

    force(opco_sandbox, numero_externe, "RUPTURE").raise_for_status()

    dossier = read(opco_sandbox)
    assert amounts(dossier, "dateOuverture") == OPENINGS
    assert dossier["echeances"][-1]["dateFin"] == "2028-08-31"
    assert dossier["engagement"] == 16400.0


def test_a_settled_dossier_owes_nothing_and_is_final(opco_sandbox: OpcoSandbox) -> None:
    numero_externe = transmit(opco_sandbox)
    force_path(opco_sandbox, numero_externe, "SOLDE")

    dossier = read(opco_sandbox)

    assert amounts(dossier, "montantRegle") == amounts(dossier, "montantTotal")
    for etat_cible in ETATS:
        assert force(opco_sandbox, numero_externe, etat_cible).status_code == 409


@pytest.mark.parametrize("etat_libere", ["ANNULE", "REFUSE"])
def test_refused_and_cancelled_dossiers_free_the_contract(
    opco_sandbox: OpcoSandbox, etat_libere: str
) -> None:
    force_path(opco_sandbox, transmit(opco_sandbox, "PREMIER"), etat_libere)

    response = opco_sandbox.client("akto").post("/v1/dossiers", json=transmission("SECOND"))

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "etat_vivant", ["TRANSMIS", "EN_COURS_INSTRUCTION", "ENGAGE", "RUPTURE", "SOLDE"]
)
def test_other_states_keep_blocking_the_contract(
    opco_sandbox: OpcoSandbox, etat_vivant: str
) -> None:
    force_path(opco_sandbox, transmit(opco_sandbox, "PREMIER"), etat_vivant)

    response = opco_sandbox.client("akto").post("/v1/dossiers", json=transmission("SECOND"))

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "DOSSIER_DOUBLON"


def test_a_refusal_by_instruction_frees_the_contract(opco_sandbox: OpcoSandbox) -> None:
    young = {"dateNaissance": "2011-09-02"}
    transmit(opco_sandbox, "PREMIER", apprenti=young)
    opco_sandbox.advance(3)

    again = transmission("SECOND", apprenti=young)
    assert opco_sandbox.client("akto").post("/v1/dossiers", json=again).status_code == 200


# Determinism


def play(sandbox: OpcoSandbox) -> list[dict[str, Any]]:
    """The same calls, whatever the espace: two transmissions, one forced, a month."""
    transmit(sandbox, "UN", apprenti={"handicap": True})
    forced = transmit(sandbox, "DEUX", apprenti=apprenti("Roux"), formation={"rncp": "RNCP35185"})
    force_path(sandbox, forced, "ENGAGE")
    transmit(sandbox, "TROIS", opco="opcoep", apprenti=apprenti("Blanc"))
    sandbox.advance(30)
    numeros = [("DEMO-0001", "akto"), ("UN", "akto"), ("DEUX", "akto"), ("TROIS", "opcoep")]
    return [read(sandbox, numero, opco) for numero, opco in numeros]


def test_the_same_calls_give_the_same_numbers_in_every_espace(opco_sandbox: OpcoSandbox) -> None:
    other = OpcoSandbox(opco_sandbox.server, f"test-{uuid.uuid4().hex[:16]}")
    try:
        other.load("demo")
        first, second = play(opco_sandbox), play(other)
    finally:
        other.close()

    assert first == second
    decas = [d["cerfa"]["numeroDeca"] for d in first]
    assert all(DECA_PATTERN.fullmatch(n) for n in decas)
    assert len(set(decas)) == 4  # one registry: no number given twice, even by two OPCOs
    assert [d["cerfa"]["numeroExterne"] for d in first] == [
        "AKTO-2026-000001",
        "AKTO-2026-000003",
        "AKTO-2026-000004",
        "OPEP-2026-000001",
    ]


# Scenario dossiers


def scenario_dossier(
    numero: str, etat: str, nom: str, *, apprenti_fields: Any = None, **extra: Any
) -> dict[str, Any]:
    built = cerfa(apprenti={"nom": nom, **(apprenti_fields or {})})
    return {"opco": "akto", "numeroInterne": numero, "etat": etat, "cerfa": built, **extra}


STATE_DOSSIERS = [
    scenario_dossier("S-TRANSMIS", "TRANSMIS", "Alpha"),
    scenario_dossier("S-INSTRUCTION", "EN_COURS_INSTRUCTION", "Bravo"),
    scenario_dossier("S-ENGAGE", "ENGAGE", "Charlie", echeancesReglees=[1]),
    scenario_dossier("S-REFUSE", "REFUSE", "Delta", commentaireEtat="AGE_MAITRE"),
    scenario_dossier(
        "S-REFUSE-CALCULE", "REFUSE", "Echo", apprenti_fields={"dateNaissance": "2011-09-02"}
    ),
    scenario_dossier("S-REFUSE-SANS-MOTIF", "REFUSE", "Foxtrot"),
    scenario_dossier("S-ANNULE", "ANNULE", "Golf", commentaireEtat="contrat jamais commencé"),
    scenario_dossier("S-RUPTURE", "RUPTURE", "Hotel"),
    scenario_dossier("S-SOLDE", "SOLDE", "India"),
    scenario_dossier("S-REGLE", "ENGAGE", "Juliet", echeancesReglees=[1, 2, 3, 4, 5, 6]),
]


def test_scenario_dossiers_reach_their_declared_state(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(demo(dossiers=STATE_DOSSIERS))

    def state(numero: str) -> tuple[str, str | None]:
        answered = read(opco_sandbox, numero)["cerfa"]
        assert answered["dateMiseAJour"] == "2026-09-01"
        return answered["etat"], answered["commentaireEtat"]

    assert state("S-TRANSMIS") == ("TRANSMIS", None)
    assert state("S-INSTRUCTION") == ("EN_COURS_INSTRUCTION", None)
    assert state("S-ENGAGE") == ("ENGAGE", None)
    assert state("S-REFUSE") == ("REFUSE", "AGE_MAITRE")
    assert state("S-REFUSE-CALCULE") == ("REFUSE", "AGE_APPRENTI")
    assert state("S-REFUSE-SANS-MOTIF") == ("REFUSE", None)
    assert state("S-ANNULE") == ("ANNULE", "contrat jamais commencé")
    assert state("S-RUPTURE") == ("RUPTURE", None)
    assert state("S-SOLDE") == ("SOLDE", None)
    assert state("S-REGLE") == ("SOLDE", None)


def test_a_scenario_engaged_dossier_has_its_deca_and_echeancier(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(demo(dossiers=STATE_DOSSIERS))

    engaged = read(opco_sandbox, "S-ENGAGE")

    assert DECA_PATTERN.fullmatch(engaged["cerfa"]["numeroDeca"])
    assert engaged["engagement"] == 16400.0
    assert amounts(engaged, "dontMontantPedagogie") == PEDAGOGIQUES
    assert amounts(engaged, "montantRegle") == [3280.0, 0, 0, 0, 0, 0]
    assert amounts(read(opco_sandbox, "S-REGLE"), "montantRegle") == PEDAGOGIQUES
    assert amounts(read(opco_sandbox, "S-RUPTURE"), "dateOuverture") == OPENINGS[:1]
    assert read(opco_sandbox, "S-REFUSE")["echeances"] == []


def test_scenario_dossiers_go_on_with_the_clock(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(demo(dossiers=STATE_DOSSIERS))

    opco_sandbox.advance(2)

    assert etat(opco_sandbox, "S-TRANSMIS") == ("EN_COURS_INSTRUCTION", "2026-09-02")
    assert etat(opco_sandbox, "S-INSTRUCTION") == ("ENGAGE", "2026-09-03")
    assert etat(opco_sandbox, "S-ENGAGE") == ("ENGAGE", "2026-09-01")


def test_the_demo_engaged_dossier_is_engaged(opco_sandbox: OpcoSandbox) -> None:
    dossier = read(opco_sandbox, "DEMO-0001")

    assert dossier["cerfa"]["etat"] == "ENGAGE"
    assert dossier["cerfa"]["numeroDeca"] == "075202609000001"
    assert dossier["engagement"] == 14000.0 == sum(amounts(dossier, "montantTotal"))
    assert dossier["engagementsFraisAnnexe"][0]["natureFrais"] == "RESTAURATION"
    assert {e["siretCfa"] for e in dossier["echeances"]} == {CFA_SIRET}
    assert dossier["cerfa"]["employeur"]["siret"] == EMPLOYER_SIRET


def test_decimal_amounts_are_exact_to_the_cent(opco_sandbox: OpcoSandbox) -> None:
    transmit(opco_sandbox, contrat={"dateFinContrat": "2028-02-29"})
    opco_sandbox.advance(3)

    dossier = read(opco_sandbox)

    total = sum(Decimal(str(a)) for a in amounts(dossier, "montantTotal"))
    assert Decimal(str(dossier["engagement"])) == total
