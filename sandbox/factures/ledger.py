"""The booking of amounts on échéances: what an invoice holds in instruction, what is
paid, what remains to invoice of each part."""

from decimal import Decimal

from sandbox.core.tables import EcheanceRow
from sandbox.factures.schemas import MAJORATION_RQTH


def remaining(echeance: EcheanceRow) -> Decimal:
    """What is left to invoice on an échéance."""
    return echeance.montant_total - echeance.montant_regle - echeance.montant_en_cours


def remaining_part(echeance: EcheanceRow, nature: str) -> Decimal:
    """What is left to invoice of the pedagogical (PEDAGOGIE) or the RQTH (MAJORATION_RQTH)
    part of an échéance."""
    rqth_used = echeance.regle_rqth + echeance.en_cours_rqth
    if nature == MAJORATION_RQTH:
        return echeance.montant_rqth - rqth_used
    used = echeance.montant_regle + echeance.montant_en_cours - rqth_used
    return echeance.montant_pedagogique - used


def book(echeance: EcheanceRow, nature: str, montant: Decimal, en_cours: bool) -> None:
    """Add (or, negative, remove) an amount in instruction or paid on an échéance."""
    rqth = montant if nature == MAJORATION_RQTH else Decimal(0)
    if en_cours:
        echeance.montant_en_cours += montant
        echeance.en_cours_rqth += rqth
    else:
        echeance.montant_regle += montant
        echeance.regle_rqth += rqth
