"""Frais annexes (contract §6): their natures, what a dossier engages of each, and on which of
its échéances each may be invoiced. The invoice rules judge by the same functions."""

from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, WithJsonSchema

from sandbox.core.tables import DossierRow, EcheanceRow

RESTAURATION, HEBERGEMENT = "RESTAURATION", "HEBERGEMENT"
PREMIER_EQUIPEMENT, MOBILITE = "PREMIEREQUIPEMENT", "MOBILITE"
NATURES_FRAIS = (RESTAURATION, HEBERGEMENT, PREMIER_EQUIPEMENT, MOBILITE)
# First equipment is capped whatever is engaged; it is invoiced on the first échéance only.
PLAFOND_PREMIER_EQUIPEMENT = Decimal(500)


def _upper(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _any_case(word: str) -> str:
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else c for c in word)


# Compared without case (`Premierequipement`), kept upper-case. The published schemas say
# so with a pattern, since a JSON Schema enumeration is case-sensitive.
NatureFrais = Annotated[
    Literal["RESTAURATION", "HEBERGEMENT", "PREMIEREQUIPEMENT", "MOBILITE"],
    BeforeValidator(_upper),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^(?:" + "|".join(map(_any_case, NATURES_FRAIS)) + ")$",
            "description": ", ".join(NATURES_FRAIS) + " (sans distinction de casse)",
            "examples": list(NATURES_FRAIS),
        }
    ),
]


def frais_engages(dossier: DossierRow, nature: str) -> Decimal:
    """What the dossier engages of that nature (0 when none)."""
    return sum(
        (
            Decimal(str(f["montantTotal"]))
            for f in dossier.frais_annexes
            if f["natureFrais"] == nature
        ),
        Decimal(0),
    )


def natures_engagees(dossier: DossierRow) -> list[str]:
    """The natures the dossier engages, in the standard's order."""
    engaged = {f["natureFrais"] for f in dossier.frais_annexes}
    return [nature for nature in NATURES_FRAIS if nature in engaged]


def periodes(dossier: DossierRow) -> Iterator[tuple[EcheanceRow, str]]:
    """Each (échéance, nature) on which a nature may be invoiced: first equipment on the
    first échéance only, every other engaged nature on every échéance."""
    natures = natures_engagees(dossier)
    for echeance in dossier.echeances:
        for nature in natures:
            if nature != PREMIER_EQUIPEMENT or echeance.numero == 1:
                yield echeance, nature
