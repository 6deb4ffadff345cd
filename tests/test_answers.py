"""The answers of OPCO reads kept per revision of their espace's data
(`sandbox/server/answers.py`): asked again, a read is answered from memory; anything written
in its espace, through any worker, is seen by the next read."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from types import SimpleNamespace

import httpx
import pytest
from fastapi import Request, Response

from sandbox.core.database import Database
from sandbox.espaces.repository import EspaceState
from sandbox.pytest_plugin import SOFTWARE_HEADERS, OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server.answers import LARGEST, Answers
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer
from tests.builders import transmission
from tests.statements import Statements

ESPACE = "reponses-gardees"
DOSSIER = "/v1/dossiers?numeroInterne=DEMO-0001"


def test_a_read_asked_again_is_answered_without_querying_the_dossiers(
    opco_sandbox: OpcoSandbox,
) -> None:
    queries = Statements(opco_sandbox.server.app.state.runtime.database, "FROM dossiers")
    with opco_sandbox.client("akto") as akto:
        first = akto.get(DOSSIER)
        read = queries.count
        again = akto.get(DOSSIER)
    assert first.status_code == again.status_code == 200
    assert read > 0
    assert queries.count == read
    assert again.content == first.content
    assert again.headers["content-type"] == first.headers["content-type"]
    # Journaled all the same, each call its own entry.
    paths = [e["chemin"] for e in opco_sandbox.journal(opco="akto")[-2:]]
    assert len(paths) == 2
    assert all(path.endswith(f"/akto{DOSSIER}") for path in paths)


def test_a_read_answered_from_memory_still_checks_its_caller_and_faults(
    opco_sandbox: OpcoSandbox,
) -> None:
    with opco_sandbox.client("akto") as akto:
        assert akto.get(DOSSIER).status_code == 200  # now kept
        assert akto.get(DOSSIER, headers={"X-API-KEY": "not-a-key"}).status_code == 401
        assert akto.get(DOSSIER, headers={"EDITEUR": ""}).status_code == 400
        opco_sandbox.control.put("/akto/pannes", json={"pannes": [{"statut": 503}]})
        assert akto.get(DOSSIER).status_code == 503


@pytest.fixture
def workers(opco_sandbox_database_url: str) -> Iterator[tuple[OpcoSandbox, httpx.Client]]:
    """The plugin's espace on a first worker, and a client of the same espace and CFA on a
    second worker (another app, its own answers kept, the same database)."""
    database = Database(opco_sandbox_database_url)
    with (
        InProcessServer(create_app(database, resolve("demo"))) as first,
        InProcessServer(create_app(database, resolve("demo"))) as second,
    ):
        sandbox = OpcoSandbox(first, ESPACE)
        sandbox.load("demo")
        headers = SOFTWARE_HEADERS | {"X-API-KEY": "demo-akto-key"}
        auth = sandbox.token_auth("akto")
        with second.client(f"/espaces/{ESPACE}/akto", headers, auth=auth) as other:
            yield sandbox, other
        sandbox.close()
    database.dispose()


def test_a_contract_sent_through_one_worker_is_in_the_others_next_page(
    workers: tuple[OpcoSandbox, httpx.Client],
) -> None:
    sandbox, other = workers
    before = other.get("/v2/dossiers/etats").json()  # now kept by the second worker
    assert other.get("/v2/dossiers/etats").json() == before
    with sandbox.client("akto") as akto:
        sent = akto.post("/v1/dossiers", json=transmission("REPONSES-0001"))
    assert sent.status_code == 200
    after = other.get("/v2/dossiers/etats").json()
    assert after != before
    assert "REPONSES-0001" in str(after)


def test_a_clock_moved_through_one_worker_moves_the_others_next_read(
    workers: tuple[OpcoSandbox, httpx.Client],
) -> None:
    sandbox, other = workers
    with sandbox.client("akto") as akto:
        assert akto.post("/v1/dossiers", json=transmission("REPONSES-0002")).status_code == 200
    path = "/v1/dossiers?numeroInterne=REPONSES-0002"
    before = other.get(path).json()
    assert other.get(path).json() == before  # now kept by the second worker
    sandbox.advance(60)  # engaged meanwhile: an engagement, échéances
    after = other.get(path).json()
    assert after != before
    with sandbox.client("akto") as akto:
        assert akto.get(path).json() == after


def test_a_state_forced_through_one_worker_is_in_the_others_next_page(
    workers: tuple[OpcoSandbox, httpx.Client],
) -> None:
    # A control write that leaves the clock where it is: only the revision tells.
    sandbox, other = workers
    states = "/v2/dossiers/etats?numeroInterne=DEMO-0001"
    assert other.get(states).json()["EtatDossierResult"][0]["etat"] == "ENGAGE"  # now kept
    forced = sandbox.control.post("/akto/dossiers/AKTO-2026-000001/etat", json={"etat": "ANNULE"})
    assert forced.status_code == 200
    assert other.get(states).json()["EtatDossierResult"][0]["etat"] == "ANNULE"


def test_an_answer_is_kept_per_revision_and_only_when_small() -> None:
    scope = {"type": "http", "method": "GET", "path": "/akto/v1/dossiers", "query_string": b""}
    request = Request(scope | {"headers": [(b"x-api-key", b"cle")]})
    request.state.espace = SimpleNamespace(nom="reponses")
    state = EspaceState(date(2026, 9, 1), generation=7, version_pannes=0, revision=3)
    answers = Answers()
    answers.keep(request, state, Response(b"x" * (LARGEST + 1)), [])
    assert answers.find(request, state) is None  # too large to be kept
    answers.keep(request, state, Response(b"x" * LARGEST), ["SITUATION"])
    kept = answers.find(request, state)
    assert kept is not None
    assert (kept.body, kept.situations) == (b"x" * LARGEST, ("SITUATION",))
    assert answers.find(request, replace(state, revision=4)) is None  # written since
    assert answers.find(request, replace(state, generation=8)) is None  # loaded anew
    other_key = Request(scope | {"headers": [(b"x-api-key", b"autre")]})
    other_key.state.espace = request.state.espace
    assert answers.find(other_key, state) is None
    unrevised = replace(state, revision=None)  # an espace without its revision's row
    answers.keep(request, unrevised, Response(b"{}"), [])
    assert answers.find(request, unrevised) is None
