"""Download of the knowledge graph as RDF."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from graph.errors import InvalidQuery
from graph.export import EXTENSIONS, export, media_type
from graph.iris import ONTOLOGY_GRAPH, REFERENCE_GRAPH, THESAURUS_GRAPH, document_graph_iri
from search_api.deps import ServicesDep
from search_api.schemas import error_responses
from search_api.security import ReadAccess

router = APIRouter(prefix="/api", tags=["Export"], dependencies=[ReadAccess])

ExportFormat = Literal["turtle", "trig", "nquads", "jsonld", "nt"]
_NAMED = {"reference": REFERENCE_GRAPH, "thesaurus": THESAURUS_GRAPH, "ontology": ONTOLOGY_GRAPH}
_MEDIA: dict[str, Any] = {
    "text/turtle": {"schema": {"type": "string"}},
    "application/trig": {"schema": {"type": "string"}},
    "application/n-quads": {"schema": {"type": "string"}},
    "application/n-triples": {"schema": {"type": "string"}},
    "application/ld+json": {"schema": {"type": ["array", "object"]}},
}


@router.get(
    "/export",
    summary="Wissensgraph als RDF herunterladen",
    response_class=Response,
    responses={200: {"content": _MEDIA, "description": "RDF"}, **error_responses(400, 401, 404)},
)
def export_graph(
    services: ServicesDep,
    fmt: Annotated[ExportFormat, Query(alias="format")] = "trig",
    graph: Annotated[
        str | None,
        Query(
            max_length=300,
            description="Nur ein Graph: Dokument-ID oder reference, thesaurus, ontology. "
            "Turtle und N-Triples enthalten genau einen Graphen und brauchen ihn.",
        ),
    ] = None,
) -> Response:
    """The whole dataset (TriG, N-Quads, JSON-LD keep one named graph per document) or one graph."""
    graph = graph.strip() if graph else None
    if graph is None and fmt in {"turtle", "nt"}:
        raise InvalidQuery(f"{fmt} holds one graph: add graph=<document id> or use trig/nquads")
    iri = (_NAMED.get(graph) or document_graph_iri(graph)) if graph else None
    data = export(services.kb.store, fmt, iri)
    name = f"wissensnetz{EXTENSIONS[fmt]}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type=media_type(fmt), headers=headers)
