"""Invoice arithmetic and rules on rows in memory (§9)."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from sandbox.core.tables import DossierRow, EcheanceRow
from sandbox.factures.ledger import remaining, remaining_part
from sandbox.factures.rules import LineView, Submission, is_billable, judge, normalize_iban
from sandbox.factures.schemas import FactureBody
from sandbox.factures.service import unique_key
from sandbox.scenarios.model import Cfa
from tests.builders import CFA_IBAN, CFA_SIRET, OTHER_CFA_SIRET, facture, frais, ligne

TODAY = date(2026, 9, 1)
CFA = Cfa(siret=CFA_SIRET, uai="0751234A", denomination="CFA Demo", iban=CFA_IBAN)


def echeance(
    pedagogique: str = "2800",
    rqth: str = "1600",
    regle: str = "0",
    en_cours: str = "0",
    regle_rqth: str = "0",
    en_cours_rqth: str = "0",
) -> EcheanceRow:
    return EcheanceRow(
        id=1,
        numero=1,
        date_ouverture=TODAY,
        montant_pedagogique=Decimal(pedagogique),
        montant_rqth=Decimal(rqth),
        montant_regle=Decimal(regle),
        montant_en_cours=Decimal(en_cours),
        regle_rqth=Decimal(regle_rqth),
        en_cours_rqth=Decimal(en_cours_rqth),
        siret=CFA_SIRET,
        iban=CFA_IBAN,
    )


def dossier(
    etat: str = "ENGAGE", deca: str | None = "075202609000001", conclusion: date = TODAY
) -> DossierRow:
    return DossierRow(
        id=1, etat=etat, numero_deca=deca, date_conclusion=conclusion, frais_annexes=[]
    )


def body(*lignes: dict[str, Any], **fields: Any) -> FactureBody:
    return FactureBody.model_validate(facture(*lignes, **fields))


def judged(invoice: FactureBody, row: DossierRow) -> dict[str, str | None]:
    """`{code: champ}` of the rules an invoice breaks, every line on `row`'s E1."""
    views = [
        LineView(i, line, row, next(iter(row.echeances), None))
        for i, line in enumerate(invoice.lignes)
    ]
    submission = Submission(invoice, CFA, TODAY, frozenset({CFA_SIRET}), views)
    return {p.code: p.champ for p in judge(submission)}


# What remains to invoice


def test_remaining_is_the_total_less_paid_and_in_instruction() -> None:
    assert remaining(echeance(regle="1000", en_cours="400.50")) == Decimal("2999.50")


def test_remaining_of_an_untouched_echeance_is_its_total() -> None:
    assert remaining(echeance()) == Decimal(4400)


@pytest.mark.parametrize(
    ("amounts", "pedagogique", "rqth"),
    [
        ({}, "2800", "1600"),
        ({"regle": "1600", "regle_rqth": "1600"}, "2800", "0"),
        ({"en_cours": "2800"}, "0", "1600"),
        (
            {"regle": "1000", "en_cours": "600", "regle_rqth": "400", "en_cours_rqth": "0"},
            "1600",
            "1200",
        ),
        ({"regle": "4400", "regle_rqth": "1600"}, "0", "0"),
    ],
)
def test_remaining_part_splits_pedagogique_and_rqth(
    amounts: dict[str, str], pedagogique: str, rqth: str
) -> None:
    row = echeance(**amounts)
    assert remaining_part(row, "PEDAGOGIE") == Decimal(pedagogique)
    assert remaining_part(row, "MAJORATION_RQTH") == Decimal(rqth)


# Identities


@pytest.mark.parametrize(
    "written",
    [
        "FR7630006000011234567890189",
        "fr7630006000011234567890189",
        "FR76 3000 6000 0112 3456 7890 189",
        " fr76\t3000 6000 0112\n3456 7890 189 ",
    ],
)
def test_normalize_iban_drops_spaces_and_case(written: str) -> None:
    assert normalize_iban(written) == CFA_IBAN


def test_unique_key_is_the_caller_the_emitter_and_the_number() -> None:
    sent = body(numero="F-1", siretEmetteur=OTHER_CFA_SIRET)
    assert unique_key(sent, CFA) == f"{CFA_SIRET}|{OTHER_CFA_SIRET}|F-1"


def test_unique_key_without_emitter_is_the_callers() -> None:
    assert unique_key(body(numero="F-1", siretEmetteur=None), CFA) == f"{CFA_SIRET}|{CFA_SIRET}|F-1"


@pytest.mark.parametrize("numero", [None, ""])
def test_an_invoice_without_number_has_no_unique_key(numero: str | None) -> None:
    # The OPCO assigns it a number: it can never be already known.
    assert unique_key(body(numero=numero), CFA) is None


# Which dossiers can be invoiced


@pytest.mark.parametrize(
    ("row", "billable"),
    [
        (dossier(), True),
        (dossier("RUPTURE"), True),
        (dossier(conclusion=date(2020, 1, 1)), True),
        (dossier(conclusion=date(2019, 12, 31)), False),
        (dossier(deca=None), False),
        (dossier("TRANSMIS", deca=None), False),
        (dossier("SOLDE"), False),
        (dossier("ANNULE"), False),
    ],
)
def test_is_billable(row: DossierRow, billable: bool) -> None:
    assert is_billable(row) is billable


def test_dossier_concluded_before_2020_is_judged_not_facturable_alone() -> None:
    row = dossier(conclusion=date(2019, 12, 31))
    row.echeances = [echeance()]
    invoice = body(ligne(1), montantTotal=2)
    assert judged(invoice, row) == {
        "MONTANT_TOTAL_INCOHERENT": "facture.montantTotal",
        "DOSSIER_NON_FACTURABLE": "facture.lignes[0].numeroDossier",
    }


def test_rqth_echeance_billed_by_its_parts_breaks_no_rule() -> None:
    row = dossier()
    row.echeances = [echeance()]
    assert judged(body(ligne(2800), ligne(1600, nature="MAJORATION_RQTH")), row) == {}


def test_frais_lines_are_not_judged_by_montant_incorrect() -> None:
    # `quantite` is informative: a frais line is judged by its caps only.
    row = dossier()
    row.echeances = [echeance()]
    row.frais_annexes = [{"natureFrais": "RESTAURATION", "montantTotal": 300}]
    assert judged(body(frais(299.99, quantite=3)), row) == {}


def test_a_deca_of_another_dossier_is_dossier_inconnu_and_skips_the_line() -> None:
    row = dossier()
    row.echeances = [echeance()]
    invoice = body(ligne(1, numeroDeca="075202699999999"))
    views = [LineView(0, invoice.lignes[0], None, None, deca_differs=True)]
    submission = Submission(invoice, CFA, TODAY, frozenset({CFA_SIRET}), views)
    assert {p.code: p.champ for p in judge(submission)} == {
        "DOSSIER_INCONNU": "facture.lignes[0].numeroDeca"
    }
