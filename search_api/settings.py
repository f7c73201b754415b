"""API settings: the graph settings plus HTTP concerns."""

import hashlib
import json
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from graph.settings import GraphSettings


class ApiSettings(GraphSettings):
    """Read in ``create_app`` and the ``serve`` command only."""

    model_config = SettingsConfigDict(env_prefix="WN_", env_file=".env", extra="ignore")

    api_key_hashes: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="sha256 hex digests of accepted API keys (comma list or JSON list).",
    )
    require_read_key: bool = Field(default=False, description="Require an API key for reads too.")
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Allowed CORS origins."
    )
    max_upload_mb: float = Field(default=20.0, gt=0, description="Largest accepted upload (MB).")
    max_limit: int = Field(default=100, ge=1, description="Largest `limit` a search route accepts.")
    dev_api_key: SecretStr | None = Field(
        default=None, description="Plain API key for local development only (hashed at start)."
    )

    @field_validator("api_key_hashes", "cors_origins", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @property
    def upload_dir(self) -> Path:
        """Where uploads wait (in per-request temporary folders) while they are ingested."""
        return self.data_dir / "uploads"

    @property
    def max_upload_bytes(self) -> int:
        """``max_upload_mb`` in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)

    def accepted_key_hashes(self) -> list[str]:
        """Hashes of every key the API accepts, the development key included."""
        hashes = [h.lower() for h in self.api_key_hashes]
        if self.dev_api_key is not None:
            hashes.append(hash_api_key(self.dev_api_key.get_secret_value()))
        return hashes


def hash_api_key(key: str) -> str:
    """sha256 hex digest under which an API key is stored in settings."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()
