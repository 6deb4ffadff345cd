"""The `opco-sandbox` command."""

import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.scenarios.files import bundled_dir

runner = CliRunner()


def test_validate_accepts_every_bundled_scenario() -> None:
    files = [str(p) for p in sorted(bundled_dir().glob("*.yaml"))]
    result = runner.invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") == len(files)


def test_validate_fails_on_an_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("nom: bad\ncfas: []\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bundled_dir() / "demo.yaml"), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:2: cfas: la liste est trop courte (1 élément au moins).\n" in result.output


def test_openapi_prints_the_served_document() -> None:
    result = runner.invoke(app, ["openapi"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert document["openapi"].startswith("3.")
    assert "/{opco}/v1/dossiers" in document["paths"]


def test_serve_refuses_an_invalid_scenario(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--scenario", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "missing.yaml" in result.output


@pytest.mark.parametrize("option", ["--host", "--port", "--scenario", "--database-url"])
def test_serve_documents_its_options(option: str) -> None:
    result = runner.invoke(app, ["serve", "--help"])
    assert option in result.output


def test_validate_runs_the_domain_rules_a_load_runs(tmp_path: Path) -> None:
    # Valid against the schema, refused by a load: a dossier whose NIR key is wrong.
    text = (bundled_dir() / "demo.yaml").read_text(encoding="utf-8")
    assert "209013306311175" in text or "nir:" in text
    bad = tmp_path / "nir.yaml"
    document = yaml.safe_load(text)
    document["dossiers"][0]["cerfa"]["apprenti"]["nir"] = "209013306311176"
    bad.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{bad}:")
    assert ": dossiers[0].cerfa.apprenti.nir: NIR_INVALIDE : " in result.output
    assert "Traceback" not in result.output


def test_scenarios_lists_the_bundled_ones_with_their_descriptions() -> None:
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    names = sorted(p.stem for p in bundled_dir().glob("*.yaml"))
    assert [line.split()[0] for line in lines] == names
    assert all(len(line.split()) > 3 for line in lines), lines  # each has its description


def test_serve_help_shows_the_defaults_and_the_scenarios() -> None:
    result = runner.invoke(app, ["serve", "--help"], terminal_width=200)
    assert result.exit_code == 0
    for shown in ("127.0.0.1", "8000", "demo", "sqlite:///opco-sandbox.db", "refus"):
        assert shown in result.output, shown


def demo_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """demo.yaml with one text replaced, and the line of the replacement."""
    text = (bundled_dir() / "demo.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "demo-modifie.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, text[: text.index(old)].count("\n") + 1


def test_validate_prints_file_line_path_and_french_sentence(tmp_path: Path) -> None:
    bad, line = demo_with(tmp_path, 'uai: "0751234A"', 'uai: "075"')
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.output == (
        f"{bad}:{line}: cfas[0].uai: la valeur ne respecte pas le format attendu.\n"
    )


def test_validate_names_the_line_of_a_rule_only_an_install_checks(tmp_path: Path) -> None:
    # Two dossiers with one numeroExterne: the second is refused when installed.
    bad, line = demo_with(
        tmp_path, "numeroExterne: AKTO-2026-000002", "numeroExterne: AKTO-2026-000001"
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 1
    assert result.output == (
        f"{bad}:{line}: dossiers[1].numeroExterne: NUMERO_EXTERNE_DEJA_UTILISE : "
        "Le numéro externe AKTO-2026-000001 est déjà attribué.\n"
    )


def test_serve_prints_the_problems_of_a_scenario_its_install_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server started with a refused scenario")

    monkeypatch.setattr("uvicorn.run", never)
    bad, line = demo_with(
        tmp_path, "numeroExterne: AKTO-2026-000002", "numeroExterne: AKTO-2026-000001"
    )
    database = f"sqlite:///{tmp_path / 'sandbox.db'}"
    result = runner.invoke(app, ["serve", "--scenario", str(bad), "--database-url", database])
    assert result.exit_code == 2, result.output
    assert f"{bad}:{line}: dossiers[1].numeroExterne: NUMERO_EXTERNE_DEJA_UTILISE" in (
        result.output
    )
    assert "Traceback" not in result.output


def test_serve_prints_schema_problems_as_validate_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: None)
    bad, line = demo_with(tmp_path, 'uai: "0751234A"', 'uai: "075"')
    database = f"sqlite:///{tmp_path / 'sandbox.db'}"
    result = runner.invoke(app, ["serve", "--scenario", str(bad), "--database-url", database])
    assert result.exit_code == 2
    assert result.output == (
        f"{bad}:{line}: cfas[0].uai: la valeur ne respecte pas le format attendu.\n"
    )
