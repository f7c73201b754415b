"""The SPARQL editor page: prefixes, example queries, results as a table, downloads."""

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from graph.errors import InvalidQuery, QueryTimeout
from graph.sparql import SparqlService, serialize
from graph.store import AskResult, GraphResult
from ontology.namespaces import PREFIXES
from search_api.deps import SparqlDep
from search_api.routes.pages import render
from search_api.security import ReadAccess
from search_api.sparql_examples import EXAMPLES
from search_api.templating import result_table

router = APIRouter(include_in_schema=False, dependencies=[ReadAccess])


def run_for_page(sparql: SparqlService, query: str) -> dict[str, Any]:
    """Outcome of the editor's query as the template shows it (errors included)."""
    try:
        outcome = sparql.run(query)
    except (InvalidQuery, QueryTimeout) as e:
        return {"error": str(e)}
    view: dict[str, Any] = {"kind": outcome.kind, "ms": round(outcome.elapsed_ms, 1)}
    result = outcome.result
    if isinstance(result, AskResult):
        view["boolean"] = result.value
    elif isinstance(result, GraphResult):
        view["text"] = serialize(outcome, "turtle").decode("utf-8")
        view["truncated"] = result.truncated
    else:
        view |= result_table(result)
    formats = ("turtle", "jsonld") if view["kind"] in {"CONSTRUCT", "DESCRIBE"} else ("csv", "json")
    view["downloads"] = {f: "/sparql?" + urlencode({"query": query, "format": f}) for f in formats}
    return view


def with_prefixes(query: str) -> str:
    """The query with PREFIX lines for the standard prefixes it uses."""
    used = [p for p in PREFIXES if re.search(rf"(?<![\w:]){re.escape(p)}:", query)]
    return "".join(f"PREFIX {p}: <{PREFIXES[p]}>\n" for p in used) + "\n" + query


@router.get("/sparql-editor", response_class=HTMLResponse)
def editor_page(
    request: Request,
    sparql: SparqlDep,
    query: Annotated[str, Query(max_length=100_000)] = "",
) -> HTMLResponse:
    """Editor with the standard prefixes and examples; runs the query if one is given."""
    outcome = run_for_page(sparql, query) if query.strip() else None
    examples = [{"title": e.title, "query": with_prefixes(e.query)} for e in EXAMPLES]
    text = query or examples[0]["query"]
    rows = min(30, max(12, text.count("\n") + 2))
    return render(
        request,
        "sparql.html",
        active="sparql",
        query=text,
        rows=rows,
        outcome=outcome,
        examples=examples,
        prefixes=PREFIXES,
    )
