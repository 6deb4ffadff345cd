"""Scenario files: the published schema, the bundled library, errors that say where."""

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sandbox.scenarios.files import bundled_dir
from sandbox.scenarios.loader import (
    SCHEMA_FILE,
    ScenarioError,
    load_dict,
    load_path,
    load_str,
    schema_text,
)

BUNDLED = sorted(bundled_dir().glob("*.yaml"))


def demo() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((bundled_dir() / "demo.yaml").read_text())
    return document


def refusal(exc: pytest.ExceptionInfo[ScenarioError]) -> list[tuple[str | None, str]]:
    return [(p.champ, p.message) for p in exc.value.problems]


def test_published_schema_matches_the_models() -> None:
    published = (bundled_dir() / SCHEMA_FILE).read_text(encoding="utf-8")
    assert published == schema_text(), (
        "scenarios/scenario.schema.json is stale: run "
        "python -c 'from sandbox.scenarios.loader import write_schema; write_schema()'"
    )


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenario_is_valid(path: Path) -> None:
    loaded = load_path(path)
    assert loaded.scenario.nom == path.stem
    assert loaded.scenario.description


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_scenario_passes_the_published_json_schema(path: Path) -> None:
    schema = json.loads((bundled_dir() / SCHEMA_FILE).read_text(encoding="utf-8"))
    # YAML reads dates as dates; the schema describes the JSON form of the file.
    document = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
    jsonschema.validate(document, schema)


def test_demo_has_what_the_readme_promises() -> None:
    scenario = load_path(bundled_dir() / "demo.yaml").scenario
    first = scenario.cfas[0]
    assert len(first.cles) >= 3
    assert len({e.opco for e in scenario.employeurs}) >= 3
    assert scenario.certifications
    assert any(d.canal == "EMPLOYEUR" for d in scenario.dossiers)


def test_an_error_names_the_file_the_path_and_the_problem(tmp_path: Path) -> None:
    document = demo()
    document["cfas"][0]["siret"] = "7901234590001"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_path(path)
    [(champ, message)] = refusal(caught)
    assert champ == "cfas[0].siret"
    assert str(path) in message
    assert caught.value.status == 422
    assert caught.value.codes == ["SCENARIO_INVALIDE"]


def test_every_problem_is_listed() -> None:
    document = demo()
    document["cfas"][0]["siret"] = "79012345900015"  # check digit
    document["cfas"][0]["iban"] = "FR7630006000011234567890188"
    document["employeurs"][0]["opco"] = "nowhere"
    with pytest.raises(ScenarioError) as caught:
        load_dict(document, "test")
    champs = {champ for champ, _ in refusal(caught)}
    assert champs == {"employeurs[0].opco"}  # schema errors stop before the rules
    del document["employeurs"][0]
    with pytest.raises(ScenarioError) as caught:
        load_dict(document, "test")
    assert {champ for champ, _ in refusal(caught)} == {"cfas[0].siret", "cfas[0].iban"}


def test_a_key_given_to_two_cfas_at_one_opco_is_refused() -> None:
    document = demo()
    document["cfas"][1]["cles"]["akto"] = document["cfas"][0]["cles"]["akto"]
    with pytest.raises(ScenarioError) as caught:
        load_dict(document, "test")
    assert [champ for champ, _ in refusal(caught)] == ["cfas[1].cles.akto"]


def test_a_dossier_cerfa_is_checked_with_its_path() -> None:
    document = demo()
    del document["dossiers"][0]["cerfa"]["apprenti"]["nom"]
    with pytest.raises(ScenarioError) as caught:
        load_dict(document, "test")
    assert [champ for champ, _ in refusal(caught)] == ["dossiers[0].cerfa.apprenti.nom"]


def test_a_schedule_must_cover_the_year() -> None:
    document = demo()
    document["echeancier"] = [{"mois": 0, "part": 0.5}, {"mois": 6, "part": 0.4}]
    with pytest.raises(ScenarioError) as caught:
        load_dict(document, "test")
    assert [champ for champ, _ in refusal(caught)] == ["echeancier"]


def test_json_is_accepted_as_well_as_yaml() -> None:
    text = json.dumps(demo(), default=str)
    assert load_str(text, "demo.json").scenario.nom == "demo"


def test_malformed_yaml_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_str("nom: [unclosed", "bad.yaml")
    [(champ, message)] = refusal(caught)
    assert champ is None
    assert message.startswith("bad.yaml")


def test_unknown_keys_are_refused() -> None:
    document = demo() | {"nmo": "typo"}
    with pytest.raises(ScenarioError) as caught:
        load_dict(document, "test")
    assert [champ for champ, _ in refusal(caught)] == ["nmo"]
