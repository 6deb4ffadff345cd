"""What may be written to the journal, the report or a log: secrets, NIRs and IBANs masked.

Two nets, because a vendor's mistake can put a secret anywhere: by value (every key, client
secret and admin token the server knows, wherever it appears) and by shape (NIRs and IBANs
whatever their spacing, dots, prefix or case; tokens as the sandbox makes them; values under
a secret's name in a query, a form, JSON or a header).
"""

import functools
import logging
import re
from collections.abc import Iterable
from typing import Any

NIR_MASK = "***NIR***"
IBAN_MASK = "***IBAN***"
SECRET_MASK = "***"

_SEP = r"[ .\-_]?"  # what people put between a NIR's or an IBAN's groups
# A NIR (13 characters, or 15 with its key; Corsica's 2A/2B in either case), its groups
# written together or apart. A letter may stick to it ("NIR189…"), a digit may not: it would
# be part of a longer number (a SIRET, a DECA number).
_NIR = re.compile(
    r"(?<![0-9])[12378]"
    + _SEP
    + r"[0-9]{2}"
    + _SEP
    + r"(?:0[1-9]|1[0-2]|[2-9][0-9])"
    + _SEP
    + r"(?:[0-9]{2}|2[ABab])"
    + _SEP
    + r"[0-9]{3}"
    + _SEP
    + r"[0-9]{3}"
    r"(?:" + _SEP + r"[0-9]{2})?(?![0-9])"
)
# An IBAN: country, check digits, then groups of up to four characters; digits in it (a
# French sentence shaped like one has none) are counted by `_iban`.
_IBAN = re.compile(
    r"(?<![0-9A-Za-z])[A-Za-z]{2}[0-9]{2}(?:" + _SEP + r"[0-9A-Za-z]{4}){2,7}"
    r"(?:" + _SEP + r"[0-9A-Za-z]{1,4})?(?![0-9A-Za-z])"
)
# The sandbox's OAuth2 tokens: `secrets.token_urlsafe(32)`, 43 characters.
_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
# A secret under its name: `client_secret=…` in a query or a form, `Bearer …` in free text.
_SECRET_NAMES = r"api[_-]?key|x-api-key|cle|token|access_token|key|secret|password|auth|bearer"
_NAMED = re.compile(r"(?i)((?:" + _SECRET_NAMES + r")[a-z_]*=)[^&\s\"']*")
_SCHEME = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+")
# JSON keys and headers whose whole value is a secret (compared lowercase, without - and _).
_SECRET_KEYS = frozenset(
    {
        "xapikey",
        "apikey",
        "cle",
        "key",
        "token",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "clientsecret",
        "secret",
        "password",
        "motdepasse",
        "authorization",
        "cookie",
        "setcookie",
    }
)
_PERSONAL_KEYS = {"nir": NIR_MASK, "iban": IBAN_MASK}

# Most of what an entry holds is short (JSON values, headers): a text too short for a net,
# or without what it needs, is spared its pass. These are the least each pattern can match.
_SHORTEST_NIR_OR_IBAN = 12  # an IBAN's pattern matches 12 characters or more, a NIR's 13
# An IBAN is masked when it holds 8 digits or more (`_iban`), a NIR holds 12.
_EIGHT_DIGITS = re.compile(r"(?:[^0-9]*+[0-9]){8}")
_SHORTEST_TOKEN = 43
_SHORTEST_SCHEME = len("basic x")


class Masker:
    """Masks text, JSON values and headers; `known` are the secrets of one espace."""

    def __init__(self, known: Iterable[str] = (), keep: str = "") -> None:
        # Longest first, so that a secret containing another is masked whole.
        values = sorted({k for k in known if len(k) >= 4}, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, values))) if values else None
        self._shortest_known = len(values[-1]) if values else 0
        # The espace's own name is shown as it is: a random one may look like a NIR or an
        # IBAN (`test-fe1637386a094ada`).
        self._keep = keep

    def text(self, text: str) -> str:
        if self._keep and self._keep in text:
            return self._keep.join(self._masked(part) for part in text.split(self._keep))
        return self._masked(text)

    def _masked(self, text: str) -> str:
        # Each pass is skipped only where its pattern cannot match (see `_SHORTEST_…`).
        if self._known is not None and len(text) >= self._shortest_known:
            text = self._known.sub(SECRET_MASK, text)
        if len(text) >= _SHORTEST_NIR_OR_IBAN and _EIGHT_DIGITS.match(text):
            text = _NIR.sub(NIR_MASK, text)
            text = _IBAN.sub(_iban, text)
        if len(text) >= _SHORTEST_TOKEN:
            text = _TOKEN.sub(SECRET_MASK, text)
        if len(text) >= _SHORTEST_SCHEME:
            text = _SCHEME.sub(_scheme_masked, text)
        if "=" in text:
            text = _NAMED.sub(_named_masked, text)
        return text.replace("\x00", "")

    def value(self, value: Any) -> Any:
        """A JSON value with every string masked, and whole values under a secret's key."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(item) for item in value]
        if isinstance(value, dict):
            return {self.text(str(k)): self._field(str(k), v) for k, v in value.items()}
        return value

    def headers(self, headers: Iterable[tuple[str, str]]) -> dict[str, str]:
        """Headers by lowercase name (a repeated one joined by commas), secrets masked."""
        joined: dict[str, str] = {}
        for name, value in headers:
            joined[name] = f"{joined[name]}, {value}" if name in joined else value
        return {name: self._header(name, value) for name, value in joined.items()}

    def _field(self, key: str, value: Any) -> Any:
        name = _normalised(key)
        if value is None or value == "":
            return value
        if name in _SECRET_KEYS:
            return SECRET_MASK
        if name in _PERSONAL_KEYS:
            return _PERSONAL_KEYS[name]
        return self.value(value)

    def _header(self, name: str, value: str) -> str:
        if name == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value else ""
            return f"{scheme} {SECRET_MASK}".strip()
        return SECRET_MASK if _normalised(name) in _SECRET_KEYS else self.text(value)


def _normalised(key: str) -> str:
    return key.lower().replace("-", "").replace("_", "")


def _iban(match: re.Match[str]) -> str:
    found = match.group(0)
    return IBAN_MASK if sum(c.isdigit() for c in found) >= 8 else found


# Functions rather than templates (`r"\1 ***"`): re parses a template at every call.
def _scheme_masked(match: re.Match[str]) -> str:
    return f"{match[1]} {SECRET_MASK}"


def _named_masked(match: re.Match[str]) -> str:
    return f"{match[1]}{SECRET_MASK}"


@functools.lru_cache(maxsize=256)
def masker(known: tuple[str, ...] = (), keep: str = "") -> Masker:
    """One masker per espace (its secrets, its name): compiling its pattern costs."""
    return Masker(known, keep)


def mask(text: str) -> str:
    """Mask by shape only (no espace's secrets known)."""
    return masker().text(text)


class LogFilter(logging.Filter):
    """Masks every log record by shape (uvicorn's lines carry paths and queries)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = ()
        if record.exc_info:  # a traceback may quote values: it is masked too
            record.exc_text = mask(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
