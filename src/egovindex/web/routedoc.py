"""How the pages and forms appear in the OpenAPI schema, next to their JSON twins and the API: every route is
documented, so that every route is what the schema says (and schema-driven tests reach each of them).

A page answers HTML (``text/html``) or, when nobody is signed in and it needs someone, a redirect to the sign-in
page; a form answers a redirect to the page that shows its result. A route registered without documentation is
given its place by ``documented``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel

PAGES = "pages (HTML)"
FORMS = "forms"

TAGS = [
    {"name": PAGES, "description": "The server-rendered pages (HTML); each has a JSON twin, the same path + .json"},
    {"name": FORMS, "description": "The pages' forms: each needs the form token (csrf) of the signed-in session"},
]

ERROR_PAGES: dict[int | str, dict[str, Any]] = {
    code: {
        "description": f"{text}: the error page in the page's language for a browser (Accept: text/html), the "
        "message in ``detail`` otherwise",
        "content": {
            "text/html": {"schema": {"type": "string"}},
            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}},
        },
    }
    for code, text in (
        (401, "Not signed in"),
        (403, "Not allowed for this user's agency and role, or no valid form token"),
        (404, "No such edition, country, period or record"),
        (409, "The state of the data does not allow it, or someone else changed it"),
        (422, "Invalid input; nothing was stored"),
    )
}
"""A page's or a form's refusals."""

PAGE: dict[str, Any] = {"tags": [PAGES], "response_class": HTMLResponse, "responses": ERROR_PAGES}
"""A public page: HTML."""

SIGNED_IN_PAGE: dict[str, Any] = {
    **PAGE,
    "responses": {**ERROR_PAGES, 303: {"description": "Nobody is signed in: on to the sign-in page"}},
}
"""A page for signed-in users: HTML, or a redirect to sign in."""

FORM: dict[str, Any] = {
    "tags": [FORMS],
    "status_code": 303,
    "response_class": RedirectResponse,
    "response_description": "Done: on to the page that shows the result",
    "responses": ERROR_PAGES,
}
"""A form: a redirect to the page that shows the result."""


def extended(kind: dict[str, Any], responses: dict[int | str, dict[str, Any]]) -> dict[str, Any]:
    """A kind of route (``PAGE``, ``FORM``) with more responses documented."""
    return {**kind, "responses": {**kind.get("responses", {}), **responses}}


def documented(router: APIRouter) -> APIRouter:
    """The router, with every route registered without a place in the schema (``include_in_schema=False``) given
    its place: a GET among the pages, any other method among the forms. Applied before the router is included."""
    for route in router.routes:
        if isinstance(route, APIRoute) and not route.include_in_schema:
            route.include_in_schema = True
            route.tags = route.tags or [PAGES if route.methods <= {"GET", "HEAD"} else FORMS]
            route.responses = {**route.responses, **ERROR_PAGES}
            for code in ERROR_PAGES:
                route.response_fields.pop(code, None)
    return router


def link(path: str, method: str = "get", **parameters: str) -> dict[str, Any]:
    """An OpenAPI link to the operation at ``path``: its parameters taken from the response (``$response.body#/id``)
    or given."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {"operationRef": f"#/paths/{pointer}/{method}", "parameters": parameters}


class SubmissionReceipt(BaseModel):
    """A stored submission: its id, version and status, and the warnings of the rules."""

    id: int
    agency: str
    period: str
    version: int
    status: str
    warnings: list[str]


SUBMISSION_BODY: dict[str, Any] = {
    "type": "object",
    "required": ["agency", "period", "values"],
    "properties": {
        "agency": {"type": "string", "maxLength": 20, "description": "the agency's code", "examples": ["BKHCN"]},
        "period": {
            "type": "string",
            "pattern": "^[0-9]{4}(Q[1-4])?$",
            "description": "a quarter (2026Q4) or a year (2026)",
        },
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["indicator", "value", "source"],
                "properties": {
                    "indicator": {"type": "string", "description": "the indicator's code (or indicator_code)"},
                    "value": {"type": ["number", "string"], "description": "a number, or a number as typed"},
                    "source": {"type": "string", "description": "where the value comes from"},
                    "unit": {"type": "string"},
                    "method_note": {"type": "string"},
                    "evidence": {"type": "string"},
                },
            },
        },
    },
}
"""The body of ``POST /api/submissions``, as documented; the route reads it itself and reports every problem."""
