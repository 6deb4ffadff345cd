"""Synthetic dossiers: what a scenario's `generer: {dossiers: N, graine: S}` adds.

Each is a scenario dossier as a file would write it (the same dict), made to pass every
blocking control (NIR, SIRET, dates), with no two duplicates of one another nor of the
scenario's own dossiers, and no number the scenario's own dossiers already use. They are
spread over the OPCOs where the scenario's CFAs hold a key, those CFAs, the scenario's
employers at each OPCO (made up where an OPCO has none), its certifications and every
state. Nothing here reads the clock or the system's randomness: the same scenario and seed
give the same dossiers, one by one, so that a large load never holds them all at once.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal
from functools import lru_cache
from typing import Any

from pydantic import ValidationError
from stdnum import luhn

from sandbox.core.dates import add_months, age_on
from sandbox.core.opcos import OPCOS
from sandbox.dossiers.cerfa import Cerfa
from sandbox.dossiers.controls import contract_duplicate_key, duplicate_key
from sandbox.dossiers.regulation import minimum_salary, smic_at
from sandbox.dossiers.states import Etat
from sandbox.espaces.world import World
from sandbox.scenarios.model import Cfa, Scenario

# The clock the dossiers are dated from when the scenario sets none (a fixed day, not today:
# the same file gives the same dossiers whenever it is loaded).
REFERENCE = date(2026, 9, 1)
# The share of dossiers deposited by the employer (no numeroInterne, waiting to be paired).
PART_DEPOTS = 0.1
EMPLOYEURS_INVENTES = 5  # per OPCO where the scenario lists no employer

NOMS = (
    "Martin Bernard Thomas Petit Robert Richard Durand Dubois Moreau Laurent Simon Michel "
    "Lefebvre Leroy Roux David Bertrand Morel Fournier Girard Bonnet Dupont Lambert Fontaine "
    "Rousseau Vincent Muller Lefèvre Faure André Mercier Blanc Guérin Boyer Garnier Chevalier "
    "François Legrand Gauthier Garcia Perrin Robin Clément Morin Nicolas Henry Roussel Mathieu "
    "Gautier Masson Marchand Duval Denis Dumont Marie Lemaire Noël Meyer Dufour Meunier Brun "
    "Blanchard Giraud Joly Rivière Lucas Brunet Gaillard Barbier Arnaud Martinez Gérard Roche "
    "Renard Schmitt Roy Leroux Colin Vidal Caron Picard Roger Fabre Aubert Lemoine Renaud "
    "Dumas Lacroix Olivier Philippe Bourgeois Pierre Benoît Rey Leclerc Payet Rolland Leclercq"
).split()
PRENOMS = [
    (p, "F")
    for p in (
        "Léa Emma Chloé Manon Camille Inès Jade Louise Zoé Lina Alice Lola Juliette Sarah Clara "
        "Anna Rose Ambre Léna Mila Julia Romane Margaux Lucie Eva Nina Jeanne Agathe Mathilde "
        "Élise Charlotte Adèle Victoire Océane Laura Marine Justine Pauline Noémie Maëlys "
        "Capucine Salomé Anaïs Maëlle Héloïse Apolline Clémence Louna Nour Yasmine"
    ).split()
] + [
    (p, "M")
    for p in (
        "Lucas Hugo Louis Nathan Gabriel Jules Adam Arthur Raphaël Léo Ethan Noah Tom Paul "
        "Théo Maxime Enzo Mathis Clément Sacha Baptiste Antoine Victor Axel Alexandre Nolan "
        "Mathéo Timéo Eliott Maël Robin Romain Quentin Valentin Thomas Kylian Mehdi Yanis Ryan "
        "Noé Martin Simon Aaron Bastien Florian Dylan Killian Loïc Samuel Évan"
    ).split()
]
# Apprentices are 18 to 24 when their contract starts: no age rule refuses them.
AGE_MINIMUM, JOURS_DE_NAISSANCE = 18, 6 * 365
# No two apprentices share a name, a first name and a birth date (the duplicate key).
IDENTITES = len(NOMS) * len(PRENOMS) * JOURS_DE_NAISSANCE
COMMUNES = ("75056", "69123", "13055", "33063", "31555", "59350", "44109", "67482")
MAITRES = tuple(zip(NOMS[::10], (prenom for prenom, _ in PRENOMS[50::5]), strict=True))
# The state of each dossier, in turn at each OPCO: most are live, every state is there.
ETATS = (
    Etat.TRANSMIS,
    Etat.EN_COURS_INSTRUCTION,
    Etat.ENGAGE,
    Etat.TRANSMIS,
    Etat.ENGAGE,
    Etat.ANNULE,
    Etat.EN_COURS_INSTRUCTION,
    Etat.RUPTURE,
    Etat.ENGAGE,
    Etat.REFUSE,
    Etat.TRANSMIS,
    Etat.SOLDE,
)
# Listed by no référentiel, hence eligible: for a scenario that lists no certification.
CERTIFICATION_PAR_DEFAUT = ("RNCP35185", "CAP Boulanger")


def dossiers(scenario: Scenario) -> Iterator[dict[str, Any]]:
    """The scenario's generated dossiers, in order, one at a time."""
    if scenario.generer.dossiers == 0:
        return
    plan = _Plan.of(scenario)
    rng = random.Random(scenario.generer.graine)
    identites = _Identites(rng, _youngest(plan.anchor), _own_duplicate_keys(scenario))
    for index in range(scenario.generer.dossiers):
        yield plan.dossier(index, rng, identites)


def opcos_in_turn(scenario: Scenario) -> tuple[str, ...]:
    """The OPCOs the generated dossiers go to, in turn: the `i`-th to the `i % n`-th."""
    return _opcos(scenario)


def count_at(scenario: Scenario, opcos: frozenset[str]) -> int:
    """How many of the generated dossiers go to those OPCOs."""
    turn, total = _opcos(scenario), scenario.generer.dossiers
    return sum(len(range(k, total, len(turn))) for k, opco in enumerate(turn) if opco in opcos)


@dataclass(frozen=True)
class _Plan:
    """What every generated dossier draws from: the scenario's places and its référentiel."""

    opcos: tuple[str, ...]
    cfas: dict[str, tuple[Cfa, ...]]  # per OPCO, the CFAs holding a key there
    employeurs: dict[str, tuple[dict[str, str], ...]]  # per OPCO, CERFA employer blocks
    certifications: tuple[tuple[str, str], ...]  # (rncp, intitulé), eligible
    refusee: tuple[str, str] | None  # a certification instruction refuses, if listed
    anchor: date
    maitres: tuple[dict[str, str], ...]
    smic_table: tuple[tuple[date, Decimal], ...]
    numeros_pris: frozenset[tuple[str, str, str]]  # (opco, CFA's SIRET, numeroInterne)

    @classmethod
    def of(cls, scenario: Scenario) -> "_Plan":
        opcos = _opcos(scenario)
        listed = [c for c in scenario.certifications if c.actif and c.eligibleApprentissage]
        refused = [c for c in scenario.certifications if not (c.actif and c.eligibleApprentissage)]
        # Far dates are clamped: apprentices born after 1900, contracts ending before 3000.
        anchor = min(max(scenario.date or REFERENCE, date(1950, 1, 1)), date(2990, 1, 1))
        return cls(
            opcos=opcos,
            cfas={
                o: tuple(c for c in scenario.cfas if c.cle(o)) or (scenario.cfas[0],) for o in opcos
            },
            employeurs={o: _employeurs(scenario, o) for o in opcos},
            certifications=tuple((c.rncp, c.intitule) for c in listed)
            or (CERTIFICATION_PAR_DEFAUT,),
            refusee=(refused[0].rncp, refused[0].intitule) if refused else None,
            anchor=anchor,
            maitres=tuple(
                {"nom": nom, "prenom": prenom, "dateNaissance": f"{anchor.year - 30 - 3 * k}-03-15"}
                for k, (nom, prenom) in enumerate(MAITRES)
            ),
            smic_table=World(scenario).smic_table,
            numeros_pris=frozenset(
                (d.opco, _siret_cfa(d.cerfa), d.numeroInterne)
                for d in scenario.dossiers
                if d.numeroInterne
            ),
        )

    def dossier(self, index: int, rng: random.Random, identites: "_Identites") -> dict[str, Any]:
        """The `index`-th dossier: its OPCO and state in turn, the rest drawn."""
        opco = self.opcos[index % len(self.opcos)]
        etat = ETATS[(index // len(self.opcos)) % len(ETATS)]
        cfa = rng.choice(self.cfas[opco])
        employeur = rng.choice(self.employeurs[opco])
        debut = add_months(self.anchor, -rng.randrange(4))
        apprenti = identites.next(employeur["siret"], debut)
        cerfa = {
            "employeur": employeur,
            "apprenti": {
                "nom": apprenti.nom,
                "prenom": apprenti.prenom,
                "sexe": apprenti.sexe,
                "dateNaissance": apprenti.naissance.isoformat(),
                "nir": _nir(apprenti, rng),
            },
            "maitre1": rng.choice(self.maitres),
            **self._contract(apprenti, debut, etat == Etat.REFUSE, rng),
            "organismeFormation": {"siret": cfa.siret, "uaiCfa": cfa.uai},
        }
        numero: dict[str, Any]
        if rng.random() < PART_DEPOTS:
            numero = {"canal": "EMPLOYEUR", "mandatGestion": False}
        else:
            numero = {"numeroInterne": self._numero_interne(opco, cfa.siret, index)}
        return {"opco": opco, **numero, "etat": etat.value, "cerfa": cerfa}

    def _contract(
        self, apprenti: "_Apprenti", debut: date, refused: bool, rng: random.Random
    ) -> dict[str, Any]:
        """The `contrat` and `formation` blocks: two years less a day, paid the legal
        minimum or more. A dossier to be refused gets a real reason: the référentiel's
        ineligible certification, or, when it lists none, half the minimum pay."""
        fin = add_months(debut, 24) - timedelta(days=1)
        if refused and self.refusee:
            rncp, intitule = self.refusee
        else:
            rncp, intitule = rng.choice(self.certifications)
        salaire = _salaire(apprenti.naissance, debut, self.smic_table, rng)
        if refused and not self.refusee:
            salaire = (salaire / 2).quantize(Decimal("0.01"))
        return {
            "contrat": {
                "typeContratApp": 11,
                "dateConclusion": (debut - timedelta(days=rng.randrange(5, 30))).isoformat(),
                "dateDebutContrat": debut.isoformat(),
                "dateFinContrat": fin.isoformat(),
                "salaireEmbauche": float(salaire),
            },
            "formation": {
                "rncp": rncp,
                "intituleQualification": intitule,
                "dateDebutFormation": debut.isoformat(),
                "dateFinFormation": (fin - timedelta(days=61)).isoformat(),
            },
        }

    def _numero_interne(self, opco: str, siret_cfa: str, index: int) -> str:
        """`GEN-000001`…, or, where the scenario's own dossiers use it, the first free
        `GEN-000001-2`…"""
        numero, suffix = f"GEN-{index + 1:06d}", 1
        while (opco, siret_cfa, numero) in self.numeros_pris:
            suffix += 1
            numero = f"GEN-{index + 1:06d}-{suffix}"
        return numero


@dataclass(frozen=True)
class _Apprenti:
    nom: str
    prenom: str
    sexe: str
    naissance: date


class _Identites:
    """Apprentices who are never duplicates: a permutation (drawn from the seed) of every
    (name, first name, birth date), skipping those of the scenario's own contracts."""

    def __init__(self, rng: random.Random, youngest: date, own_keys: set[str]) -> None:
        # An affine map modulo IDENTITES is a permutation when its factor is coprime with it.
        self.factor = rng.randrange(1, IDENTITES)
        while _gcd(self.factor, IDENTITES) != 1:
            self.factor += 1
        self.offset = rng.randrange(IDENTITES)
        self.youngest = youngest
        self.own_keys = own_keys
        self.taken = 0

    def next(self, siret_employeur: str, debut: date) -> _Apprenti:
        while True:
            code = (self.factor * self.taken + self.offset) % IDENTITES
            self.taken += 1
            nom = NOMS[code % len(NOMS)]
            prenom, sexe = PRENOMS[(code // len(NOMS)) % len(PRENOMS)]
            naissance = self.youngest - timedelta(days=code // (len(NOMS) * len(PRENOMS)))
            # Hashed only when the scenario's own contracts may be met.
            if not self.own_keys or (
                duplicate_key(nom, prenom, naissance, siret_employeur, debut) not in self.own_keys
            ):
                return _Apprenti(nom, prenom, sexe, naissance)


def _youngest(anchor: date) -> date:
    """The latest birth date: 18 before the earliest contract start (three months before
    the anchor). Counted from the anchor alone, not from each contract's start, so that two
    identities never meet."""
    return add_months(anchor, -4 - 12 * AGE_MINIMUM)


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


def _opcos(scenario: Scenario) -> tuple[str, ...]:
    """The OPCOs where a CFA holds a key, those hooked up first choice; else every OPCO."""
    keyed = [code for code in OPCOS if any(cfa.cle(code) for cfa in scenario.cfas)]
    hooked = [code for code in keyed if scenario.profile(code).accroche]
    return tuple(hooked or keyed or OPCOS)


def _employeurs(scenario: Scenario, opco: str) -> tuple[dict[str, str], ...]:
    listed = tuple(
        {"siret": e.siret, "denomination": e.denomination}
        for e in scenario.employeurs
        if e.opco == opco
    )
    if listed:
        return listed
    number = list(OPCOS).index(opco)
    return tuple(
        {"siret": _siret(70_000_000 + number * 100 + k), "denomination": f"Entreprise {k + 1}"}
        for k in range(EMPLOYEURS_INVENTES)
    )


def _siret_cfa(cerfa: dict[str, Any]) -> str:
    organisme = cerfa.get("organismeFormation")
    return str(organisme.get("siret")) if isinstance(organisme, dict) else ""


def _own_duplicate_keys(scenario: Scenario) -> set[str]:
    keys = set()
    for dossier in scenario.dossiers:
        try:
            keys.add(contract_duplicate_key(Cerfa.model_validate(dossier.cerfa)))
        except ValidationError:
            continue  # refused by the load's own checks, before any dossier is made
    return keys


def _siret(siren8: int) -> str:
    """A valid SIRET: the SIREN's Luhn digit, then the NIC 0001 and the digit making all 14
    valid."""
    siren = f"{siren8:08d}"
    siren += luhn.calc_check_digit(siren)
    base = f"{siren}0001"
    return base + luhn.calc_check_digit(base)


def _nir(apprenti: _Apprenti, rng: random.Random) -> str:
    """A valid NIR: sex, year and month of birth, a commune, an order number, the key."""
    ordre = rng.randrange(1, 1000)
    sexe = 1 if apprenti.sexe == "M" else 2
    body = f"{sexe}{apprenti.naissance:%y%m}{rng.choice(COMMUNES)}{ordre:03d}"
    return f"{body}{97 - int(body) % 97:02d}"


def _salaire(
    naissance: date, debut: date, smic_table: tuple[tuple[date, Decimal], ...], rng: random.Random
) -> Decimal:
    """At least the legal minimum for the apprentice's age, rounded up to ten euros."""
    tens = _minimum_tens(age_on(naissance, debut), debut, smic_table)
    return Decimal(tens * 10 + 10 * rng.randrange(10)).quantize(Decimal("0.01"))


@lru_cache(maxsize=1024)
def _minimum_tens(age: int, debut: date, smic_table: tuple[tuple[date, Decimal], ...]) -> int:
    """The legal minimum pay in tens of euros, rounded up (a few ages and starts recur)."""
    minimum = minimum_salary(age, 1, smic_at(debut, smic_table))
    return int((minimum / 10).to_integral_value(rounding=ROUND_CEILING))
