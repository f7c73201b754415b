"""Liveness plus the numbers an operator checks first."""

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from search_api.deps import ServicesDep

router = APIRouter(tags=["Betrieb"])


class HealthResponse(BaseModel):
    """Status, store counts, model and whether uploads are possible."""

    status: str
    graph: dict[str, Any]
    vectors: dict[str, Any]
    model: dict[str, Any]
    uploads: bool


@router.get("/health", response_model=HealthResponse, summary="Zustand und Umfang der Wissensbasis")
def health(services: ServicesDep) -> dict[str, Any]:
    """Status, store counts and the embedding model in use (always public)."""
    kb = services.kb
    return {
        "status": "ok",
        "graph": {
            "backend": services.settings.store,
            "triples": kb.store.count_triples(),
            "documents": len(services.searcher.documents),
        },
        "vectors": {"backend": services.settings.vectors, "passages": kb.index.count()},
        "model": {"id": services.embedder.model_id, "dimension": services.embedder.dimension},
        "uploads": services.uploads.ingestor is not None,
    }
