"""Settings shared by every side that opens the knowledge base.

Read only at composition roots (CLI commands, ``create_app``); library code takes plain
arguments so it can be reused and tested without environment variables.
"""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class GraphSettings(BaseSettings):
    """Where the graph and the vectors live and how they are queried."""

    model_config = SettingsConfigDict(env_prefix="WN_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Directory of the embedded stores.")
    store: Literal["oxigraph", "sparql"] = Field(
        "oxigraph", description="Graph backend: embedded Oxigraph or a SPARQL 1.1 endpoint."
    )
    sparql_query_url: str | None = Field(None, description="SPARQL query endpoint URL.")
    sparql_update_url: str | None = Field(None, description="SPARQL update endpoint URL.")
    sparql_timeout_s: float = Field(10.0, gt=0, description="Timeout of one SPARQL query (s).")
    sparql_row_cap: int = Field(10_000, gt=0, description="Maximum rows of one SPARQL result.")
    vectors: Literal["edge", "server"] = Field(
        "edge", description="Vector backend: embedded qdrant-edge or a Qdrant server."
    )
    qdrant_url: str | None = Field(None, description="Qdrant server URL (vectors=server).")
    qdrant_api_key: SecretStr | None = Field(None, description="Qdrant API key.")
    collection: str = Field("passages", description="Name of the vector collection.")
    embedding_model: str = Field(
        "models/multilingual-e5-small",
        description="sentence-transformers model name or local folder.",
    )
    embedding_threads: int = Field(2, ge=1, description="CPU threads for the encoder.")
    host: str = Field("127.0.0.1", description="Host the API binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API binds to.")
    log_level: str = Field("INFO", description="Log level of CLI and API.")

    @model_validator(mode="after")
    def _check_backends(self) -> "GraphSettings":
        if self.store == "sparql" and not self.sparql_query_url:
            raise ValueError(
                "WN_STORE=sparql needs WN_SPARQL_QUERY_URL (and WN_SPARQL_UPDATE_URL)."
            )
        if self.vectors == "server" and not self.qdrant_url:
            raise ValueError("WN_VECTORS=server needs WN_QDRANT_URL.")
        return self

    @property
    def graph_dir(self) -> Path:
        """Folder of the embedded Oxigraph store."""
        return self.data_dir / "graph"

    @property
    def vector_dir(self) -> Path:
        """Folder of the embedded qdrant-edge shard."""
        return self.data_dir / "vectors"


@lru_cache
def get_graph_settings() -> GraphSettings:
    """Settings from the environment, read once per process."""
    return GraphSettings()
