"""The image and the compose file, checked without a Docker engine.

The compose file's wiring is parsed; the Dockerfile's install and start commands are run
as written, in a fresh virtual environment, so that a broken image is caught here.
"""

import json
import shlex
import shutil
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy.engine import make_url

from sandbox.pytest_plugin import _free_port, _wait_until_up

ROOT = Path(__file__).resolve().parent.parent


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def instruction(name: str) -> list[str]:
    return [args for kind, args in dockerfile() if kind == name]


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_image_is_slim_python_and_runs_as_a_user() -> None:
    assert instruction("FROM") == ["python:3.11-slim"]
    users = instruction("USER")
    assert users
    assert users[-1] not in ("root", "0")


def test_image_copies_only_what_exists() -> None:
    for args in instruction("COPY"):
        *sources, _target = args.split()
        for source in sources:
            assert (ROOT / source).exists(), source


def test_image_healthcheck_and_entrypoint() -> None:
    [healthcheck] = instruction("HEALTHCHECK")
    assert "/akto/v1/status" in healthcheck
    [entrypoint] = instruction("ENTRYPOINT")
    assert json.loads(entrypoint) == ["opco-sandbox", "serve", "--host", "0.0.0.0"]


def test_compose_runs_the_sandbox_on_postgres() -> None:
    services = compose()["services"]
    sandbox, postgres = services["sandbox"], services["postgres"]
    assert sandbox["build"] == "."
    assert sandbox["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    url = make_url(sandbox["environment"]["OPCO_SANDBOX_DATABASE_URL"])
    database = postgres["environment"]
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "postgres"
    assert (url.username, url.password, url.database) == (
        database["POSTGRES_USER"],
        database["POSTGRES_PASSWORD"],
        database["POSTGRES_DB"],
    )
    # Published on the loopback only: the control API is open without an admin token.
    assert sandbox["ports"] == ["127.0.0.1:8000:8000"]
    assert "OPCO_SANDBOX_ADMIN_TOKEN" in sandbox["environment"]
    assert "/akto/v1/status" in " ".join(sandbox["healthcheck"]["test"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_image_declares_its_data_volume() -> None:
    assert instruction("VOLUME") == ["/data"]
    [workdir] = [w for w in instruction("WORKDIR") if w == "/data"]
    assert workdir == "/data"


def test_compose_keeps_the_database_in_a_volume() -> None:
    document = compose()
    [volume] = document["services"]["postgres"]["volumes"]
    name, path = volume.split(":")
    assert name in document["volumes"]
    assert path == "/var/lib/postgresql/data"


@pytest.fixture(scope="module")
def image_like_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment where the Dockerfile's COPY and RUN steps were replayed."""
    root = tmp_path_factory.mktemp("image")
    source = root / "src"
    source.mkdir()
    for args in instruction("COPY"):
        *sources, _target = args.split()
        for name in sources:
            origin = ROOT / name
            if origin.is_dir():
                shutil.copytree(origin, source / name, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(origin, source / name)
    environment = root / "venv"
    venv.create(environment, with_pip=True)
    [run] = instruction("RUN")
    install = shlex.split(run.split("&&")[0])
    assert install[:2] == ["pip", "install"]
    subprocess.run(
        [str(environment / "bin" / "python"), "-m", *install, "-q"], cwd=source, check=True
    )
    return environment


def test_image_install_and_start_commands_work(image_like_venv: Path, tmp_path: Path) -> None:
    bin_dir = image_like_venv / "bin"
    entrypoint = json.loads(instruction("ENTRYPOINT")[0])
    port = _free_port()
    command = [str(bin_dir / entrypoint[0]), *entrypoint[1:], "--port", str(port)]
    env = {"OPCO_SANDBOX_DATABASE_URL": f"sqlite:///{tmp_path / 'data.db'}", "PATH": str(bin_dir)}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL)
    try:
        _wait_until_up(f"http://127.0.0.1:{port}", process)
        status = httpx.get(f"http://127.0.0.1:{port}/akto/v1/status").json()
        assert status == {"status": "OK", "opco": "akto", "nom": "AKTO"}
        # The healthcheck's own command, run with the environment's Python.
        healthcheck = json.loads(instruction("HEALTHCHECK")[0].split("CMD", 1)[1])
        probe = healthcheck[-1].replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        subprocess.run([str(bin_dir / "python"), "-c", probe], check=True, timeout=30)
    finally:
        process.terminate()
        process.wait(timeout=15)


def test_installed_package_ships_the_scenarios(image_like_venv: Path, tmp_path: Path) -> None:
    script = (
        "from sandbox.scenarios.files import bundled_dir as b; print(b(), sorted(b().iterdir()))"
    )
    result = subprocess.run(
        [str(image_like_venv / "bin" / "python"), "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "site-packages" in result.stdout
    assert "demo.yaml" in result.stdout
    assert "scenario.schema.json" in result.stdout


def test_this_python_is_the_one_the_image_targets() -> None:
    assert sys.version_info[:2] >= (3, 11)
