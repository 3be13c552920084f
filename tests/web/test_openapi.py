"""schemathesis against the OpenAPI schema: no 5xx response and no schema violation on any documented route."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from egovindex.web.app import create_app

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(loaded_store: str):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(loaded_store))


def test_no_server_errors_and_responses_match_the_schema(api_schema) -> None:  # type: ignore[no-untyped-def]
    checked = []
    for result in api_schema.get_all_operations():
        operation = result.ok()

        @given(operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(checks=CHECKS)

        run()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert "POST /api/submissions" in checked and "GET /egdi/{year}.json" in checked
    assert len(checked) >= 12
