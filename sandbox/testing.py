"""Calling the app in-process from synchronous code: httpx over ASGI, lifespan included."""

from collections.abc import Mapping
from contextlib import AbstractContextManager, ExitStack
from types import TracebackType
from typing import Any

import anyio.from_thread
import httpx
from fastapi import FastAPI

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

    def client(self, path: str = "", headers: Mapping[str, str] | None = None) -> httpx.Client:
        """An `httpx.Client` whose base URL is `path` on the in-process app."""
        assert self._transport is not None, "use the server inside its `with` block"
        return httpx.Client(
            transport=self._transport, base_url=BASE_URL + path, headers=dict(headers or {})
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
