"""Ingest settings: the graph settings plus what only ingestion needs."""

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from graph.settings import GraphSettings


class IngestSettings(GraphSettings):
    """Read at the CLI composition root only."""

    model_config = SettingsConfigDict(env_prefix="WN_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Sample documents `make run` ingests.")
    max_file_mb: float = Field(50.0, gt=0, description="Largest file ingested (MB).")
    alias_file: Path | None = Field(None, description="YAML file merging or splitting entities.")
    group_size: int = Field(
        64,
        ge=1,
        description="Most files prepared together; a group closes earlier at 192 passages, "
        "which share one encoder call.",
    )
