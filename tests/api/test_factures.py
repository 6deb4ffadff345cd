"""Invoices: the rejection rules, rejected invoices kept, payment, and the OPCO's decisions
through the control API (§9, §10, §13).

The demo's clock is 2026-09-01; its dossier AKTO-2026-000001 is engaged: E1 €2,800 opens on
2026-09-01, E2 €2,100 on 2027-03-01; RESTAURATION frais are engaged for €300.
"""

import copy
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from tests.builders import (
    DEMO_DOSSIER,
    EMPLOYER_SIRET,
    NIRS,
    OTHER_CFA_IBAN,
    OTHER_CFA_SIRET,
    facture,
    frais,
    ligne,
    problems,
    replaced,
    transmission,
    without,
)

# Contract §9, word for word: a changed message must fail here.
MESSAGES = {
    "FACTURE_DEJA_CONNUE": "La facture est déjà connue de notre système",
    "IBAN_DIFFERENT": "L'IBAN de l'émetteur est différent de celui connu dans l'échéance",
    "FRAIS_ANNEXES_PLAFOND": "Le montant des frais annexes excède le plafond ou le montant engagé",
    "IBAN_ABSENT": "L'IBAN de l'émetteur (CFA) n'est pas renseigné",
    "MONTANT_ECHEANCE_INCORRECT": "Le montant de l'échéance ne correspond pas au montant attendu",
    "SIRET_EMETTEUR_INCONNU": "Le SIRET de l'émetteur est inconnu de l'OPCO",
    "SIRET_DIFFERENT": "Le SIRET associé à la facture est différent du SIRET de l'échéance",
    "NUMERO_EXTERNE_ABSENT": "Le numéro externe du dossier doit être renseigné",
    "ECHEANCE_NON_OUVERTE": "L'échéance n'est pas ouverte à la facturation",
    "MONTANT_INCORRECT": "Le montant ne correspond pas au montant attendu",
    "MONTANT_TOTAL_INCOHERENT": (
        "Le montant total de la facture doit correspondre à la somme des montants des lignes"
    ),
    "NUMERO_ECHEANCE_INCONNU": "Le numéro d'échéance est inconnu",
    "DOSSIER_INCONNU": "Le dossier est inconnu",
    "DOSSIER_NON_FACTURABLE": "Le dossier n'est pas facturable",
}
FACTURE_FIELDS = {
    "numeroFacture",
    "etat",
    "dateFacture",
    "montantTotal",
    "montantRegle",
    "dateReglement",
    "emetteur",
    "lignes",
    "motifsRejet",
    "certificatRealisation",
}
EMPLOYER_DEPOSIT = "AKTO-2026-000002"  # demo: TRANSMIS, CFA Demo's
UNKNOWN_DOSSIER = "AKTO-2026-999999"
AMOUNT = "lignes[0].montant"
NUMERO_ECHEANCE = "lignes[0].numeroEcheance"
NUMERO_EXTERNE = "lignes[0].numeroExterneDossier"
NATURE_FRAIS = "lignes[0].natureFrais"


# Builders and helpers


def demo(akto: dict[str, Any] | None = None, **dossier: Any) -> dict[str, Any]:
    """The demo scenario, its akto profile replaced, its engaged dossier's keys replaced."""
    document = copy.deepcopy(resolve("demo").document)
    if akto is not None:
        document["opcos"]["akto"] = akto
    document["dossiers"][0] |= dossier
    return document


def with_apprenti(**fields: Any) -> dict[str, Any]:
    """The demo, its engaged dossier's apprentice changed."""
    document = demo()
    document["dossiers"][0]["cerfa"]["apprenti"] |= fields
    return document


def send(
    sandbox: OpcoSandbox, body: dict[str, Any], cfa: str | None = None, opco: str = "akto"
) -> httpx.Response:
    return sandbox.client(opco, cfa=cfa).post("/v1/factures", json=body)


def accept(sandbox: OpcoSandbox, body: dict[str, Any]) -> None:
    response = send(sandbox, body)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "numeroFacture": body["numeroFacture"],
        "etat": "EN_COURS_INSTRUCTION",
    }


def rejection(response: httpx.Response) -> dict[str, str | None]:
    """`{code: champ}` of a 422 rejection, once each message is checked against §9 and each
    rule is found reported once."""
    found = problems(response, 422)
    for item in response.json()["errors"]:
        assert item["message"] == MESSAGES[item["code"]], item
    assert len({code for code, _ in found}) == len(found), found
    return dict(found)


def read(sandbox: OpcoSandbox, numero: str, cfa: str | None = None) -> httpx.Response:
    return sandbox.client("akto", cfa=cfa).get("/v1/factures", params={"numeroFacture": numero})


def invoice(sandbox: OpcoSandbox, numero: str) -> dict[str, Any]:
    response = read(sandbox, numero)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def page(sandbox: OpcoSandbox, cfa: str | None = None, **params: int) -> httpx.Response:
    return sandbox.client("akto", cfa=cfa).get("/v1/factures/etats", params=params)


def total(sandbox: OpcoSandbox) -> int:
    count: int = page(sandbox).json()["total"]
    return count


def dossier(sandbox: OpcoSandbox, numero_interne: str = "DEMO-0001") -> dict[str, Any]:
    response = sandbox.client("akto").get("/v1/dossiers", params={"numeroInterne": numero_interne})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def echeance(sandbox: OpcoSandbox, numero: int = 1) -> dict[str, Any]:
    """An échéance of the demo's engaged dossier."""
    found: dict[str, Any] = dossier(sandbox)["echeances"][numero - 1]
    return found


def in_instruction_and_paid(sandbox: OpcoSandbox, numero: int = 1) -> tuple[float, float]:
    found = echeance(sandbox, numero)
    return found["montantEnCoursInstruction"], found["montantRegle"]


def decide(
    sandbox: OpcoSandbox, numero: str, decision: str, motif: str | None = None
) -> httpx.Response:
    body = {"etat": decision} | ({"motif": motif} if motif else {})
    return sandbox.control.post(f"/akto/factures/{numero}/etat", json=body)


def set_clock(sandbox: OpcoSandbox, day: str) -> None:
    sandbox.control.post("/horloge", json={"date": day}).raise_for_status()


def force(sandbox: OpcoSandbox, numero_externe: str, state: str) -> None:
    path = f"/akto/dossiers/{numero_externe}/etat"
    sandbox.control.post(path, json={"etat": state}).raise_for_status()


# One valid invoice


def test_valid_invoice_is_201_en_cours_instruction(opco_sandbox: OpcoSandbox) -> None:
    response = send(opco_sandbox, facture(numero="F-1"))
    assert response.status_code == 201
    assert response.json() == {"numeroFacture": "F-1", "etat": "EN_COURS_INSTRUCTION"}


def test_accepted_invoice_is_read_back_as_sent(opco_sandbox: OpcoSandbox) -> None:
    sent = facture(ligne(), frais(100, 3, commentaire="repas"), numero="F-1")
    accept(opco_sandbox, sent)
    assert invoice(opco_sandbox, "F-1") == {
        "numeroFacture": "F-1",
        "etat": "EN_COURS_INSTRUCTION",
        "dateFacture": "2026-09-01",
        "montantTotal": 3100.0,
        "montantRegle": None,
        "dateReglement": None,
        "emetteur": sent["emetteur"],
        "lignes": sent["lignes"],
        "motifsRejet": [],
        "certificatRealisation": sent["certificatRealisation"],
    }


def test_iban_compares_without_spaces_nor_case(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, replaced(facture(), "emetteur.iban", " fr76 3000 6000 0112 3456 7890 189"))


# Schema (§13): what it requires, and that it stops there


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (without(facture(), "numeroFacture"), ("CHAMP_OBLIGATOIRE", "numeroFacture")),
        (without(facture(), "dateFacture"), ("CHAMP_OBLIGATOIRE", "dateFacture")),
        (without(facture(), "montantTotal"), ("CHAMP_OBLIGATOIRE", "montantTotal")),
        (without(facture(), "lignes"), ("CHAMP_OBLIGATOIRE", "lignes")),
        (facture() | {"lignes": []}, ("FORMAT_INVALIDE", "lignes")),
        (facture(without(ligne(), "nature")), ("CHAMP_OBLIGATOIRE", "lignes[0].nature")),
        (
            replaced(facture(), "lignes", [without(ligne(), "montant")]),
            ("CHAMP_OBLIGATOIRE", AMOUNT),
        ),
        (facture(without(frais(1, 3), "natureFrais")), ("CHAMP_OBLIGATOIRE", NATURE_FRAIS)),
        (facture(ligne(2800.001)), ("FORMAT_INVALIDE", AMOUNT)),
        (facture(ligne(nature="AUTRE")), ("FORMAT_INVALIDE", "lignes[0].nature")),
    ],
)
def test_schema_violation_is_422_without_business_rules(
    opco_sandbox: OpcoSandbox, sent: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert problems(send(opco_sandbox, sent), 422) == [expected]
    assert total(opco_sandbox) == 0


def test_schema_stops_before_the_rules(opco_sandbox: OpcoSandbox) -> None:
    sent = without(facture(ligne(1), numero=""), "emetteur.iban")
    assert problems(send(opco_sandbox, sent), 422) == [("FORMAT_INVALIDE", "numeroFacture")]


@pytest.mark.parametrize("suffix", ["T00:00:00+0000", "T00:00:00+00:00"])
def test_date_facture_accepts_midnight_utc(opco_sandbox: OpcoSandbox, suffix: str) -> None:
    accept(opco_sandbox, facture(numero="F-1", dateFacture="2026-09-01" + suffix))
    assert invoice(opco_sandbox, "F-1")["dateFacture"] == "2026-09-01"


# Each rule broken alone (or with the rule it cannot help breaking)


def case(
    name: str,
    body: dict[str, Any],
    expected: dict[str, str],
    before: dict[str, Any] | None = None,
    cfa: str | None = None,
) -> Any:
    """A body breaking `expected` rules, sent by `cfa` once `before` was accepted."""
    return pytest.param(body, expected, before, cfa, id=name)


OTHER_EMETTEUR = {"siret": OTHER_CFA_SIRET, "iban": OTHER_CFA_IBAN}
CASES = [
    case(
        "FACTURE_DEJA_CONNUE",
        facture(numero="F-1"),
        {"FACTURE_DEJA_CONNUE": "numeroFacture"},
        before=facture(frais(50, 2), numero="F-1"),
    ),
    case(
        "IBAN_DIFFERENT",
        replaced(facture(), "emetteur.iban", OTHER_CFA_IBAN),
        {"IBAN_DIFFERENT": "emetteur.iban"},
    ),
    case("FRAIS_ANNEXES_PLAFOND", facture(frais(101, 3)), {"FRAIS_ANNEXES_PLAFOND": AMOUNT}),
    case(
        "FRAIS_ANNEXES_PLAFOND-nature-not-engaged",
        facture(frais(1, 10, "HEBERGEMENT")),
        {"FRAIS_ANNEXES_PLAFOND": AMOUNT},
    ),
    case("IBAN_ABSENT", without(facture(), "emetteur.iban"), {"IBAN_ABSENT": "emetteur.iban"}),
    case(
        "IBAN_ABSENT-empty",
        replaced(facture(), "emetteur.iban", ""),
        {"IBAN_ABSENT": "emetteur.iban"},
    ),
    case(
        "IBAN_ABSENT-blank",
        replaced(facture(), "emetteur.iban", "   "),
        {"IBAN_ABSENT": "emetteur.iban"},
    ),
    case(
        "IBAN_ABSENT-no-emetteur",
        without(facture(), "emetteur"),
        {"IBAN_ABSENT": "emetteur.iban", "SIRET_EMETTEUR_INCONNU": "emetteur.siret"},
    ),
    case(
        "MONTANT_ECHEANCE_INCORRECT",
        facture(ligne(), ligne()),
        {"MONTANT_ECHEANCE_INCORRECT": AMOUNT},
    ),
    case(
        "SIRET_EMETTEUR_INCONNU",
        replaced(facture(), "emetteur.siret", EMPLOYER_SIRET),
        {"SIRET_EMETTEUR_INCONNU": "emetteur.siret", "SIRET_DIFFERENT": "emetteur.siret"},
    ),
    case(
        "SIRET_DIFFERENT",
        replaced(facture(), "emetteur.siret", OTHER_CFA_SIRET),
        {"SIRET_DIFFERENT": "emetteur.siret"},
    ),
    case(
        "NUMERO_EXTERNE_ABSENT",
        facture(ligne(dossier=None)),
        {"NUMERO_EXTERNE_ABSENT": NUMERO_EXTERNE},
    ),
    case(
        "NUMERO_EXTERNE_ABSENT-empty",
        facture(ligne(dossier="")),
        {"NUMERO_EXTERNE_ABSENT": NUMERO_EXTERNE},
    ),
    case(
        "ECHEANCE_NON_OUVERTE",
        facture(ligne(2100, 2)),
        {"ECHEANCE_NON_OUVERTE": NUMERO_ECHEANCE},
    ),
    case(
        "ECHEANCE_NON_OUVERTE-frais",
        facture(frais(100, 3, numero_echeance=2)),
        {"ECHEANCE_NON_OUVERTE": NUMERO_ECHEANCE},
    ),
    case("MONTANT_INCORRECT", facture(frais(100, 3, montant=290)), {"MONTANT_INCORRECT": AMOUNT}),
    case(
        "MONTANT_INCORRECT-frais-without-quantite",
        facture(without(frais(100, 3), "quantite")),
        {"MONTANT_INCORRECT": AMOUNT},
    ),
    case(
        "MONTANT_INCORRECT-echeance-split-over-two-lines",
        facture(ligne(1400), ligne(1400)),
        {"MONTANT_INCORRECT": AMOUNT},
    ),
    case(
        "MONTANT_INCORRECT-and-MONTANT_ECHEANCE_INCORRECT",
        facture(ligne(2700)),
        {"MONTANT_ECHEANCE_INCORRECT": AMOUNT, "MONTANT_INCORRECT": AMOUNT},
    ),
    case(
        "MONTANT_TOTAL_INCOHERENT",
        facture(montantTotal=2800.01),
        {"MONTANT_TOTAL_INCOHERENT": "montantTotal"},
    ),
    case(
        "NUMERO_ECHEANCE_INCONNU",
        facture(ligne(numero_echeance=7)),
        {"NUMERO_ECHEANCE_INCONNU": NUMERO_ECHEANCE},
    ),
    case(
        "NUMERO_ECHEANCE_INCONNU-absent",
        facture(ligne(numero_echeance=None)),
        {"NUMERO_ECHEANCE_INCONNU": NUMERO_ECHEANCE},
    ),
    case(
        "DOSSIER_INCONNU",
        facture(ligne(dossier=UNKNOWN_DOSSIER)),
        {"DOSSIER_INCONNU": NUMERO_EXTERNE},
    ),
    case(
        "DOSSIER_INCONNU-another-cfas-dossier",
        facture(emetteur=OTHER_EMETTEUR),
        {"DOSSIER_INCONNU": NUMERO_EXTERNE},
        cfa=OTHER_CFA_SIRET,
    ),
    case(
        "DOSSIER_NON_FACTURABLE-transmis",
        facture(ligne(dossier=EMPLOYER_DEPOSIT)),
        {"DOSSIER_NON_FACTURABLE": NUMERO_EXTERNE},
    ),
]


def test_cases_cover_every_code() -> None:
    assert {code for param in CASES for code in param.values[1]} == set(MESSAGES)


@pytest.mark.parametrize(("body", "expected", "before", "cfa"), CASES)
def test_each_rule_rejects_with_its_code_message_and_champ(
    opco_sandbox: OpcoSandbox,
    body: dict[str, Any],
    expected: dict[str, str],
    before: dict[str, Any] | None,
    cfa: str | None,
) -> None:
    if before is not None:
        accept(opco_sandbox, before)
    assert rejection(send(opco_sandbox, body, cfa=cfa)) == expected


def transmitted(sandbox: OpcoSandbox, opco: str = "akto") -> str:
    """The numeroExterne of the builder's contract, transmitted by CFA Demo."""
    response = sandbox.client(opco).post("/v1/dossiers", json=transmission("CFA-1"))
    assert response.status_code == 201, response.text
    numero_externe: str = response.json()["numeroExterne"]
    return numero_externe


def test_transmitted_dossier_is_not_facturable(opco_sandbox: OpcoSandbox) -> None:
    body = facture(ligne(dossier=transmitted(opco_sandbox)))
    assert rejection(send(opco_sandbox, body)) == {"DOSSIER_NON_FACTURABLE": NUMERO_EXTERNE}


def before_2020() -> dict[str, Any]:
    """The demo on 2020-02-03, its engaged dossier an employer's deposit concluded in 2019."""
    document = demo(canal="EMPLOYEUR", numeroExterne="AKTO-2020-000001")
    document["date"] = "2020-02-03"
    deposit = document["dossiers"][0]
    del deposit["numeroInterne"]
    cerfa = deposit["cerfa"]
    cerfa["apprenti"]["dateNaissance"] = "2002-03-14"
    cerfa["contrat"] |= {
        "dateConclusion": "2019-12-20",
        "dateDebutContrat": "2020-01-06",
        "dateFinContrat": "2022-01-05",
        "salaireEmbauche": 1500,
    }
    cerfa["formation"] |= {"dateDebutFormation": "2020-01-06", "dateFinFormation": "2021-12-31"}
    return document


def test_dossier_concluded_before_2020_is_not_facturable(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(before_2020())
    body = facture(ligne(1, dossier="AKTO-2020-000001"), dateFacture="2020-02-03")
    assert rejection(send(opco_sandbox, body)) == {"DOSSIER_NON_FACTURABLE": NUMERO_EXTERNE}


def test_rupture_dossier_is_facturable(opco_sandbox: OpcoSandbox) -> None:
    force(opco_sandbox, DEMO_DOSSIER, "RUPTURE")
    accept(opco_sandbox, facture())


def test_the_same_number_from_another_emitter_is_another_invoice(
    opco_sandbox: OpcoSandbox,
) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    other = facture(numero="F-1", emetteur=OTHER_EMETTEUR)
    assert rejection(send(opco_sandbox, other, cfa=OTHER_CFA_SIRET)) == {
        "DOSSIER_INCONNU": NUMERO_EXTERNE
    }


def test_a_cfa_without_a_key_at_this_opco_is_an_unknown_emitter(opco_sandbox: OpcoSandbox) -> None:
    # CFA Autre holds a key at akto only (there, SIRET_DIFFERENT alone: see CASES).
    numero_externe = transmitted(opco_sandbox, "atlas")
    for state in ("EN_COURS_INSTRUCTION", "ENGAGE"):
        path = f"/atlas/dossiers/{numero_externe}/etat"
        opco_sandbox.control.post(path, json={"etat": state}).raise_for_status()
    body = facture(ligne(3280, dossier=numero_externe))  # BTS: 40 % of €8,200
    other = replaced(body, "emetteur.siret", OTHER_CFA_SIRET) | {"numeroFacture": "F-2"}
    assert rejection(send(opco_sandbox, other, opco="atlas")) == {
        "SIRET_EMETTEUR_INCONNU": "emetteur.siret",
        "SIRET_DIFFERENT": "emetteur.siret",
    }
    assert send(opco_sandbox, body, opco="atlas").status_code == 201


# Rules that cannot be judged, several rules at once


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        pytest.param(
            facture(ligne(1, 9, dossier=UNKNOWN_DOSSIER)),
            {"DOSSIER_INCONNU": NUMERO_EXTERNE},
            id="unknown-dossier",
        ),
        pytest.param(
            facture(ligne(1, 9, dossier=EMPLOYER_DEPOSIT)),
            {"DOSSIER_NON_FACTURABLE": NUMERO_EXTERNE},
            id="dossier-not-facturable",
        ),
        pytest.param(
            facture(ligne(1, 9)),
            {"NUMERO_ECHEANCE_INCONNU": NUMERO_ECHEANCE},
            id="unknown-echeance",
        ),
        pytest.param(
            facture(ligne(dossier=UNKNOWN_DOSSIER), emetteur=OTHER_EMETTEUR),
            {"DOSSIER_INCONNU": NUMERO_EXTERNE},
            id="siret-and-iban-not-judged-without-echeance",
        ),
        pytest.param(
            facture(frais(1000, 3, numero_echeance=9)),
            {"NUMERO_ECHEANCE_INCONNU": NUMERO_ECHEANCE},
            id="frais-not-judged-without-echeance",
        ),
    ],
)
def test_a_rule_needing_an_unknown_dossier_or_echeance_is_skipped(
    opco_sandbox: OpcoSandbox, body: dict[str, Any], expected: dict[str, str]
) -> None:
    assert rejection(send(opco_sandbox, body)) == expected


def test_every_broken_rule_is_listed(opco_sandbox: OpcoSandbox) -> None:
    body = facture(
        ligne(2700),
        ligne(2100, 2),
        ligne(dossier=None),
        ligne(dossier=UNKNOWN_DOSSIER),
        frais(200, 3),
        montantTotal=1,
        emetteur={"siret": OTHER_CFA_SIRET},
    )
    assert rejection(send(opco_sandbox, body)) == {
        "FRAIS_ANNEXES_PLAFOND": "lignes[4].montant",
        "IBAN_ABSENT": "emetteur.iban",
        "MONTANT_ECHEANCE_INCORRECT": AMOUNT,
        "SIRET_DIFFERENT": "emetteur.siret",
        "NUMERO_EXTERNE_ABSENT": "lignes[2].numeroExterneDossier",
        "ECHEANCE_NON_OUVERTE": "lignes[1].numeroEcheance",
        "MONTANT_INCORRECT": AMOUNT,
        "MONTANT_TOTAL_INCOHERENT": "montantTotal",
        "DOSSIER_INCONNU": "lignes[3].numeroExterneDossier",
    }


def test_a_rule_broken_by_several_lines_is_one_item_naming_the_first(
    opco_sandbox: OpcoSandbox,
) -> None:
    body = facture(
        ligne(),
        ligne(2100, 2),
        ligne(2100, 3),
        ligne(numero_echeance=8),
        ligne(numero_echeance=9),
        ligne(dossier=UNKNOWN_DOSSIER),
        ligne(dossier="AKTO-2026-999998"),
    )
    assert rejection(send(opco_sandbox, body)) == {
        "ECHEANCE_NON_OUVERTE": "lignes[1].numeroEcheance",
        "NUMERO_ECHEANCE_INCONNU": "lignes[3].numeroEcheance",
        "DOSSIER_INCONNU": "lignes[5].numeroExterneDossier",
    }


# Amounts of an échéance with an RQTH part (E1: €2,800 pédagogique + €1,600 RQTH)


@pytest.mark.opco_scenario(with_apprenti(handicap=True))
def test_rqth_echeance_is_billed_by_its_two_parts(opco_sandbox: OpcoSandbox) -> None:
    e1 = echeance(opco_sandbox)
    assert (e1["montantPedagogique"], e1["montantRqth"]) == (2800.0, 1600.0)
    accept(opco_sandbox, facture(ligne(2800), ligne(1600, nature="RQTH")))
    assert in_instruction_and_paid(opco_sandbox) == (4400.0, 0.0)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        pytest.param([ligne(2800)], {"MONTANT_ECHEANCE_INCORRECT": AMOUNT}, id="rqth-missing"),
        pytest.param(
            [ligne(1600), ligne(2800, nature="RQTH")],
            {"MONTANT_INCORRECT": AMOUNT},
            id="parts-swapped",
        ),
        pytest.param(
            [ligne(2800), ligne(1500, nature="RQTH")],
            {"MONTANT_ECHEANCE_INCORRECT": AMOUNT, "MONTANT_INCORRECT": "lignes[1].montant"},
            id="rqth-short",
        ),
        pytest.param([ligne(4400)], {"MONTANT_INCORRECT": AMOUNT}, id="all-as-pedagogique"),
    ],
)
@pytest.mark.opco_scenario(with_apprenti(handicap=True))
def test_rqth_echeance_amount_rules(
    opco_sandbox: OpcoSandbox, lines: list[dict[str, Any]], expected: dict[str, str]
) -> None:
    assert rejection(send(opco_sandbox, facture(*lines))) == expected


# Frais annexes: caps per dossier and nature, over every invoice not rejected


def test_frais_cap_counts_earlier_invoices(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(100, 2), numero="F-1"))
    refused = send(opco_sandbox, facture(frais(50, 3), numero="F-2"))
    assert rejection(refused) == {"FRAIS_ANNEXES_PLAFOND": AMOUNT}
    accept(opco_sandbox, facture(frais(100, 1), numero="F-3"))


def test_frais_cap_counts_the_lines_of_one_invoice(opco_sandbox: OpcoSandbox) -> None:
    body = facture(frais(50, 3), frais(50, 3), frais(1, 1))
    assert rejection(send(opco_sandbox, body)) == {"FRAIS_ANNEXES_PLAFOND": "lignes[2].montant"}


def test_frais_of_a_rejected_invoice_no_longer_count(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(100, 3), numero="F-1"))
    assert decide(opco_sandbox, "F-1", "REJETEE", "Justificatifs absents").status_code == 200
    accept(opco_sandbox, facture(frais(100, 3), numero="F-2"))


def two_dossiers() -> dict[str, Any]:
    """The demo with a second engaged dossier of CFA Demo, RESTAURATION €300 engaged too."""
    document = demo()
    second = copy.deepcopy(document["dossiers"][0])
    second |= {"numeroInterne": "DEMO-0003", "numeroExterne": "AKTO-2026-000003"}
    second["cerfa"]["apprenti"] |= {
        "nom": "Petit",
        "prenom": "Jules",
        "sexe": "M",
        "dateNaissance": "2007-05-05",
        "nir": NIRS[1],
    }
    document["dossiers"].append(second)
    return document


@pytest.mark.opco_scenario(two_dossiers())
def test_frais_caps_are_per_dossier(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(100, 3), numero="F-1"))
    accept(opco_sandbox, facture(frais(100, 3, dossier="AKTO-2026-000003"), numero="F-2"))


PREMIER_EQUIPEMENT_800 = {
    "natureFrais": "PREMIER_EQUIPEMENT",
    "quantite": 1,
    "prixUnitaire": 800,
    "montantTotal": 800,
}


@pytest.mark.opco_scenario(demo(engagementsFraisAnnexe=[PREMIER_EQUIPEMENT_800]))
def test_premier_equipement_is_capped_at_500_even_when_more_is_engaged(
    opco_sandbox: OpcoSandbox,
) -> None:
    over = send(opco_sandbox, facture(frais(1, 500.01, "PREMIER_EQUIPEMENT"), numero="F-1"))
    assert rejection(over) == {"FRAIS_ANNEXES_PLAFOND": AMOUNT}
    accept(opco_sandbox, facture(frais(1, 500, "PREMIER_EQUIPEMENT"), numero="F-2"))
    more = send(opco_sandbox, facture(frais(1, 1, "PREMIER_EQUIPEMENT"), numero="F-3"))
    assert rejection(more) == {"FRAIS_ANNEXES_PLAFOND": AMOUNT}


def test_frais_never_count_in_the_echeance(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(100, 3), numero="F-1"))
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)
    opco_sandbox.advance(5)
    assert invoice(opco_sandbox, "F-1")["montantRegle"] == 300.0
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)
    accept(opco_sandbox, facture(numero="F-2"))


# Échéances open on their date


def test_echeance_is_billable_from_its_opening_day(opco_sandbox: OpcoSandbox) -> None:
    body = facture(ligne(2100, 2), numero="F-E2")
    assert rejection(send(opco_sandbox, body)) == {"ECHEANCE_NON_OUVERTE": NUMERO_ECHEANCE}
    set_clock(opco_sandbox, "2027-02-28")
    assert rejection(send(opco_sandbox, body)) == {"ECHEANCE_NON_OUVERTE": NUMERO_ECHEANCE}
    set_clock(opco_sandbox, "2027-03-01")
    accept(opco_sandbox, body)


# Rejected invoices are kept


def test_rejected_invoice_is_kept_with_its_reasons(opco_sandbox: OpcoSandbox) -> None:
    sent = facture(ligne(2700), numero="F-1")
    response = send(opco_sandbox, sent)
    assert response.status_code == 422
    found = invoice(opco_sandbox, "F-1")
    assert set(found) == FACTURE_FIELDS
    assert found["etat"] == "REJETEE"
    assert found["motifsRejet"] == response.json()["errors"]
    assert (found["lignes"], found["montantRegle"], found["dateReglement"]) == (
        sent["lignes"],
        None,
        None,
    )
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)


def test_rejected_invoices_are_listed(opco_sandbox: OpcoSandbox) -> None:
    send(opco_sandbox, facture(ligne(2700), numero="F-1"))
    accept(opco_sandbox, facture(numero="F-2"))
    body = page(opco_sandbox).json()
    assert (body["total"], body["count"], body["page"]) == (2, 2, 1)
    assert [(f["numeroFacture"], f["etat"]) for f in body["factures"]] == [
        ("F-1", "REJETEE"),
        ("F-2", "EN_COURS_INSTRUCTION"),
    ]
    assert body["factures"][1] == invoice(opco_sandbox, "F-2")


def test_corrected_invoice_may_reuse_a_rejected_number(opco_sandbox: OpcoSandbox) -> None:
    assert rejection(send(opco_sandbox, facture(ligne(2700), numero="F-1")))
    accept(opco_sandbox, facture(numero="F-1"))
    assert invoice(opco_sandbox, "F-1")["etat"] == "EN_COURS_INSTRUCTION"
    assert [f["etat"] for f in page(opco_sandbox).json()["factures"]] == [
        "REJETEE",
        "EN_COURS_INSTRUCTION",
    ]


def test_resending_an_accepted_invoice_stores_nothing(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    response = send(opco_sandbox, facture(numero="F-1"))
    assert rejection(response) == {
        "FACTURE_DEJA_CONNUE": "numeroFacture",
        "MONTANT_ECHEANCE_INCORRECT": AMOUNT,
        "MONTANT_INCORRECT": AMOUNT,
    }
    assert total(opco_sandbox) == 1
    assert invoice(opco_sandbox, "F-1")["etat"] == "EN_COURS_INSTRUCTION"
    assert in_instruction_and_paid(opco_sandbox) == (2800.0, 0.0)


def test_resending_a_paid_invoice_is_facture_deja_connue(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(frais(10, 3), numero="F-1"))
    opco_sandbox.advance(5)
    response = send(opco_sandbox, facture(frais(10, 3), numero="F-1"))
    assert rejection(response) == {"FACTURE_DEJA_CONNUE": "numeroFacture"}
    assert total(opco_sandbox) == 1


def test_unknown_invoice_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = read(opco_sandbox, "F-404")
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroFacture")]


def test_another_cfa_cannot_read_an_invoice(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    response = read(opco_sandbox, "F-1", cfa=OTHER_CFA_SIRET)
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroFacture")]
    assert page(opco_sandbox, cfa=OTHER_CFA_SIRET).json()["total"] == 0


def test_invoices_are_per_opco(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    response = opco_sandbox.client("atlas").get("/v1/factures", params={"numeroFacture": "F-1"})
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroFacture")]


# Pages of invoices


def send_rejected(opco_sandbox: OpcoSandbox, count: int) -> None:
    for i in range(1, count + 1):
        response = send(opco_sandbox, facture(ligne(dossier=UNKNOWN_DOSSIER), numero=f"P-{i:03}"))
        assert response.status_code == 422


def numeros(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [f["numeroFacture"] for f in response.json()["factures"]]


def test_page_holds_50_invoices_by_default(opco_sandbox: OpcoSandbox) -> None:
    send_rejected(opco_sandbox, 51)
    first, second = page(opco_sandbox).json(), page(opco_sandbox, numeroPage=2).json()
    assert (first["total"], first["count"], first["page"]) == (51, 50, 1)
    assert (second["total"], second["count"], second["page"]) == (51, 1, 2)
    assert numeros(page(opco_sandbox, taillePage=500)) == [f"P-{i:03}" for i in range(1, 52)]


def test_invoice_pages_follow_each_other_oldest_first(opco_sandbox: OpcoSandbox) -> None:
    send_rejected(opco_sandbox, 3)
    pages = [numeros(page(opco_sandbox, numeroPage=n, taillePage=2)) for n in (1, 2, 3)]
    assert pages == [["P-001", "P-002"], ["P-003"], []]


@pytest.mark.parametrize(
    ("param", "value"),
    [("numeroPage", 0), ("numeroPage", -1), ("taillePage", 0), ("taillePage", 501)],
)
def test_invoice_page_out_of_bounds_is_422(
    opco_sandbox: OpcoSandbox, param: str, value: int
) -> None:
    response = opco_sandbox.client("akto").get("/v1/factures/etats", params={param: value})
    assert problems(response, 422) == [("FORMAT_INVALIDE", param)]


# Payment


def test_acceptance_puts_the_amount_in_instruction(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture())
    assert in_instruction_and_paid(opco_sandbox) == (2800.0, 0.0)
    assert in_instruction_and_paid(opco_sandbox, 2) == (0.0, 0.0)


def test_invoice_is_paid_after_delai_paiement(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    opco_sandbox.advance(4)
    assert invoice(opco_sandbox, "F-1")["etat"] == "EN_COURS_INSTRUCTION"
    assert in_instruction_and_paid(opco_sandbox) == (2800.0, 0.0)
    opco_sandbox.advance(1)
    found = invoice(opco_sandbox, "F-1")
    assert (found["etat"], found["dateReglement"], found["montantRegle"]) == (
        "REGLEE",
        "2026-09-06",
        2800.0,
    )
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 2800.0)


@pytest.mark.opco_scenario(demo(akto={"delaiPaiement": 10}))
def test_delai_paiement_runs_from_reception(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.advance(2)
    accept(opco_sandbox, facture(numero="F-1"))
    opco_sandbox.advance(9)
    assert invoice(opco_sandbox, "F-1")["etat"] == "EN_COURS_INSTRUCTION"
    opco_sandbox.advance(1)
    assert invoice(opco_sandbox, "F-1")["dateReglement"] == "2026-09-13"


@pytest.mark.opco_scenario(demo(akto={"delaiPaiement": 0}))
def test_delai_paiement_zero_pays_at_once(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    assert invoice(opco_sandbox, "F-1")["dateReglement"] == "2026-09-01"


@pytest.mark.opco_scenario(demo(echeancesReglees=[2, 3, 4, 5, 6]))
def test_dossier_is_solde_once_its_last_echeance_is_paid(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture())
    opco_sandbox.advance(4)
    assert dossier(opco_sandbox)["cerfa"]["etat"] == "ENGAGE"
    opco_sandbox.advance(1)
    cerfa = dossier(opco_sandbox)["cerfa"]
    assert (cerfa["etat"], cerfa["dateMiseAJour"]) == ("SOLDE", "2026-09-06")


def short_contract() -> dict[str, Any]:
    """The demo, its engaged contract six months long: a single échéance."""
    document = demo()
    cerfa = document["dossiers"][0]["cerfa"]
    cerfa["contrat"]["dateFinContrat"] = cerfa["formation"]["dateFinFormation"] = "2027-02-28"
    return document


@pytest.mark.opco_scenario(short_contract())
def test_short_contract_is_solde_after_one_invoice(opco_sandbox: OpcoSandbox) -> None:
    [only] = dossier(opco_sandbox)["echeances"]
    accept(opco_sandbox, facture(ligne(only["montantTotal"])))
    opco_sandbox.advance(5)
    assert dossier(opco_sandbox)["cerfa"]["etat"] == "SOLDE"
    assert rejection(send(opco_sandbox, facture(frais(1, 3), numero="F-2"))) == {
        "DOSSIER_NON_FACTURABLE": NUMERO_EXTERNE
    }


def test_rupture_then_full_payment_is_solde(opco_sandbox: OpcoSandbox) -> None:
    force(opco_sandbox, DEMO_DOSSIER, "RUPTURE")
    assert [e["numero"] for e in dossier(opco_sandbox)["echeances"]] == [1]
    accept(opco_sandbox, facture())
    assert dossier(opco_sandbox)["cerfa"]["etat"] == "RUPTURE"
    opco_sandbox.advance(5)
    assert dossier(opco_sandbox)["cerfa"]["etat"] == "SOLDE"


# The OPCO's decision through the control API


def test_control_settles_an_invoice_now(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    response = decide(opco_sandbox, "F-1", "REGLEE")
    assert response.status_code == 200
    answered = response.json()
    assert (answered["etat"], answered["dateReglement"], answered["montantRegle"]) == (
        "REGLEE",
        "2026-09-01",
        2800.0,
    )
    assert invoice(opco_sandbox, "F-1") == answered
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 2800.0)
    opco_sandbox.advance(5)
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 2800.0)


def test_control_rejects_an_invoice_and_releases_its_amounts(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    response = decide(opco_sandbox, "F-1", "REJETEE", "Certificat de réalisation absent")
    assert response.status_code == 200
    assert response.json()["etat"] == "REJETEE"
    assert invoice(opco_sandbox, "F-1")["motifsRejet"] == [
        {"code": "REJET_OPCO", "message": "Certificat de réalisation absent", "champ": None}
    ]
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)
    opco_sandbox.advance(5)
    assert invoice(opco_sandbox, "F-1")["etat"] == "REJETEE"
    assert in_instruction_and_paid(opco_sandbox) == (0.0, 0.0)


def test_number_rejected_by_the_opco_may_be_sent_again(opco_sandbox: OpcoSandbox) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    decide(opco_sandbox, "F-1", "REJETEE", "Erreur").raise_for_status()
    accept(opco_sandbox, facture(numero="F-1"))
    assert in_instruction_and_paid(opco_sandbox) == (2800.0, 0.0)


@pytest.mark.parametrize("first", ["REGLEE", "REJETEE"])
@pytest.mark.parametrize("then", ["REGLEE", "REJETEE"])
def test_control_cannot_decide_a_decided_invoice(
    opco_sandbox: OpcoSandbox, first: str, then: str
) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    decide(opco_sandbox, "F-1", first, "Erreur").raise_for_status()
    response = decide(opco_sandbox, "F-1", then, "Encore")
    assert problems(response, 409) == [("TRANSITION_INVALIDE", "etat")]
    assert invoice(opco_sandbox, "F-1")["etat"] == first


def test_control_cannot_decide_an_invoice_rejected_by_the_rules(opco_sandbox: OpcoSandbox) -> None:
    send(opco_sandbox, facture(ligne(2700), numero="F-1"))
    assert problems(decide(opco_sandbox, "F-1", "REGLEE"), 409) == [("TRANSITION_INVALIDE", "etat")]


@pytest.mark.parametrize("decision", ["EN_COURS_INSTRUCTION", "PAYEE"])
def test_control_decides_only_reglee_or_rejetee(opco_sandbox: OpcoSandbox, decision: str) -> None:
    accept(opco_sandbox, facture(numero="F-1"))
    assert problems(decide(opco_sandbox, "F-1", decision), 422) == [("FORMAT_INVALIDE", "etat")]
    assert invoice(opco_sandbox, "F-1")["etat"] == "EN_COURS_INSTRUCTION"


def test_control_on_an_unknown_invoice_is_404(opco_sandbox: OpcoSandbox) -> None:
    response = decide(opco_sandbox, "F-404", "REGLEE")
    assert problems(response, 404) == [("FACTURE_INCONNUE", "numeroFacture")]


def test_frais_are_expected_rounded_to_the_cent(opco_sandbox: OpcoSandbox) -> None:
    # 50.5 meals at 2.99: 150.995, invoiced 151.00
    body = facture(ligne(), frais(50.5, 2.99, montant=151.00))
    response = opco_sandbox.client("akto").post("/v1/factures", json=body)
    assert response.status_code == 201, response.text


def test_a_negative_amount_is_a_format_error(opco_sandbox: OpcoSandbox) -> None:
    body = facture(ligne(), frais(1, 3.0, montant=-3.0))
    response = opco_sandbox.client("akto").post("/v1/factures", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "FORMAT_INVALIDE"
    assert response.json()["errors"][0]["champ"] == "lignes[1].montant"
