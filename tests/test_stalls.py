"""Espaces never stall each other on SQLite: while a large scenario loads into one espace,
another espace's writes go through (the load's rules run aside, in a private database; the
shared one is only locked for the final inserts)."""

import copy
import threading
from pathlib import Path

import httpx

from sandbox.core.database import Database
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import BASE_URL, InProcessServer
from tests.builders import live_token, transmission
from tests.live import HEADERS

GENERATED = 3_000


def test_a_large_load_lets_another_espace_write(tmp_path: Path) -> None:
    large = copy.deepcopy(resolve("demo").document)
    large["generer"] = {"dossiers": GENERATED, "graine": 7}
    database = Database(f"sqlite:///{tmp_path / 'sandbox.db'}")
    loaded = threading.Event()
    answers: list[httpx.Response] = []
    with InProcessServer(create_app(database, resolve("demo"))) as server:

        def load() -> None:
            with server.client("/_sandbox/espaces/gros") as control:
                answers.append(control.put("/scenario", json=large, timeout=600))
            loaded.set()

        loader = threading.Thread(target=load)
        client = server.client("/akto", HEADERS, auth=live_token(BASE_URL))
        client.get("/v1/status")  # the token, before the load
        loader.start()
        during = 0
        number = 0
        while not loaded.is_set():
            number += 1
            body = transmission(f"PENDANT-{number}")
            body["cerfa"]["apprenti"]["nom"] = f"Pendant{number}"  # no duplicate
            answer = client.post("/v1/dossiers", json=body)
            assert answer.status_code == 200, answer.text
            during += not loaded.is_set()
        loader.join()
    database.dispose()
    assert answers[0].status_code == 200, answers[0].text
    assert answers[0].json()["dossiers"] >= GENERATED
    # Before, the whole load held the write lock: nothing went through until it ended.
    assert during >= 3
