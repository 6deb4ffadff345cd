"""OAuth2 client credentials (RFC 6749 §4.4), as the OPCOs' identity servers run it.

A software vendor's `client_id` and `client_secret` (the scenario's `logiciels`) buy a
Bearer token valid at one OPCO of one espace for the OPCO's `dureeJeton` seconds of real
time. Only the token's SHA-256 is stored: a token never reaches the database, the journal
or a log, and looking it up by its digest compares nothing secret byte by byte.
"""

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.core.opcos import OPCOS, Opco
from sandbox.errors import JETON_EXPIRE, JETON_INVALIDE
from sandbox.espaces.espace import Espace
from sandbox.espaces.repository import EspaceRepository
from sandbox.oauth.repository import Jeton, JetonRepository

GRANT_TYPE = "client_credentials"
# What a token's row says, found by the token's SHA-256 (None: no such token).
TokenLookup = Callable[[str], Jeton | None]
SCOPES = ("api.read", "api.write")


class OAuthError(Exception):
    """An error of the token endpoint, in RFC 6749 §5.2's words (not the API's error shape:
    OAuth2 clients read `error` and `error_description`)."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(error)
        self.status, self.error, self.description = status, error, description


@dataclass(frozen=True)
class TokenRequest:
    grant_type: str | None
    client_id: str | None
    client_secret: str | None
    scope: str | None


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int
    scope: str


def now() -> datetime:
    """Tokens live in real time, not on the espace's clock: the sandbox stores naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def issue(espace: Espace, opco: Opco, asked: TokenRequest) -> Token:
    """A new token for a known software vendor, or the RFC's error."""
    if not asked.grant_type:
        raise OAuthError(400, "invalid_request", "Le paramètre grant_type est obligatoire.")
    if asked.grant_type != GRANT_TYPE:
        raise OAuthError(
            400, "unsupported_grant_type", f"Seul grant_type={GRANT_TYPE} est accepté."
        )
    if not asked.client_id or not asked.client_secret:
        raise OAuthError(
            400,
            "invalid_request",
            "client_id et client_secret sont obligatoires (formulaire ou HTTP Basic).",
        )
    _authenticate_client(espace, asked.client_id, asked.client_secret)
    scope = _granted_scope(asked.scope)
    duree = espace.world.profile(opco.code).dureeJeton
    token = secrets.token_urlsafe(32)
    JetonRepository.of(espace).store(
        digest(token), opco.code, asked.client_id, scope, now() + timedelta(seconds=duree)
    )
    return Token(token, duree, scope)


def _authenticate_client(espace: Espace, client_id: str, client_secret: str) -> None:
    logiciel = espace.world.logiciel(client_id)
    expected = logiciel.clientSecret if logiciel else secrets.token_urlsafe(16)
    # Constant time, and as long for an unknown client as for a wrong secret.
    if not hmac.compare_digest(client_secret.encode(), expected.encode()) or logiciel is None:
        raise OAuthError(401, "invalid_client", "Client inconnu ou secret invalide.")


def _granted_scope(asked: str | None) -> str:
    if not asked:
        return " ".join(SCOPES)
    wanted = asked.split()
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        raise OAuthError(
            400,
            "invalid_scope",
            f"Portée inconnue : {' '.join(unknown)} (permises : api.read api.write).",
        )
    return " ".join(dict.fromkeys(wanted))


def check_bearer(
    espace: Espace, opco: Opco, authorization: str | None, lookup: TokenLookup | None = None
) -> None:
    """A valid token of this OPCO in this espace, or 401 `JETON_INVALIDE` / `JETON_EXPIRE`;
    its row found by `lookup` when given (a cache), else read."""
    base = f"/{opco.code}"
    scheme, _, token = (authorization or "").partition(" ")
    found = None
    if scheme.lower() == "bearer" and token.strip():
        find = lookup or JetonRepository.of(espace).by_empreinte
        found = find(digest(token.strip()))
    if found is None:
        raise JETON_INVALIDE.error(nom=opco.nom, opco=base)
    if found.opco != opco.code:
        issuer = OPCOS[found.opco].nom
        raise JETON_INVALIDE.error(
            nom=opco.nom,
            opco=base,
            diagnostics=[f"Ce jeton a été délivré par {issuer}, pas par {opco.nom}."],
        )
    if found.expire_a <= now():
        raise JETON_EXPIRE.error(opco=base)


def expire_all(espace: Espace) -> int:
    """Every token of the espace expires now; how many were still valid. The espace's
    generation is renewed: its tokens' rows may be cached by it (`Runtime.token_lookup`),
    and every worker then reads them again."""
    expired = JetonRepository.of(espace).expire_all(now())
    EspaceRepository.of(espace).renew_generation()
    return expired


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
