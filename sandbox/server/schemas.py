"""The one error shape of every answer, of every status."""

from pydantic import BaseModel, Field

from sandbox.errors import NIR_INVALIDE


class ErrorItem(BaseModel):
    """Une erreur : un code stable, un message, le champ en cause."""

    code: str = Field(description="identifiant stable, en majuscules", examples=[NIR_INVALIDE.code])
    message: str = Field(description="phrase en français pour une personne")
    champ: str | None = Field(
        None,
        description="chemin pointé du champ en cause, ou null",
        examples=["cerfa.apprenti.nir"],
    )


class ErrorBody(BaseModel):
    """La forme de toute erreur, quel que soit son statut."""

    errors: list[ErrorItem] = Field(description="une entrée par erreur constatée")
