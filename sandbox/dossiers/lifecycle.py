"""The dossier's life, driven by the espace's clock, on the table of `states.py`."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from sandbox.core.repository import new_row
from sandbox.core.tables import DossierRow, EcheanceRow
from sandbox.dossiers import echeancier
from sandbox.dossiers.cerfa import Cerfa
from sandbox.dossiers.deca import departement_of, numero_deca
from sandbox.dossiers.regulation import CertificationStatus, ContractFacts, refusal_reasons
from sandbox.dossiers.states import BILLABLE, NOT_LIVE, Etat, allowed, path_to
from sandbox.errors import TRANSITION_INVALIDE
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository
from sandbox.scenarios.model import OpcoProfile

# Used when the scenario's référentiel does not list the certification.
DEFAULT_NPEC = Decimal("6000")
# DECA numbers come from one national registry: one sequence per espace, across OPCOs, so
# that two OPCOs never give the same number.
DECA_REGISTRY = "*"


def schedule_first_step(espace: Espace, row: DossierRow) -> None:
    row.prochaine_etape = espace.today + timedelta(days=_profile(espace, row).delaiPriseEnCharge)


def step(espace: Espace, row: DossierRow, day: date) -> None:
    """The clock's transition of a dossier whose next step falls on `day`."""
    if row.etat == Etat.TRANSMIS:
        move(row, Etat.EN_COURS_INSTRUCTION, day)
        row.prochaine_etape = day + timedelta(days=_profile(espace, row).delaiInstruction)
    elif row.etat == Etat.EN_COURS_INSTRUCTION:
        decide(espace, row, day)
    else:
        row.prochaine_etape = None


def move(row: DossierRow, etat: str, day: date, commentaire: str | None = None) -> None:
    """One transition of the table, or 409 `TRANSITION_INVALIDE`."""
    if not allowed(row.etat, etat):
        raise TRANSITION_INVALIDE.error(
            objet=f"Le dossier {row.numero_externe}", depuis=row.etat, vers=etat
        )
    row.etat, row.date_mise_a_jour, row.prochaine_etape = etat, day, None
    if commentaire is not None:
        row.commentaire_etat = commentaire
    if etat in NOT_LIVE:
        row.cle_doublon = None


def decide(espace: Espace, row: DossierRow, day: date) -> None:
    """End of instruction: refused with every reason that applies, else engaged."""
    cerfa = Cerfa.model_validate(row.cerfa)
    reasons = refusal_reasons(_facts(espace, cerfa), espace.world.smic_table)
    if reasons:
        move(row, Etat.REFUSE, day, " ".join(reasons))
    else:
        engage(espace, row, day, cerfa)


def engage(espace: Espace, row: DossierRow, day: date, cerfa: Cerfa | None = None) -> None:
    """ENGAGE, its DECA number and its échéancier; `cerfa`, the row's CERFA when the caller
    has it parsed already."""
    move(row, Etat.ENGAGE, day)
    if cerfa is None:
        cerfa = Cerfa.model_validate(row.cerfa)
    sequence = EspaceRepository.of(espace).next_number(DECA_REGISTRY, "deca")
    row.numero_deca = numero_deca(departement_of(_code_postal(row.cerfa)), day, sequence)
    prevues = echeancier.build_echeancier(
        cerfa.contrat.dateDebutContrat,
        cerfa.contrat.dateFinContrat,
        _npec(espace, cerfa),
        espace.world.rqth_annuel if cerfa.apprenti.handicap else Decimal(0),
        espace.world.schedule(row.opco),
    )
    cfa = espace.world.cfa(row.siret_cfa)
    _set_echeances(row, [_echeance_row(p, row.siret_cfa, cfa.iban if cfa else "") for p in prevues])
    row.engagement = echeancier.engagement(prevues)


def deca_numbers_after(espace: Espace, sequence: int) -> None:
    """The espace's DECA numbers, none given yet, follow `sequence` (the second half of an
    install built in two: see `scenarios.split`)."""
    EspaceRepository.of(espace).start_after(DECA_REGISTRY, "deca", sequence)


def deca_numbers_given(session: Session, espace: str) -> int:
    """The last DECA sequence number given in the espace (0 before the first)."""
    return EspaceRepository(session, espace).counted(DECA_REGISTRY, "deca")


def _set_echeances(row: DossierRow, echeances: list[EcheanceRow]) -> None:
    """The dossier's échéances replaced. A row no session follows (a bulk install holds it,
    and writes it with its échéances, in Core) takes them without the events that keep a
    session informed, which would cost a tenth of the install."""
    if object_session(row) is None:
        set_committed_value(row, "echeances", echeances)
    else:
        row.echeances = echeances


def break_contract(row: DossierRow, day: date, commentaire: str | None) -> None:
    """RUPTURE: the échéances opening after the rupture date are dropped, the last one kept
    pays up to the rupture; settled at once when what is kept is already paid."""
    move(row, Etat.RUPTURE, day, commentaire)
    kept = [e for e in row.echeances if e.date_ouverture <= day]
    if kept:
        # A rupture after the contract's end changes nothing of the period paid for.
        kept[-1].date_fin = min(day, kept[-1].date_fin)
    _set_echeances(row, kept)
    row.engagement = sum((e.montant_total for e in kept), Decimal(0))
    settle_if_paid(row, day)


def _echeance_row(prevue: echeancier.EcheancePrevue, siret: str, iban: str) -> EcheanceRow:
    return new_row(
        EcheanceRow,
        numero=prevue.numero,
        codification=prevue.codification,
        date_ouverture=prevue.date_ouverture,
        date_debut=prevue.date_debut,
        date_fin=prevue.date_fin,
        montant_pedagogique=prevue.montant_pedagogique,
        montant_rqth=prevue.montant_rqth,
        montant_regle=Decimal(0),
        montant_en_cours=Decimal(0),
        regle_rqth=Decimal(0),
        en_cours_rqth=Decimal(0),
        siret=siret,
        iban=iban,
    )


def _facts(espace: Espace, cerfa: Cerfa) -> ContractFacts:
    certification = espace.world.certification(cerfa.formation.rncp)
    return ContractFacts(
        date_naissance_apprenti=cerfa.apprenti.dateNaissance,
        date_naissance_maitre1=cerfa.maitre1.dateNaissance,
        date_debut_contrat=cerfa.contrat.dateDebutContrat,
        salaire_embauche=cerfa.contrat.salaireEmbauche,
        handicap=cerfa.apprenti.handicap is True,
        sportif_haut_niveau=cerfa.apprenti.inscriptionSportifDeHautNiveau is True,
        projet_creation_reprise=cerfa.apprenti.projetCreationRepriseEntreprise is True,
        type_derogation=cerfa.contrat.typeDerogation,
        certification=(
            CertificationStatus(certification.actif, certification.eligibleApprentissage)
            if certification
            else None
        ),
    )


def _code_postal(cerfa: dict[str, Any]) -> str | None:
    """The employer's postal code, if the CERFA gives one: its address is not checked at
    transmission (kept as sent), so it may be missing, a string or a number."""
    employeur = cerfa.get("employeur")
    adresse = employeur.get("adresse") if isinstance(employeur, dict) else None
    code = adresse.get("codePostal") if isinstance(adresse, dict) else None
    return str(code) if isinstance(code, str | int) and not isinstance(code, bool) else None


def _npec(espace: Espace, cerfa: Cerfa) -> Decimal:
    certification = espace.world.certification(cerfa.formation.rncp)
    return certification.npec if certification else DEFAULT_NPEC


def _profile(espace: Espace, row: DossierRow) -> OpcoProfile:
    return espace.world.profile(row.opco)


def reach(
    espace: Espace, row: DossierRow, etat: str, commentaire: str | None, cerfa: Cerfa
) -> None:
    """Take a new dossier, transmitted with `cerfa`, to `etat` through the same transitions
    as a live one."""
    for etape in path_to(etat):
        if etape == Etat.REFUSE and commentaire is None:
            reasons = refusal_reasons(_facts(espace, cerfa), espace.world.smic_table)
            commentaire = " ".join(reasons) or None
        force(espace, row, etape, commentaire if etape == etat else None, cerfa)


def force(
    espace: Espace,
    row: DossierRow,
    etat: str,
    commentaire: str | None,
    cerfa: Cerfa | None = None,
) -> None:
    """One transition now (control API, scenarios): the same table as the clock's; `cerfa`,
    the row's CERFA when the caller has it parsed already."""
    today = espace.today
    if etat == Etat.ENGAGE and allowed(row.etat, Etat.ENGAGE):
        engage(espace, row, today, cerfa)
        row.commentaire_etat = commentaire or row.commentaire_etat
    elif etat == Etat.RUPTURE:
        break_contract(row, today, commentaire)
    elif etat == Etat.SOLDE:
        move(row, Etat.SOLDE, today, commentaire)
        for echeance in row.echeances:
            echeance.mark_paid()
    else:
        move(row, etat, today, commentaire)
        if etat == Etat.EN_COURS_INSTRUCTION:
            row.prochaine_etape = today + timedelta(days=_profile(espace, row).delaiInstruction)


def settle_if_paid(row: DossierRow, day: date) -> None:
    """ENGAGE or RUPTURE becomes SOLDE once every échéance is fully paid."""
    paid = all(e.fully_paid for e in row.echeances)
    if row.etat in BILLABLE and row.echeances and paid:
        move(row, Etat.SOLDE, day)
