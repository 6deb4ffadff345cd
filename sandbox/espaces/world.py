"""The static part of an espace (CFAs, keys, employers, référentiel), indexed for lookups."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sandbox.core.opcos import OPCOS
from sandbox.dossiers.echeancier import DEFAULT_SCHEDULE, Tranche
from sandbox.dossiers.regulation import SMIC_MENSUEL
from sandbox.scenarios.model import (
    Certification,
    Cfa,
    Employeur,
    Logiciel,
    OpcoProfile,
    Scenario,
)


@dataclass(frozen=True)
class ApiKey:
    cfa: Cfa
    opco: str
    date_fin_validite: date | None


class World:
    """Lookups on a validated scenario; rebuilt whenever the espace's scenario changes."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self._keys: dict[tuple[str, str], ApiKey] = {
            (opco, cle.cle): ApiKey(cfa, opco, cle.dateFinValidite)
            for cfa in scenario.cfas
            for opco in cfa.cles
            if (cle := cfa.cle(opco)) is not None
        }
        self._cfas = {cfa.siret: cfa for cfa in scenario.cfas}
        # Built once: every request reads its OPCO's (a default profile is a new model).
        self._profiles = {opco: scenario.profile(opco) for opco in OPCOS}
        self._logiciels = {logiciel.clientId: logiciel for logiciel in scenario.logiciels}
        self._employeurs = {e.siret: e for e in scenario.employeurs}
        self._certifications = {c.rncp.removeprefix("RNCP"): c for c in scenario.certifications}
        # The scenario's SMIC amounts replace those of the same date and add the others.
        smic = dict(SMIC_MENSUEL) | {s.depuis: s.montant for s in scenario.smic}
        self.smic_table = tuple(sorted(smic.items()))
        self.rqth_annuel = scenario.rqthAnnuel
        # What the journal masks wherever it appears: the keys and the client secrets.
        self.secrets = tuple(key for _, key in self._keys) + tuple(
            logiciel.clientSecret for logiciel in scenario.logiciels
        )

    def schedule(self, opco: str) -> tuple[Tranche, ...]:
        """The yearly échéances: the OPCO's own, else the scenario's, else 40/30/30."""
        chosen = self.profile(opco).echeancier or self.scenario.echeancier
        if not chosen:
            return DEFAULT_SCHEDULE
        return tuple(Tranche(t.mois, t.part) for t in chosen)

    def api_key(self, opco: str, key: str) -> ApiKey | None:
        return self._keys.get((opco, key))

    def cfa(self, siret: str) -> Cfa | None:
        return self._cfas.get(siret)

    def profile(self, opco: str) -> OpcoProfile:
        found = self._profiles.get(opco)
        return self.scenario.profile(opco) if found is None else found

    def requires_token(self, opco: str) -> bool:
        """Whether the OPCO asks for an OAuth2 Bearer token: its profile, else production's."""
        chosen = self.profile(opco).oauth
        return OPCOS[opco].oauth if chosen is None else chosen

    def logiciel(self, client_id: str) -> Logiciel | None:
        return self._logiciels.get(client_id)

    def employeur(self, siret_or_siren: str) -> Employeur | None:
        """By SIRET, or by SIREN (the first 9 digits) when no establishment matches."""
        if found := self._employeurs.get(siret_or_siren):
            return found
        siren = siret_or_siren[:9]
        return next((e for e in self._employeurs.values() if e.siret[:9] == siren), None)

    def certification(self, rncp: str) -> Certification | None:
        return self._certifications.get(rncp.removeprefix("RNCP"))


def world_of(scenario: dict[str, Any]) -> World:
    """The world of an espace's stored scenario (validated again: it costs more than a
    request, hence the runtime's cache of worlds)."""
    return World(Scenario.model_validate(scenario))
