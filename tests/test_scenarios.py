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


# One error of each common kind, in a YAML file: its line numbers are the test's.
ONE_ERROR_OF_EACH_KIND = """\
nom: erreurs
date: 2026-02-30
cfas:
  - siret: "79012345900014"
    uai: "075"
    iban: FR7630006000011234567890189
    cles:
      akto: court
      atlas: {cle: x}
      opcoep: 5
      nulle-part: cle-de-test
    couleur: bleu
employeurs:
  - siret: "52345678800018"
    denomination: Boulangerie Martin
    idcc: beaucoup
    opco: nowhere
dossiers:
  - opco: akto
    etat: BOF
    cerfa: {}
"""
OPCO_CODES = (
    "'afdas', 'akto', 'atlas', 'constructys', 'ocapiat', 'opco2i', 'opcoep', 'mobilites', "
    "'sante', 'opcommerce', 'uniformation'"
)


def faults(caught: pytest.ExceptionInfo[ScenarioError]) -> list[tuple[str | None, int | None, str]]:
    return [(f.champ, f.ligne, f.probleme) for f in caught.value.faults]


def test_every_schema_problem_is_said_in_french_at_its_path_and_line() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_str(ONE_ERROR_OF_EACH_KIND, "erreurs.yaml")
    assert faults(caught) == [
        ("date", 2, "la date 2026-02-30 n'existe pas (format AAAA-MM-JJ)."),
        ("cfas[0].uai", 5, "la valeur ne respecte pas le format attendu."),
        ("cfas[0].denomination", 4, "ce champ est obligatoire."),  # missing: its CFA's line
        ("cfas[0].cles.akto", 8, "la valeur est trop courte (8 caractères au moins)."),
        ("cfas[0].cles.atlas.cle", 9, "la valeur est trop courte (8 caractères au moins)."),
        (
            "cfas[0].cles.opcoep",
            10,
            "une chaîne de caractères est attendue ou un objet JSON est attendu.",
        ),
        ("cfas[0].cles.nulle-part", 11, f"la valeur doit être l'une de : {OPCO_CODES}."),
        ("cfas[0].couleur", 12, "ce champ n'est pas prévu."),
        ("employeurs[0].idcc", 16, "un nombre entier est attendu."),
        ("employeurs[0].opco", 17, f"la valeur doit être l'une de : {OPCO_CODES}."),
        (
            "dossiers[0].etat",
            20,
            "la valeur doit être l'une de : 'TRANSMIS', 'EN_COURS_INSTRUCTION', 'ENGAGE', "
            "'REFUSE', 'ANNULE', 'RUPTURE', 'SOLDE'.",
        ),
    ]


def test_the_answer_names_the_file_and_the_line_once() -> None:
    with pytest.raises(ScenarioError) as caught:
        load_str(ONE_ERROR_OF_EACH_KIND, "erreurs.yaml")
    first = caught.value.problems[0]
    assert (first.code, first.champ) == ("SCENARIO_INVALIDE", "date")
    assert first.message == (
        "erreurs.yaml, ligne 2 : la date 2026-02-30 n'existe pas (format AAAA-MM-JJ)."
    )


def test_json_problems_have_their_path_and_no_line() -> None:
    document = demo()
    document["cfas"][0]["uai"] = "075"
    with pytest.raises(ScenarioError) as caught:
        load_str(json.dumps(document, default=str), "demo.json")
    assert faults(caught) == [("cfas[0].uai", None, "la valeur ne respecte pas le format attendu.")]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the text's first line holding `needle`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


def test_domain_rules_carry_their_path_and_line() -> None:
    document = demo()
    cerfa = document["dossiers"][0]["cerfa"]
    cerfa["apprenti"]["nir"] = "209013306311176"  # wrong key
    cerfa["employeur"]["siret"] = "52345678800019"  # wrong check digit
    cerfa["contrat"]["dateFinContrat"] = "2020-01-01"  # before its start
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    with pytest.raises(ScenarioError) as caught:
        load_str(text, "regles.yaml")
    assert [(champ, line) for champ, line, _ in faults(caught)] == [
        ("dossiers[0].cerfa.apprenti.nir", line_of(text, "209013306311176")),
        ("dossiers[0].cerfa.employeur.siret", line_of(text, "52345678800019")),
        ("dossiers[0].cerfa.contrat.dateFinContrat", line_of(text, "dateFinContrat: '2020")),
    ]
    sentences = [sentence for _, _, sentence in faults(caught)]
    assert sentences[0].startswith("NIR_INVALIDE : Le NIR de l'apprenti")
    assert sentences[1] == "SIRET_INVALIDE : Le SIRET 52345678800019 a une clé de contrôle fausse."
    assert sentences[2].startswith("DATES_INCOHERENTES : Les dates sont incohérentes")


def test_a_date_that_does_not_exist_in_a_cerfa_is_named_at_its_path() -> None:
    text = (bundled_dir() / "demo.yaml").read_text(encoding="utf-8")
    document = demo()
    birth = str(document["dossiers"][0]["cerfa"]["apprenti"]["dateNaissance"])
    broken = text.replace(f"dateNaissance: {birth}", "dateNaissance: 2008-02-30", 1)
    assert broken != text
    with pytest.raises(ScenarioError) as caught:
        load_str(broken, "demo.yaml")
    assert faults(caught) == [
        (
            "dossiers[0].cerfa.apprenti.dateNaissance",
            line_of(broken, "2008-02-30"),
            "la date 2008-02-30 n'existe pas (format AAAA-MM-JJ).",
        )
    ]


def test_a_syntax_error_names_its_line_and_column() -> None:
    badly_indented = 'nom: demo\ncfas:\n  - siret: "79012345900014"\n   uai: "0751234A"\n'
    with pytest.raises(ScenarioError) as caught:
        load_str(badly_indented, "bad.yaml")
    assert faults(caught) == [(None, 4, "YAML invalide (colonne 4)")]
    with pytest.raises(ScenarioError) as caught:
        load_str('{"nom": "demo",\n "cfas": [}', "bad.json")
    assert faults(caught) == [(None, 2, "JSON invalide (colonne 11)")]
