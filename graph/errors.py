"""Errors of the knowledge base. No HTTP status here: the API maps them."""


class GraphError(Exception):
    """Base of every error raised by ``graph``."""


class InvalidQuery(GraphError):
    """A SPARQL query could not be parsed or is not allowed (update, SERVICE, LOAD)."""


class QueryTimeout(GraphError):
    """A SPARQL query ran longer than the configured timeout."""


class ShapeViolation(GraphError):
    """A document graph broke the SHACL shapes; nothing was written."""

    def __init__(self, message: str, violations: list[str]) -> None:
        super().__init__(message)
        self.violations = violations


class StoreUnavailable(GraphError):
    """The graph or vector store could not be opened or reached."""


class DiskFull(StoreUnavailable):
    """The data directory's file system has no room for the next write; nothing was changed."""


class IndexMismatch(GraphError):
    """The vector index was built with another embedding model or dimension."""


class ModelMissing(GraphError):
    """The embedding model folder is missing or incomplete."""


class NotFound(GraphError):
    """An entity, document or topic does not exist."""
