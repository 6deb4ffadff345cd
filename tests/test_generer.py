"""Generated dossiers (`generer: {dossiers: N, graine: S}`, contract §11) and the bulk install
that loads them: deterministic, valid, spread over the scenario, counted; and a bulk or
streamed install makes exactly the rows a row-by-row one does."""

import contextlib
import copy
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from sandbox.core.database import Database
from sandbox.core.tables import CounterRow, DossierRow, EcheanceRow, FactureRow
from sandbox.dossiers.cerfa import Cerfa
from sandbox.dossiers.controls import contract_duplicate_key
from sandbox.dossiers.deca import DECA_PATTERN
from sandbox.dossiers.states import Etat
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios import generer, loader, split, templates
from sandbox.scenarios.loader import LoadedScenario, ScenarioError, install, load_dict, resolve
from sandbox.scenarios.model import Scenario
from tests.conftest import postgres_database

TODAY = date(2026, 9, 1)


def scenario(count: int = 300, graine: int = 1, **changes: Any) -> dict[str, Any]:
    """demo (two CFAs, keys at five OPCOs, one not hooked up) with generated dossiers."""
    document = copy.deepcopy(resolve("demo").document)
    document["generer"] = {"dossiers": count, "graine": graine}
    document.update(changes)
    return document


def made(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(generer.dossiers(Scenario.model_validate(document)))


@dataclass(frozen=True)
class Installed:
    opco: str
    etat: str
    commentaire_etat: str | None
    numero_deca: str | None
    echeances: int


def installed(document: dict[str, Any]) -> list[Installed]:
    """The dossiers a load of `document` makes, in a fresh in-memory database."""
    database = Database("sqlite://")
    database.create_schema()
    with database.transaction() as session:
        install(session, "test", load_dict(document, "test"), TODAY)
        rows = [
            Installed(r.opco, r.etat, r.commentaire_etat, r.numero_deca, len(r.echeances))
            for r in session.scalars(select(DossierRow).order_by(DossierRow.id))
        ]
    database.dispose()
    return rows


def test_the_same_seed_gives_the_same_dossiers() -> None:
    assert made(scenario(graine=7)) == made(scenario(graine=7))


def test_another_seed_gives_other_dossiers() -> None:
    first, other = made(scenario(graine=1)), made(scenario(graine=2))
    assert len(first) == len(other) == 300
    apprentices = {(d["cerfa"]["apprenti"]["nom"], d["cerfa"]["apprenti"]["prenom"]) for d in first}
    assert apprentices != {
        (d["cerfa"]["apprenti"]["nom"], d["cerfa"]["apprenti"]["prenom"]) for d in other
    }


def test_no_dossiers_are_generated_by_default() -> None:
    assert made(scenario(count=0)) == []
    assert Scenario.model_validate(resolve("demo").document).generer.dossiers == 0


def test_every_generated_dossier_passes_the_rules_and_none_is_a_duplicate() -> None:
    rows = installed(scenario())
    own = len(resolve("demo").scenario.dossiers)
    assert len(rows) == own + 300
    generated = made(scenario())
    keys = [contract_duplicate_key(Cerfa.model_validate(d["cerfa"])) for d in generated]
    assert len(set(keys)) == len(keys)
    numeros = [
        (d["opco"], d["cerfa"]["organismeFormation"]["siret"], d["numeroInterne"])
        for d in generated
        if "numeroInterne" in d
    ]
    assert len(set(numeros)) == len(numeros)


def test_dossiers_are_spread_over_the_keys_opcos_the_cfas_and_every_state() -> None:
    demo = resolve("demo").scenario
    generated = made(scenario())
    hooked_keyed = {
        opco
        for cfa in demo.cfas
        for opco in cfa.cles
        if demo.profile(opco).accroche  # constructys is not hooked up in demo
    }
    opcos = Counter(d["opco"] for d in generated)
    assert set(opcos) == hooked_keyed
    assert max(opcos.values()) - min(opcos.values()) <= 1  # in turn
    assert {d["etat"] for d in generated} == set(Etat)
    assert {d["cerfa"]["organismeFormation"]["siret"] for d in generated} == {
        cfa.siret for cfa in demo.cfas
    }
    # A CFA only gets dossiers at the OPCOs where it holds a key (its others are unseen).
    for dossier in generated:
        cfa = next(
            c for c in demo.cfas if c.siret == dossier["cerfa"]["organismeFormation"]["siret"]
        )
        assert cfa.cle(dossier["opco"]) is not None
    # An employer's OPCO is its dossiers' OPCO.
    employers = {e.siret: e.opco for e in demo.employeurs}
    for dossier in generated:
        siret = dossier["cerfa"]["employeur"]["siret"]
        assert employers.get(siret, dossier["opco"]) == dossier["opco"]
    deposits = sum(d.get("canal") == "EMPLOYEUR" for d in generated)
    assert 10 < deposits < 60  # about one in ten


def test_the_states_are_reached_and_refusals_have_a_reason() -> None:
    rows = installed(scenario())
    states = Counter(row.etat for row in rows)
    assert set(states) == set(Etat)
    refused = [row for row in rows if row.etat == Etat.REFUSE]
    # demo lists an inactive certification: instruction's reason is real.
    assert refused
    assert all("CERTIFICATION_INELIGIBLE" in (row.commentaire_etat or "") for row in refused)
    engaged = [row for row in rows if row.etat == Etat.ENGAGE]
    assert all(row.numero_deca and row.echeances for row in engaged)


def test_a_bare_scenario_gets_made_up_employers_and_low_pay_refusals() -> None:
    bare = {
        "nom": "nu",
        "cfas": [
            {
                "siret": "79012345900014",
                "uai": "0751234A",
                "denomination": "CFA Nu",
                "iban": "FR7630006000011234567890189",
                "cles": {"sante": "nu-sante-key"},
            }
        ],
        "generer": {"dossiers": 60, "graine": 3},
    }
    rows = installed(bare)
    assert len(rows) == 60
    assert {row.opco for row in rows} == {"sante"}
    refused = [row for row in rows if row.etat == Etat.REFUSE]
    assert refused
    assert all("REMUNERATION_INSUFFISANTE" in (row.commentaire_etat or "") for row in refused)


def test_generated_dossiers_skip_the_numbers_and_contracts_of_the_scenarios_own() -> None:
    document = scenario(count=40, dossiers=[])
    first = made(document)[0]
    assert "numeroInterne" in first  # an API dossier, numbered GEN-000001
    own = {**copy.deepcopy(first), "numeroInterne": first["numeroInterne"]}
    document["dossiers"] = [own]
    generated = made(document)
    assert generated[0]["numeroInterne"] == "GEN-000001-2"
    assert generated[0]["cerfa"]["apprenti"] != own["cerfa"]["apprenti"]
    assert len(installed(document)) == 41


@pytest.mark.parametrize("count", [-1, 200_001])
def test_the_count_is_bounded(count: int) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_dict(scenario(count=count), "test")
    assert [p.champ for p in caught.value.problems] == ["generer.dossiers"]


def test_the_summary_counts_the_generated_dossiers(opco_sandbox: OpcoSandbox) -> None:
    summary = opco_sandbox.load(scenario())
    assert summary["dossiers"] == len(resolve("demo").scenario.dossiers) + 300
    listed = opco_sandbox.server.client().get("/_sandbox/espaces").json()["espaces"]
    [mine] = [e for e in listed if e["espace"] == opco_sandbox.espace]
    assert mine["dossiers"] == summary["dossiers"]


def test_a_plugin_load_of_generated_dossiers_answers_them(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(scenario())
    generated = made(scenario())
    first_cfa = resolve("demo").scenario.cfas[0].siret
    at_akto = [
        d
        for d in generated
        if d["opco"] == "akto"
        and d.get("canal") != "EMPLOYEUR"
        and d["cerfa"]["organismeFormation"]["siret"] == first_cfa
    ]
    etats = opco_sandbox.client("akto").get("/v2/dossiers/etats", params={"taillePage": 500})
    assert etats.status_code == 200, etats.text
    numeros = {d["numeroInterne"] for d in etats.json()["EtatDossierResult"]}
    assert {d["numeroInterne"] for d in at_akto} <= numeros
    one = opco_sandbox.client("akto").get(
        "/v1/dossiers", params={"numeroInterne": at_akto[0]["numeroInterne"]}
    )
    assert one.status_code == 200, one.text
    assert one.json()["cerfa"]["etat"] == at_akto[0]["etat"]


def test_reset_gives_the_same_generated_dossiers_again(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.load(scenario(count=50))
    before = opco_sandbox.client("akto").get("/v2/dossiers/etats", params={"taillePage": 500})
    assert opco_sandbox.control.post("/reset").status_code == 200
    after = opco_sandbox.client("akto").get("/v2/dossiers/etats", params={"taillePage": 500})
    assert before.json() == after.json()


# The bulk install (rows held and written a chunk at a time, numbers checked in memory) and
# the streamed copy (large installs) are optimisations: they change no row.


def own_dossier(numero: str, nom: str = "Dupont") -> dict[str, Any]:
    dossier: dict[str, Any] = copy.deepcopy(resolve("demo").document["dossiers"][0])
    dossier.pop("numeroExterne", None)
    dossier["numeroInterne"] = numero
    dossier["cerfa"]["apprenti"]["nom"] = nom
    return dossier


@pytest.mark.parametrize(
    ("second", "code"),
    [
        (own_dossier("SAME", "Autre"), "NUMERO_INTERNE_DEJA_UTILISE"),
        (own_dossier("OTHER"), "DOSSIER_DOUBLON"),
    ],
)
@pytest.mark.parametrize("split_from", [0, 10**9], ids=["in-halves", "whole"])
def test_a_bulk_install_still_refuses_a_number_or_contract_given_twice(
    second: dict[str, Any], code: str, split_from: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In halves, the half that meets the fault fails, and the install made again whole
    # reports the scenario's first fault, as ever.
    monkeypatch.setattr(split, "SPLIT_FROM", split_from)
    document = scenario(count=20, dossiers=[own_dossier("SAME"), second])
    with pytest.raises(ScenarioError) as caught:
        installed(document)
    [problem] = caught.value.problems
    assert str(problem.champ).startswith("dossiers[1]")
    assert code in problem.message


def rows_of(session: Session, espace: str) -> tuple[list[Any], ...]:
    """The espace's rows, ids replaced by what they name (ids differ between installs)."""
    dossiers = session.execute(
        select(DossierRow.__table__).where(DossierRow.espace == espace).order_by(DossierRow.id)
    ).mappings()
    named = {row["id"]: (row["opco"], row["numero_externe"]) for row in dossiers}
    dossier_values = [
        sorted((k, repr(v)) for k, v in row.items() if k not in ("id", "espace"))
        for row in session.execute(
            select(DossierRow.__table__).where(DossierRow.espace == espace).order_by(DossierRow.id)
        ).mappings()
    ]
    echeances = sorted(
        sorted((k, repr(named[v] if k == "dossier_id" else v)) for k, v in row.items() if k != "id")
        for row in session.execute(
            select(EcheanceRow.__table__).where(EcheanceRow.dossier_id.in_(list(named)))
        ).mappings()
    )
    factures = sorted(
        repr(
            sorted(
                (k, [named[i["dossier_id"]] for i in v] if k == "imputations" else v)
                for k, v in row.items()
                if k not in ("id", "espace")
            )
        )
        for row in session.execute(
            select(FactureRow.__table__).where(FactureRow.espace == espace)
        ).mappings()
    )
    counters = sorted(
        (row.opco, row.nom, row.valeur)
        for row in session.scalars(select(CounterRow).where(CounterRow.espace == espace))
    )
    return dossier_values, echeances, factures, counters


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with contextlib.ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / 'generer.db'}"
        else:
            url = stack.enter_context(postgres_database())
        made_database = Database(url)
        made_database.create_schema()
        yield made_database
        made_database.dispose()


def install_into(database: Database, espace: str, loaded: LoadedScenario) -> tuple[list[Any], ...]:
    templates.TEMPLATES._kept.clear()
    with database.transaction() as session:
        install(session, espace, loaded, TODAY)
    with database.transaction() as session:
        return rows_of(session, espace)


@pytest.mark.parametrize("name", ["facturation", "demo"])
def test_bulk_and_streamed_installs_make_the_rows_of_a_row_by_row_one(
    database: Database, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = copy.deepcopy(resolve(name).document)
    document["generer"] = {"dossiers": 120, "graine": 4}
    loaded = load_dict(document, name)
    bulk = install_into(database, "bulk", loaded)
    monkeypatch.setattr(templates, "STREAMED", 0)  # built in a file, copied as stored
    streamed = install_into(database, "streamed", loaded)
    monkeypatch.setattr(loader, "bulk", lambda session: contextlib.nullcontext())
    monkeypatch.setattr(templates, "STREAMED", 10**9)
    row_by_row = install_into(database, "row-by-row", loaded)
    assert bulk == streamed == row_by_row
    assert len(bulk[0]) == len(resolve(name).scenario.dossiers) + 120
    assert bulk[1]  # échéances were compared too


def test_a_streamed_install_that_breaks_a_rule_changes_nothing(
    opco_sandbox: OpcoSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(templates, "STREAMED", 0)  # built in a file, as a large one is
    before = opco_sandbox.client("akto").get("/v2/dossiers/etats").json()
    first = own_dossier("TWICE")
    second = {**own_dossier("OTHER", "Autre"), "numeroExterne": "AKTO-2026-000001"}
    first["numeroExterne"] = "AKTO-2026-000001"
    refused = opco_sandbox.control.put("/scenario", json=scenario(dossiers=[first, second]))
    assert refused.status_code == 422, refused.text
    [problem] = refused.json()["errors"]
    assert (problem["code"], problem["champ"]) == ("SCENARIO_INVALIDE", "dossiers[1].numeroExterne")
    assert "NUMERO_EXTERNE_DEJA_UTILISE" in problem["description"]
    assert opco_sandbox.client("akto").get("/v2/dossiers/etats").json() == before


def without_deca_sequences(rows: tuple[list[Any], ...]) -> tuple[list[Any], ...]:
    """`rows_of`'s rows, its dossiers in any order, each DECA number without its sequence
    (and the DECA registry's counter left out): an install in halves numbers each half's
    DECA apart."""
    dossiers, echeances, factures, counters = rows
    masked = [
        [(k, v[:-7] if k == "numero_deca" and v != "None" else v) for k, v in values]
        for values in dossiers
    ]
    return sorted(masked), echeances, factures, [c for c in counters if c[0] != "*"]


def deca_numbers(database: Database, espace: str) -> list[str]:
    with database.reading() as session:
        query = select(DossierRow.numero_deca).where(
            DossierRow.espace == espace, DossierRow.numero_deca.is_not(None)
        )
        return list(session.scalars(query))


def test_an_install_in_two_halves_makes_the_rows_of_one_built_whole(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded = load_dict(scenario(count=400, graine=3), "demo")
    monkeypatch.setattr(split, "SPLIT_FROM", 10**9)
    whole = install_into(database, "whole", loaded)
    monkeypatch.setattr(split, "SPLIT_FROM", 0)
    first, second = split.halves(loaded.scenario) or pytest.fail("demo's OPCOs are split")
    assert first.opcos
    assert second.opcos
    assert not first.opcos & second.opcos
    in_halves = install_into(database, "halves", loaded)
    assert without_deca_sequences(in_halves) == without_deca_sequences(whole)
    numbers = deca_numbers(database, "halves")
    assert len(set(numbers)) == len(numbers) == len(deca_numbers(database, "whole")) > 50
    assert all(DECA_PATTERN.fullmatch(n) for n in numbers)
    # The second half's follow every number the first half could take.
    sequences = sorted(int(n[-6:]) for n in numbers)
    assert sequences[-1] > second.deca_after
    [(_, _, registry)] = [c for c in in_halves[3] if c[0] == "*"]
    assert registry == sequences[-1]


@pytest.mark.parametrize("child", ["/bin/false", "/no/such/python"])
def test_an_install_whose_child_fails_is_built_whole_and_says_so(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    child: str,
) -> None:
    loaded = load_dict(scenario(count=60), "demo")
    whole = install_into(database, "whole", loaded)
    monkeypatch.setattr(split, "SPLIT_FROM", 0)
    monkeypatch.setattr(sys, "executable", child)
    assert install_into(database, "retried", loaded) == whole
    assert "The install's first half" in caplog.text


def test_a_failed_childs_message_is_not_logged_only_its_exception(
    database: Database,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
) -> None:
    # What an exception says may quote the scenario's data: the log names its type only.
    child = tmp_path / "child"
    child.write_text("#!/bin/sh\necho 'ValueError: NIR 205089205012341 refused' >&2\nexit 1\n")
    child.chmod(0o755)
    monkeypatch.setattr(split, "SPLIT_FROM", 0)
    monkeypatch.setattr(sys, "executable", str(child))
    install_into(database, "retried", load_dict(scenario(count=20), "demo"))
    assert "failed (status 1): ValueError" in caplog.text
    assert "205089205012341" not in caplog.text
