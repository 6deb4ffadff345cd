"""The token endpoint's answers, as RFC 6749 §5.1 and §5.2 write them."""

from pydantic import BaseModel, Field


class DemandeJeton(BaseModel):
    """Le formulaire du point de jeton (RFC 6749 §4.4.2) ; client_id et client_secret peuvent
    venir en HTTP Basic à la place."""

    grant_type: str | None = Field(None, description="client_credentials")
    client_id: str | None = Field(None, description="identifiant du logiciel")
    client_secret: str | None = Field(None, description="secret du logiciel")
    scope: str | None = Field(None, description="api.read api.write (facultatif)")


class JetonAcces(BaseModel):
    """Un jeton d'accès OAuth2 (RFC 6749 §5.1)."""

    access_token: str = Field(description="le jeton, à envoyer en Authorization: Bearer")
    token_type: str = Field(description="Bearer")
    expires_in: int = Field(description="durée de validité, en secondes (temps réel)")
    scope: str = Field(description="portées accordées, séparées par une espace")


class ErreurOAuth(BaseModel):
    """Une erreur du point de jeton (RFC 6749 §5.2)."""

    error: str = Field(
        description="invalid_request, invalid_client, unsupported_grant_type ou invalid_scope"
    )
    error_description: str = Field(description="phrase en français pour une personne")


class JetonsExpires(BaseModel):
    """Ce que l'expiration forcée a fait."""

    jetonsExpires: int = Field(description="nombre de jetons qui étaient encore valides")
