"""Invoices: submitted and judged, then paid after the OPCO's delay, or rejected."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sandbox.core.repository import Page
from sandbox.core.tables import DossierRow, EcheanceRow, FactureRow
from sandbox.documents import service as documents
from sandbox.documents.service import FACTURE, Fichier
from sandbox.dossiers.lifecycle import settle_if_paid
from sandbox.dossiers.repository import DossierRepository
from sandbox.errors import (
    CHAMP_OBLIGATOIRE,
    FACTURE_DEJA_CONNUE,
    FACTURE_INCONNUE,
    REJET_OPCO,
    TRANSITION_INVALIDE,
    Problem,
    SandboxError,
)
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository
from sandbox.factures.ledger import book
from sandbox.factures.repository import FactureRepository
from sandbox.factures.rules import Billed, LineView, Submission, judge
from sandbox.factures.schemas import (
    PARTS_ECHEANCE,
    EtatFacture,
    Facture,
    FactureBody,
    LigneFacture,
    facture_answer,
)
from sandbox.scenarios.model import Cfa


@dataclass
class Outcome:
    facture: FactureRow
    problems: list[Problem]


# Situations noted on the journal entry of an invoice, for the conformance report.
FACTURE_CERTIFICAT_REALISATION = "FACTURE_CERTIFICAT_REALISATION"
FACTURE_SANS_CERTIFICAT = "FACTURE_SANS_CERTIFICAT"


def situation(body: FactureBody) -> str:
    """Whether the invoice's PDF is also its certificat de réalisation."""
    return (
        FACTURE_CERTIFICAT_REALISATION if body.estCertificatRealisation else FACTURE_SANS_CERTIFICAT
    )


# numeroInterneFacture: 8 digits from a sequence per OPCO and espace, 10000001 first.
FACTURE_BASE = 10_000_000


def submit(
    espace: Espace,
    opco: str,
    cfa: Cfa,
    body: FactureBody,
    raw: dict[str, Any],
    fichier: Fichier | None = None,
) -> Outcome:
    """Judge an invoice; keep it rejected with its reasons, or accepted for payment, and
    its PDF as a document of the invoice (a scenario's invoices come without one).

    A resend of a known invoice stores nothing: its answer is the refusal alone.
    """
    submission = _submission(espace, opco, cfa, body)
    problems = judge(submission)
    if any(p.code == FACTURE_DEJA_CONNUE.code for p in problems):
        raise SandboxError(FACTURE_DEJA_CONNUE.status, problems)
    row = _new_facture(espace, opco, submission, raw)
    if problems:
        row.etat, row.motifs_rejet = EtatFacture.REJETE, [_motif(p) for p in problems]
    else:
        _accept(espace, opco, row, submission)
    FactureRepository.of(espace).add(row)
    if fichier is not None:
        lien = {"typeObjet": FACTURE, "idObjet": row.numero_interne}
        stored = documents.store(espace, opco, cfa.siret, fichier, FACTURE, [lien])
        row.numero_document = stored.numero_interne
    if row.date_paiement_prevue == espace.today:  # an OPCO that pays the same day
        pay(espace, row, espace.today)
    return Outcome(row, problems)


def _submission(espace: Espace, opco: str, cfa: Cfa, body: FactureBody) -> Submission:
    numeros = {line.numeroDossier for line in body.lignes if line.numeroDossier}
    # Locking the dossiers serialises concurrent invoices on them: no échéance is billed twice.
    dossiers = DossierRepository.of(espace).for_update(opco, cfa.siret, numeros)
    lines = [_view(i, ligne, dossiers) for i, ligne in enumerate(body.lignes)]
    key = unique_key(body, cfa)
    return Submission(
        body=body,
        cfa=cfa,
        today=espace.today,
        cfas_of_opco=frozenset(c.siret for c in espace.world.scenario.cfas if opco in c.cles),
        lines=lines,
        known=key is not None and FactureRepository.of(espace).live(opco, key) is not None,
        previous=FactureRepository.of(espace).live_of_cfa(opco, cfa.siret),
    )


def unique_key(body: FactureBody, cfa: Cfa) -> str | None:
    """An invoice is known by its number and its emitter (the caller when not named), among
    the calling CFA's own invoices only: no CFA learns what another holds. Without a
    number, the OPCO assigns one: never known."""
    if not body.numero:
        return None
    return f"{cfa.siret}|{body.siretEmetteur or cfa.siret}|{body.numero}"


def _view(index: int, ligne: LigneFacture, dossiers: dict[str, DossierRow]) -> LineView:
    dossier = dossiers.get(ligne.numeroDossier or "")
    if dossier is not None and ligne.numeroDeca and ligne.numeroDeca != dossier.numero_deca:
        # Not this dossier's DECA: the line names no dossier the OPCO knows.
        return LineView(index, ligne, None, None, deca_differs=True)
    echeance = None
    if dossier is not None:
        echeance = next((e for e in dossier.echeances if e.numero == ligne.numeroEcheance), None)
    return LineView(index, ligne, dossier, echeance)


def _new_facture(
    espace: Espace, opco: str, submission: Submission, raw: dict[str, Any]
) -> FactureRow:
    body = submission.body
    numero_interne = str(
        FACTURE_BASE + EspaceRepository.of(espace).next_number(opco, "numeroInterneFacture")
    )
    return FactureRow(
        espace=espace.nom,
        opco=opco,
        siret_cfa=submission.cfa.siret,
        numero_interne=numero_interne,
        # No number given: the OPCO's is the reference too.
        numero_facture=body.numero or numero_interne,
        siret_emetteur=body.siretEmetteur,
        iban_emetteur=body.ibanEmetteur,
        etat=EtatFacture.EN_COURS_INSTRUCTION,
        date_emission=body.dateEmission,
        date_reception=espace.today,
        montant_total=body.montantTotal,
        est_certificat=body.estCertificatRealisation,
        lignes=raw["lignes"],
        motifs_rejet=[],
        imputations=[],
    )


def _accept(espace: Espace, opco: str, row: FactureRow, submission: Submission) -> None:
    delay = espace.world.profile(opco).delaiPaiement
    row.date_paiement_prevue = espace.today + timedelta(days=delay)
    row.cle_unicite = unique_key(submission.body, submission.cfa)
    # Accepted: no rule is broken, so every line names a known échéance.
    for line in submission.judged():
        row.imputations.append(_imputation(line))
        if line.is_part:
            book(line.echeance, line.ligne.natureLigne, line.ligne.montant, en_cours=True)


def _imputation(line: Billed) -> dict[str, Any]:
    imputation = {
        "dossier_id": line.dossier.id,
        "echeance_id": line.echeance.id,
        "nature": line.ligne.natureLigne,
        "montant": str(line.ligne.montant),
    }
    if not line.is_part:  # frais annexes: `detailsFacturation` sums these once paid
        imputation["natureFrais"] = line.ligne.natureLigne
    return imputation


def _motif(problem: Problem) -> dict[str, Any]:
    return {"code": problem.code, "description": problem.message}


def pay(espace: Espace, row: FactureRow, day: date) -> None:
    """The OPCO pays an accepted invoice: amounts move from instruction to paid."""
    _require_in_instruction(row, EtatFacture.REGLE)
    imputed = _imputed(espace, row)
    for echeance, imputation in imputed:
        montant = Decimal(imputation["montant"])
        book(echeance, imputation["nature"], -montant, en_cours=True)
        book(echeance, imputation["nature"], montant, en_cours=False)
    row.etat, row.date_reglement = EtatFacture.REGLE, day
    row.date_paiement_prevue = None
    for dossier in {e.dossier.id: e.dossier for e, _ in imputed}.values():
        settle_if_paid(dossier, day)


def reject(espace: Espace, row: FactureRow, motif: str) -> None:
    """A rejection after acceptance: the amounts in instruction are released."""
    _require_in_instruction(row, EtatFacture.REJETE)
    for echeance, imputation in _imputed(espace, row):
        book(echeance, imputation["nature"], -Decimal(imputation["montant"]), en_cours=True)
    row.etat, row.cle_unicite, row.date_paiement_prevue = EtatFacture.REJETE, None, None
    row.motifs_rejet = [_motif(REJET_OPCO.problem(motif=motif))]


def _imputed(espace: Espace, row: FactureRow) -> list[tuple[EcheanceRow, dict[str, Any]]]:
    pairs = []
    for imputation in row.imputations:
        if imputation["nature"] in PARTS_ECHEANCE:
            pairs.append(
                (FactureRepository.of(espace).echeance(imputation["echeance_id"]), imputation)
            )
    return pairs


def _require_in_instruction(row: FactureRow, vers: EtatFacture) -> None:
    if row.etat != EtatFacture.EN_COURS_INSTRUCTION:
        raise TRANSITION_INVALIDE.error(
            objet=f"La facture {row.numero_interne}", depuis=row.etat, vers=vers
        )


def facture_of_cfa(
    espace: Espace, opco: str, siret_cfa: str, numeros: Mapping[str, str | None]
) -> FactureRow:
    """The CFA's invoice by exactly one of its numbers, `numeroInterneFacture` or
    `referenceFactureCFA` (its last under that reference: the earlier ones were rejected);
    an empty one is absent. Another CFA's is answered as one that does not exist."""
    given = {name: valeur for name, valeur in numeros.items() if valeur}
    if len(given) != 1:
        raise CHAMP_OBLIGATOIRE.error(
            list(given)[1] if given else next(iter(numeros)),
            detail=f"un seul de {', '.join(numeros)} est attendu, et un au moins.",
        )
    [(name, valeur)] = given.items()
    factures = FactureRepository.of(espace)
    if name == "numeroInterneFacture":
        found = factures.of_cfa(opco, siret_cfa, valeur)
    else:
        found = factures.latest(opco, siret_cfa, valeur)
    if found is None:
        raise FACTURE_INCONNUE.error(name, numero=valeur, ou="de ce CFA")
    return found


def answers(espace: Espace, rows: Sequence[FactureRow]) -> list[Facture]:
    """The invoices in production's shape, each dossier named by both its numbers."""
    numeros: dict[str, str | None] = {}
    for opco, siret_cfa in {(row.opco, row.siret_cfa) for row in rows}:
        externes = {
            str(ligne["numeroDossier"])
            for row in rows
            if (row.opco, row.siret_cfa) == (opco, siret_cfa)
            for ligne in row.lignes
            if ligne.get("numeroDossier") not in (None, "")
        }
        numeros |= DossierRepository.of(espace).numeros_internes(opco, siret_cfa, externes)
    return [facture_answer(row, numeros) for row in rows]


def factures_of_cfa(espace: Espace, opco: str, siret_cfa: str) -> list[FactureRow]:
    return FactureRepository.of(espace).all_of_cfa(opco, siret_cfa)


def factures_page(
    espace: Espace, opco: str, siret_cfa: str, numero_page: int, taille_page: int
) -> Page[FactureRow]:
    return FactureRepository.of(espace).page_of_cfa(opco, siret_cfa, numero_page, taille_page)


def decide(
    espace: Espace, opco: str, numero_interne: str, etat: str, motif: str | None
) -> FactureRow:
    """The OPCO's decision on an invoice in instruction, now (control API). The espace is
    locked first: a decision runs alone, never beside another decision, a clock move that
    pays, or an invoice booking the same échéances."""
    EspaceRepository.of(espace).locked()
    row = FactureRepository.of(espace).for_control(opco, numero_interne)
    if row is None:
        raise FACTURE_INCONNUE.error(numero=numero_interne, ou="chez cet OPCO")
    if etat == EtatFacture.REGLE:
        pay(espace, row, espace.today)
    else:
        reject(espace, row, motif or "Facture rejetée par l'OPCO")
    return row
