"""Fault injection (pannes): latency or an error status on chosen paths of an OPCO.

A rule applies to the requests whose path (below the OPCO's base URL, e.g. `/v1/dossiers`)
matches its glob pattern, and whose method matches when it names one. It answers its error
status to the next N matching requests, or to an exact share of them (every request when
neither is given), and delays the requests it applies to by its latency.
"""

from dataclasses import dataclass
from fnmatch import fnmatchcase

from sandbox.core.tables import PanneRow
from sandbox.errors import PANNE_SIMULEE, SandboxError

# A share is kept in ten-thousandths: exact, deterministic, and an integer in every database.
SHARE_SCALE = 10_000


@dataclass(frozen=True)
class Demande:
    """A request as the rules see it: its OPCO, its method, its path below the OPCO."""

    opco: str
    methode: str
    chemin: str


@dataclass(frozen=True)
class Effet:
    """What the faults do to one request."""

    latence_ms: int = 0
    statut: int | None = None


@dataclass(frozen=True)
class Cible:
    """What a rule aims at: its method (any when None) and its path pattern. An espace's
    targets are all a request needs to know that no rule concerns it (the usual case):
    workers keep them in memory (`Runtime.faults_concern`)."""

    methode: str | None
    chemin: str

    @classmethod
    def of(cls, rule: PanneRow) -> "Cible":
        return cls(rule.methode, rule.chemin.lower())

    def vise(self, methode: str, chemin: str) -> bool:
        method_ok = self.methode is None or self.methode == methode.upper()
        # Paths match whatever their case, as the routes do (`/v1/Factures`).
        return method_ok and fnmatchcase(chemin.lower(), self.chemin)


def matches(rule: PanneRow, methode: str, chemin: str) -> bool:
    return Cible.of(rule).vise(methode, chemin)


def apply(rules: list[PanneRow], methode: str, chemin: str) -> Effet:
    """The effect of the espace's rules on a request, counting it against each rule."""
    latence, statut = 0, None
    for rule in rules:
        if rule.restantes == 0 or not matches(rule, methode, chemin):
            continue
        rule.vues += 1
        if rule.restantes is not None:
            rule.restantes -= 1
        latence = max(latence, rule.latence_ms)
        if statut is None and rule.statut is not None and _fails(rule):
            statut = rule.statut
    return Effet(latence, statut)


def _fails(rule: PanneRow) -> bool:
    """Whether this request is one of the share that fails: the n-th request fails when
    floor(n × share) grows, so that exactly that share of requests fails, evenly spread."""
    if rule.part is None:
        return True
    before = (rule.vues - 1) * rule.part // SHARE_SCALE
    return rule.vues * rule.part // SHARE_SCALE > before


def simulated_failure(statut: int) -> SandboxError:
    # The status is the rule's, not the catalogue's.
    return SandboxError(statut, [PANNE_SIMULEE.problem(statut=statut)])
