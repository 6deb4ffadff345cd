"""Requests fired at a live server at the same instant (see conftest's `server_url`)."""

import threading
from collections.abc import Callable
from typing import Any

import httpx

from sandbox.pytest_plugin import SOFTWARE_HEADERS
from tests.builders import live_token

SENDERS = 12
HEADERS = SOFTWARE_HEADERS | {"X-API-KEY": "demo-akto-key"}


def as_json(body: dict[str, Any]) -> dict[str, Any]:
    return {"json": body}


def send_together(
    url: str,
    path: str,
    bodies: list[dict[str, Any]],
    encode: Callable[[dict[str, Any]], dict[str, Any]] = as_json,
) -> list[httpx.Response]:
    """POST every body at once (`encode` gives httpx's keywords: JSON by default)."""
    return fire_together(url, [("POST", path, encode(body)) for body in bodies])


# A request to fire: its method, its path, httpx's keywords (`json=`, `files=`…).
Call = tuple[str, str, dict[str, Any]]


def fire_together(url: str, calls: list[Call]) -> list[httpx.Response]:
    """Send every call at once: the threads wait at a barrier, then fire. The answers come
    in the order of `calls`."""
    barrier = threading.Barrier(len(calls))
    token = live_token(url)
    with httpx.Client(base_url=url, headers=HEADERS, auth=token) as client:
        client.get("/akto/v1/cfakeyinfo")  # the token, fetched before the race
    responses: list[httpx.Response | None] = [None] * len(calls)

    def send(index: int, call: Call) -> None:
        method, path, keywords = call
        with httpx.Client(base_url=url, headers=HEADERS, timeout=60, auth=token) as client:
            barrier.wait()
            responses[index] = client.request(method, path, **keywords)

    threads = [threading.Thread(target=send, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    answered = [response for response in responses if response is not None]
    assert len(answered) == len(calls), "a request did not answer"
    return answered
