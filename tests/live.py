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
    """POST every body at once (`encode` gives httpx's keywords: JSON by default): the
    threads wait at a barrier, then fire."""
    barrier = threading.Barrier(len(bodies))
    token = live_token(url)
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def send(body: dict[str, Any]) -> None:
        with httpx.Client(base_url=url, headers=HEADERS, timeout=60, auth=token) as client:
            barrier.wait()
            response = client.post(path, **encode(body))
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses
