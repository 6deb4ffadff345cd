"""Requests fired at a live server at the same instant (see conftest's `server_url`)."""

import threading
from typing import Any

import httpx

from sandbox.pytest_plugin import SOFTWARE_HEADERS

SENDERS = 12
HEADERS = SOFTWARE_HEADERS | {"X-API-KEY": "demo-akto-key"}


def send_together(url: str, path: str, bodies: list[dict[str, Any]]) -> list[httpx.Response]:
    """POST every body at once: the threads wait at a barrier, then fire."""
    barrier = threading.Barrier(len(bodies))
    responses: list[httpx.Response] = []
    lock = threading.Lock()

    def send(body: dict[str, Any]) -> None:
        with httpx.Client(base_url=url, headers=HEADERS, timeout=60) as client:
            barrier.wait()
            response = client.post(path, json=body)
        with lock:
            responses.append(response)

    threads = [threading.Thread(target=send, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses
