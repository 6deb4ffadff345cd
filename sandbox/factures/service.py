"""Invoices: submitted and judged, then paid after the OPCO's delay, or rejected."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sandbox.core.repository import Page
from sandbox.core.tables import DossierRow, EcheanceRow, FactureRow
from sandbox.dossiers.lifecycle import settle_if_paid
from sandbox.dossiers.repository import DossierRepository
from sandbox.errors import (
    FACTURE_DEJA_CONNUE,
    FACTURE_INCONNUE,
    REJET_OPCO,
    TRANSITION_INVALIDE,
    Problem,
    SandboxError,
)
from sandbox.espaces.espace import Espace
from sandbox.factures.ledger import book
from sandbox.factures.repository import FactureRepository
from sandbox.factures.rules import Billed, LineView, Submission, judge
from sandbox.factures.schemas import EtatFacture, FactureBody, Ligne
from sandbox.scenarios.model import Cfa


@dataclass
class Outcome:
    facture: FactureRow
    problems: list[Problem]


def submit(espace: Espace, opco: str, cfa: Cfa, body: FactureBody, raw: dict[str, Any]) -> Outcome:
    """Judge an invoice; keep it rejected with its reasons, or accepted for payment.

    A resend of a known invoice stores nothing: its answer is the refusal alone.
    """
    submission = _submission(espace, opco, cfa, body)
    problems = judge(submission)
    if any(p.code == FACTURE_DEJA_CONNUE.code for p in problems):
        raise SandboxError(FACTURE_DEJA_CONNUE.status, problems)
    row = _new_facture(espace, opco, submission, raw)
    if problems:
        row.etat, row.motifs_rejet = EtatFacture.REJETEE, [_motif(p) for p in problems]
    else:
        _accept(espace, opco, row, submission)
    FactureRepository.of(espace).add(row)
    if row.date_paiement_prevue == espace.today:  # an OPCO that pays the same day
        pay(espace, row, espace.today)
    return Outcome(row, problems)


def _submission(espace: Espace, opco: str, cfa: Cfa, body: FactureBody) -> Submission:
    numeros = {line.numeroExterneDossier for line in body.lignes if line.numeroExterneDossier}
    # Locking the dossiers serialises concurrent invoices on them: no échéance is billed twice.
    dossiers = DossierRepository.of(espace).for_update(opco, cfa.siret, numeros)
    lines = [_view(i, ligne, dossiers) for i, ligne in enumerate(body.lignes)]
    return Submission(
        body=body,
        cfa=cfa,
        today=espace.today,
        cfas_of_opco=frozenset(c.siret for c in espace.world.scenario.cfas if opco in c.cles),
        lines=lines,
        known=FactureRepository.of(espace).live(opco, unique_key(body, cfa)) is not None,
        previous=FactureRepository.of(espace).live_of_cfa(opco, cfa.siret),
    )


def unique_key(body: FactureBody, cfa: Cfa) -> str:
    """An invoice is known by its number and its emitter (the caller when not named)."""
    siret = (body.emetteur.siret if body.emetteur else None) or cfa.siret
    return f"{siret}|{body.numeroFacture}"


def _view(index: int, ligne: Ligne, dossiers: dict[str, DossierRow]) -> LineView:
    dossier = dossiers.get(ligne.numeroExterneDossier or "")
    echeance = None
    if dossier is not None:
        echeance = next((e for e in dossier.echeances if e.numero == ligne.numeroEcheance), None)
    return LineView(index, ligne, dossier, echeance)


def _new_facture(
    espace: Espace, opco: str, submission: Submission, raw: dict[str, Any]
) -> FactureRow:
    body = submission.body
    return FactureRow(
        espace=espace.nom,
        opco=opco,
        siret_cfa=submission.cfa.siret,
        numero_facture=body.numeroFacture,
        siret_emetteur=submission.siret or submission.cfa.siret,
        etat=EtatFacture.EN_COURS_INSTRUCTION,
        date_facture=body.dateFacture,
        date_reception=espace.today,
        montant_total=body.montantTotal,
        emetteur=raw.get("emetteur"),
        lignes=raw["lignes"],
        motifs_rejet=[],
        certificat=raw.get("certificatRealisation"),
        imputations=[],
    )


def _accept(espace: Espace, opco: str, row: FactureRow, submission: Submission) -> None:
    delay = espace.world.profile(opco).delaiPaiement
    row.date_paiement_prevue = espace.today + timedelta(days=delay)
    row.cle_unicite = unique_key(submission.body, submission.cfa)
    # Accepted: no rule is broken, so every line names a known échéance.
    for line in submission.judged():
        row.imputations.append(_imputation(line))
        if line.ligne.nature != "FRAIS_ANNEXES":
            book(line.echeance, line.ligne.nature, line.ligne.montant, en_cours=True)


def _imputation(line: Billed) -> dict[str, Any]:
    imputation = {
        "dossier_id": line.dossier.id,
        "echeance_id": line.echeance.id,
        "nature": line.ligne.nature,
        "montant": str(line.ligne.montant),
    }
    if line.ligne.natureFrais:
        imputation["natureFrais"] = line.ligne.natureFrais
    return imputation


def _motif(problem: Problem) -> dict[str, Any]:
    return {"code": problem.code, "message": problem.message, "champ": problem.champ}


def pay(espace: Espace, row: FactureRow, day: date) -> None:
    """The OPCO pays an accepted invoice: amounts move from instruction to paid."""
    _require_in_instruction(row, EtatFacture.REGLEE)
    imputed = _imputed(espace, row)
    for echeance, imputation in imputed:
        montant = Decimal(imputation["montant"])
        book(echeance, imputation["nature"], -montant, en_cours=True)
        book(echeance, imputation["nature"], montant, en_cours=False)
    row.etat, row.date_reglement, row.montant_regle = EtatFacture.REGLEE, day, row.montant_total
    row.date_paiement_prevue = None
    for dossier in {e.dossier.id: e.dossier for e, _ in imputed}.values():
        settle_if_paid(dossier, day)


def reject(espace: Espace, row: FactureRow, motif: str) -> None:
    """A rejection after acceptance: the amounts in instruction are released."""
    _require_in_instruction(row, EtatFacture.REJETEE)
    for echeance, imputation in _imputed(espace, row):
        book(echeance, imputation["nature"], -Decimal(imputation["montant"]), en_cours=True)
    row.etat, row.cle_unicite, row.date_paiement_prevue = EtatFacture.REJETEE, None, None
    row.motifs_rejet = [_motif(REJET_OPCO.problem(motif=motif))]


def _imputed(espace: Espace, row: FactureRow) -> list[tuple[EcheanceRow, dict[str, Any]]]:
    pairs = []
    for imputation in row.imputations:
        if imputation["nature"] != "FRAIS_ANNEXES":
            pairs.append(
                (FactureRepository.of(espace).echeance(imputation["echeance_id"]), imputation)
            )
    return pairs


def _require_in_instruction(row: FactureRow, vers: EtatFacture) -> None:
    if row.etat != EtatFacture.EN_COURS_INSTRUCTION:
        raise TRANSITION_INVALIDE.error(
            objet=f"La facture {row.numero_facture}", depuis=row.etat, vers=vers
        )


def facture_of_cfa(espace: Espace, opco: str, siret_cfa: str, numero_facture: str) -> FactureRow:
    found = FactureRepository.of(espace).latest(opco, siret_cfa, numero_facture)
    if found is None:
        raise FACTURE_INCONNUE.error(numero=numero_facture, ou="de ce CFA")
    return found


def factures_page(
    espace: Espace, opco: str, siret_cfa: str, numero_page: int, taille_page: int
) -> Page[FactureRow]:
    return FactureRepository.of(espace).page_of_cfa(opco, siret_cfa, numero_page, taille_page)


def decide(
    espace: Espace, opco: str, numero_facture: str, etat: str, motif: str | None
) -> FactureRow:
    """The OPCO's decision on an invoice in instruction, now (control API)."""
    row = FactureRepository.of(espace).for_control(opco, numero_facture)
    if row is None:
        raise FACTURE_INCONNUE.error(numero=numero_facture, ou="chez cet OPCO")
    if etat == EtatFacture.REGLEE:
        pay(espace, row, espace.today)
    else:
        reject(espace, row, motif or "Facture rejetée par l'OPCO")
    return row
