"""The web application's page families, one module each: plain route functions on a router, given the ``Site``
(``web.site``) by injection. ``web.app.create_app`` includes every family's router, in ``FAMILIES`` order."""

from __future__ import annotations

from egovindex.web.families import (
    admin,
    api,
    assessments,
    collection,
    countries,
    entry,
    overview,
    rankings,
    releases,
    reports,
    review,
    services,
    signin,
    simulator,
)

FAMILIES = (
    overview,
    rankings,
    countries,
    simulator,
    signin,
    collection,
    entry,
    review,
    releases,
    services,
    assessments,
    admin,
    api,
    reports,
)
