"""Property-based API test: schemathesis generates requests for every operation in /openapi.json.

Runs in-process over ASGI against the app on the mini corpus (real model). Every response
must not be a server error and must conform to the schema (status code documented, content
type, body schema, headers). The budget is small and fixed so the run stays under a minute
and a half; the figures are printed with ``-s``.
"""

import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from search_api.app import create_app
from search_api.services import Services
from search_api.uploads import UploadDesk
from tests.search_api.conftest import API_KEY

MAX_EXAMPLES = {GenerationMode.POSITIVE: 30, GenerationMode.NEGATIVE: 15}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@schemathesis.serializer("application/sparql-query")
def _sparql_query(ctx: Any, value: Any) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else str(value).encode("utf-8")


class NullIngestor:
    """Accepts uploads without writing, so generated junk never reaches the shared store."""

    def ingest_file(self, path: Path, *, original_name: str) -> dict[str, Any]:
        return {"document_id": None, "bytes": path.stat().st_size, "status": "ignored"}

    def delete_document(self, doc_id: str) -> bool:
        return False


@pytest.fixture(scope="module")
def fuzz_app(services: Services) -> FastAPI:
    desk = UploadDesk(
        NullIngestor(), services.searcher, services.settings.upload_dir, services.uploads.max_bytes
    )
    application = create_app(services=replace(services, uploads=desk))
    with TestClient(application):  # run the lifespan once: app.state.services is set
        pass
    application.state.services = replace(services, uploads=desk)
    return application


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors(fuzz_app: FastAPI) -> None:
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    examples = 0
    started = time.perf_counter()
    plan = [(op, mode) for op in operations for mode in MAX_EXAMPLES]
    for operation, mode in plan:

        @settings(
            max_examples=MAX_EXAMPLES[mode],
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case: Any) -> None:
            nonlocal examples
            response = case.call(headers={"X-API-Key": API_KEY})
            examples += 1
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except BaseException as failure:  # FailureGroup: collected, reported below
                if isinstance(failure, KeyboardInterrupt):
                    raise
                failures.append(f"{case.operation.label}: {str(failure)[:600]}")

        try:
            run()
        except Unsatisfiable:  # no parameters to break: nothing negative to send
            assert mode is GenerationMode.NEGATIVE
    elapsed = time.perf_counter() - started
    print(
        f"\nschemathesis: {len(operations)} operations, {examples} examples, "
        f"{sum(n for s, n in statuses.items() if s >= 500)} server errors, "
        f"{len(failures)} failed checks in {elapsed:.1f} s; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    assert len(operations) >= 12
    assert not [s for s in statuses if s >= 500], failures
    assert not failures, "\n".join(failures[:10])
