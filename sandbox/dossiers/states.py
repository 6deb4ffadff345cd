"""The dossier's states and the one table of the transitions between them.

TRANSMIS → EN_COURS_INSTRUCTION → ENGAGE | REFUSE; ENGAGE → RUPTURE;
ENGAGE | RUPTURE → SOLDE; TRANSMIS | EN_COURS_INSTRUCTION | ENGAGE → ANNULE.
"""

from collections import deque
from enum import StrEnum


class Etat(StrEnum):
    """L'état d'un dossier chez l'OPCO."""

    TRANSMIS = "TRANSMIS"
    EN_COURS_INSTRUCTION = "EN_COURS_INSTRUCTION"
    ENGAGE = "ENGAGE"
    REFUSE = "REFUSE"
    ANNULE = "ANNULE"
    RUPTURE = "RUPTURE"
    SOLDE = "SOLDE"


TRANSITIONS: dict[Etat, tuple[Etat, ...]] = {
    Etat.TRANSMIS: (Etat.EN_COURS_INSTRUCTION, Etat.ANNULE),
    Etat.EN_COURS_INSTRUCTION: (Etat.ENGAGE, Etat.REFUSE, Etat.ANNULE),
    Etat.ENGAGE: (Etat.RUPTURE, Etat.SOLDE, Etat.ANNULE),
    Etat.RUPTURE: (Etat.SOLDE,),
    Etat.REFUSE: (),
    Etat.ANNULE: (),
    Etat.SOLDE: (),
}
# A refused or cancelled dossier no longer blocks a new transmission of the same contract.
NOT_LIVE = frozenset({Etat.REFUSE, Etat.ANNULE})
# The states in which a dossier has échéances that can be invoiced.
BILLABLE = frozenset({Etat.ENGAGE, Etat.RUPTURE})


def allowed(depuis: str, vers: str) -> bool:
    return vers in TRANSITIONS.get(Etat(depuis), ())


def path_to(etat: str, depuis: Etat = Etat.TRANSMIS) -> tuple[Etat, ...]:
    """The shortest run of transitions from `depuis` to `etat`, read from the table (how a
    scenario dossier reaches its declared state: through the same steps as a live one)."""
    paths: dict[Etat, tuple[Etat, ...]] = {depuis: ()}
    todo = deque([depuis])
    while todo:
        current = todo.popleft()
        for following in TRANSITIONS[current]:
            if following not in paths:
                paths[following] = (*paths[current], following)
                todo.append(following)
    return paths[Etat(etat)]
