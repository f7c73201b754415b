"""Writes: upload a document for ingesting, delete a document. Both need an API key."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, UploadFile

from search_api.deps import UploadsDep
from search_api.errors import ApiError
from search_api.schemas import DeleteResponse, UploadResponse, error_responses
from search_api.security import WriteAccess

router = APIRouter(prefix="/api/documents", tags=["Dokumente"], dependencies=[WriteAccess])


@router.post(
    "",
    response_model=UploadResponse,
    status_code=201,
    summary="Dokument hochladen und einlesen",
    responses=error_responses(400, 401, 413, 415, 422, 503),
)
def upload(
    uploads: UploadsDep,
    file: Annotated[
        UploadFile, File(description="Markdown, Text, HTML, PDF oder DOCX (Größe begrenzt).")
    ],
) -> dict[str, Any]:
    """Stores the file under a sanitised name in a temporary folder and ingests it.

    Answers 503 when no ingest pipeline is registered on this server.
    """
    return uploads.ingest(file.file, file.filename)


@router.delete(
    "/{doc_id}",
    response_model=DeleteResponse,
    summary="Dokument löschen",
    responses=error_responses(401, 404, 503),
)
def delete(
    uploads: UploadsDep,
    doc_id: Annotated[str, Path(max_length=300, description="Dokument-ID")],
) -> dict[str, Any]:
    """Removes the document's graph and vectors; 404 if there is no such document."""
    if not uploads.delete(doc_id):
        raise ApiError(404, "not_found", f"Kein Dokument mit der ID {doc_id!r}.")
    return {"id": doc_id, "deleted": True}
