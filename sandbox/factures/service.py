"""Invoices: the twelve rejection rules of the standard's FAQ, acceptance and payment.

Every rule is judged on every invoice and every broken rule is reported once, naming its
first offending field. A rule that needs a line's dossier or échéance skips the lines whose
dossier or échéance is unknown.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sandbox.core.tables import DossierRow, EcheanceRow, FactureRow
from sandbox.dossiers.controls import EARLIEST_CONCLUSION
from sandbox.dossiers.lifecycle import settle_if_paid
from sandbox.errors import Problem, SandboxError
from sandbox.espaces.espace import Espace
from sandbox.factures.schemas import FactureBody, Ligne
from sandbox.scenarios.model import Cfa

PREMIER_EQUIPEMENT_CAP = Decimal(500)

# The standard's FAQ messages, word for word, in the contract's order.
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


@dataclass
class LineView:
    """A line with what it names, resolved for the calling CFA."""

    index: int
    ligne: Ligne
    dossier: DossierRow | None = None
    echeance: EcheanceRow | None = None

    def champ(self, name: str) -> str:
        return f"lignes[{self.index}].{name}"

    @property
    def billable(self) -> bool:
        return self.dossier is not None and is_billable(self.dossier)

    def billed(self) -> "Billed | None":
        if self.dossier is None or self.echeance is None or not self.billable:
            return None
        return Billed(self.index, self.ligne, self.dossier, self.echeance)


@dataclass(frozen=True)
class Billed:
    """A line whose dossier can be invoiced and whose échéance exists: the rules on amounts,
    dates, SIRET and IBAN judge these lines only."""

    index: int
    ligne: Ligne
    dossier: DossierRow
    echeance: EcheanceRow

    def champ(self, name: str) -> str:
        return f"lignes[{self.index}].{name}"


@dataclass
class Submission:
    body: FactureBody
    cfa: Cfa
    today: date
    cfas_of_opco: frozenset[str]
    lines: list[LineView]
    # The OPCO already holds this numeroFacture from this emitter, not rejected.
    known: bool = False
    # The calling CFA's invoices at this OPCO that are not rejected.
    previous: list[FactureRow] = field(default_factory=list)

    @property
    def siret(self) -> str | None:
        return self.body.emetteur.siret if self.body.emetteur else None

    @property
    def iban(self) -> str | None:
        raw = self.body.emetteur.iban if self.body.emetteur else None
        # Blank is absent: IBAN_ABSENT, not IBAN_DIFFERENT.
        return normalize_iban(raw or "") or None

    def judged(self) -> Iterator[Billed]:
        """The lines whose échéance is known and whose dossier can be invoiced."""
        return (billed for v in self.lines if (billed := v.billed()) is not None)


def to_cent(amount: Decimal) -> Decimal:
    """An amount as it is invoiced: rounded half up to the cent (1.5 × 3.33 is 5.00)."""
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def normalize_iban(iban: str) -> str:
    return "".join(iban.split()).upper()


def is_billable(dossier: DossierRow) -> bool:
    return (
        dossier.numero_deca is not None
        and dossier.etat in ("ENGAGE", "RUPTURE")
        and dossier.date_conclusion >= EARLIEST_CONCLUSION
    )


def remaining(echeance: EcheanceRow) -> Decimal:
    """What is left to invoice on an échéance."""
    total = echeance.montant_pedagogique + echeance.montant_rqth
    return total - echeance.montant_regle - echeance.montant_en_cours


def remaining_part(echeance: EcheanceRow, nature: str) -> Decimal:
    """What is left to invoice of the pedagogical or the RQTH part of an échéance."""
    rqth_used = echeance.regle_rqth + echeance.en_cours_rqth
    if nature == "RQTH":
        return echeance.montant_rqth - rqth_used
    used = echeance.montant_regle + echeance.montant_en_cours - rqth_used
    return echeance.montant_pedagogique - used


# Each rule yields the `champ` of every place it is broken; the first one is reported.
Rule = Callable[[Submission], Iterator[str]]


def facture_deja_connue(s: Submission) -> Iterator[str]:
    if s.known:
        yield "numeroFacture"


def iban_different(s: Submission) -> Iterator[str]:
    if s.iban is not None:
        for line in s.judged():
            if normalize_iban(line.echeance.iban) != s.iban:
                yield "emetteur.iban"


def frais_annexes_plafond(s: Submission) -> Iterator[str]:
    billed: dict[tuple[int, str], Decimal] = {}
    for facture in s.previous:
        for imputation in facture.imputations:
            if "natureFrais" in imputation:
                key = (imputation["dossier_id"], imputation["natureFrais"])
                billed[key] = billed.get(key, Decimal(0)) + Decimal(imputation["montant"])
    for line in s.judged():
        nature = line.ligne.natureFrais
        if line.ligne.nature != "FRAIS_ANNEXES" or nature is None:
            continue
        key = (line.dossier.id, nature)
        billed[key] = billed.get(key, Decimal(0)) + line.ligne.montant
        over_cap = nature == "PREMIER_EQUIPEMENT" and billed[key] > PREMIER_EQUIPEMENT_CAP
        if over_cap or billed[key] > frais_engages(line.dossier, nature):
            yield line.champ("montant")


def frais_engages(dossier: DossierRow, nature_frais: str) -> Decimal:
    return sum(
        (
            Decimal(str(f["montantTotal"]))
            for f in dossier.frais_annexes
            if f["natureFrais"] == nature_frais
        ),
        Decimal(0),
    )


def iban_absent(s: Submission) -> Iterator[str]:
    if s.iban is None:
        yield "emetteur.iban"


def montant_echeance_incorrect(s: Submission) -> Iterator[str]:
    sums: dict[int, Decimal] = {}
    first: dict[int, Billed] = {}
    for line in s.judged():
        if line.ligne.nature in ("PEDAGOGIQUE", "RQTH"):
            sums[line.echeance.id] = sums.get(line.echeance.id, Decimal(0)) + line.ligne.montant
            first.setdefault(line.echeance.id, line)
    for echeance_id, total in sums.items():
        if total != remaining(first[echeance_id].echeance):
            yield first[echeance_id].champ("montant")


def siret_emetteur_inconnu(s: Submission) -> Iterator[str]:
    if s.siret not in s.cfas_of_opco:
        yield "emetteur.siret"


def siret_different(s: Submission) -> Iterator[str]:
    if s.siret is not None:
        for line in s.judged():
            if line.echeance.siret != s.siret:
                yield "emetteur.siret"


def numero_externe_absent(s: Submission) -> Iterator[str]:
    for view in s.lines:
        if not view.ligne.numeroExterneDossier:
            yield view.champ("numeroExterneDossier")


def echeance_non_ouverte(s: Submission) -> Iterator[str]:
    for line in s.judged():
        if line.echeance.date_ouverture > s.today:
            yield line.champ("numeroEcheance")


def montant_incorrect(s: Submission) -> Iterator[str]:
    for line in s.judged():
        ligne = line.ligne
        if ligne.nature == "FRAIS_ANNEXES":
            if ligne.quantite is None or ligne.prixUnitaire is None:
                yield line.champ("montant")
            elif ligne.montant != to_cent(ligne.quantite * ligne.prixUnitaire):
                yield line.champ("montant")
        elif ligne.montant != remaining_part(line.echeance, ligne.nature):
            yield line.champ("montant")


def montant_total_incoherent(s: Submission) -> Iterator[str]:
    if s.body.montantTotal != sum((v.ligne.montant for v in s.lines), Decimal(0)):
        yield "montantTotal"


def numero_echeance_inconnu(s: Submission) -> Iterator[str]:
    for view in s.lines:
        if view.billable and view.echeance is None:
            yield view.champ("numeroEcheance")


def dossier_inconnu(s: Submission) -> Iterator[str]:
    for view in s.lines:
        if view.ligne.numeroExterneDossier and view.dossier is None:
            yield view.champ("numeroExterneDossier")


def dossier_non_facturable(s: Submission) -> Iterator[str]:
    for view in s.lines:
        if view.dossier is not None and not view.billable:
            yield view.champ("numeroExterneDossier")


RULES: dict[str, Rule] = {
    "FACTURE_DEJA_CONNUE": facture_deja_connue,
    "IBAN_DIFFERENT": iban_different,
    "FRAIS_ANNEXES_PLAFOND": frais_annexes_plafond,
    "IBAN_ABSENT": iban_absent,
    "MONTANT_ECHEANCE_INCORRECT": montant_echeance_incorrect,
    "SIRET_EMETTEUR_INCONNU": siret_emetteur_inconnu,
    "SIRET_DIFFERENT": siret_different,
    "NUMERO_EXTERNE_ABSENT": numero_externe_absent,
    "ECHEANCE_NON_OUVERTE": echeance_non_ouverte,
    "MONTANT_INCORRECT": montant_incorrect,
    "MONTANT_TOTAL_INCOHERENT": montant_total_incoherent,
    "NUMERO_ECHEANCE_INCONNU": numero_echeance_inconnu,
    "DOSSIER_INCONNU": dossier_inconnu,
    "DOSSIER_NON_FACTURABLE": dossier_non_facturable,
}


def judge(submission: Submission) -> list[Problem]:
    """Every broken rule, once, with its first offending field."""
    problems = []
    for code, rule in RULES.items():
        champ = next(rule(submission), None)
        if champ is not None:
            problems.append(Problem(code, MESSAGES[code], champ))
    return problems


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
    if any(p.code == "FACTURE_DEJA_CONNUE" for p in problems):
        raise SandboxError(422, problems)
    row = _new_facture(espace, opco, submission, raw)
    if problems:
        row.etat, row.motifs_rejet = "REJETEE", [_motif(p) for p in problems]
    else:
        _accept(espace, opco, row, submission)
    espace.store.add_facture(row)
    if row.date_paiement_prevue == espace.today:  # an OPCO that pays the same day
        pay(espace, row, espace.today)
    return Outcome(row, problems)


def _submission(espace: Espace, opco: str, cfa: Cfa, body: FactureBody) -> Submission:
    numeros = {line.numeroExterneDossier for line in body.lignes if line.numeroExterneDossier}
    # Locking the dossiers serialises concurrent invoices on them: no échéance is billed twice.
    dossiers = espace.store.dossiers_for_update(opco, cfa.siret, numeros)
    lines = [_view(i, ligne, dossiers) for i, ligne in enumerate(body.lignes)]
    return Submission(
        body=body,
        cfa=cfa,
        today=espace.today,
        cfas_of_opco=frozenset(c.siret for c in espace.world.scenario.cfas if opco in c.cles),
        lines=lines,
        known=espace.store.live_facture(opco, unique_key(body, cfa)) is not None,
        previous=espace.store.live_factures(opco, cfa.siret),
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
        espace=espace.store.espace,
        opco=opco,
        siret_cfa=submission.cfa.siret,
        numero_facture=body.numeroFacture,
        siret_emetteur=submission.siret or submission.cfa.siret,
        etat="EN_COURS_INSTRUCTION",
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
            _book(line.echeance, line.ligne.nature, line.ligne.montant, en_cours=True)


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


def _book(echeance: EcheanceRow, nature: str, montant: Decimal, en_cours: bool) -> None:
    """Add (or, negative, remove) an amount in instruction or paid on an échéance."""
    rqth = montant if nature == "RQTH" else Decimal(0)
    if en_cours:
        echeance.montant_en_cours += montant
        echeance.en_cours_rqth += rqth
    else:
        echeance.montant_regle += montant
        echeance.regle_rqth += rqth


def _motif(problem: Problem) -> dict[str, Any]:
    return {"code": problem.code, "message": problem.message, "champ": problem.champ}


def pay(espace: Espace, row: FactureRow, day: date) -> None:
    """The OPCO pays an accepted invoice: amounts move from instruction to paid."""
    _require_in_instruction(row)
    imputed = _imputed(espace, row)
    for echeance, imputation in imputed:
        montant = Decimal(imputation["montant"])
        _book(echeance, imputation["nature"], -montant, en_cours=True)
        _book(echeance, imputation["nature"], montant, en_cours=False)
    row.etat, row.date_reglement, row.montant_regle = "REGLEE", day, row.montant_total
    row.date_paiement_prevue = None
    for dossier in {e.dossier.id: e.dossier for e, _ in imputed}.values():
        settle_if_paid(dossier, day)


def reject(espace: Espace, row: FactureRow, motif: str) -> None:
    """A rejection after acceptance: the amounts in instruction are released."""
    _require_in_instruction(row)
    for echeance, imputation in _imputed(espace, row):
        _book(echeance, imputation["nature"], -Decimal(imputation["montant"]), en_cours=True)
    row.etat, row.cle_unicite, row.date_paiement_prevue = "REJETEE", None, None
    row.motifs_rejet = [{"code": "REJET_OPCO", "message": motif, "champ": None}]


def _imputed(espace: Espace, row: FactureRow) -> list[tuple[EcheanceRow, dict[str, Any]]]:
    pairs = []
    for imputation in row.imputations:
        if imputation["nature"] != "FRAIS_ANNEXES":
            pairs.append((espace.store.echeance(imputation["echeance_id"]), imputation))
    return pairs


def _require_in_instruction(row: FactureRow) -> None:
    if row.etat != "EN_COURS_INSTRUCTION":
        raise SandboxError.of(
            409,
            "TRANSITION_INVALIDE",
            f"La facture {row.numero_facture} est {row.etat} : elle n'est plus en instruction.",
            "etat",
        )


def facture_of_cfa(espace: Espace, opco: str, siret_cfa: str, numero_facture: str) -> FactureRow:
    found = espace.store.latest_facture(opco, siret_cfa, numero_facture)
    if found is None:
        raise SandboxError.of(
            404,
            "FACTURE_INCONNUE",
            f"Aucune facture {numero_facture} de ce CFA.",
            "numeroFacture",
        )
    return found


def factures_page(
    espace: Espace, opco: str, siret_cfa: str, numero_page: int, taille_page: int
) -> tuple[int, list[FactureRow]]:
    offset = (numero_page - 1) * taille_page
    return espace.store.factures_of_cfa(opco, siret_cfa, offset, taille_page)


def decide(
    espace: Espace, opco: str, numero_facture: str, etat: str, motif: str | None
) -> FactureRow:
    """The OPCO's decision on an invoice in instruction, now (control API)."""
    row = espace.store.facture_for_control(opco, numero_facture)
    if row is None:
        raise SandboxError.of(
            404,
            "FACTURE_INCONNUE",
            f"Aucune facture {numero_facture} chez cet OPCO.",
            "numeroFacture",
        )
    if etat == "REGLEE":
        pay(espace, row, espace.today)
    else:
        reject(espace, row, motif or "Facture rejetée par l'OPCO")
    return row
