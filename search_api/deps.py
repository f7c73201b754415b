"""Small getters and ``Annotated`` aliases so handlers declare what they use."""

from typing import Annotated

from fastapi import Depends, Query, Request

from graph.entities import EntityReader
from graph.experts import ExperienceFinder
from graph.search import Searcher
from graph.sparql import SparqlService
from graph.speakers import SpeakerFinder
from search_api.errors import ApiError
from search_api.services import Services
from search_api.uploads import UploadDesk


def get_services(request: Request) -> Services:
    """The services built in the lifespan, synced with writes by other API processes."""
    services: Services = request.app.state.services
    services.searcher.sync()
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_searcher(services: ServicesDep) -> Searcher:
    """Hybrid passage search."""
    return services.searcher


def get_experts(services: ServicesDep) -> ExperienceFinder:
    """ "Wer hat schon X gemacht?"."""
    return services.experts


def get_speakers(services: ServicesDep) -> SpeakerFinder:
    """Speaker finder."""
    return services.speakers


def get_entities(services: ServicesDep) -> EntityReader:
    """Entity pages."""
    return services.entities


def get_sparql(services: ServicesDep) -> SparqlService:
    """Read-only SPARQL."""
    return services.sparql


def get_uploads(services: ServicesDep) -> UploadDesk:
    """Uploads and deletions."""
    return services.uploads


def page_limit(
    services: ServicesDep,
    limit: Annotated[
        int,
        Query(ge=1, description="Anzahl der Ergebnisse (höchstens `WN_MAX_LIMIT`).", examples=[10]),
    ] = 10,
) -> int:
    """``limit`` checked against the configured maximum.

    Raises:
        ApiError: 422 if it exceeds ``max_limit``.
    """
    maximum = services.settings.max_limit
    if limit > maximum:
        raise ApiError(422, "invalid_request", f"limit: höchstens {maximum} erlaubt")
    return limit


SearcherDep = Annotated[Searcher, Depends(get_searcher)]
ExpertsDep = Annotated[ExperienceFinder, Depends(get_experts)]
SpeakersDep = Annotated[SpeakerFinder, Depends(get_speakers)]
EntitiesDep = Annotated[EntityReader, Depends(get_entities)]
SparqlDep = Annotated[SparqlService, Depends(get_sparql)]
UploadsDep = Annotated[UploadDesk, Depends(get_uploads)]
LimitDep = Annotated[int, Depends(page_limit)]
