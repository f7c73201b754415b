"""The FastAPI application factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response

from search_api.errors import install_error_handlers
from search_api.limits import BodySizeLimit
from search_api.routes import (
    documents,
    editor,
    entities,
    export,
    health,
    login,
    pages,
    search,
    sparql,
)
from search_api.services import Services, build_services
from search_api.settings import ApiSettings
from search_api.templating import STATIC_DIR, make_templates

logger = logging.getLogger(__name__)

DESCRIPTION = """Wissensgraph und semantische Suche für den interkommunalen Wissensaustausch.

* **Suche** – hybride Passagensuche mit Facetten (`/api/search`)
* **Wer hat schon …?** – Kommunen, Ansprechpersonen und Belegstellen (`/api/who`)
* **Referent:innen** – Vorschläge für Veranstaltungen (`/api/speakers`)
* **Wissensgraph** – Entitätsseiten, Themenbaum, Kommunen, Export, SPARQL 1.1 (`/sparql`)

Schreibende Routen brauchen einen API-Schlüssel (`X-API-Key` oder `Authorization: Bearer`).
Fehler haben immer die Form `{"error": {"code", "message"}}`.
"""
MULTIPART_OVERHEAD = 64 * 1024


def create_app(settings: ApiSettings | None = None, services: Services | None = None) -> FastAPI:
    """Build the app; services are opened in the lifespan unless handed in (tests)."""
    settings = settings or (services.settings if services else ApiSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        owned = services is None
        app.state.services = services or build_services(settings)
        try:
            yield
        finally:
            if owned:
                app.state.services.close()

    app = FastAPI(
        title="Wissensnetz",
        summary="Wissensgraph und semantische Suche für interkommunalen Wissensaustausch",
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
    )
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_upload_bytes + MULTIPART_OVERHEAD)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "Accept"],
        )
    templates = make_templates()
    app.state.templates = templates

    def html_error(request: Request, status: int, code: str, message: str) -> Response:
        context = {"status": status, "code": code, "message": message, "active": None}
        return templates.TemplateResponse(request, "error.html", context, status_code=status)

    install_error_handlers(app, html_error)
    for module in (health, search, entities, documents, export, sparql, pages, editor, login):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.openapi = lambda: _openapi(app, settings)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI, settings: ApiSettings) -> dict[str, Any]:
    """The generated schema plus the configured maximum of every ``limit`` parameter."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        for path in schema.get("paths", {}).values():
            for operation in path.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("name") == "limit":
                        parameter["schema"]["maximum"] = settings.max_limit
        app.openapi_schema = schema
    return app.openapi_schema
