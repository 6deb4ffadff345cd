"""Server settings: CLI options, each also read from `OPCO_SANDBOX_<NAME>`."""

from pydantic import field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///opco-sandbox.db"


class Limits(BaseSettings):
    """What one request may hold; each also read from `OPCO_SANDBOX_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="OPCO_SANDBOX_", extra="ignore")

    max_body_bytes: int = 2 * 1024 * 1024  # an API call's JSON body
    max_multipart_bytes: int = 11 * 1024 * 1024  # an invoice or a document: its 10 MB PDF
    max_fichier_bytes: int = 10 * 1024 * 1024  # the PDF of an invoice, convention or document
    max_scenario_bytes: int = 50 * 1024 * 1024  # a scenario sent to the control API
    # YAML nodes of a scenario once its aliases are expanded (a "billion laughs" file
    # expands past any memory); the bundled grand-volume expands to about 634,000.
    max_scenario_nodes: int = 5_000_000


class Settings(BaseSettings):
    """What `opco-sandbox serve` starts with. Never instantiated at import time."""

    model_config = SettingsConfigDict(env_prefix="OPCO_SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    scenario: str = "demo"
    database_url: str = DEFAULT_DATABASE_URL
    workers: int = 1
    admin_token: str | None = None

    @field_validator("admin_token")
    @classmethod
    def _blank_is_none(cls, token: str | None) -> str | None:
        # compose passes an unset variable as "": no admin token, not an empty one.
        return token or None
