"""Bounded inputs (contract §3: no input, however malformed, produces a 500): bodies over
their limit answer 413 `CORPS_TROP_GRAND` before being read whole, scenarios cannot expand
past a bound, and deep or undecodable JSON is `JSON_INVALIDE`."""

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from sandbox.config import Limits
from sandbox.core.types import MAX_DEPTH, too_deep
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.server.limits import BodyLimit, TooLarge
from tests.builders import codes, transmission

BOMB = "nom: bombe\ncfas: []\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    for i in range(9)
)


def deep(levels: int) -> str:
    return '{"x": ' * levels + "1" + "}" * levels


def test_a_json_body_over_the_limit_is_413(opco_sandbox: OpcoSandbox) -> None:
    body = transmission("GROS") | {"bourrage": "x" * (Limits().max_body_bytes + 1)}
    response = opco_sandbox.client("akto").post("/v1/dossiers", json=body)
    assert codes(response, 413) == ["CORPS_TROP_GRAND"]
    assert opco_sandbox.client("akto").get("/v1/dossiers/etats").json()[-1]["numeroInterne"] != (
        "GROS"
    )


def small_app(received: list[int]) -> BodyLimit:
    async def echo(request: Request) -> PlainTextResponse:
        try:
            body = await request.body()
        except TooLarge as too_large:
            return PlainTextResponse(str(too_large.limit), status_code=413)
        received.append(len(body))
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/{path:path}", echo, methods=["POST", "PUT"])])
    limits = Limits(max_body_bytes=10, max_multipart_bytes=20, max_scenario_bytes=30)
    return BodyLimit(app, limits)


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("path", "content_type", "allowed"),
    [
        ("/akto/v1/dossiers", "application/json", 10),
        ("/akto/v1/factures", "multipart/form-data; boundary=x", 20),
        ("/_sandbox/espaces/ci/scenario", "application/yaml", 30),
    ],
)
async def test_each_kind_of_body_has_its_limit(path: str, content_type: str, allowed: int) -> None:
    received: list[int] = []
    transport = httpx.ASGITransport(app=small_app(received))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        headers = {"Content-Type": content_type}
        ok = await client.post(path, content=b"x" * allowed, headers=headers)
        over = await client.post(path, content=b"x" * (allowed + 1), headers=headers)
    assert (ok.status_code, over.status_code) == (200, 413)
    assert received == [allowed]


@pytest.mark.anyio
async def test_a_streamed_body_is_cut_when_it_passes_the_limit() -> None:
    received: list[int] = []
    streamed: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            streamed.append(1)
            yield b"x" * 4

    transport = httpx.ASGITransport(app=small_app(received))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/akto/v1/dossiers", content=chunks())
    assert response.status_code == 413
    assert received == []


def test_a_yaml_bomb_is_refused_at_once(opco_sandbox: OpcoSandbox) -> None:
    started = time.monotonic()
    response = opco_sandbox.control.put(
        "/scenario", content=BOMB, headers={"Content-Type": "application/yaml"}
    )
    assert time.monotonic() - started < 5
    assert codes(response, 422) == ["SCENARIO_INVALIDE"]
    assert "alias" in response.json()["errors"][0]["description"]
    # The espace keeps its scenario.
    assert opco_sandbox.client("akto").get("/v1/status").status_code == 200
    assert opco_sandbox.client("akto").get("/v1/dossiers/etats").json()


def nested(levels: int, leaf: Any) -> Any:
    """`leaf` inside `levels` arrays and objects, in turns: at depth `levels + 1`."""
    for level in range(levels):
        leaf = [leaf] if level % 2 else {"n": leaf}
    return leaf


@pytest.mark.parametrize("leaf", [1, "x", None, [], {}])
def test_nesting_counts_to_the_deepest_value_whatever_it_is(leaf: Any) -> None:
    assert not too_deep(nested(MAX_DEPTH - 1, leaf))  # the leaf at MAX_DEPTH
    assert too_deep(nested(MAX_DEPTH, leaf))  # one level deeper, even a scalar or empty
    assert not too_deep(leaf, limit=1)
    assert too_deep([leaf], limit=1)


def test_a_scenario_nested_too_deep_is_refused(opco_sandbox: OpcoSandbox) -> None:
    text = '{"nom": "x", "cfas": [], "profond": ' + deep(5000) + "}"
    response = opco_sandbox.control.put(
        "/scenario", content=text, headers={"Content-Type": "application/json"}
    )
    assert codes(response, 422) == ["SCENARIO_INVALIDE"]


@pytest.mark.parametrize(
    "content",
    [
        deep(200).encode(),  # deeper than any document of the standard
        deep(5000).encode(),  # deeper than Python's parser goes
        b'{"cerfa": "\xff\xfe"}',  # not UTF-8
        b'{"cerfa": {}, "n": ' + b"9" * 5000 + b"}",  # more digits than Python reads
    ],
    ids=["deep", "very-deep", "not-utf-8", "long-number"],
)
def test_undecodable_json_is_json_invalide(opco_sandbox: OpcoSandbox, content: bytes) -> None:
    response = opco_sandbox.client("akto").post(
        "/v1/dossiers", content=content, headers={"Content-Type": "application/json"}
    )
    assert codes(response, 400) == ["JSON_INVALIDE"]


def test_refused_bodies_are_journaled(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.client("akto").post(
        "/v1/dossiers", json={"x": "x" * (Limits().max_body_bytes + 1)}
    )
    entries: list[dict[str, Any]] = opco_sandbox.control.get("/journal").json()["entrees"]
    assert entries[-1]["statut"] == 413
    assert entries[-1]["codes"] == ["CORPS_TROP_GRAND"]
