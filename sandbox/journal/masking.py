"""What may be written to the journal, the report or a log: secrets and NIRs masked."""

import re

# A NIR (13 or 15 characters, Corsica included) anywhere in a path or query.
_NIR = re.compile(
    r"(?<![0-9A-Za-z])[12378][0-9]{4}(?:[0-9]{2}|2[AB])[0-9]{6}(?:[0-9]{2})?(?![0-9A-Za-z])"
)
# Keys, client secrets, tokens and passwords sent as query parameters.
_SECRET_PARAM = re.compile(r"(?i)((?:api[_-]?key|cle|token|key|secret|password)=)[^&]*")


def mask(text: str) -> str:
    """No NIR, no key, no NUL (PostgreSQL cannot store one)."""
    return _SECRET_PARAM.sub(r"\1***", _NIR.sub("***NIR***", text)).replace("\x00", "")
