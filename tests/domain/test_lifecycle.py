"""The dossier state machine on rows in memory: the table, ruptures, settlement."""

from datetime import date
from decimal import Decimal
from itertools import product

import pytest

from sandbox.core.tables import DossierRow, EcheanceRow
from sandbox.dossiers.echeancier import build_echeancier
from sandbox.dossiers.lifecycle import break_contract, move, settle_if_paid
from sandbox.errors import SandboxError
from tests.builders import ALLOWED, ETATS

DAY = date(2026, 10, 1)
START, END = date(2026, 9, 1), date(2028, 8, 31)


def dossier(etat: str, echeances: list[EcheanceRow] | None = None) -> DossierRow:
    return DossierRow(
        numero_externe="AKTO-2026-000009",
        etat=etat,
        cle_doublon="cle",
        commentaire_etat="avant",
        date_mise_a_jour=date(2026, 9, 1),
        prochaine_etape=date(2026, 9, 3),
        echeances=echeances or [],
    )


def echeances(paid: int = 0) -> list[EcheanceRow]:
    """The 6 échéances of a two-year contract at €7,000 a year; the first `paid` fully paid."""
    rows = []
    for prevue in build_echeancier(START, END, Decimal(7000), Decimal(4000)):
        total = prevue.montant_total
        rows.append(
            EcheanceRow(
                numero=prevue.numero,
                date_ouverture=prevue.date_ouverture,
                date_debut=prevue.date_debut,
                date_fin=prevue.date_fin,
                montant_pedagogique=prevue.montant_pedagogique,
                montant_rqth=prevue.montant_rqth,
                montant_regle=total if prevue.numero <= paid else Decimal(0),
                montant_en_cours=Decimal(0),
            )
        )
    return rows


@pytest.mark.parametrize(("source", "target"), list(product(ETATS, ETATS)))
def test_move_follows_the_table(source: str, target: str) -> None:
    row = dossier(source)

    if (source, target) in ALLOWED:
        move(row, target, DAY)
        assert (row.etat, row.date_mise_a_jour, row.prochaine_etape) == (target, DAY, None)
    else:
        with pytest.raises(SandboxError) as refused:
            move(row, target, DAY)
        assert (refused.value.status, refused.value.codes) == (409, ["TRANSITION_INVALIDE"])
        assert (row.etat, row.date_mise_a_jour) == (source, date(2026, 9, 1))


@pytest.mark.parametrize(("source", "target"), sorted(ALLOWED))
def test_only_refused_and_cancelled_dossiers_free_the_duplicate_key(
    source: str, target: str
) -> None:
    row = dossier(source)

    move(row, target, DAY)

    assert row.cle_doublon == (None if target in ("REFUSE", "ANNULE") else "cle")


def test_a_comment_replaces_the_previous_one_and_none_keeps_it() -> None:
    row = dossier("TRANSMIS")
    move(row, "EN_COURS_INSTRUCTION", DAY)
    assert row.commentaire_etat == "avant"
    move(row, "REFUSE", DAY, "AGE_MAITRE")
    assert row.commentaire_etat == "AGE_MAITRE"


def test_rupture_drops_the_echeances_opening_after_its_date() -> None:
    row = dossier("ENGAGE", echeances())

    break_contract(row, date(2027, 4, 15), "rupture")

    assert [e.numero for e in row.echeances] == [1, 2]
    assert row.echeances[-1].date_fin == date(2027, 4, 15)
    assert row.engagement == sum(e.montant_pedagogique + e.montant_rqth for e in row.echeances)
    assert (row.etat, row.commentaire_etat) == ("RUPTURE", "rupture")


def test_rupture_on_an_opening_day_keeps_that_echeance() -> None:
    row = dossier("ENGAGE", echeances())

    break_contract(row, date(2027, 6, 1), None)

    assert [e.numero for e in row.echeances] == [1, 2, 3]
    assert row.echeances[-1].date_fin == date(2027, 6, 1)


def test_rupture_after_the_contract_end_keeps_the_schedule_whole() -> None:
    row = dossier("ENGAGE", echeances())
    whole = sum(e.montant_pedagogique + e.montant_rqth for e in row.echeances)

    break_contract(row, date(2029, 1, 15), None)

    assert len(row.echeances) == 6
    assert row.echeances[-1].date_fin == END
    assert row.engagement == whole == Decimal(22000)


def test_rupture_is_only_allowed_from_engage() -> None:
    with pytest.raises(SandboxError):
        break_contract(dossier("EN_COURS_INSTRUCTION"), DAY, None)


def test_rupture_whose_kept_echeances_are_all_paid_is_settled() -> None:
    row = dossier("ENGAGE", echeances(paid=2))

    break_contract(row, date(2027, 4, 15), None)

    assert (row.etat, row.date_mise_a_jour) == ("SOLDE", date(2027, 4, 15))


@pytest.mark.parametrize("etat", ["ENGAGE", "RUPTURE"])
def test_a_fully_paid_dossier_is_settled(etat: str) -> None:
    row = dossier(etat, echeances(paid=6))

    settle_if_paid(row, DAY)

    assert (row.etat, row.date_mise_a_jour) == ("SOLDE", DAY)


@pytest.mark.parametrize(
    ("etat", "paid"), [("ENGAGE", 5), ("RUPTURE", 0), ("EN_COURS_INSTRUCTION", 6)]
)
def test_a_dossier_still_owed_or_not_engaged_is_not_settled(etat: str, paid: int) -> None:
    row = dossier(etat, echeances(paid=paid))

    settle_if_paid(row, DAY)

    assert row.etat == etat


def test_a_dossier_without_echeances_is_not_settled() -> None:
    row = dossier("RUPTURE", [])

    settle_if_paid(row, DAY)

    assert row.etat == "RUPTURE"
