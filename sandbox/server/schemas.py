"""The one error shape of every answer, of every status."""

from pydantic import BaseModel, Field

from sandbox.errors import NIR_INVALIDE


class ErrorItem(BaseModel):
    """Une erreur : un code stable, sa phrase (deux fois : `description`, le champ de la
    production, et `message`), le champ en cause."""

    code: str = Field(description="identifiant stable, en majuscules", examples=[NIR_INVALIDE.code])
    description: str = Field(description="phrase en français pour une personne")
    message: str = Field(description="la même phrase, pour les clients qui lisent `message`")
    champ: str | None = Field(
        None,
        description="chemin pointé du champ en cause, ou null",
        examples=["cerfa.apprenti.nir"],
    )


class ErrorBody(BaseModel):
    """La forme de toute erreur, quel que soit son statut."""

    errors: list[ErrorItem] = Field(description="une entrée par erreur constatée")
