"""The journal of contract §10: what was asked and answered (headers, bodies up to 64 KB,
files summarised), masked; filters and paging; a retention bound per espace."""

import hashlib
import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from sandbox.core.database import Database
from sandbox.core.tables import JournalRow
from sandbox.espaces.repository import EspaceRepository
from sandbox.journal.bodies import BodyCapture
from sandbox.journal.masking import IBAN_MASK, NIR_MASK
from sandbox.journal.repository import Filters, JournalRepository
from sandbox.journal.service import Entry, Message
from sandbox.journal.writer import PRUNE_EVERY, JournalWriter
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer
from tests.builders import (
    CFA_IBAN,
    DEMO_CLIENT_SECRET,
    NIRS,
    PDF,
    facture,
    invoice_parts,
    opco_client,
    transmission,
)

AKTO_KEY = "demo-akto-key"


def entries(sandbox: OpcoSandbox, **params: Any) -> list[dict[str, Any]]:
    response = sandbox.control.get("/journal", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["entrees"]
    return found


def last(sandbox: OpcoSandbox) -> dict[str, Any]:
    return entries(sandbox, limite=1000)[-1]


# What an entry keeps


def test_a_transmission_keeps_its_headers_and_both_bodies_masked(
    opco_sandbox: OpcoSandbox,
) -> None:
    answer = opco_sandbox.client("akto").post(
        "/v1/dossiers", json=transmission("CFA-J1", apprenti={"nir": NIRS[0]})
    )
    entry = last(opco_sandbox)
    assert entry["logiciel"] == "opco-sandbox/pytest/1"
    headers = entry["requete"]["entetes"]
    assert headers["x-api-key"] == "***"
    assert headers["authorization"] == "Bearer ***"
    assert headers["editeur"] == "opco-sandbox"
    assert headers["content-type"] == "application/json"
    sent = entry["requete"]["corps"]
    assert sent["cerfa"]["apprenti"]["nir"] == NIR_MASK
    assert sent["cerfa"]["formation"] == transmission("CFA-J1")["cerfa"]["formation"]
    assert entry["reponse"]["corps"] == answer.json()
    assert entry["reponse"]["entetes"]["content-type"] == "application/json"
    assert NIRS[0] not in json.dumps(entry)
    assert AKTO_KEY not in json.dumps(entry)


def test_a_token_call_keeps_neither_the_secret_nor_the_token(opco_sandbox: OpcoSandbox) -> None:
    # A client that fetches its token over HTTP (the plugin's has it issued in-process).
    base = f"/espaces/{opco_sandbox.espace}/akto"
    opco_client(opco_sandbox.server, base, AKTO_KEY).get("/v1/status")
    token_call = next(e for e in entries(opco_sandbox) if e["chemin"].endswith("/connect/token"))
    assert token_call["requete"]["corps"]["client_secret"] == "***"
    assert token_call["requete"]["corps"]["grant_type"] == "client_credentials"
    assert token_call["reponse"]["corps"]["access_token"] == "***"
    assert token_call["reponse"]["corps"]["token_type"] == "Bearer"
    assert DEMO_CLIENT_SECRET not in json.dumps(token_call)


def test_an_invoice_keeps_its_json_part_and_a_summary_of_its_file(
    opco_sandbox: OpcoSandbox,
) -> None:
    body = facture(numero="F-J1", commentaire=f"virement sur {CFA_IBAN}")
    opco_sandbox.client("akto").post("/v1/factures", **invoice_parts(body))
    sent = last(opco_sandbox)["requete"]["corps"]
    assert sent["fichier"] == {
        "fichier": "facture.pdf",
        "type": "application/pdf",
        "taille": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
    }
    assert sent["facture"]["ibanEmetteur"] == IBAN_MASK
    assert sent["facture"]["commentaire"] == f"virement sur {IBAN_MASK}"
    assert sent["facture"]["lignes"] == body["lignes"]


def test_a_large_file_is_summarised_not_kept(opco_sandbox: OpcoSandbox) -> None:
    pdf = PDF + b"0" * 300_000
    parts = invoice_parts(facture(numero="F-J2"), pdf)
    opco_sandbox.client("akto").post("/v1/factures", **parts)
    entry = last(opco_sandbox)
    assert entry["requete"]["corps"]["fichier"]["taille"] == len(pdf)
    assert len(json.dumps(entry)) < 20_000


def test_a_body_over_64_kb_is_cut_and_says_so(opco_sandbox: OpcoSandbox) -> None:
    body = transmission("CFA-J3") | {"annexe": "x" * 100_000}
    content = json.dumps(body).encode()
    opco_sandbox.client("akto").post(
        "/v1/dossiers", content=content, headers={"Content-Type": "application/json"}
    )
    request = last(opco_sandbox)["requete"]
    assert request["tronque"] is True
    assert request["taille"] == len(content)
    # The first 64 KB, masked as text (the NIR inside is shorter once masked).
    assert 60_000 < len(request["corps"]) <= 64 * 1024
    assert NIR_MASK in request["corps"]


def test_secrets_are_masked_wherever_the_vendor_put_them(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    akto.get(f"/v1/dossiers/{AKTO_KEY}")  # a key as a path segment
    akto.get("/v1/dossiers", params={"auth": "whatever-secret"})
    akto.get("/v1/dossiers", params={"numeroInterne": "1 89 05 2a 120 005 42"})
    akto.post("/v1/dossiers", json={"note": f"ma clé {AKTO_KEY}, mon secret {DEMO_CLIENT_SECRET}"})
    text = json.dumps(entries(opco_sandbox))
    for secret in (AKTO_KEY, DEMO_CLIENT_SECRET, "whatever-secret", "2a 120 005"):
        assert secret not in text


@pytest.fixture
def guarded(opco_sandbox_database_url: str) -> Iterator[InProcessServer]:
    database = Database(opco_sandbox_database_url)
    app = create_app(database, resolve("demo"), admin_token="admin-s3cret-token")
    with InProcessServer(app) as server:
        yield server
    database.dispose()


def test_the_admin_token_is_masked_in_the_journal(guarded: InProcessServer) -> None:
    admin = {"Authorization": "Bearer admin-s3cret-token"}
    guarded.client("/akto").get("/v1/status", params={"bearer": "admin-s3cret-token"})
    guarded.client("/akto").get("/v1/status", params={"x": "admin-s3cret-token"})
    journal = guarded.client("/_sandbox/espaces/default", admin).get(
        "/journal", params={"limite": 1000}
    )
    assert journal.status_code == 200
    assert "admin-s3cret-token" not in journal.text
    assert "/v1/status?x=***" in journal.text


# Filters and paging


def test_filters_by_opco_status_and_instant(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").get("/v1/status")
    opco_sandbox.client("atlas").get("/v1/status")
    opco_sandbox.client("akto").get("/v1/route-inconnue")
    assert {e["opco"] for e in entries(opco_sandbox, opco="atlas")} == {"atlas"}
    [unknown] = entries(opco_sandbox, statut=404)
    assert unknown["chemin"].endswith("/v1/route-inconnue")
    since = entries(opco_sandbox, depuis=unknown["instant"])
    assert since[0]["instant"] >= unknown["instant"]
    assert unknown in since


def test_pages_follow_one_another_to_the_end(opco_sandbox: OpcoSandbox) -> None:
    akto = opco_sandbox.client("akto")
    for _ in range(7):
        akto.get("/v1/status")
    everything = entries(opco_sandbox)
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limite": 3} | ({"suivant": cursor} if cursor else {})
        page = opco_sandbox.control.get("/journal", params=params).json()
        walked += page["entrees"]
        assert len(page["entrees"]) <= 3
        cursor = page["suivant"]
        if cursor is None:
            break
    assert walked == everything
    assert len(walked) == 7


def test_paging_keeps_the_filters(opco_sandbox: OpcoSandbox) -> None:
    for opco in ("akto", "atlas", "akto", "atlas", "akto"):
        opco_sandbox.client(opco).get("/v1/status")
    first = opco_sandbox.control.get("/journal", params={"opco": "akto", "limite": 2}).json()
    after = {"opco": "akto", "limite": 2, "suivant": first["suivant"]}
    second = opco_sandbox.control.get("/journal", params=after).json()
    assert {e["opco"] for e in first["entrees"] + second["entrees"]} == {"akto"}
    assert len(first["entrees"] + second["entrees"]) == 3


@pytest.mark.parametrize(
    ("params", "champ"),
    [
        ({"suivant": "nimportequoi"}, "suivant"),
        ({"limite": 0}, "limite"),
        ({"limite": 1001}, "limite"),
        ({"statut": 10**30}, "statut"),
    ],
)
def test_bad_paging_is_400(opco_sandbox: OpcoSandbox, params: dict[str, Any], champ: str) -> None:
    response = opco_sandbox.control.get("/journal", params=params)
    assert response.status_code in (400, 422)
    assert [item["champ"] for item in response.json()["errors"]] == [champ]


# Retention


def test_an_espace_keeps_about_its_last_entries(
    opco_sandbox_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPCO_SANDBOX_JOURNAL_MAX_ENTRIES", "10")
    database = Database(opco_sandbox_database_url)
    with InProcessServer(create_app(database, resolve("demo"))) as server:
        control = server.client("/_sandbox/espaces/retention")
        control.put("/scenario", json=resolve("demo").document).raise_for_status()
        api = server.client("/espaces/retention/akto")
        for numero in range(250):
            api.get("/v1/status", params={"n": numero})
        kept = control.get("/journal", params={"limite": 1000}).json()["entrees"]
        server.client("/_sandbox/espaces").delete("/retention")
    database.dispose()
    assert 10 <= len(kept) <= 110
    assert kept[-1]["chemin"].endswith("?n=249")
    assert [e["chemin"] for e in kept] == sorted(
        (e["chemin"] for e in kept), key=lambda c: int(c.rsplit("=", 1)[1])
    )


def test_the_journal_answers_in_the_contract_shape(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").get("/v1/status")
    page = opco_sandbox.control.get("/journal").json()
    assert set(page) == {"entrees", "suivant"}
    assert page["suivant"] is None
    status = page["entrees"][-1]
    assert status["requete"] == {
        "entetes": status["requete"]["entetes"],
        "corps": None,
        "tronque": False,
        "taille": None,
    }
    assert status["reponse"]["corps"] == {"status": "OK", "opco": "akto", "nom": "AKTO"}


def test_the_fixture_reads_the_tests_journal(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").get("/v1/status")
    opco_sandbox.client("atlas").get("/v1/dossiers/etats")
    journal = opco_sandbox.journal()
    # The clients' tokens are issued in-process: the test's two calls, and nothing else.
    assert [e["chemin"].rsplit("/", 2)[-2:] for e in journal] == [
        ["v1", "status"],
        ["dossiers", "etats"],
    ]
    assert [e["opco"] for e in opco_sandbox.journal(opco="atlas")] == ["atlas"]


def test_a_refused_request_shows_the_body_it_was_not_read_for(opco_sandbox: OpcoSandbox) -> None:
    client = opco_sandbox.client("akto")
    client.headers["X-API-KEY"] = "une-cle-fausse"
    refused = client.post("/v1/dossiers", json=transmission("CFA-J5"))
    assert refused.status_code == 401
    entry = last(opco_sandbox)
    assert entry["requete"]["corps"]["numeroInterne"] == "CFA-J5"
    assert entry["reponse"]["corps"] == refused.json()


# The writer itself

WRITTEN_TO = ("journal-a", "journal-b")


@pytest.fixture
def database(opco_sandbox_database_url: str) -> Iterator[Database]:
    """The database, with two espaces of the test's own (dropped at the end)."""
    database = Database(opco_sandbox_database_url)
    database.create_schema()
    with database.transaction() as session:
        for nom in WRITTEN_TO:
            EspaceRepository(session, nom).replace(date(2026, 1, 5), {"nom": "vide"})
    yield database
    with database.transaction() as session:
        for nom in WRITTEN_TO:
            EspaceRepository(session, nom).drop()
    database.dispose()


def request(chemin: str, **fields: Any) -> Entry:
    return Entry(methode="GET", chemin=chemin, statut=200, **fields)


def written(database: Database, espace: str) -> list[JournalRow]:
    with database.reading() as session:
        return JournalRepository(session, espace).matching(Filters(), 1000)


def test_a_batch_writes_each_entry_in_its_espace_masked(database: Database) -> None:
    secret = "cle-du-test-0042"
    body = BodyCapture("application/json")
    sent = {"apprenti": {"nir": NIRS[0], "nom": "Éloïse"}, "montant": 12.5, "liste": [1, None]}
    body.feed(json.dumps(sent | {"note": f"secret {secret}"}).encode())
    headers = [("x-api-key", secret), ("accept", "a"), ("accept", "b")]
    writer = JournalWriter(database, lambda *_: (secret,), keep=10)
    writer.submit("journal-a", request(f"/akto/v1/{secret}", requete=Message(headers, body)))
    writer.submit("journal-b", request("/atlas/v1/status", diagnostics=[f"clé {secret}"]))
    writer.submit("journal-a", request("/akto/v1/status?n=2", opco="akto", codes=["X"]))
    writer.close()
    first, second = written(database, "journal-a")
    assert (first.chemin, first.date, first.statut) == ("/akto/v1/***", date(2026, 1, 5), 200)
    assert first.requete == {
        "entetes": {"x-api-key": "***", "accept": "a, b"},
        "corps": sent | {"apprenti": {"nir": NIR_MASK, "nom": "Éloïse"}, "note": "secret ***"},
    }
    assert (first.reponse, first.codes, first.situations) == (None, [], [])
    assert (second.chemin, second.opco, second.codes) == ("/akto/v1/status?n=2", "akto", ["X"])
    [other] = written(database, "journal-b")
    assert other.diagnostics == ["clé ***"]


def test_a_message_journaled_again_is_masked_by_each_espace_s_own_secrets(
    database: Database,
) -> None:
    # The same answer, sent again and again, is masked once per espace's secrets
    # (`journal.service`): each entry still shows what that espace's masking gives.
    secret = "cle-du-test-0042"
    sent = {"apprenti": {"nir": NIRS[0]}, "note": f"clé {secret}"}

    def answer() -> Message:
        body = BodyCapture("application/json")
        body.feed(json.dumps(sent).encode())
        return Message([("x-note", f"clé {secret}")], body)

    writer = JournalWriter(
        database, lambda _s, nom, _st: (secret,) if nom == "journal-a" else (), 10
    )
    for espace in ("journal-a", "journal-b", "journal-a", "journal-b"):
        writer.submit(espace, request("/akto/v1/dossiers", reponse=answer()))
    writer.close()
    masked = {"apprenti": {"nir": NIR_MASK}, "note": "clé ***"}
    unknown = masked | {"note": f"clé {secret}"}  # journal-b does not know that secret
    assert [e.reponse for e in written(database, "journal-a")] == 2 * [
        {"entetes": {"x-note": "clé ***"}, "corps": masked}
    ]
    assert [e.reponse for e in written(database, "journal-b")] == 2 * [
        {"entetes": {"x-note": f"clé {secret}"}, "corps": unknown}
    ]


def test_a_flush_of_one_espace_waits_for_its_entries_only_when_it_has_some(
    database: Database,
) -> None:
    writer = JournalWriter(database, lambda *_: (), keep=10)
    assert not writer.holds("journal-a")
    writer.flush("journal-a")  # nothing of it waits: at once, the writer never started
    writer.submit("journal-a", request("/akto/v1/status"))
    assert writer.holds("journal-a")
    assert not writer.holds("journal-b")
    writer.flush("journal-a")
    assert not writer.holds("journal-a")
    assert [entry.chemin for entry in written(database, "journal-a")] == ["/akto/v1/status"]
    writer.submit("journal-b", request("/atlas/v1/status"))
    writer.submit("journal-a", request("/akto/v1/status?n=2"))
    writer.flush("journal-b")  # the whole queue before it goes, whatever espaces it holds
    assert not writer.holds("journal-a")
    assert len(written(database, "journal-a")) == 2
    writer.close()


def test_espaces_written_in_turn_each_keep_about_their_last_entries(database: Database) -> None:
    # Written in turn, two espaces get every other id of the database: a rule on the ids
    # (one a multiple of a hundred) would never prune one of them.
    writer = JournalWriter(database, lambda *_: (), keep=10)
    for numero in range(150):
        for espace in WRITTEN_TO:
            writer.submit(espace, request(f"/akto/v1/status?n={numero}"))
    writer.close()
    for espace in WRITTEN_TO:
        kept = [entry.chemin for entry in written(database, espace)]
        assert 10 <= len(kept) < 10 + PRUNE_EVERY
        assert kept[-1] == "/akto/v1/status?n=149"
