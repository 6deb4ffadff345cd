"""The fault rules' arithmetic: which requests a rule acts on, and the exact share."""

from sandbox.core.tables import PanneRow
from sandbox.pannes import service as pannes
from sandbox.pannes.schemas import Panne


def rule(**fields: object) -> PanneRow:
    values: dict[str, object] = {
        "chemin": "/v1/*", "methode": None, "latence_ms": 0, "statut": 503, "part": None,
        "restantes": None, "vues": 0,
    }  # fmt: skip
    values.update(fields)
    return PanneRow(espace="e", opco="akto", **values)


def statuses(rules: list[PanneRow], count: int, chemin: str = "/v1/dossiers") -> list[int | None]:
    return [pannes.apply(rules, "GET", chemin).statut for _ in range(count)]


def test_a_rule_without_share_or_count_fails_every_matching_request() -> None:
    assert statuses([rule()], 3) == [503, 503, 503]


def test_the_next_n_requests_fail_then_none() -> None:
    rules = [rule(restantes=2)]
    assert statuses(rules, 4) == [503, 503, None, None]
    assert rules[0].restantes == 0


def test_a_share_fails_exactly_that_many_evenly() -> None:
    rules = [rule(part=2_500)]  # a quarter
    result = statuses(rules, 8)
    assert result == [None, None, None, 503, None, None, None, 503]


def test_a_third_fails_a_third_of_the_requests() -> None:
    result = statuses([rule(part=3_334)], 300)
    assert result.count(503) == 100


def test_only_matching_paths_and_methods_count() -> None:
    rules = [rule(chemin="/v1/factures*", methode="POST")]
    assert pannes.apply(rules, "POST", "/v1/dossiers").statut is None
    assert pannes.apply(rules, "GET", "/v1/factures").statut is None
    assert pannes.apply(rules, "POST", "/v1/factures/etats").statut == 503
    assert rules[0].vues == 1


def test_latency_is_the_largest_of_the_matching_rules() -> None:
    rules = [rule(statut=None, latence_ms=200), rule(statut=None, latence_ms=50)]
    assert pannes.apply(rules, "GET", "/v1/status") == pannes.Effet(latence_ms=200, statut=None)


def test_paths_match_whatever_their_case() -> None:
    assert pannes.matches(rule(chemin="/v1/factures*"), "POST", "/V1/Factures")


def test_the_default_path_covers_both_versions() -> None:
    default = Panne().chemin
    assert pannes.matches(rule(chemin=default), "GET", "/v1/dossiers/etats")
    assert pannes.matches(rule(chemin=default), "GET", "/v2/dossiers/etats")
    assert not pannes.matches(rule(chemin=default), "POST", "/connect/token")
