"""What the journal keeps of a body: up to 64 KB of it, parsed when it is JSON or a form,
and a multipart body's files replaced by their name, size and SHA-256.

A `BodyCapture` is fed the body's chunks as they stream, so a 10 MB invoice PDF is never
held whole for the journal's sake.
"""

import hashlib
import json
import math
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.multipart import MultipartParser, parse_options_header

from sandbox.core.types import too_deep

KEPT_BYTES = 64 * 1024


class BodyCapture:
    """Collects one body; `summary()` is what the journal stores as `corps`."""

    def __init__(self, content_type: str) -> None:
        self.media_type, options = parse_options_header(content_type)
        self.size = 0
        self._kept = bytearray()
        self._parts: _Parts | None = None
        boundary = options.get(b"boundary")
        if self.media_type.startswith(b"multipart/") and boundary:
            self._parts = _Parts(boundary)

    def feed(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self._parts is not None:
            self._parts = self._parts.feed(chunk)
        if len(self._kept) < KEPT_BYTES:
            self._kept += chunk[: KEPT_BYTES - len(self._kept)]

    @property
    def truncated(self) -> bool:
        return self.size > KEPT_BYTES and self._parts is None

    def summary(self) -> Any:
        if self.size == 0:
            return None
        if self._parts is not None:
            return self._parts.summary()
        if self.truncated:
            return bytes(self._kept).decode("utf-8", errors="replace")
        return summary_of(self.media_type, bytes(self._kept))

    def whole(self) -> bytes | None:
        """The body's bytes, when its summary is `summary_of` them (not truncated, not
        multipart); else None."""
        if self.size == 0 or self._parts is not None or self.truncated:
            return None
        return bytes(self._kept)


def summary_of(media_type: bytes, data: bytes) -> Any:
    """What the journal keeps of a whole body that is not multipart."""
    text = data.decode("utf-8", errors="replace")
    if media_type == b"application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    return _json_or_text(text)


class _Parts:
    """A multipart body parsed as it streams: fields kept (64 KB each), files summarised."""

    def __init__(self, boundary: bytes) -> None:
        self.parts: list[dict[str, Any]] = []
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._data = bytearray()
        self._digest = hashlib.sha256()
        self._size = 0
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_field": self._header_field,
                "on_header_value": self._header_value_data,
                "on_header_end": self._header_end,
                "on_part_data": self._part_data,
                "on_part_end": self._end,
            },
        )

    def feed(self, chunk: bytes) -> "_Parts | None":
        """Itself, or None once the body proves malformed (then it is kept as text)."""
        try:
            self._parser.write(chunk)
        except Exception:  # python-multipart's errors: the body is not what it says
            return None
        return self

    def summary(self) -> dict[str, Any]:
        summary: dict[str, Any] = {}
        for part in self.parts:
            name = part.pop("nom")
            summary.setdefault(name, part["valeur"] if "valeur" in part else part)
        return summary

    def _begin(self) -> None:
        self._headers, self._data, self._size = {}, bytearray(), 0
        self._digest = hashlib.sha256()

    # A header's name and value may each arrive in several pieces (chunk boundaries).
    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name, self._header_value = bytearray(), bytearray()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        piece = data[start:end]
        self._size += len(piece)
        self._digest.update(piece)
        if len(self._data) < KEPT_BYTES:
            self._data += piece[: KEPT_BYTES - len(self._data)]

    def _end(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", errors="replace")
        filename = options.get(b"filename")
        if filename is not None:
            self.parts.append(
                {
                    "nom": name,
                    "fichier": filename.decode("utf-8", errors="replace"),
                    "type": self._headers.get(b"content-type", b"").decode("latin-1") or None,
                    "taille": self._size,
                    "sha256": self._digest.hexdigest(),
                }
            )
            return
        text = bytes(self._data).decode("utf-8", errors="replace")
        value = _json_or_text(text) if self._size <= KEPT_BYTES else text
        self.parts.append({"nom": name, "valeur": value})


def _json_or_text(text: str) -> Any:
    """Parsed when it is JSON of a sane depth (the journal walks it to mask it), else text."""
    try:
        parsed = json.loads(text, parse_constant=_not_json, parse_float=_finite)
    except (ValueError, RecursionError):
        return text
    return text if too_deep(parsed) else parsed


# NaN, Infinity and 1e999 are no JSON PostgreSQL stores: such a body is kept as text.
def _not_json(constant: str) -> Any:
    raise ValueError(f"{constant} is not JSON")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"{text} is too large")
    return number
