"""Server settings: CLI options, each also read from `OPCO_SANDBOX_<NAME>`."""

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///opco-sandbox.db"


class Settings(BaseSettings):
    """What `opco-sandbox serve` starts with. Never instantiated at import time."""

    model_config = SettingsConfigDict(env_prefix="OPCO_SANDBOX_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    scenario: str = "demo"
    database_url: str = DEFAULT_DATABASE_URL
    workers: int = 1
    admin_token: str | None = None
