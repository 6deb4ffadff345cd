"""The answers of OPCO reads, kept in memory per revision of their espace's data.

A read asked again (a dossier polled, a page of states) before anything is written in its
espace gets the answer it got the first time, without its queries or its serialisation.
Every request that writes in an espace bumps its revision in its own transaction
(`EspaceRepository.revise`), and every read reads the revision with its espace's state,
in the same query: a worker never answers from what another worker's write made stale.
The checks (OPCO hooked up, token, key, software headers) and the faults still run on
every request, before the answer is looked up; the journal records it as any other.
"""

from collections.abc import Hashable
from dataclasses import dataclass

from fastapi import Request, Response

from sandbox.core.cache import VersionedCache
from sandbox.espaces.repository import EspaceState

# A larger answer (a long page of states, a document) is served afresh each time: with
# the bound in entries, at most 32 MB are kept (a page of 50 states is about 10 kB).
LARGEST = 32 * 1024


@dataclass(frozen=True)
class Answer:
    status_code: int
    raw_headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    # What the endpoint noted for the journal's report (`Caller.note`), noted again.
    situations: tuple[str, ...]

    def response(self) -> Response:
        response = Response(self.body, self.status_code)
        response.raw_headers = list(self.raw_headers)
        return response


class Answers:
    def __init__(self, size: int = 1024) -> None:
        self._kept: VersionedCache[Answer] = VersionedCache(size)

    def find(self, request: Request, state: EspaceState) -> Answer | None:
        version = _version(state)
        return None if version is None else self._kept.find(_key(request), version)

    def keep(
        self, request: Request, state: EspaceState, response: Response, situations: list[str]
    ) -> None:
        """Keep a successful answer, when its espace has a revision and it is small."""
        version = _version(state)
        body = getattr(response, "body", None)  # a streamed answer has none
        if version is None or response.status_code != 200 or not isinstance(body, bytes):
            return
        if len(body) <= LARGEST:
            answer = Answer(200, tuple(response.raw_headers), body, tuple(situations))
            self._kept.put(_key(request), version, answer)


def _key(request: Request) -> Hashable:
    """What an answer depends on besides the espace's data: the path asked, its query and
    the key it was asked with (`cfakeyinfo` describes the key itself)."""
    scope = request.scope
    return (
        request.state.espace.nom,
        scope["method"],
        scope["path"],
        scope["query_string"],
        request.headers.get("X-API-KEY"),
    )


def _version(state: EspaceState) -> Hashable | None:
    if state.revision is None:
        return None
    return (state.generation, state.revision, state.horloge)
