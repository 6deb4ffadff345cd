"""The `opco_sandbox_url` fixture: a real server on a free port, reset between tests."""

import httpx

from sandbox.pytest_plugin import SOFTWARE_HEADERS
from tests.builders import live_token, transmission

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
