"""What an ingest run reports: one outcome per file and the run's totals.

Split from ``ingest.pipeline``: the CLI, the API summary and the benchmark read these records
without needing the pipeline's machinery.
"""

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FileOutcome", "IngestSummary"]


@dataclass(frozen=True)
class FileOutcome:
    """What happened to one file."""

    path: str
    status: str  # new | updated | unchanged | failed | pruned
    doc_id: str | None = None
    passages: int = 0
    entities: dict[str, int] = field(default_factory=dict)
    experiences: int = 0
    error: str | None = None
    seconds: float = 0.0
    stops_run: bool = False  # the data directory, not the file, failed (full disk)


@dataclass
class IngestSummary:
    """Totals of one ingest run, printed by the CLI and returned by the API."""

    files: list[FileOutcome] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    not_attempted: int = 0  # files left out after the run stopped

    def count(self, status: str) -> int:
        """Files with the given status."""
        return sum(1 for f in self.files if f.status == status)

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return self.count("failed") == 0

    @property
    def stopped(self) -> str | None:
        """Why the run stopped before the last file, if it did."""
        return next((f.error for f in self.files if f.stops_run), None)

    def to_json(self) -> dict[str, Any]:
        """Stable JSON shape of the summary."""
        entities: Counter[str] = Counter()
        for f in self.files:
            entities.update(f.entities)
        return {
            "documents": {
                s: self.count(s) for s in ("new", "updated", "unchanged", "failed", "pruned")
            },
            "passages": sum(f.passages for f in self.files),
            "entities": dict(sorted(entities.items())),
            "experiences": sum(f.experiences for f in self.files),
            "errors": [{"path": f.path, "reason": f.error} for f in self.files if f.error],
            "stopped": self.stopped,
            "not_attempted": self.not_attempted,
            "stage_seconds": {k: round(v, 3) for k, v in sorted(self.stage_seconds.items())},
        }
