"""Scenario files: load (path → text → dict), validate whole, install into an espace.

A scenario's dossiers go through the same domain calls as HTTP transmissions, so seeded
data obeys the same rules. An invalid scenario is refused whole and changes nothing.
"""

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from sqlalchemy.orm import Session
from stdnum import iban
from stdnum.fr import siret

from sandbox.config import Limits
from sandbox.core.repository import bulk
from sandbox.core.tables import DossierRow
from sandbox.core.types import MAX_DEPTH, too_deep
from sandbox.dossiers.cerfa import Cerfa
from sandbox.dossiers.controls import blocking_problems
from sandbox.dossiers.lifecycle import deca_numbers_after, reach, settle_if_paid
from sandbox.dossiers.service import Deposit, transmit
from sandbox.errors import (
    NUMERO_ECHEANCE_INCONNU,
    SCENARIO_INVALIDE,
    SIRET_EMETTEUR_INCONNU,
    Problem,
    SandboxError,
)
from sandbox.espaces import snapshot
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository
from sandbox.espaces.world import World
from sandbox.factures import service as facturation
from sandbox.factures.schemas import EtatFacture, FactureBody
from sandbox.horloge.service import play_until
from sandbox.scenarios import bounds, generer, split
from sandbox.scenarios.faults import Fault, schema_faults, with_lines
from sandbox.scenarios.files import bundled_dir, bundled_names
from sandbox.scenarios.model import Scenario, ScenarioDossier, ScenarioFacture, TrancheModel
from sandbox.scenarios.templates import TEMPLATES

SCHEMA_FILE = "scenario.schema.json"


class ScenarioError(SandboxError):
    """422 `SCENARIO_INVALIDE`, one problem per fault: `champ` its path in the file, the
    sentence naming the file and, for YAML text, the line."""

    def __init__(self, source: str, faults: Sequence[Fault], yaml_text: str | None = None) -> None:
        located = with_lines(faults, yaml_text) if yaml_text else list(faults)
        super().__init__(SCENARIO_INVALIDE.status, [_problem(source, f) for f in located])
        self.source = source
        self.faults = tuple(located)


def _problem(source: str, fault: Fault) -> Problem:
    where = source if fault.ligne is None else f"{source}, ligne {fault.ligne}"
    return SCENARIO_INVALIDE.problem(fault.champ, source=where, probleme=fault.probleme)


@dataclass(frozen=True)
class LoadedScenario:
    source: str  # the file (or "corps de la requête") named in errors
    document: dict[str, Any]  # JSON-ready, as stored for resets
    scenario: Scenario
    # The YAML it was read from, for the lines of the problems an install finds.
    yaml_text: str | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Summary:
    cfas: int
    dossiers: int
    factures: int
    horloge: date


def load_body(text: str, source: str) -> LoadedScenario:
    """A scenario sent whole (YAML or JSON), or a JSON body whose only key `nom` names a
    bundled one (`{"nom": "refus"}`)."""
    if text.lstrip().startswith("{") and len(text) < 1000:
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if isinstance(document, dict) and set(document) == {"nom"}:
            name = document["nom"]
            if name not in bundled_names():
                known = ", ".join(bundled_names())
                raise ScenarioError(
                    source, [Fault("nom", f"aucun scénario fourni « {name} » ({known})")]
                )
            return resolve(name)
    return load_str(text, source)


def resolve(name_or_path: str) -> LoadedScenario:
    """A bundled scenario by name (`demo`), or a file by path."""
    path = Path(name_or_path)
    if not path.suffix:
        path = bundled_dir() / f"{name_or_path}.yaml"
    return load_path(path)


def load_path(path: Path) -> LoadedScenario:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(str(path), [Fault(None, _unreadable(exc))]) from None
    return load_str(text, str(path))


def _unreadable(exc: OSError | UnicodeDecodeError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "fichier introuvable"
    if isinstance(exc, IsADirectoryError):
        return "c'est un dossier, pas un fichier"
    if isinstance(exc, PermissionError):
        return "lecture du fichier refusée"
    if isinstance(exc, UnicodeDecodeError):
        return "le fichier n'est pas en UTF-8"
    return "fichier illisible"


def load_str(text: str, source: str) -> LoadedScenario:
    """JSON (read as such: much faster than as YAML), or YAML, bounded in size."""
    is_json = text.lstrip().startswith("{")
    try:
        if is_json:
            document = json.loads(text)
        else:
            bounds.check_expanded_size(text, Limits().max_scenario_nodes)
            document = yaml.load(text, Loader=bounds.LOADER)
    except bounds.TooLarge as exc:
        raise ScenarioError(source, [Fault(None, f"scénario trop grand ({exc})")]) from None
    except RecursionError:
        raise ScenarioError(source, [Fault(None, "imbrication trop profonde")]) from None
    except (ValueError, yaml.YAMLError) as exc:
        raise ScenarioError(source, [_syntax_fault(exc, "JSON" if is_json else "YAML")]) from None
    if too_deep(document):
        raise ScenarioError(source, [Fault(None, f"imbrication de plus de {MAX_DEPTH} niveaux")])
    return load_dict(document, source, None if is_json else text)


def _syntax_fault(exc: ValueError | yaml.YAMLError, language: str) -> Fault:
    """Where the text stops being YAML or JSON (the parsers' own words are English)."""
    if isinstance(exc, json.JSONDecodeError):
        return Fault(None, f"JSON invalide (colonne {exc.colno})", exc.lineno)
    mark = getattr(exc, "problem_mark", None)
    if isinstance(exc, yaml.MarkedYAMLError) and mark is not None:
        return Fault(None, f"YAML invalide (colonne {mark.column + 1})", mark.line + 1)
    if isinstance(exc, yaml.YAMLError):
        return Fault(None, "YAML invalide")
    return Fault(None, f"{language} invalide : une valeur ne se lit pas (un nombre trop long ?)")


def load_dict(document: Any, source: str, yaml_text: str | None = None) -> LoadedScenario:
    """Validate against the schema, then the rules no schema can say. `yaml_text`, the
    text the document was read from, gives each problem its line."""
    try:
        parsed = Scenario.model_validate(document)
    except ValidationError as exc:
        raise ScenarioError(source, schema_faults(exc, document), yaml_text) from None
    faults = _identifier_faults(parsed) + _schedule_faults(parsed) + _dossier_faults(parsed)
    if faults:
        raise ScenarioError(source, faults, yaml_text)
    # What was written is kept (a null stays null); defaults stay implicit.
    clean = parsed.model_dump(mode="json", exclude_unset=True)
    return LoadedScenario(source, clean, Scenario.model_validate(clean), yaml_text)


def _identifier_faults(scenario: Scenario) -> list[Fault]:
    faults: list[Fault] = []
    keys: set[tuple[str, str]] = set()
    for i, cfa in enumerate(scenario.cfas):
        if not siret.is_valid(cfa.siret):
            faults.append(Fault(f"cfas[{i}].siret", "clé de contrôle du SIRET fausse"))
        if not iban.is_valid(cfa.iban):
            faults.append(Fault(f"cfas[{i}].iban", "IBAN invalide"))
        for opco in cfa.cles:
            key = cfa.cle(opco)
            if key and (opco, key.cle) in keys:
                faults.append(Fault(f"cfas[{i}].cles.{opco}", "clé déjà donnée à un autre CFA"))
            keys.add((opco, key.cle if key else ""))
    if len({cfa.siret for cfa in scenario.cfas}) < len(scenario.cfas):
        faults.append(Fault("cfas", "deux CFA ont le même SIRET"))
    for i, employeur in enumerate(scenario.employeurs):
        if not siret.is_valid(employeur.siret):
            faults.append(Fault(f"employeurs[{i}].siret", "clé de contrôle du SIRET fausse"))
    return faults


def _schedule_faults(scenario: Scenario) -> list[Fault]:
    schedules = {"echeancier": scenario.echeancier} | {
        f"opcos.{code}.echeancier": profile.echeancier for code, profile in scenario.opcos.items()
    }
    return [
        Fault(path, "les mois doivent croître à partir de 0 et les parts faire 1")
        for path, tranches in schedules.items()
        if tranches is not None and not _valid_schedule(tranches)
    ]


def _valid_schedule(tranches: list[TrancheModel]) -> bool:
    months = [t.mois for t in tranches]
    return (
        bool(months)
        and months[0] == 0
        and months == sorted(set(months))
        and sum(t.part for t in tranches) == 1
    )


def _dossier_faults(scenario: Scenario) -> list[Fault]:
    """Each dossier's CERFA against its schema, then the blocking controls a transmission
    makes (a bad NIR, SIRET or date): every dossier's problems at once, where an install
    would stop at the first."""
    faults: list[Fault] = []
    for i, dossier in enumerate(scenario.dossiers):
        try:
            cerfa = Cerfa.model_validate(dossier.cerfa)
        except ValidationError as exc:
            faults += schema_faults(exc, dossier.cerfa, f"dossiers[{i}].cerfa")
            continue
        faults += [_rule_fault(f"dossiers[{i}]", p) for p in blocking_problems(cerfa, None)]
    return faults


def _rule_fault(path: str, problem: Problem) -> Fault:
    """A domain rule broken by the scenario's item at `path` (the problem's `champ` is
    below it)."""
    champ = path + (f".{problem.champ}" if problem.champ else "")
    return Fault(champ, f"{problem.code} : {problem.message}")


def install(session: Session, espace_nom: str, loaded: LoadedScenario, today: date) -> Summary:
    """Replace the espace's whole state by the scenario, within the caller's transaction.
    The rules run aside (`templates`; a large install on two cores, `split`): a scenario
    that breaks one changes nothing, and the caller's transaction only deletes and inserts
    rows."""
    scenario = loaded.scenario
    horloge = scenario.date or today
    summary = Summary(
        len(scenario.cfas),
        len(scenario.dossiers) + scenario.generer.dossiers,
        len(scenario.factures),
        horloge,
    )
    if _installed_in_halves(session, espace_nom, loaded, horloge):
        return summary

    def build(scratch: Session, nom: str) -> None:
        _apply(scratch, nom, loaded, horloge)

    with TEMPLATES.snapshot(loaded.document, horloge, build, summary.dossiers) as made:
        EspaceRepository(session, espace_nom).replace(horloge, loaded.document)
        snapshot.put(session, made, espace_nom)
    return summary


def _installed_in_halves(
    session: Session, espace_nom: str, loaded: LoadedScenario, horloge: date
) -> bool:
    """Install the scenario built in two halves at once, when it is large (`split`); False
    when it is not, or a half failed (it is then to be built whole, which reports the
    scenario's first fault)."""
    halves = split.halves(loaded.scenario)
    if halves is None:
        return False

    def build(scratch: Session, nom: str, half: split.Half) -> None:
        build_half(scratch, nom, loaded, horloge, half)

    try:
        with split.built(loaded.document, horloge, halves, build) as parts:
            EspaceRepository(session, espace_nom).replace(horloge, loaded.document)
            snapshot.put_all(session, parts, espace_nom)
    except split.SplitFailed:
        return False
    return True


def build_half(
    session: Session, espace_nom: str, loaded: LoadedScenario, horloge: date, half: split.Half
) -> None:
    """One half of the scenario's install, in an empty espace (see `split`)."""
    _apply(session, espace_nom, loaded, horloge, half)


def _apply(
    session: Session,
    espace_nom: str,
    loaded: LoadedScenario,
    horloge: date,
    half: split.Half | None = None,
) -> None:
    """Every dossier and invoice of the scenario through the domain's rules, in an empty
    espace; only those of `half`'s OPCOs when given."""
    scenario = loaded.scenario
    EspaceRepository(session, espace_nom).replace(horloge, loaded.document)
    espace = Espace(session, espace_nom, World(scenario), horloge)
    held = half.holds if half is not None else _every_opco
    if half is not None and half.deca_after:
        deca_numbers_after(espace, half.deca_after)
    # The private database holds only what this install adds: dossiers go in in bulk.
    with bulk(session):
        for index, dossier in enumerate(scenario.dossiers):
            if held(dossier.opco):
                with _located(loaded, f"dossiers[{index}]"):
                    _install_dossier(espace, dossier)
        # Generated one at a time, after the scenario's own: they skip the numbers those hold.
        for index, made in enumerate(generer.dossiers(scenario)):
            if held(made["opco"]):
                with _located(loaded, f"generer.dossiers[{index}]"):
                    _install_dossier(espace, ScenarioDossier.model_validate(made))
    play_until(espace, horloge)
    for index, facture in enumerate(scenario.factures):
        if held(facture.opco):
            with _located(loaded, f"factures[{index}]"):
                _install_facture(espace, facture)


def _every_opco(opco: str) -> bool:
    return True


@contextmanager
def _located(loaded: LoadedScenario, path: str) -> Iterator[None]:
    """A rule broken by a scenario's item is a scenario error at that item's path."""
    try:
        yield
    except SandboxError as exc:
        faults = [_rule_fault(path, p) for p in exc.problems]
        raise ScenarioError(loaded.source, faults, loaded.yaml_text) from None


def _install_dossier(espace: Espace, dossier: ScenarioDossier) -> None:
    cerfa = Cerfa.model_validate(dossier.cerfa)
    deposit = Deposit(
        opco=dossier.opco,
        cerfa=cerfa,
        raw_cerfa=dossier.cerfa,
        numero_interne=dossier.numeroInterne,
        mandat_gestion=dossier.mandatGestion,
        canal=dossier.canal,
        numero_externe=dossier.numeroExterne,
    )
    row = transmit(espace, deposit, None).dossier
    row.frais_annexes = [json_numbers(f.model_dump()) for f in dossier.engagementsFraisAnnexe]
    reach(espace, row, dossier.etat, dossier.commentaireEtat, cerfa)
    _declare_paid(row, dossier)
    settle_if_paid(row, espace.today)


def _install_facture(espace: Espace, facture: ScenarioFacture) -> None:
    cfa = espace.world.cfa(facture.siretEmetteur or "")
    if cfa is None:
        raise SIRET_EMETTEUR_INCONNU.error(
            "siretEmetteur", detail="l'émetteur n'est pas un CFA du scénario"
        )
    fields = facture.model_dump(exclude={"opco", "etatFacture", "motifRejet"})
    body = FactureBody.model_validate(fields)
    raw = json_numbers(body.model_dump(exclude_none=True))
    try:
        outcome = facturation.submit(espace, facture.opco, cfa, body, raw)
    except SandboxError as exc:
        raise SandboxError(SCENARIO_INVALIDE.status, _in_scenario(exc.problems)) from None
    if outcome.problems and facture.etatFacture != EtatFacture.REJETE:
        raise SandboxError(SCENARIO_INVALIDE.status, _in_scenario(outcome.problems))
    if facture.etatFacture == EtatFacture.REJETE and not outcome.problems:
        facturation.reject(espace, outcome.facture, facture.motifRejet or "Rejet du scénario")
    elif facture.etatFacture == EtatFacture.REGLE:
        facturation.pay(espace, outcome.facture, espace.today)


def _in_scenario(problems: Sequence[Problem]) -> list[Problem]:
    """A scenario invoice is the `facture` part itself: its paths start below it."""
    return [
        replace(p, champ=p.champ.removeprefix("facture.") if p.champ else None) for p in problems
    ]


def json_numbers(value: Any) -> Any:
    """Decimals as JSON numbers (integers when whole), dates as ISO strings, recursively."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: json_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_numbers(item) for item in value]
    return value


def _declare_paid(row: DossierRow, dossier: ScenarioDossier) -> None:
    numbers = {e.numero: e for e in row.echeances}
    for numero in dossier.echeancesReglees:
        if numero not in numbers:
            raise NUMERO_ECHEANCE_INCONNU.error(
                "echeancesReglees", detail=f"le dossier n'a pas d'échéance {numero}"
            )
        numbers[numero].mark_paid()


def schema() -> dict[str, Any]:
    """The published JSON Schema of scenario files."""
    generated = Scenario.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://opco-sandbox.example/scenario.schema.json",
        **generated,
    }


def schema_text() -> str:
    return json.dumps(schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_schema(path: Path | None = None) -> Path:
    """Regenerate the published schema file from the models."""
    target = path or bundled_dir() / SCHEMA_FILE
    target.write_text(schema_text(), encoding="utf-8")
    return target
