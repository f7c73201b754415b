"""The German web UI: server-rendered pages over the same services as the JSON API."""

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from graph.directory import municipalities, region_choices, topic_tree
from graph.entity_page import EntityKind
from graph.search import Searcher, SearchResult
from search_api.deps import EntitiesDep, ExpertsDep, SearcherDep, SpeakersDep, UploadsDep
from search_api.security import ReadAccess
from search_api.uploads import ALLOWED_SUFFIXES

router = APIRouter(include_in_schema=False, dependencies=[ReadAccess])

PAGE_SIZE = 10
Text = Annotated[str, Query(max_length=500)]
FILTER_NAMES = {
    "municipality": "Kommune",
    "kreis": "Kreis",
    "region": "Region",
    "topic": "Thema",
    "kind": "Dokumentart",
    "from": "ab",
    "to": "bis",
}


def render(
    request: Request, template: str, *, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a page with the app's templates."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, template, context, status_code=status_code)


@dataclass(frozen=True)
class SearchForm:
    """The search page's query parameters."""

    q: str = ""
    municipality: str = ""
    kreis: str = ""
    region: str = ""
    topic: str = ""
    kind: str = ""
    from_: str = ""
    to: str = ""
    page: int = 1

    def filters(self) -> dict[str, str]:
        """Active filters by query parameter name."""
        values = asdict(self)
        values["from"] = values.pop("from_")
        return {k: v for k, v in values.items() if k not in {"q", "page"} and v}

    def params(self) -> dict[str, Any]:
        """All parameters, for links that change one of them."""
        return {"q": self.q, **self.filters(), "page": self.page if self.page > 1 else None}


def search_form(
    q: Text = "",
    municipality: Text = "",
    kreis: Text = "",
    region: Text = "",
    topic: Text = "",
    kind: Text = "",
    date_from: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> SearchForm:
    """Parse the search page's query string."""
    return SearchForm(q.strip(), municipality, kreis, region, topic, kind, date_from, to, page)


def _facet_labels(result: SearchResult) -> dict[str, dict[str, str]]:
    return {name: {f.value: f.label for f in values} for name, values in result.facets.items()}


@router.get("/", response_class=HTMLResponse)
def search_page(
    request: Request, searcher: SearcherDep, form: Annotated[SearchForm, Depends(search_form)]
) -> HTMLResponse:
    """Search with facets and highlighted evidence passages."""
    result = None
    if form.q:
        result = searcher.search(
            form.q,
            limit=PAGE_SIZE,
            offset=(form.page - 1) * PAGE_SIZE,
            municipality=form.municipality or None,
            kreis=form.kreis or None,
            region=form.region or None,
            topic=form.topic or None,
            kind=form.kind or None,
            date_from=form.from_ or None,
            date_to=form.to or None,
        )
    labels = _facet_labels(result) if result else {}
    data = result.to_json(include_facets=True) if result else None
    return render(
        request,
        "search.html",
        active="search",
        form=form,
        result=data,
        labels=labels,
        page_size=PAGE_SIZE,
        FILTER_NAMES=FILTER_NAMES,
    )


@router.get("/wer-hat-schon", response_class=HTMLResponse)
def who_page(request: Request, experts: ExpertsDep, q: Text = "") -> HTMLResponse:
    """Ranked municipalities with contacts and evidence, then persons and organisations."""
    answer = experts.who(q, limit=10).to_json() if q.strip() else None
    return render(request, "who.html", active="who", q=q, answer=answer)


@router.get("/referentinnen", response_class=HTMLResponse)
def speakers_page(request: Request, finder: SpeakersDep, topic: Text = "") -> HTMLResponse:
    """Speaker suggestions for a topic, with reasons."""
    answer = finder.suggest(topic.strip(), limit=8).to_json() if topic.strip() else None
    return render(request, "speakers.html", active="speakers", topic=topic, answer=answer)


@router.get("/themen", response_class=HTMLResponse)
def topics_page(request: Request, searcher: SearcherDep) -> HTMLResponse:
    """The thesaurus as a tree with counts."""
    tree = [node.to_dict() for node in topic_tree(searcher)]
    return render(request, "topics.html", active="topics", tree=tree)


@router.get("/kommunen", response_class=HTMLResponse)
def municipalities_page(
    request: Request,
    searcher: SearcherDep,
    region: Text = "",
    kreis: Text = "",
    prefix: Text = "",
    known: bool = False,
) -> HTMLResponse:
    """Municipality directory with filters."""
    if not (region or kreis or prefix or known):
        known = True
    found = municipalities(
        searcher, region=region, kreis=kreis, prefix=prefix, known_only=known, limit=200
    )
    form = {"region": region, "kreis": kreis, "prefix": prefix, "known": known}
    regions = region_choices(searcher)
    return render(
        request,
        "municipalities.html",
        active="municipalities",
        found=found.to_json(),
        form=form,
        regions=regions,
    )


@router.get("/e/{kind}/{key}", response_class=HTMLResponse)
def entity_page(
    request: Request, entities: EntitiesDep, searcher: SearcherDep, kind: EntityKind, key: str
) -> HTMLResponse:
    """An entity with facts, experiences, neighbourhood picture and chart.

    A document page also names the document's id, which its delete button sends.
    """
    page = entities.page(kind, key)
    doc_id = _document_id(searcher, key, page.passages) if kind == "document" else None
    return render(
        request, "entity.html", active=None, page=page, data=page.to_json(), doc_id=doc_id
    )


def _document_id(searcher: Searcher, key: str, passages: list[dict[str, Any]]) -> str | None:
    """The id a document page's key stands for (the key may be the IRI's slug instead)."""
    for passage in passages[:1]:
        info = searcher.passages.get(str(passage.get("id")))
        if info is not None:
            return info.document_id
    return key if key in searcher.documents else None


@router.get("/hochladen", response_class=HTMLResponse)
def upload_page(request: Request, uploads: UploadsDep) -> HTMLResponse:
    """The upload form; the browser posts the file to ``/api/documents`` with the key header."""
    mb = f"{uploads.max_bytes / (1024 * 1024):.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return render(
        request,
        "upload.html",
        active="upload",
        enabled=uploads.ingestor is not None,
        max_bytes=uploads.max_bytes,
        max_mb=mb,
        suffixes=ALLOWED_SUFFIXES,
    )
