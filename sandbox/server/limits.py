"""Bounded request bodies: a body larger than its kind allows is answered 413
`CORPS_TROP_GRAND` before it is read whole (by its `Content-Length`, or while it streams)."""

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from sandbox.config import Limits

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_SCENARIO = re.compile(r"^/_sandbox/espaces/[^/]+/scenario/?$", re.IGNORECASE)


class TooLarge(HTTPException):
    """Raised while reading: FastAPI passes an HTTPException through its body parsing, and
    the app's handler answers it in the error shape."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"{limit}")
        self.limit = limit


class BodyLimit:
    """ASGI middleware applying the settings' limits: scenarios, multipart bodies (invoices,
    documents), and every other body (the API's JSON)."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > limit:
            scope["sandbox.too_large"] = limit  # the app answers 413 without reading
        await self.app(scope, _counting(receive, limit), send)

    def limit_for(self, scope: Scope) -> int:
        if _SCENARIO.match(scope.get("path", "")):
            return self.limits.max_scenario_bytes
        content_type = dict(scope.get("headers") or []).get(b"content-type", b"")
        if content_type.lower().startswith(b"multipart/"):
            return self.limits.max_multipart_bytes
        return self.limits.max_body_bytes


def _counting(receive: Receive, limit: int) -> Receive:
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise TooLarge(limit)
        return message

    return counted


def refuse_declared_too_large(scope: Scope) -> None:
    """Called first by the request pipeline: a `Content-Length` already over the limit."""
    limit = scope.get("sandbox.too_large")
    if limit is not None:
        raise TooLarge(limit)
