"""`POST /{opco}/connect/token`: the OAuth2 token endpoint of each OPCO (client credentials)."""

from typing import Annotated, Any

from fastapi import Depends, Form, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBasic, HTTPBasicCredentials

from sandbox.oauth import service as oauth
from sandbox.oauth.schemas import (
    INVALID_CLIENT_EXAMPLE,
    JETON_EXAMPLE,
    JETONS_EXPIRES_EXAMPLE,
    UNSUPPORTED_GRANT_EXAMPLE,
    DemandeJeton,
    ErreurOAuth,
    JetonAcces,
    JetonsExpires,
)
from sandbox.server.dependencies import (
    CONTROL_PREFIX,
    CallerDep,
    EspaceDep,
    control_router,
    opco_router,
)
from sandbox.server.openapi import CONTROL, OPCO, answers, success

router = opco_router(["OAuth2"], token=True)
_basic = HTTPBasic(auto_error=False, description="client_id et client_secret (RFC 6749 §2.3.1)")
# A token answer is never cached (RFC 6749 §5.1).
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ErreurOAuth,
        "description": "invalid_request, unsupported_grant_type ou invalid_scope",
        "content": {"application/json": {"example": UNSUPPORTED_GRANT_EXAMPLE}},
    },
    401: {
        "model": ErreurOAuth,
        "description": "invalid_client",
        "content": {"application/json": {"example": INVALID_CLIENT_EXAMPLE}},
    },
}


async def basic_credentials(request: Request) -> HTTPBasicCredentials | None:
    """HTTP Basic credentials when sent; a malformed header counts as none (FastAPI's parser,
    without its own 401 answer: ours is the RFC's)."""
    try:
        return await _basic(request)
    except HTTPException:
        return None


@router.post(
    "/connect/token",
    summary="Obtenir un jeton OAuth2 (client credentials)",
    response_model=JetonAcces,
    responses=success(JETON_EXAMPLE) | ERRORS | answers(*OPCO),
    openapi_extra={"security": []},
)
def token(
    who: CallerDep,
    basic: Annotated[HTTPBasicCredentials | None, Depends(basic_credentials)],
    form: Annotated[DemandeJeton, Form()],
) -> JSONResponse:
    """Le formulaire `grant_type=client_credentials&client_id=…&client_secret=…` (ou ces deux
    derniers en HTTP Basic) donne un jeton valable `dureeJeton` secondes (temps réel) chez cet
    OPCO et dans cet espace seulement. Erreurs selon la RFC 6749 §5.2."""
    asked = oauth.TokenRequest(
        form.grant_type,
        basic.username if basic else form.client_id,
        basic.password if basic else form.client_secret,
        form.scope,
    )
    try:
        issued = oauth.issue(who.espace, who.opco, asked)
    except oauth.OAuthError as refused:
        headers = dict(NO_STORE)
        if refused.status == 401 and basic:
            headers["WWW-Authenticate"] = 'Basic realm="opco-sandbox"'
        body = {"error": refused.error, "error_description": refused.description}
        return JSONResponse(body, status_code=refused.status, headers=headers)
    answer = JetonAcces(
        access_token=issued.access_token,
        token_type="Bearer",
        expires_in=issued.expires_in,
        scope=issued.scope,
    )
    return JSONResponse(answer.model_dump(), headers=NO_STORE)


control = control_router()


@control.post(
    CONTROL_PREFIX + "/jetons/expirer",
    summary="Faire expirer tous les jetons OAuth2 de l'espace",
    responses=success(JETONS_EXPIRES_EXAMPLE) | answers(*CONTROL),
)
def expire_tokens(current: EspaceDep) -> JetonsExpires:
    """Chaque jeton OAuth2 de l'espace, de tous les OPCO, expire maintenant : l'appel suivant
    qui le présente reçoit 401 `JETON_EXPIRE` (pour tester le renouvellement du jeton)."""
    return JetonsExpires(jetonsExpires=oauth.expire_all(current))
