"""Search, "Wer hat schon …?" and the speaker finder (same JSON as the CLI's ``--json``)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from graph.errors import InvalidQuery
from search_api.deps import ExpertsDep, LimitDep, SearcherDep, SpeakersDep
from search_api.schemas import SearchResponse, SpeakersResponse, WhoResponse, error_responses
from search_api.security import ReadAccess

router = APIRouter(prefix="/api", tags=["Suche"], dependencies=[ReadAccess])


@router.get(
    "/search",
    response_model=SearchResponse,
    summary="Passagen suchen (hybrid: semantisch + Stichwort)",
    responses=error_responses(400, 401, 404, 422),
)
def search(
    searcher: SearcherDep,
    limit: LimitDep,
    q: Annotated[str, Query(min_length=1, max_length=500, examples=["Wärmeplanung"])],
    municipality: Annotated[
        str | None, Query(max_length=200, description="Name oder AGS", examples=["Gütersloh"])
    ] = None,
    kreis: Annotated[str | None, Query(max_length=200, examples=["Kreis Gütersloh"])] = None,
    region: Annotated[str | None, Query(max_length=200, examples=["Regiopolregion"])] = None,
    topic: Annotated[
        str | None, Query(max_length=200, description="Label oder IRI", examples=["Radverkehr"])
    ] = None,
    kind: Annotated[
        str | None, Query(max_length=40, description="protocol, project, event, page")
    ] = None,
    date_from: Annotated[
        str | None, Query(alias="from", pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", examples=["2023"])
    ] = None,
    date_to: Annotated[
        str | None, Query(alias="to", pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$", examples=["2025-12"])
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    """Ranked passages with their document, places and topics, plus facet counts.

    Unknown municipality, Kreis, region or topic filters answer 404.
    """
    result = searcher.search(
        q,
        limit=limit,
        offset=offset,
        municipality=municipality or None,
        kreis=kreis or None,
        region=region or None,
        topic=topic or None,
        kind=kind or None,
        date_from=date_from,
        date_to=date_to,
    )
    return result.to_json(include_facets=True)


@router.get(
    "/who",
    response_model=WhoResponse,
    summary="Wer hat schon X gemacht?",
    responses=error_responses(400, 401, 422),
)
def who(
    experts: ExpertsDep,
    limit: LimitDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=500,
            examples=["Wer hat schon eine kommunale Wärmeplanung gemacht?"],
        ),
    ],
) -> dict[str, Any]:
    """Municipalities (with contact persons) and persons/organisations ranked by experience."""
    return experts.who(q, limit=limit).to_json()


@router.get(
    "/speakers",
    response_model=SpeakersResponse,
    summary="Referent:innen zu einem Thema finden",
    responses=error_responses(400, 401, 422),
)
def speakers(
    finder: SpeakersDep,
    limit: LimitDep,
    topic: Annotated[
        str | None, Query(max_length=500, description="Thema (Label oder IRI)")
    ] = None,
    q: Annotated[str | None, Query(max_length=500, description="Freitext statt `topic`")] = None,
) -> dict[str, Any]:
    """Suggested speakers for a Regiopol Akademie session, with reasons and evidence."""
    return finder.suggest(_topic_text(topic, q), limit=limit).to_json()


def _topic_text(topic: str | None, q: str | None) -> str:
    text = (topic or q or "").strip()
    if not text:
        raise InvalidQuery("topic or q is required: name a topic, e.g. 'Radverkehr'")
    return text
