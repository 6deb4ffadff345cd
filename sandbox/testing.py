"""Calling the app in-process from synchronous code: httpx over ASGI, lifespan included."""

from collections.abc import Callable, Generator, Mapping
from contextlib import AbstractContextManager, ExitStack
from types import TracebackType
from typing import Any

import anyio.from_thread
import httpx
from fastapi import FastAPI

from sandbox.errors import JETON_EXPIRE, JETON_INVALIDE

BASE_URL = "http://sandbox.local"


class InProcessServer(AbstractContextManager["InProcessServer"]):
    """Runs the app's event loop in a background thread for the life of the `with` block."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app
        self._stack = ExitStack()
        self._transport: httpx.BaseTransport | None = None

    def __enter__(self) -> "InProcessServer":
        portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())
        self._stack.enter_context(
            portal.wrap_async_context_manager(self.app.router.lifespan_context(self.app))
        )
        self._transport = _PortalTransport(portal, httpx.ASGITransport(app=self.app))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stack.close()

    def client(
        self,
        path: str = "",
        headers: Mapping[str, str] | None = None,
        auth: httpx.Auth | None = None,
    ) -> httpx.Client:
        """An `httpx.Client` whose base URL is `path` on the in-process app."""
        assert self._transport is not None, "use the server inside its `with` block"
        return httpx.Client(
            transport=self._transport,
            base_url=BASE_URL + path,
            headers=dict(headers or {}),
            auth=auth,
        )


class _PortalTransport(httpx.BaseTransport):
    """A synchronous transport handing each request to the ASGI app on the portal's loop."""

    def __init__(self, portal: Any, asgi: httpx.ASGITransport) -> None:
        self._portal = portal
        self._asgi = asgi

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> httpx.Response:
            response = await self._asgi.handle_async_request(request)
            content = b"".join([chunk async for chunk in response.stream])  # type: ignore[union-attr]
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        result: httpx.Response = self._portal.call(call)
        return result


# Gets a token without HTTP from the token request's form, or None (none to be had).
TokenIssuer = Callable[[Mapping[str, str]], str | None]


class BearerToken(httpx.Auth):
    """httpx authentication by OAuth2 client credentials, as a production client does it:
    fetch a token from the OPCO's token URL before the first call, send it as
    `Authorization: Bearer`, and fetch a new one when the API answers `JETON_EXPIRE` (or
    `JETON_INVALIDE`, a token revoked by a reset), then send the request again once.

    `issue`, when given, gets each token instead of the request to the token URL (the
    pytest plugin's clients have theirs issued in-process: no HTTP call, no journal entry)."""

    requires_response_body = True
    RENEWED_ON = frozenset({JETON_EXPIRE.code, JETON_INVALIDE.code})

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        scope: str = "api.read api.write",
        issue: TokenIssuer | None = None,
    ) -> None:
        self.token_url = token_url
        self._form = {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret,
            "scope": scope,
        }
        self._issue = issue
        self._token: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._token is None:
            yield from self._fetch()
        self._authorize(request)
        response = yield request
        if response.status_code == 401 and self.RENEWED_ON & set(_codes(response)):
            yield from self._fetch()
            self._authorize(request)
            yield request

    def _fetch(self) -> Generator[httpx.Request, httpx.Response, None]:
        """A new token: from `issue` when given, else from the token URL."""
        if self._issue is not None:
            self._token = self._issue(self._form)
        else:
            self._remember((yield httpx.Request("POST", self.token_url, data=self._form)))

    def _remember(self, response: httpx.Response) -> None:
        # No token (an espace dropped, an OPCO not hooked up): the request goes without one,
        # and the API's own answer tells the test why.
        self._token = str(response.json()["access_token"]) if response.status_code == 200 else None

    def _authorize(self, request: httpx.Request) -> None:
        if self._token is not None:
            request.headers["Authorization"] = f"Bearer {self._token}"


def _codes(response: httpx.Response) -> list[str]:
    try:
        return [str(item.get("code")) for item in response.json().get("errors", [])]
    except ValueError:
        return []
