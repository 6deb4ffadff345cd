"""Write `scenarios/grand-volume.yaml`: 10,000 dossiers across the eleven OPCOs.

    python bench/make_grand_volume.py [OUTPUT]

The output is deterministic (no randomness, no clock): running the script again gives the
same bytes, so the committed file can be checked against it. Every identifier is valid
(NIR key, SIRET and SIREN Luhn check, IBAN and RIB keys) and no two dossiers are duplicates.

Four CFAs hold keys at every OPCO; the first CFA (the one the pytest fixture's clients use)
holds half the dossiers: 4,000 transmitted through the API and the 1,000 employer's deposits
(one dossier in ten), waiting to be paired.
The CERFA blocks shared by many dossiers (employers, maîtres, contracts, trainings, CFAs) are
YAML anchors, defined where first used: the file stays small and quick to parse.
"""

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from stdnum import iban, luhn
from stdnum.fr import nir, siret

from sandbox.core.opcos import OPCOS

DOSSIERS = 10_000
CFAS = 4
EMPLOYEURS_PAR_OPCO = 20
DATE = date(2026, 9, 1)
OUTPUT = Path(__file__).resolve().parent.parent / "scenarios" / "grand-volume.yaml"

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
PRENOMS_F = (
    "Léa Emma Chloé Manon Camille Inès Jade Louise Zoé Lina Alice Lola Juliette Sarah Clara "
    "Anna Rose Ambre Léna Mila Julia Romane Margaux Lucie Eva Nina Jeanne Agathe Mathilde "
    "Élise Charlotte Adèle Victoire Océane Laura Marine Justine Pauline Noémie Maëlys "
    "Capucine Salomé Anaïs Maëlle Héloïse Apolline Clémence Louna Nour Yasmine"
).split()
PRENOMS_M = (
    "Lucas Hugo Louis Nathan Gabriel Jules Adam Arthur Raphaël Léo Ethan Noah Tom Paul "
    "Théo Maxime Enzo Mathis Clément Sacha Baptiste Antoine Victor Axel Alexandre Nolan "
    "Mathéo Timéo Eliott Maël Robin Romain Quentin Valentin Thomas Kylian Mehdi Yanis Ryan "
    "Noé Martin Simon Aaron Bastien Florian Dylan Killian Loïc Samuel Évan"
).split()
PRENOMS = [(p, "F") for p in PRENOMS_F] + [(p, "M") for p in PRENOMS_M]
# The state of each dossier, in turn: most are live, every state is there.
ETATS = (
    "TRANSMIS",
    "EN_COURS_INSTRUCTION",
    "ENGAGE",
    "TRANSMIS",
    "ENGAGE",
    "ANNULE",
    "EN_COURS_INSTRUCTION",
    "RUPTURE",
    "ENGAGE",
    "REFUSE",
    "TRANSMIS",
    "SOLDE",
)
CERTIFICATIONS = (
    ("RNCP35185", "CAP Boulanger", 7000),
    ("RNCP38580", "BTS Comptabilité et gestion", 8200),
    ("RNCP37873", "BTS Management commercial opérationnel", 7500),
    ("RNCP34825", "Titre professionnel Maçon", 9100),
    ("RNCP36003", "Bac pro Maintenance des véhicules", 8800),
)
INACTIVE = ("RNCP12345", "Ancien titre", 5000)
DEBUTS = (date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 3), date(2026, 9, 1))


def siret_from(siren8: int, nic4: int) -> str:
    """A valid SIRET: the SIREN's Luhn digit, then the NIC's digit making all 14 valid."""
    siren = f"{siren8:08d}"
    siren += luhn.calc_check_digit(siren)
    base = f"{siren}{nic4:04d}"
    value = base + luhn.calc_check_digit(base)
    assert siret.is_valid(value), value
    return value


def nir_of(sexe: str, naissance: date, ordre: int) -> str:
    """A valid NIR: sex, year, month, Paris (75 056), order number, key."""
    body = f"{1 if sexe == 'M' else 2}{naissance:%y%m}75056{ordre % 1000:03d}"
    value = f"{body}{97 - int(body) % 97:02d}"
    assert nir.is_valid(value), value
    return value


def iban_of(banque: str, guichet: str, compte: str) -> str:
    """A valid French IBAN from a numeric RIB (bank, branch, 11-digit account)."""
    rib_key = 97 - (89 * int(banque) + 15 * int(guichet) + 3 * int(compte)) % 97
    bban = f"{banque}{guichet}{compte}{rib_key:02d}"
    value = f"FR{iban.calc_check_digits('FR00' + bban)}{bban}"
    assert iban.is_valid(value), value
    return value


@dataclass(frozen=True)
class Cfa:
    numero: int
    siret: str
    uai: str

    @property
    def anchor(self) -> str:
        return f"cfa{self.numero}"


def cfas() -> list[Cfa]:
    return [
        Cfa(k, siret_from(81_000_000 + k * 1_111, 1), f"07500{k:02d}{'ABCD'[k - 1]}")
        for k in range(1, CFAS + 1)
    ]


@dataclass(frozen=True)
class Employeur:
    siret: str
    denomination: str


def employeurs() -> dict[str, list[Employeur]]:
    """Per OPCO, its employers."""
    return {
        code: [
            Employeur(siret_from(60_000_000 + o * 100 + e, 1), f"Entreprise {code} {e + 1:02d}")
            for e in range(EMPLOYEURS_PAR_OPCO)
        ]
        for o, code in enumerate(OPCOS)
    }


def header(cfa_list: list[Cfa], by_opco: dict[str, list[Employeur]]) -> Iterator[str]:
    yield "# Generated by bench/make_grand_volume.py: do not edit, run it again.\n"
    yield "nom: grand-volume\n"
    yield (
        "description: >-\n"
        f"  Performance : {DOSSIERS} dossiers répartis sur les onze OPCO, dans tous les états,\n"
        "  pour quatre CFA qui ont chacun une clé chez chaque OPCO (gv1-akto-key pour le\n"
        "  premier chez AKTO, gv2-akto-key pour le deuxième…). Le premier CFA en détient la\n"
        "  moitié : 4 000 transmis par l'API (environ 360 par OPCO, huit pages de\n"
        "  /v1/dossiers/etats) et les 1 000 dépôts de l'employeur à appairer. Fichier généré\n"
        "  par bench/make_grand_volume.py.\n"
    )
    yield f"date: {DATE.isoformat()}\n"
    yield "logiciels:                          # OAuth2 client credentials of software vendors\n"
    yield "  - {editeur: ACME, clientId: acme-cfa, clientSecret: acme-secret-demo}\n"
    yield "cfas:\n"
    for cfa in cfa_list:
        account = f"{cfa.numero:011d}"
        yield f'  - siret: "{cfa.siret}"\n'
        yield f'    uai: "{cfa.uai}"\n'
        yield f"    denomination: CFA Grand Volume {cfa.numero}\n"
        yield f"    iban: {iban_of('30006', '00001', account)}\n"
        keys = ", ".join(f"{code}: gv{cfa.numero}-{code}-key" for code in OPCOS)
        yield f"    cles: {{{keys}}}\n"
    yield "employeurs:\n"
    for o, (code, employeur_list) in enumerate(by_opco.items()):
        for e in employeur_list:
            yield (
                f'  - {{siret: "{e.siret}", denomination: {e.denomination}, '
                f"idcc: {1000 + o}, opco: {code}}}\n"
            )
    yield "certifications:\n"
    for rncp, intitule, npec in CERTIFICATIONS:
        yield f"  - {{rncp: {rncp}, intitule: {intitule}, npec: {npec}}}\n"
    rncp, intitule, npec = INACTIVE
    yield f"  - {{rncp: {rncp}, intitule: {intitule}, npec: {npec}, actif: false}}\n"


class Anchors:
    """Shared CERFA blocks: defined (`&name {…}`) where first used, referred to (`*name`) after."""

    def __init__(self) -> None:
        self.defined: set[str] = set()

    def block(self, name: str, text: str) -> str:
        if name in self.defined:
            return f"*{name}"
        self.defined.add(name)
        return f"&{name} {text}"


def dossier(
    i: int, cfa_list: list[Cfa], by_opco: dict[str, list[Employeur]], shared: Anchors
) -> str:
    """The i-th dossier, in the file's text."""
    codes = list(OPCOS)
    opco = codes[i % len(codes)]
    cfa = cfa_list[0] if i % 2 == 0 else cfa_list[1 + (i // 2) % (CFAS - 1)]
    etat = ETATS[(i // len(codes)) % len(ETATS)]
    deposit = i % 10 == 4  # one in ten, all for the first CFA
    # 100 names × 100 first names: no two dossiers are the same apprentice.
    nom = NOMS[i % len(NOMS)]
    prenom, sexe = PRENOMS[(i // len(NOMS)) % len(PRENOMS)]
    naissance = date(2002, 1, 1) + timedelta(days=(i * 37) % 2900)
    nir_apprenti = nir_of(sexe, naissance, i)
    debut = DEBUTS[(i // 3) % len(DEBUTS)]
    # Refused dossiers prepare an inactive certification: instruction's reason is real.
    rncp, intitule, _ = INACTIVE if etat == "REFUSE" else CERTIFICATIONS[i % len(CERTIFICATIONS)]
    e = (i // len(codes)) % EMPLOYEURS_PAR_OPCO
    employeur = by_opco[opco][e]
    k = i % 7
    numero = (
        f"    numeroInterne: GV{cfa.numero}-{i + 1:05d}\n"
        if not deposit
        else "    canal: EMPLOYEUR\n    mandatGestion: false\n"
    )
    return (
        f"  - opco: {opco}\n{numero}    etat: {etat}\n    cerfa:\n"
        f"      employeur: {shared.block(f'{opco}{e + 1:02d}', _employeur(employeur))}\n"
        f"      apprenti: {{nom: {nom}, prenom: {prenom}, sexe: {sexe}, "
        f'dateNaissance: {naissance.isoformat()}, nir: "{nir_apprenti}"}}\n'
        f"      maitre1: {shared.block(f'maitre{k}', _maitre(k))}\n"
        f"      contrat: {shared.block(f'contrat{debut:%m%d}', _contrat(debut))}\n"
        f"      formation: "
        f"{shared.block(f'{rncp}_{debut:%m%d}', _formation(rncp, intitule, debut))}\n"
        f"      organismeFormation: {shared.block(cfa.anchor, _organisme(cfa))}\n"
    )


def _employeur(employeur: Employeur) -> str:
    return f'{{siret: "{employeur.siret}", denomination: {employeur.denomination}}}'


def _maitre(k: int) -> str:
    return f"{{nom: {NOMS[k * 3]}, prenom: {PRENOMS_M[k]}, dateNaissance: {1970 + k}-03-15}}"


def _contrat(debut: date) -> str:
    return (
        f"{{typeContratApp: 11, dateConclusion: {debut - timedelta(days=10)}, "
        f"dateDebutContrat: {debut}, dateFinContrat: {_fin(debut)}, salaireEmbauche: 1000.00}}"
    )


def _formation(rncp: str, intitule: str, debut: date) -> str:
    return (
        f"{{rncp: {rncp}, intituleQualification: {intitule}, dateDebutFormation: {debut}, "
        f"dateFinFormation: {_fin(debut) - timedelta(days=61)}}}"
    )


def _organisme(cfa: Cfa) -> str:
    return f'{{siret: "{cfa.siret}", uaiCfa: "{cfa.uai}"}}'


def _fin(debut: date) -> date:
    """Two years less a day."""
    return date(debut.year + 2, debut.month, debut.day) - timedelta(days=1)


def generate() -> str:
    cfa_list = cfas()
    by_opco = employeurs()
    parts = list(header(cfa_list, by_opco))
    parts.append("dossiers:\n")
    shared = Anchors()
    parts.extend(dossier(i, cfa_list, by_opco, shared) for i in range(DOSSIERS))
    return "".join(parts)


def main(argv: list[str]) -> None:
    output = Path(argv[1]) if len(argv) > 1 else OUTPUT
    text = generate()
    output.write_text(text, encoding="utf-8")
    print(f"{output}: {DOSSIERS} dossiers, {len(text.encode()) / 1e6:.1f} MB")


if __name__ == "__main__":
    main(sys.argv)
