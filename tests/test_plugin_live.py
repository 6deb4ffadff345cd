"""The `opco_sandbox_url` fixture: a real server on a free port, reset between tests, that
honours the `opco_scenario` marker and listens where `opco_sandbox_listen_address` says."""

from pathlib import Path

import httpx
import pytest

from sandbox.pytest_plugin import SOFTWARE_HEADERS, _free_port
from tests.builders import live_token, transmission
from tests.test_plugin_project import run_session

HEADERS = SOFTWARE_HEADERS | {"X-API-KEY": "demo-akto-key"}


def count(url: str) -> int:
    response = httpx.get(f"{url}/akto/v2/dossiers/etats", headers=HEADERS, auth=live_token(url))
    total: int = response.json()["total"]
    return total


def test_a_live_server_answers_on_a_real_socket(opco_sandbox_url: str) -> None:
    assert opco_sandbox_url.startswith("http://127.0.0.1:")
    before = count(opco_sandbox_url)
    response = httpx.post(
        f"{opco_sandbox_url}/akto/v1/dossiers",
        json=transmission("LIVE-1"),
        headers=HEADERS,
        auth=live_token(opco_sandbox_url),
    )
    assert response.status_code == 200
    assert count(opco_sandbox_url) == before + 1


def test_the_live_server_was_reset_after_the_previous_test(opco_sandbox_url: str) -> None:
    response = httpx.post(
        f"{opco_sandbox_url}/akto/v1/dossiers",
        json=transmission("LIVE-1"),
        headers=HEADERS,
        auth=live_token(opco_sandbox_url),
    )
    assert response.status_code == 200, response.text


def read_refus_dossier(url: str) -> httpx.Response:
    """A dossier that only the `refus` scenario holds."""
    return httpx.get(
        f"{url}/akto/v1/dossiers",
        params={"numeroInterne": "REFUS-AGE-MAITRE"},
        headers=HEADERS,
        auth=live_token(url),
    )


@pytest.mark.opco_scenario("refus")
def test_the_marker_loads_its_scenario_into_the_live_server(opco_sandbox_url: str) -> None:
    response = read_refus_dossier(opco_sandbox_url)
    assert response.status_code == 200, response.text
    assert response.json()["cerfa"]["etat"] == "TRANSMIS"


def test_the_live_server_holds_demo_again_after_a_marked_test(opco_sandbox_url: str) -> None:
    response = read_refus_dossier(opco_sandbox_url)
    assert response.status_code == 404
    assert [e["code"] for e in response.json()["errors"]] == ["DOSSIER_INCONNU"]


LISTEN_CONFTEST = """
import pytest

@pytest.fixture(scope="session")
def opco_sandbox_listen_address():
    return ("127.0.0.2", {port})
"""
LISTEN_TEST = """
import httpx

def test_the_live_server_listens_where_the_conftest_says(opco_sandbox_url):
    assert opco_sandbox_url == "http://127.0.0.2:{port}"
    assert httpx.get(opco_sandbox_url + "/atlas/v1/status").json()["nom"] == "OPCO ATLAS"
"""


def test_the_listen_address_is_overridden_in_a_conftest(tmp_path: Path) -> None:
    # Another pytest session, in a project of its own: its conftest fixes host and port.
    port = _free_port("127.0.0.2")
    (tmp_path / "conftest.py").write_text(LISTEN_CONFTEST.format(port=port), encoding="utf-8")
    (tmp_path / "test_listen.py").write_text(LISTEN_TEST.format(port=port), encoding="utf-8")
    result = run_session(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
