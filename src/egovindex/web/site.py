"""What every page family of the web application is given: the store, the editions cache, the templates, the
settings and the sign-in throttle, with the few things every page does (its language, its HTML, its context
computed once per state of the store). ``create_app`` builds one ``Site``; a route receives it with
``site: SiteDep``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from egovindex import translations
from egovindex.errors import NotFoundError
from egovindex.web.cache import PageCache
from egovindex.web.data import EditionCache
from egovindex.web.identity import Throttle, current

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from egovindex.domain.periods import Period
    from egovindex.settings import Settings
    from egovindex.store.collection import User

HERE = resources.files("egovindex.web")


@dataclass
class Site:
    engine: Engine
    settings: Settings
    cache: EditionCache
    pages: PageCache
    templates: Jinja2Templates
    throttle: Throttle

    @classmethod
    def build(cls, engine: Engine, settings: Settings) -> Site:
        templates = Jinja2Templates(directory=str(HERE / "templates"))
        templates.env.filters["num"] = lambda v, lang, d=4: translations.number(v, lang, d)
        cache = EditionCache(engine)
        return cls(engine, settings, cache, PageCache(cache), templates, Throttle())

    def language(self, request: Request) -> str:
        return translations.choose(request.query_params.get("lang"), request.cookies.get("lang"))

    def html(self, request: Request, template: str, data: dict[str, Any], view: dict[str, Any]) -> HTMLResponse:
        """A page: its template with the data (what the JSON twin returns) and what only the HTML needs."""
        lang = self.language(request)
        path = "/overview" if request.url.path == "/" else request.url.path
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
        who = current(request)
        ctx = {
            "request": request,
            "user": who.username if who else None,
            "role": who.role if who else None,
            "data": data,
            "lang": lang,
            "_": translations.gettext(lang),
            "date": lambda d: translations.date(d, lang),
            "when": lambda d: translations.moment(d, lang),
            "json_url": f"{path}.json" + (f"?{query}" if query else ""),
            "current_period": current_period(),
            **view,
        }
        response = self.templates.TemplateResponse(request, template, ctx)
        if who is not None:  # a page that names its reader is theirs alone: no cache, shared or ours, keeps it
            response.headers["Cache-Control"] = "private, no-cache"
        return response

    def json(self, data: Any) -> JSONResponse:
        """A JSON twin of the analysis: its numbers at the UN's precision (``cells.rounded``), as the page shows."""
        from egovindex.cells import rounded

        return JSONResponse(rounded(data))

    def context(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """A page context computed once per state of the store (contexts are pure functions of the editions)."""
        key = (fn.__module__, fn.__name__, repr(args), repr(sorted(kwargs.items())))
        try:
            return self.cache.memo(key, lambda editions: fn(editions, *args, **kwargs))
        except NotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    def memo(self, key: tuple, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(editions, *args)`` once per state of the store, under a key given by the caller (for arguments
        too large to be part of the key, such as the raw series)."""
        try:
            return self.cache.memo(key, lambda editions: fn(editions, *args))
        except NotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    def raw_series(self) -> Any:
        """The raw indicator series of the reference data (read once per process)."""
        from egovindex.survey.recompute import reference_series

        panel = reference_series(self.settings.reference_data)
        if panel is None:
            raise HTTPException(status_code=404, detail="no raw indicator series to recompute TII and HCI")
        return panel


def site(request: Request) -> Site:
    return request.app.state.site  # type: ignore[no-any-return]


SiteDep = Annotated[Site, Depends(site)]


def guarded(site: Site, request: Request, build: Callable[[str], dict[str, Any]], template: str) -> Response:
    """A signed-in page: sign in first, then the same context as its JSON twin."""
    from fastapi.responses import RedirectResponse

    from egovindex.collection.access import ROLES
    from egovindex.web.identity import csrf_token, signed_in

    user = signed_in(request)
    if not user:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    return site.html(request, template, build(user), {"csrf": csrf_token(request), "roles": ROLES})


def act(site: Site, request: Request, csrf: str, action: Callable[[Any, User], Any], back: str) -> Response:
    """One write for the signed-in user, in one transaction, then back to the page it came from. A refusal is
    403, a conflict with someone else's change 409, a value the workflow refuses 422."""
    from fastapi.responses import RedirectResponse

    from egovindex.collection.access import AuthorisationError, get_user
    from egovindex.collection.workflow import ConflictError, WorkflowError
    from egovindex.store.db import unit_of_work
    from egovindex.web.identity import check_csrf, require_signed_in

    check_csrf(request, csrf)
    username = require_signed_in(request)
    try:
        with unit_of_work(site.engine) as s:
            action(s, get_user(s, username))
    except AuthorisationError as exc:
        raise HTTPException(status_code=403, detail=str(exc)) from None
    except ConflictError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except (WorkflowError, ValueError, KeyError) as exc:
        raise HTTPException(status_code=422, detail=str(exc).strip("'\"")) from None
    return RedirectResponse(back, status_code=303)


def current_period() -> str:
    """The quarter whose data are being collected now: the quarter with the next deadline (the last completed
    quarter until its deadline, then the quarter under way, whose data are due next)."""
    from egovindex.domain.periods import Period

    today = dt.date.today()
    period = Period(today.year, (today.month - 1) // 3 + 1).previous()
    return str(period if period.deadline >= today else period.next())


def period_of(text: str) -> Period:
    """A period from a URL, or 404."""
    from egovindex.domain.periods import Period, PeriodError

    try:
        return Period.parse(text)
    except PeriodError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from None


def local(path: str) -> str:
    """Only redirect within the site."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


def csv_download(rows: list[dict[str, Any]], filename: str, empty_header: tuple[str, ...] = ()) -> Response:
    """Rows as a CSV download, every text cell safe in a spreadsheet (the rows a page shows, exactly)."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else list(empty_header), lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: safe(v) for k, v in r.items()} for r in rows)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def safe(value: Any) -> Any:
    """A cell value that a spreadsheet can never run as a formula."""
    from egovindex.collection.intake import escape_text

    return escape_text(value) if isinstance(value, str) else value
