"""Jinja2 environment of the web UI: templates and static files shipped in the package.

Filters turn records into German display text and links: highlighted passages, date and
kind labels, entity page URLs, the neighbourhood picture. Autoescaping is on; the only
``Markup`` produced here is built from escaped pieces.
"""

import re
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from graph.entity_page import EXPERIENCE_LABELS, EntityPage, Node, ref_of
from graph.iris import document_iri
from graph.neighbourhood import render_svg
from graph.store import QueryResult, SelectResult
from ontology.namespaces import PREFIXES
from search_api.security import has_session

PACKAGE = Path(str(files("search_api")))
TEMPLATES_DIR = PACKAGE / "templates"
STATIC_DIR = PACKAGE / "static"

DOCUMENT_KINDS = {
    "protocol": "Protokoll",
    "project": "Projekt",
    "event": "Veranstaltung",
    "page": "Webseite",
}
ENTITY_KINDS = {
    "person": "Person",
    "organisation": "Organisation",
    "municipality": "Kommune",
    "topic": "Thema",
    "project": "Projekt",
    "event": "Veranstaltung",
    "document": "Dokument",
}
EXPERIENCE_KINDS = EXPERIENCE_LABELS
FACET_NAMES = {
    "municipality": "Kommune",
    "kreis": "Kreis",
    "topic": "Thema",
    "kind": "Dokumentart",
    "year": "Jahr",
}
_STOPWORDS = frozenset(
    {
        "der",
        "die",
        "das",
        "und",
        "oder",
        "mit",
        "von",
        "für",
        "ein",
        "eine",
        "einer",
        "den",
        "dem",
        "des",
        "wer",
        "hat",
        "haben",
        "schon",
        "bereits",
        "gemacht",
        "in",
        "im",
        "zu",
        "zum",
        "zur",
        "auf",
        "bei",
        "wie",
        "was",
        "ist",
        "sind",
        "the",
        "and",
        "of",
    }
)
_WORD = re.compile(r"\w+")


def highlight(text: str, query: str) -> Markup:
    """``text`` escaped, with the query's words (and their inflected forms) in ``<mark>``.

    Each word loses its last two letters (inflection: "Wärmeplanungen"); stems of five letters
    or more also match inside compounds ("Hitzeschutzplan"), shorter ones only as prefixes.
    """
    words = {w.casefold() for w in _WORD.findall(query) if len(w) > 2}
    words -= _STOPWORDS
    if not words:
        return Markup(escape(text))
    stems = sorted({w[: max(5, len(w) - 2)] for w in words}, key=len, reverse=True)
    parts = [rf"\w*{re.escape(s)}\w*" if len(s) >= 5 else rf"\b{re.escape(s)}\w*" for s in stems]
    pattern = re.compile("|".join(parts), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def date_de(value: str | None) -> str:
    """``2023-03-15`` -> ``15.03.2023``; partial dates stay as they are."""
    if not value:
        return ""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2}).*", value)
    return f"{match[3]}.{match[2]}.{match[1]}" if match else value


def entity_url(kind: str | None, key: str | None) -> str | None:
    """Address of an entity page, or None for nodes without one."""
    if not kind or not key:
        return None
    return f"/e/{kind}/{key}"


def document_url(doc_id: str) -> str | None:
    """Page of a document by its id (the IRI's slug is the page key)."""
    return iri_url(str(document_iri(doc_id))) if doc_id.strip() else None


def passage_anchor(iri: str) -> str:
    """Fragment id of a passage on its document page (``p-<position>``)."""
    return "p-" + re.sub(r"[^\w-]", "", iri.rsplit("/", 1)[-1])


def iri_url(iri: str) -> str | None:
    """Entity page of an IRI, if it has one."""
    return entity_url(*ref_of(iri))


def compact(iri: str) -> str:
    """``https://w3id.org/wissensnetz/def#Municipality`` -> ``wn:Municipality``."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def query_url(path: str, params: Mapping[str, Any], **changes: Any) -> str:
    """``path`` with the current query parameters, some changed (``None`` removes one)."""
    merged = {k: v for k, v in params.items() if v not in (None, "")}
    for key, value in changes.items():
        name = key.rstrip("_")
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return f"{path}?{urlencode(merged)}" if merged else path


def graph_svg(page: EntityPage) -> Markup:
    """The page's neighbourhood picture as inline SVG with clickable nodes."""

    def href(node: Node) -> str | None:
        return entity_url(node.kind, node.key)

    title = f"Nachbarschaft von {page.ref.label} im Wissensgraphen"
    return Markup(render_svg(page.neighbourhood, href, title=title))


def result_table(result: QueryResult) -> dict[str, Any]:
    """A SPARQL result as variables and rows of (text, link) cells for the editor page."""
    if not isinstance(result, SelectResult):
        return {"variables": [], "rows": []}
    rows = []
    for row in result.rows:
        cells = []
        for term in row:
            text = "" if term is None else str(term)
            link = iri_url(text) if text.startswith("http") else None
            shown = compact(text) if text.startswith("http") else text
            cells.append({"text": shown, "link": link, "iri": text if link else None})
        rows.append(cells)
    return {"variables": result.variables, "rows": rows, "truncated": result.truncated}


def access_state(request: Request) -> str:
    """``open`` when reads need no key, else ``signed_in`` or ``signed_out`` (session cookie)."""
    services = getattr(request.app.state, "services", None)
    if services is None or not services.settings.require_read_key:
        return "open"
    return "signed_in" if has_session(request, services.settings) else "signed_out"


def current_path(request: Request) -> str:
    """Path and query of the request: where the key prompt leads back to."""
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def make_templates() -> Jinja2Templates:
    """Templates with the filters and globals the pages use."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters |= {
        "highlight": highlight,
        "date_de": date_de,
        "compact": compact,
        "iri_url": iri_url,
        "document_url": document_url,
        "passage_anchor": passage_anchor,
    }
    env.globals |= {
        "DOCUMENT_KINDS": DOCUMENT_KINDS,
        "ENTITY_KINDS": ENTITY_KINDS,
        "EXPERIENCE_KINDS": EXPERIENCE_KINDS,
        "FACET_NAMES": FACET_NAMES,
        "entity_url": entity_url,
        "document_url": document_url,
        "query_url": query_url,
        "graph_svg": graph_svg,
        "access_state": access_state,
        "current_path": current_path,
    }
    return templates
