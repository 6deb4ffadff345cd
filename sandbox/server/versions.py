"""`/v1` and `/v2` (contract §4): every OPCO path is served under both versions, by the same
route function, but for the two pages (`dossiers/etats`, `factures/etats`), whose `/v2` is
paged and whose `/v1` is a bare array: those are declared version by version."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter

V1, V2 = "/v1/", "/v2/"


class BothVersionsRouter(APIRouter):
    """A router whose routes declared at `/v1/…` are served at `/v2/…` too, with the same
    function and the same declarations; the OpenAPI document lists both."""

    def add_api_route(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().add_api_route(path, endpoint, **kwargs)
        if path.startswith(V1):
            super().add_api_route(V2 + path.removeprefix(V1), endpoint, **kwargs)
