"""Paths as production's servers treat them (contract §1, §13).

Below an OPCO's base (`/akto/…`, `/espaces/{espace}/akto/…`) and below CFADock's, a path
matches whatever its case (production's IIS servers do: clients write `/v1/Factures`) and
with or without a trailing slash, with no redirect. The OPCO code and the espace name keep
their own rules: they are left as sent. An unknown path is answered naming its nearest
known route.
"""

import difflib
import re
from collections.abc import Iterable
from urllib.parse import quote

from fastapi import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from sandbox.core.opcos import OPCOS
from sandbox.errors import ROUTE_INCONNUE, Problem

CFADOCK = "cfadock"
# A service's base, in the default or in a named espace, and what follows it.
_BELOW_BASE = re.compile(r"^(?P<base>(?:/espaces/[^/]+)?/(?P<service>[^/]+))(?P<rest>/.*)?$")


class KnownPaths:
    """The routes below an OPCO's base and below CFADock's (relative to that base: every one
    is literal, no path parameter, so a lookup is a dictionary), and the app's other routes
    (templates, for naming the nearest)."""

    def __init__(self, opco: Iterable[str], cfadock: Iterable[str], others: Iterable[str]) -> None:
        self._opco = _by_key(opco)
        self._cfadock = _by_key(cfadock)
        self._others = list(others)

    def _split(self, path: str) -> tuple[str, str, dict[str, str]] | None:
        """The base, the rest and the known routes of that base, for a path below one."""
        match = _BELOW_BASE.match(path)
        if match is None:
            return None
        service = match["service"]
        known = self._opco if service in OPCOS else self._cfadock if service == CFADOCK else None
        return None if known is None else (match["base"], match["rest"] or "", known)

    def canonical(self, path: str) -> str | None:
        """The known route's spelling of a path below a base, when it differs from the path
        as sent (`/akto/V1/Factures/` → `/akto/v1/factures`); None otherwise."""
        split = self._split(path)
        if split is None:
            return None
        base, rest, known = split
        found = known.get(rest.rstrip("/").lower())
        return None if found is None or found == rest else base + found

    def nearest(self, path: str) -> str | None:
        """The known route closest to an unknown path: below the same base when the path is
        below one, else among the app's other routes."""
        split = self._split(path)
        if split is None:
            candidates, prefix, asked = self._others, "", path
        else:
            base, rest, known = split
            candidates, prefix, asked = list(known.values()), base, rest
        by_key = {c.lower(): c for c in candidates}
        found = difflib.get_close_matches(asked.lower(), list(by_key), n=1, cutoff=0)
        return prefix + by_key[found[0]] if found else None


def _by_key(paths: Iterable[str]) -> dict[str, str]:
    """Routes by their lower-case spelling."""
    listed = list(paths)
    assert not any("{" in p for p in listed), "a path below a base has no parameter"
    return {p.lower(): p for p in listed}


class CanonicalPaths:
    """ASGI middleware: a path below a base is given its known route's spelling before the
    router sees it. The scope is copied, not changed: the journal middleware, outside this
    one, records the path as sent."""

    def __init__(self, app: ASGIApp, paths: KnownPaths) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (canonical := self.paths.canonical(scope["path"])):
            # The request state stays one dict, shared with the outer middlewares.
            scope.setdefault("state", {})
            scope = {**scope, "path": canonical, "raw_path": quote(canonical).encode("ascii")}
        await self.app(scope, receive, send)


def unknown_route(request: Request) -> tuple[Problem, str]:
    """`ROUTE_INCONNUE` naming the known route nearest to the path, and the sentence the
    journal keeps of it."""
    paths: KnownPaths = request.app.state.paths
    asked = request.url.path
    nearest = paths.nearest(asked)
    detail = f"la route connue la plus proche est {nearest}." if nearest else None
    diagnostic = f"Route inconnue {request.method} {asked}" + (
        f" : la plus proche est {nearest} (les chemins se comparent sans la casse)."
        if nearest
        else "."
    )
    return ROUTE_INCONNUE.problem(chemin=asked, detail=detail), diagnostic
