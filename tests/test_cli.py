"""The `opco-sandbox` command."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.scenarios.loader import bundled_dir

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
