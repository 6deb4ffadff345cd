"""The token endpoint's answers, as RFC 6749 §5.1 and §5.2 write them."""

from pydantic import BaseModel, Field

from sandbox.scenarios import demo


class DemandeJeton(BaseModel):
    """Le formulaire du point de jeton (RFC 6749 §4.4.2) ; client_id et client_secret peuvent
    venir en HTTP Basic à la place."""

    # The examples are `demo`'s software vendor: Swagger UI's Try it out starts from them.
    grant_type: str | None = Field(
        None, description="client_credentials", examples=["client_credentials"]
    )
    client_id: str | None = Field(
        None, description="identifiant du logiciel", examples=[demo.CLIENT_ID]
    )
    client_secret: str | None = Field(
        None, description="secret du logiciel", examples=[demo.CLIENT_SECRET]
    )
    scope: str | None = Field(
        None, description="api.read api.write (facultatif)", examples=["api.read api.write"]
    )


class JetonAcces(BaseModel):
    """Un jeton d'accès OAuth2 (RFC 6749 §5.1)."""

    access_token: str = Field(description="le jeton, à envoyer en Authorization: Bearer")
    token_type: str = Field(description="Bearer")
    expires_in: int = Field(description="durée de validité, en secondes (temps réel)")
    scope: str = Field(description="portées accordées, séparées par une espace")


JETON_EXAMPLE = {
    "access_token": "hJ_wGMaZhTEmRXirCp7oJ0IUknONzb0aspy-hWMbisg",
    "token_type": "Bearer",
    "expires_in": 3600,
    "scope": "api.read api.write",
}


class ErreurOAuth(BaseModel):
    """Une erreur du point de jeton (RFC 6749 §5.2)."""

    error: str = Field(
        description="invalid_request, invalid_client, unsupported_grant_type ou invalid_scope"
    )
    error_description: str = Field(description="phrase en français pour une personne")


# Real refusals: a wrong grant type, a wrong secret.
UNSUPPORTED_GRANT_EXAMPLE = {
    "error": "unsupported_grant_type",
    "error_description": "Seul grant_type=client_credentials est accepté.",
}
INVALID_CLIENT_EXAMPLE = {
    "error": "invalid_client",
    "error_description": "Client inconnu ou secret invalide.",
}


class JetonsExpires(BaseModel):
    """Ce que l'expiration forcée a fait."""

    jetonsExpires: int = Field(description="nombre de jetons qui étaient encore valides")


JETONS_EXPIRES_EXAMPLE = {"jetonsExpires": 1}
