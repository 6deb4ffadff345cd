"""Restarts keep the data; `default` is reloaded from --scenario only when that content
changed, or when --reload-default says so, and a reload says what it dropped. The admin
token may come from a file.

Live servers restarted on one SQLite file, and `serve` itself with uvicorn left out.
"""

import os
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from typer.testing import CliRunner

from sandbox.cli import app, build_app
from sandbox.pytest_plugin import live_server
from sandbox.scenarios.files import bundled_dir

runner = CliRunner()
RELOADED = "The default espace is reloaded from the scenario demo"


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    """A copy of demo.yaml, to change between restarts."""
    path = tmp_path / "demo.yaml"
    path.write_text((bundled_dir() / "demo.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    return path


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'sandbox.db'}"


def default_espace(url: str) -> dict[str, Any]:
    listed = httpx.get(f"{url}/_sandbox/espaces").json()["espaces"]
    [found] = [e for e in listed if e["espace"] == "default"]
    return dict(found)


def change_default(url: str) -> None:
    """A scenario put into `default`, then its clock moved: what a restart must keep."""
    put = httpx.put(f"{url}/_sandbox/espaces/default/scenario", json={"nom": "refus"})
    assert put.status_code == 200, put.text
    httpx.post(f"{url}/_sandbox/espaces/default/horloge", json={"jours": 3}).raise_for_status()


def test_a_restart_keeps_the_data_and_a_scenario_put_since(
    scenario: Path, database_url: str
) -> None:
    with live_server(database_url, str(scenario)) as url:
        change_default(url)
        held = default_espace(url)
    assert held["scenario"] == "refus"
    with live_server(database_url, str(scenario), workers=2) as url:
        assert default_espace(url) == held


def test_a_changed_scenario_reloads_default_and_says_what_it_dropped(
    scenario: Path, database_url: str, capfd: pytest.CaptureFixture[str]
) -> None:
    with live_server(database_url, str(scenario)) as url:
        change_default(url)
        held = default_espace(url)
    document = yaml.safe_load(scenario.read_text(encoding="utf-8"))
    document["description"] += " (modifié)"  # its description only: still a change
    scenario.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    capfd.readouterr()
    with live_server(database_url, str(scenario), workers=2) as url:
        reloaded = default_espace(url)
    assert (reloaded["scenario"], reloaded["horloge"]) == ("demo", "2026-09-01")
    [line] = [line for line in capfd.readouterr().err.splitlines() if RELOADED in line]
    assert str(scenario) in line
    assert "its content changed" in line
    dropped = f"the scenario refus with {held['dossiers']} dossiers, {held['factures']} invoices"
    assert dropped in line
    assert "its clock on 2026-09-04" in line


@pytest.fixture
def environ(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The process environment, restored after the test: `serve` passes its settings on to
    its workers through it."""
    copy = {k: v for k, v in os.environ.items() if not k.startswith("OPCO_SANDBOX_")}
    monkeypatch.setattr(os, "environ", copy)
    return copy


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """`serve` up to uvicorn, which is not started: the keywords it would be given."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr("uvicorn.run", lambda *args, **kwargs: calls.append(kwargs))
    return calls


def serve(*args: str) -> Any:
    return runner.invoke(app, ["serve", *args])


@pytest.mark.usefixtures("environ", "started")
def test_reload_default_reloads_an_unchanged_scenario(
    scenario: Path, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with live_server(database_url, str(scenario)) as url:
        change_default(url)
    options = ("--scenario", str(scenario), "--database-url", database_url)
    assert serve(*options).exit_code == 0
    assert RELOADED not in caplog.text  # unchanged: kept
    result = serve(*options, "--reload-default")
    assert result.exit_code == 0, result.output
    [record] = [r for r in caplog.records if RELOADED in r.getMessage()]
    assert "--reload-default" in record.getMessage()
    with live_server(database_url, str(scenario)) as url:
        assert default_espace(url)["scenario"] == "demo"


@pytest.fixture
def token_file(tmp_path: Path) -> Path:
    path = tmp_path / "admin-token"
    path.write_text("s3cret-from-file\n", encoding="utf-8")
    return path


def test_the_admin_token_can_come_from_a_file(token_file: Path, database_url: str) -> None:
    server = live_server(database_url, workers=2)
    server.args += ["--admin-token-file", str(token_file)]
    with server as url:
        assert httpx.get(f"{url}/_sandbox/espaces").status_code == 401
        guarded = {"Authorization": "Bearer s3cret-from-file"}
        for _ in range(4):  # whichever worker answers
            assert httpx.get(f"{url}/_sandbox/espaces", headers=guarded).status_code == 200


def test_a_token_file_reaches_the_workers_as_its_path_only(
    token_file: Path, database_url: str, environ: dict[str, str], started: list[dict[str, Any]]
) -> None:
    result = serve("--database-url", database_url, "--admin-token-file", str(token_file))
    assert result.exit_code == 0, result.output
    assert started
    assert environ["OPCO_SANDBOX_ADMIN_TOKEN_FILE"] == str(token_file)
    assert "OPCO_SANDBOX_ADMIN_TOKEN" not in environ
    assert "s3cret-from-file" not in " ".join(environ.values())
    assert build_app().state.runtime.admin_token == "s3cret-from-file"  # type: ignore[no-untyped-call]


@pytest.mark.parametrize(
    ("content", "told"),
    [(None, "cannot read the admin token file"), ("  \n", "is empty")],
)
@pytest.mark.usefixtures("environ", "started")
def test_serve_refuses_a_token_file_that_gives_no_token(
    tmp_path: Path, content: str | None, told: str
) -> None:
    path = tmp_path / "token"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = serve("--admin-token-file", str(path))
    assert result.exit_code == 2
    assert told in result.output
    assert "Traceback" not in result.output


@pytest.mark.usefixtures("started")
def test_serve_refuses_a_token_and_a_token_file(token_file: Path, environ: dict[str, str]) -> None:
    environ["OPCO_SANDBOX_ADMIN_TOKEN"] = "s3cret"
    result = serve("--admin-token-file", str(token_file))
    assert result.exit_code == 2
    assert "not both" in result.output
    assert "s3cret" not in result.output


@pytest.mark.parametrize("option", ["--admin-token-file", "--reload-default"])
def test_serve_documents_the_options(option: str) -> None:
    result = runner.invoke(app, ["serve", "--help"], terminal_width=200)
    assert option in result.output
