"""The twelve rejection rules of the standard's FAQ, and the two rules on dossiers.

Every rule is judged on every invoice and every broken rule is reported once, naming its
first offending field (`facture.lignes[2].numeroDossier`). A rule that needs a line's
dossier or échéance skips the lines whose dossier or échéance is unknown. A line names its
dossier by `numeroDossier` (the numeroExterne); a `numeroDeca` that is not that dossier's
makes the dossier unknown.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sandbox import errors
from sandbox.core.tables import DossierRow, EcheanceRow, FactureRow
from sandbox.dossiers.controls import EARLIEST_CONCLUSION
from sandbox.dossiers.frais import (
    PLAFOND_PREMIER_EQUIPEMENT,
    PREMIER_EQUIPEMENT,
    frais_engages,
    periodes,
)
from sandbox.dossiers.states import BILLABLE
from sandbox.errors import ErrorKind, Problem
from sandbox.factures.ledger import remaining, remaining_part
from sandbox.factures.schemas import (
    MAJORATION_RQTH,
    PARTS_ECHEANCE,
    PEDAGOGIE,
    FactureBody,
    LigneFacture,
)
from sandbox.scenarios.model import Cfa


@dataclass
class LineView:
    """A line with what it names, resolved for the calling CFA."""

    index: int
    ligne: LigneFacture
    dossier: DossierRow | None = None
    echeance: EcheanceRow | None = None
    # The line names a dossier of the CFA by its numeroDossier, but another's numeroDeca.
    deca_differs: bool = False

    def champ(self, name: str) -> str:
        return line_champ(self.index, name)

    @property
    def billable(self) -> bool:
        return self.dossier is not None and is_billable(self.dossier)

    def billed(self) -> "Billed | None":
        if self.dossier is None or self.echeance is None or not self.billable:
            return None
        return Billed(self.index, self.ligne, self.dossier, self.echeance)


def line_champ(index: int, name: str) -> str:
    return f"facture.lignes[{index}].{name}"


@dataclass(frozen=True)
class Billed:
    """A line whose dossier can be invoiced and whose échéance exists: the rules on amounts,
    dates, SIRET and IBAN judge these lines only."""

    index: int
    ligne: LigneFacture
    dossier: DossierRow
    echeance: EcheanceRow

    def champ(self, name: str) -> str:
        return line_champ(self.index, name)

    @property
    def is_part(self) -> bool:
        """A part of the échéance (PEDAGOGIE, MAJORATION_RQTH), not frais annexes."""
        return self.ligne.natureLigne in PARTS_ECHEANCE


@dataclass
class Submission:
    body: FactureBody
    cfa: Cfa
    today: date
    cfas_of_opco: frozenset[str]
    lines: list[LineView]
    # The calling CFA already holds this numero from this emitter, not rejected.
    known: bool = False
    # The calling CFA's invoices at this OPCO that are not rejected.
    previous: list[FactureRow] = field(default_factory=list)

    @property
    def siret(self) -> str | None:
        return self.body.siretEmetteur

    @property
    def iban(self) -> str | None:
        # Blank is absent: IBAN_ABSENT, not IBAN_DIFFERENT.
        return normalize_iban(self.body.ibanEmetteur or "") or None

    def judged(self) -> Iterator[Billed]:
        """The lines whose échéance is known and whose dossier can be invoiced."""
        return (billed for v in self.lines if (billed := v.billed()) is not None)


def normalize_iban(iban: str) -> str:
    return "".join(iban.split()).upper()


def is_billable(dossier: DossierRow) -> bool:
    return (
        dossier.numero_deca is not None
        and dossier.etat in BILLABLE
        and dossier.date_conclusion >= EARLIEST_CONCLUSION
    )


# Each rule yields the `champ` of every place it is broken; the first one is reported.
Rule = Callable[[Submission], Iterator[str]]


def facture_deja_connue(s: Submission) -> Iterator[str]:
    if s.known:
        yield "facture.numero"


def iban_different(s: Submission) -> Iterator[str]:
    if s.iban is not None:
        for line in s.judged():
            if normalize_iban(line.echeance.iban) != s.iban:
                yield "facture.ibanEmetteur"


def frais_annexes_plafond(s: Submission) -> Iterator[str]:
    billed: dict[tuple[int, str], Decimal] = {}
    for facture in s.previous:
        for imputation in facture.imputations:
            if "natureFrais" in imputation:
                key = (imputation["dossier_id"], imputation["natureFrais"])
                billed[key] = billed.get(key, Decimal(0)) + Decimal(imputation["montant"])
    for line in s.judged():
        if line.is_part:
            continue
        nature = line.ligne.natureLigne
        key = (line.dossier.id, nature)
        billed[key] = billed.get(key, Decimal(0)) + line.ligne.montant
        over_cap = nature == PREMIER_EQUIPEMENT and billed[key] > PLAFOND_PREMIER_EQUIPEMENT
        # A nature is invoiced only on the échéances `periodesFraisAnnexes` lists for it.
        outside = (line.echeance.numero, nature) not in {
            (e.numero, n) for e, n in periodes(line.dossier)
        }
        if over_cap or outside or billed[key] > frais_engages(line.dossier, nature):
            yield line.champ("montant")


def iban_absent(s: Submission) -> Iterator[str]:
    if s.iban is None:
        yield "facture.ibanEmetteur"


def montant_echeance_incorrect(s: Submission) -> Iterator[str]:
    sums: dict[int, Decimal] = {}
    first: dict[int, Billed] = {}
    for line in s.judged():
        if line.is_part:
            sums[line.echeance.id] = sums.get(line.echeance.id, Decimal(0)) + line.ligne.montant
            first.setdefault(line.echeance.id, line)
    for echeance_id, total in sums.items():
        if total != remaining(first[echeance_id].echeance):
            yield first[echeance_id].champ("montant")


def siret_emetteur_inconnu(s: Submission) -> Iterator[str]:
    if s.siret not in s.cfas_of_opco:
        yield "facture.siretEmetteur"


def siret_different(s: Submission) -> Iterator[str]:
    if s.siret is not None:
        for line in s.judged():
            if line.echeance.siret != s.siret:
                yield "facture.siretEmetteur"


def numero_externe_absent(s: Submission) -> Iterator[str]:
    for view in s.lines:
        if not view.ligne.numeroDossier:
            yield view.champ("numeroDossier")


def echeance_non_ouverte(s: Submission) -> Iterator[str]:
    for line in s.judged():
        if line.echeance.date_ouverture > s.today:
            yield line.champ("numeroEcheance")


def montant_incorrect(s: Submission) -> Iterator[str]:
    # Frais lines are judged by their caps only: `quantite` is informative.
    for line in s.judged():
        nature = line.ligne.natureLigne
        if nature in (PEDAGOGIE, MAJORATION_RQTH):
            if line.ligne.montant != remaining_part(line.echeance, nature):
                yield line.champ("montant")


def montant_total_incoherent(s: Submission) -> Iterator[str]:
    if s.body.montantTotal != sum((v.ligne.montant for v in s.lines), Decimal(0)):
        yield "facture.montantTotal"


def numero_echeance_inconnu(s: Submission) -> Iterator[str]:
    for view in s.lines:
        if view.billable and view.echeance is None:
            yield view.champ("numeroEcheance")


def dossier_inconnu(s: Submission) -> Iterator[str]:
    for view in s.lines:
        if view.deca_differs:
            yield view.champ("numeroDeca")
        elif view.ligne.numeroDossier and view.dossier is None:
            yield view.champ("numeroDossier")


def dossier_non_facturable(s: Submission) -> Iterator[str]:
    for view in s.lines:
        if view.dossier is not None and not view.billable:
            yield view.champ("numeroDossier")


# In the contract's order; each rule's code, status and sentence are the catalogue's.
RULES: dict[ErrorKind, Rule] = {
    errors.FACTURE_DEJA_CONNUE: facture_deja_connue,
    errors.IBAN_DIFFERENT: iban_different,
    errors.FRAIS_ANNEXES_PLAFOND: frais_annexes_plafond,
    errors.IBAN_ABSENT: iban_absent,
    errors.MONTANT_ECHEANCE_INCORRECT: montant_echeance_incorrect,
    errors.SIRET_EMETTEUR_INCONNU: siret_emetteur_inconnu,
    errors.SIRET_DIFFERENT: siret_different,
    errors.NUMERO_EXTERNE_ABSENT: numero_externe_absent,
    errors.ECHEANCE_NON_OUVERTE: echeance_non_ouverte,
    errors.MONTANT_INCORRECT: montant_incorrect,
    errors.MONTANT_TOTAL_INCOHERENT: montant_total_incoherent,
    errors.NUMERO_ECHEANCE_INCONNU: numero_echeance_inconnu,
    errors.DOSSIER_INCONNU: dossier_inconnu,
    errors.DOSSIER_NON_FACTURABLE: dossier_non_facturable,
}


def judge(submission: Submission) -> list[Problem]:
    """Every broken rule, once, with its first offending field."""
    problems = []
    for kind, rule in RULES.items():
        champ = next(rule(submission), None)
        if champ is not None:
            problems.append(kind.problem(champ))
    return problems
