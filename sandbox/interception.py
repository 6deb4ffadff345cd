"""Production URLs intercepted (contract §12): inside a test, every `requests` and `httpx`
call to an OPCO's production host goes to the test's espace, in-process, so that a
vendor's production client runs unchanged, as moto does for AWS. Calls to any other host
are left alone. Built on respx (httpx) and responses (requests).

A production URL maps by its host (which OPCO) and what follows the API's base: the path
from `/v1/` or `/v2/` on goes to that OPCO's API, and a path ending in `/token` is that
OPCO's token endpoint.
"""

import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import requests
import responses
import respx

from sandbox.errors import ROUTE_INCONNUE

# The hosts that public production clients call (norme.md, "Evidence from production
# clients"): API bases and token URLs.
PRODUCTION_HOSTS: dict[str, str] = {
    "cfa-ws.akto.fr": "akto",
    "cfa-ws.opco-atlas.org": "atlas",
    "api-cfa.afdas.com": "afdas",
    "api-cfa-recette.afdas.com": "afdas",
    "afdas.okta.com": "afdas",
    "kong-master.lab.opcoep.fr": "opcoep",
    "keycloak-master.lab.opcoep.fr": "opcoep",
    "moov-test-echangecfa-api.opcomobilites.fr": "mobilites",
}
_API = re.compile(r"(?i)/(v[12]/.*)$")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Sends (method, path below the sandbox, headers, body) to the sandbox; answers it.
Forward = Callable[[str, str, Mapping[str, str], bytes], httpx.Response]


def sandbox_path(espace: str, opco: str, url: str) -> str | None:
    """Where a production URL goes in the espace, or None when it names nothing known."""
    parts = urlsplit(url)
    query = f"?{parts.query}" if parts.query else ""
    if parts.path.rstrip("/").lower().endswith("/token"):
        return f"/espaces/{espace}/{opco}/connect/token{query}"
    found = _API.search(parts.path)
    if found is None:
        return None
    return f"/espaces/{espace}/{opco}/{found.group(1)}{query}"


@contextmanager
def intercept(espace: str, forward: Forward, hosts: Mapping[str, str]) -> Iterator[None]:
    """Route the production hosts' calls of `requests` and `httpx` to `forward`."""
    with ExitStack() as stack:
        router = stack.enter_context(respx.mock(assert_all_called=False))
        mock = stack.enter_context(responses.RequestsMock(assert_all_requests_are_fired=False))
        for host, opco in hosts.items():
            router.route(host=host).mock(side_effect=_httpx_handler(espace, opco, forward))
            pattern = re.compile(rf"https?://{re.escape(host)}(?::\d+)?(/.*)?$")
            for method in METHODS:
                mock.add_callback(method, pattern, _requests_handler(espace, opco, forward))
        router.route().pass_through()  # any other host: untouched
        mock.add_passthru(re.compile(r".*"))
        yield


def _httpx_handler(espace: str, opco: str, forward: Forward) -> Callable[..., httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        path = sandbox_path(espace, opco, str(request.url))
        if path is None:
            return httpx.Response(404, json=_unknown(str(request.url)))
        answer = forward(request.method, path, dict(request.headers), request.read())
        # A response of bytes: readable by a sync and by an async client alike.
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    return handle


def _requests_handler(
    espace: str, opco: str, forward: Forward
) -> Callable[[requests.PreparedRequest], tuple[int, dict[str, str], bytes]]:
    def handle(request: requests.PreparedRequest) -> tuple[int, dict[str, str], bytes]:
        url = str(request.url)
        path = sandbox_path(espace, opco, url)
        if path is None:
            return 404, {"Content-Type": "application/json"}, _json(_unknown(url))
        body = request.body or b""
        # A prepared request's body is its bytes (or its text): streams are not intercepted.
        content = body.encode() if isinstance(body, str) else body
        assert isinstance(content, bytes), "a streamed requests body is not intercepted"
        headers = {
            k: v if isinstance(v, str) else v.decode("latin-1") for k, v in request.headers.items()
        }
        answer = forward(str(request.method), path, headers, content)
        kept = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
        return answer.status_code, kept, answer.content

    return handle


def _unknown(url: str) -> dict[str, Any]:
    problem = ROUTE_INCONNUE.problem(chemin=url, detail="ni /v1/, ni /v2/, ni /token.")
    item = {"code": problem.code, "description": problem.message, "message": problem.message}
    return {"errors": [item | {"champ": None}]}


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()
