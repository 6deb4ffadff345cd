"""The pytest plugin as a vendor meets it: a throwaway project that only installs this
package (non-editable, in a fresh virtual environment) and uses the fixtures and the marker,
with no conftest and no configuration of its own. The README's Python examples run there
too, so that they cannot drift from what the package does."""

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What the package's build needs; copied so that building leaves the repository untouched.
SOURCES = ("pyproject.toml", "README.md", "sandbox", "scenarios")

VENDOR_TESTS = '''
"""A CFA vendor's tests, written against the sandbox's pytest plugin."""

import datetime

import httpx
import pytest


def test_status_with_the_demo_scenario(opco_sandbox):
    response = opco_sandbox.client("akto").get("/v1/status")
    assert response.json() == {"status": "OK", "opco": "akto", "nom": "AKTO"}
    assert opco_sandbox.today == datetime.date(2026, 9, 1)


@pytest.mark.opco_scenario("demo")
def test_the_marker_loads_a_bundled_scenario(opco_sandbox):
    etats = opco_sandbox.client("akto").get("/v1/dossiers/etats").json()
    assert [d["numeroInterne"] for d in etats] == ["DEMO-0001"]


@pytest.mark.opco_scenario("refus")
def test_the_clock_moves_instruction_on(opco_sandbox):
    opco_sandbox.advance(3)
    client = opco_sandbox.client("akto")
    dossier = client.get("/v1/dossiers", params={"numeroInterne": "REFUS-AGE-MAITRE"}).json()
    assert (dossier["cerfa"]["etat"], dossier["cerfa"]["commentaireEtat"]) == (
        "REFUSE",
        "AGE_MAITRE",
    )


def test_each_test_has_a_fresh_espace(opco_sandbox):
    opco_sandbox.control.post("/horloge", json={"jours": 30}).raise_for_status()
    assert opco_sandbox.today == datetime.date(2026, 10, 1)


def test_a_live_server_for_code_that_needs_a_socket(opco_sandbox_url):
    response = httpx.get(f"{opco_sandbox_url}/atlas/v1/status")
    assert response.json()["nom"] == "OPCO ATLAS"
'''

# A ```python block of the README, unless an HTML comment `<!-- not-run -->` stands on the
# line before it (an example that is no test).
README_BLOCK = re.compile(r"^(<!-- not-run -->\n)?```python\n(.*?)^```", re.MULTILINE | re.DOTALL)

DELIBERATE_FAILURE = """
def test_that_fails_on_purpose(opco_sandbox):
    status = opco_sandbox.client("akto").get("/v1/status").json()["status"]
    assert status == "sandbox-answered-" + status.lower()
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A vendor's project: a virtual environment with this package and pytest, and tests."""
    root = tmp_path_factory.mktemp("vendor-project")
    source = root / "opco-sandbox-src"
    source.mkdir()
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            ignored = shutil.ignore_patterns("__pycache__", "*.egg-info")
            shutil.copytree(origin, source / name, ignore=ignored)
        else:
            shutil.copy(origin, source / name)
    venv.create(root / "venv", with_pip=True)
    install = [python(root), "-m", "pip", "install", "-q", str(source), "pytest"]
    subprocess.run(install, check=True, env=clean_environment(), timeout=600)
    shutil.rmtree(source)
    (root / "tests").mkdir()
    (root / "tests" / "test_vendor.py").write_text(VENDOR_TESTS, encoding="utf-8")
    (root / "tests" / "test_failure.py").write_text(DELIBERATE_FAILURE, encoding="utf-8")
    (root / "tests" / "readme").mkdir()
    for number, example in enumerate(readme_examples(), 1):
        path = root / "tests" / "readme" / f"test_readme_{number}.py"
        path.write_text(example, encoding="utf-8")
    return root


def readme_examples() -> list[str]:
    """The README's Python examples, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [m.group(2) for m in README_BLOCK.finditer(text) if not m.group(1)]


def python(project: Path) -> str:
    return str(project / "venv" / "bin" / "python")


def clean_environment() -> dict[str, str]:
    """This session's environment without what would leak our settings into the project."""
    leaks = ("PYTHONPATH", "PYTEST_ADDOPTS", "PYTEST_PLUGINS", "VIRTUAL_ENV")
    return {
        key: value
        for key, value in os.environ.items()
        if key not in leaks and not key.startswith("OPCO_SANDBOX_")
    }


def run_session(directory: Path) -> subprocess.CompletedProcess[str]:
    """Another pytest session, with this one's Python, over the tests of `directory`."""
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-W", "error"]
    return _run([*command, "--rootdir", str(directory), str(directory)], directory)


def run_pytest(project: Path, test_file: str) -> subprocess.CompletedProcess[str]:
    command = [python(project), "-m", "pytest", "-p", "no:cacheprovider", "--strict-markers"]
    command += ["-W", "error", "--rootdir", str(project), f"tests/{test_file}"]
    return _run(command, project)


def _run(command: list[str], directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=directory,
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_package_is_installed_not_linked_to_this_repository(project: Path) -> None:
    result = subprocess.run(
        [python(project), "-c", "import sandbox; print(sandbox.__file__)"],
        cwd=project,
        env=clean_environment(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.startswith(str(project / "venv"))
    assert "site-packages" in result.stdout


def test_a_vendor_project_using_the_fixtures_and_the_marker_passes(project: Path) -> None:
    result = run_pytest(project, "test_vendor.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed" in result.stdout
    assert "warning" not in result.stdout.lower()


def test_a_failing_vendor_test_fails_with_the_sandbox_answer(project: Path) -> None:
    result = run_pytest(project, "test_failure.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 failed" in result.stdout
    assert "'OK' == 'sandbox-answered-ok'" in result.stdout


def test_the_readme_examples_are_found() -> None:
    examples = readme_examples()
    assert len(examples) >= 2
    assert all("def test_" in example for example in examples), examples


def test_the_readme_python_examples_pass_in_a_vendor_project(project: Path) -> None:
    tests = sum(len(re.findall(r"^def test_", e, re.MULTILINE)) for e in readme_examples())
    result = run_pytest(project, "readme")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{tests} passed" in result.stdout
