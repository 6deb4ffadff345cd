"""The middleware that journals every OPCO and CFADock request of an espace, with what was
asked and answered (headers, bodies): the entry goes to the journal's writer as the
answer's last chunk leaves."""

import re
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.config import Limits
from sandbox.core.opcos import OPCOS
from sandbox.journal import service as journal
from sandbox.journal.bodies import BodyCapture
from sandbox.server.limits import ASGIApp, Message, Receive, Scope, Send
from sandbox.server.runtime import DEFAULT_ESPACE, Runtime

# Every path below an OPCO's base (/akto/v1/..., /akto/V2/..., /akto/connect/token, unknown
# routes too) or below CFADock's, and the same under /espaces/{espace}/ (no espace name has
# a NUL). The path is the one sent: the canonical spelling is the router's business.
_JOURNALED = re.compile(r"^(?:/espaces/(?P<espace>[^/\x00]+))?/(?P<service>[^/]+)(?:/|$)")


class Recorder:
    """ASGI middleware: tees the request's and the answer's bodies into the journal entry."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _JOURNALED.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or not (match["service"] in OPCOS or match["service"] == "cfadock"):
            await self.app(scope, receive, send)
            return
        # The app's `request.state` lives in this dict; made here, it is shared with every
        # copy of the scope that the inner layers make.
        scope.setdefault("state", {})
        exchange = _Exchange(scope, match["espace"] or DEFAULT_ESPACE, match["service"])

        async def receiving() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                exchange.asked.feed(message.get("body", b""))
                exchange.received = not message.get("more_body", False)
            return message

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and exchange.unread():
                # Refused before its body was read (a bad key…): the journal shows it anyway.
                while (
                    not exchange.received and exchange.asked.size <= self.limits.max_multipart_bytes
                ):
                    if (await receiving())["type"] != "http.request":
                        break
            if exchange.answered(message):
                exchange.finish()
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except Exception:
            if not exchange.written:  # answered 500 outside, by the app's last handler
                exchange.status = 500
                exchange.finish()
            raise


@dataclass
class _Exchange:
    """One request and its answer, as they stream."""

    scope: Scope
    espace: str
    service: str
    status: int = 500
    written: bool = False
    received: bool = False  # the request's last body chunk has been read
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response: BodyCapture | None = None

    def __post_init__(self) -> None:
        self.request_headers = _decoded(self.scope.get("headers") or [])
        self.asked_headers = dict(self.request_headers)  # by name, the last one of a name
        self.asked = BodyCapture(self.asked_headers.get("content-type", ""))

    def unread(self) -> bool:
        """Whether some of the body is still to be read (not when the client waits for a
        `100 Continue` that a refusal does not send)."""
        return not self.received and "expect" not in self.asked_headers

    def answered(self, message: Message) -> bool:
        """Follow the answer; True when its last chunk is about to leave."""
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.response_headers = _decoded(message.get("headers") or [])
            self.response = BodyCapture(dict(self.response_headers).get("content-type", ""))
            return False
        if message["type"] != "http.response.body" or self.response is None:
            return False
        self.response.feed(message.get("body", b""))
        return not message.get("more_body", False)

    def finish(self) -> None:
        """Hand the entry to the journal's writer (it is written off the request's path)."""
        self.written = True
        runtime: Runtime = self.scope["app"].state.runtime
        state: MutableMapping[str, Any] = self.scope.get("state") or {}
        runtime.journal.submit(self.espace, self._entry(state))

    def _entry(self, state: MutableMapping[str, Any]) -> journal.Entry:
        query = self.scope.get("query_string", b"").decode("latin-1")
        logiciel = [self.asked_headers.get(n, "") for n in ("editeur", "logiciel", "version")]
        return journal.Entry(
            methode=self.scope["method"],
            chemin=self.scope["path"] + (f"?{query}" if query else ""),
            statut=self.status,
            horloge=getattr(state.get("espace"), "today", None),
            # An unknown route never reached the pipeline, which names the OPCO: its path does.
            opco=state.get("opco") or (self.service if self.service in OPCOS else None),
            cfa=state.get("cfa"),
            logiciel="/".join(logiciel) if any(logiciel) else None,
            codes=list(state.get("codes", [])),
            diagnostics=list(state.get("diagnostics", [])),
            situations=list(getattr(state.get("caller"), "situations", [])),
            requete=journal.Message(self.request_headers, self.asked),
            reponse=journal.Message(self.response_headers, self.response),
        )


def _decoded(headers: Any) -> list[tuple[str, str]]:
    return [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in headers]
