"""Server settings: CLI options, each also read from `OPCO_SANDBOX_<NAME>`."""

from pathlib import Path
from typing import Self

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///opco-sandbox.db"


class Limits(BaseSettings):
    """What one request may hold, and what an espace keeps; each also read from
    `OPCO_SANDBOX_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="OPCO_SANDBOX_", extra="ignore")

    max_body_bytes: int = 2 * 1024 * 1024  # an API call's JSON body
    max_multipart_bytes: int = 11 * 1024 * 1024  # an invoice or a document: its 10 MB PDF
    max_fichier_bytes: int = 10 * 1024 * 1024  # the PDF of an invoice, convention or document
    max_scenario_bytes: int = 50 * 1024 * 1024  # a scenario sent to the control API
    # YAML nodes of a scenario once its aliases are expanded (a "billion laughs" file
    # expands past any memory); large scenarios say `generer` instead of their dossiers.
    max_scenario_nodes: int = 5_000_000
    # How long a request waits for the database (SQLite's write lock, a PostgreSQL row
    # lock) before it is answered 503 SANDBOX_OCCUPE.
    busy_timeout_ms: int = 10_000
    # Journal entries an espace keeps (the oldest are dropped, about 100 at a time).
    journal_max_entries: int = 10_000


class Settings(BaseSettings):
    """What `opco-sandbox serve` starts with. Never instantiated at import time."""

    model_config = SettingsConfigDict(env_prefix="OPCO_SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    scenario: str = "demo"
    database_url: str = DEFAULT_DATABASE_URL
    workers: int = 1
    admin_token: str | None = None
    # A file holding the admin token (a Docker or Kubernetes secret): the token then
    # appears neither in the command line (`ps`) nor in the environment.
    admin_token_file: Path | None = None
    # Load --scenario into `default` at start even when its content did not change.
    reload_default: bool = False

    @field_validator("admin_token", "admin_token_file", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # compose passes an unset variable as "": no admin token, not an empty one.
        return value or None

    @model_validator(mode="after")
    def _one_admin_token(self) -> Self:
        if self.admin_token is not None and self.admin_token_file is not None:
            raise ValueError("give the admin token or the file that holds it, not both")
        return self

    def admin_secret(self) -> str | None:
        """The admin token, as given or read from its file (surrounding blanks and the
        final newline left out); AdminTokenError when the file gives none."""
        path = self.admin_token_file
        if path is None:
            return self.admin_token
        try:
            token = path.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
            raise AdminTokenError(f"cannot read the admin token file {path}: {reason}") from None
        if not token:
            raise AdminTokenError(f"the admin token file {path} is empty")
        return token


class AdminTokenError(ValueError):
    """The admin token file cannot be read, or holds no token."""
