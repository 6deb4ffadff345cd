"""A database busy past its bound answers 503 `SANDBOX_OCCUPE` with `Retry-After`, never a
500, and the next request on the same client goes through once the database is free."""

import sqlite3
from pathlib import Path

import pytest

from sandbox.core.database import Database
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import BASE_URL, InProcessServer
from tests.builders import live_token, transmission

HEADERS = {"EDITEUR": "e", "LOGICIEL": "l", "VERSION": "1", "X-API-KEY": "demo-akto-key"}


@pytest.fixture
def sqlite_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPCO_SANDBOX_BUSY_TIMEOUT_MS", "200")
    return tmp_path / "sandbox.db"


def test_a_write_waiting_past_the_bound_is_503_then_the_client_goes_on(sqlite_file: Path) -> None:
    database = Database(f"sqlite:///{sqlite_file}")
    with InProcessServer(create_app(database, resolve("demo"))) as server:
        client = server.client("/akto", HEADERS, auth=live_token(BASE_URL))
        assert client.get("/v1/status").status_code == 200  # the token is fetched
        holder = sqlite3.connect(sqlite_file, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            busy = client.post("/v1/dossiers", json=transmission("CFA-BUSY"))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        after = client.post("/v1/dossiers", json=transmission("CFA-BUSY"))
    database.dispose()
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert [e["code"] for e in busy.json()["errors"]] == ["SANDBOX_OCCUPE"]
    assert after.status_code == 200, after.text
