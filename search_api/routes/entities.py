"""Entity pages, the topic tree, the municipality directory and the statistics."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from graph.directory import municipalities, statistics, topic_tree
from graph.entity_page import ENTITY_KINDS, EntityKind
from search_api.deps import EntitiesDep, LimitDep, SearcherDep
from search_api.schemas import (
    EntityResponse,
    MunicipalitiesResponse,
    StatsResponse,
    TopicsResponse,
    error_responses,
)
from search_api.security import ReadAccess

router = APIRouter(prefix="/api", tags=["Wissensgraph"], dependencies=[ReadAccess])


@router.get(
    "/entities/{kind}/{key}",
    response_model=EntityResponse,
    summary="Entitätsseite (Person, Organisation, Kommune, Thema, Projekt, Termin, Dokument)",
    responses=error_responses(401, 404, 422),
)
def entity(
    entities: EntitiesDep,
    kind: Annotated[EntityKind, Path(description=", ".join(ENTITY_KINDS))],
    key: Annotated[
        str,
        Path(
            max_length=200,
            description="Letztes IRI-Segment: AGS, Themen-Schlüssel, Personen-Slug, Dokument-ID",
            examples=["05754008"],
        ),
    ],
) -> dict[str, Any]:
    """Labels, facts, contacts, memberships, experiences with evidence, related entities,
    documents and the neighbourhood subgraph of one entity."""
    return entities.page(kind, key).to_json()


@router.get(
    "/topics",
    response_model=TopicsResponse,
    summary="Thementhesaurus als Baum mit Zählungen",
    responses=error_responses(401),
)
def topics(searcher: SearcherDep) -> dict[str, Any]:
    """Top concepts with narrower concepts; passages and experiences per concept and subtree."""
    return {"topics": [node.to_dict() for node in topic_tree(searcher)]}


@router.get(
    "/municipalities",
    response_model=MunicipalitiesResponse,
    summary="Kommunen nach Region, Kreis und Namensanfang",
    responses=error_responses(401, 404, 422),
)
def municipality_list(
    searcher: SearcherDep,
    limit: LimitDep,
    region: Annotated[
        str | None, Query(max_length=200, examples=["Regiopolregion Bielefeld"])
    ] = None,
    kreis: Annotated[str | None, Query(max_length=200, examples=["Gütersloh"])] = None,
    prefix: Annotated[str | None, Query(max_length=100, examples=["Bad"])] = None,
    known: Annotated[
        bool, Query(description="Nur Kommunen mit Dokumenten oder Erfahrungen")
    ] = False,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> dict[str, Any]:
    """Municipalities sorted by name, with their Kreis and counts of documents and experiences."""
    found = municipalities(
        searcher,
        region=region,
        kreis=kreis,
        prefix=prefix,
        known_only=known,
        limit=limit,
        offset=offset,
    )
    return found.to_json()


@router.get(
    "/stats",
    response_model=StatsResponse,
    summary="Umfang der Wissensbasis",
    responses=error_responses(401),
)
def stats(searcher: SearcherDep) -> dict[str, Any]:
    """Counts of documents, passages, experiences, persons, organisations and topics."""
    return statistics(searcher)
