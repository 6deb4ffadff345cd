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
    assert f"{bad}: cfas:" in result.output


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
    assert "NIR" in result.output
    assert f"{bad}: " in result.output
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
