"""The web application: server-rendered pages with a JSON twin for each, downloads of what a page shows, SVG
charts, Vietnamese by default with English available, security headers on every response.

``create_app()`` builds the application on the store of the settings (``egovindex web``, ``make run``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request, Response
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from egovindex.collection.auth import AuthorisationError, NotSignedInError
from egovindex.web import analysis_pages, collect_routes, i18n, pages, review_routes, routedoc
from egovindex.web.auth import Throttle, check_csrf, csrf_token, current, secret_key, sign_in, sign_out
from egovindex.web.data import EditionCache
from egovindex.web.params import (
    Component,
    Countries,
    Country,
    Draws,
    Iso3,
    LocalPath,
    LoginName,
    NextPage,
    Password,
    PeriodText,
    Rank,
    RawChanges,
    RegionRank,
    ReleaseChoice,
    Seed,
)

HERE = resources.files("egovindex.web")
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class RankingFilter:
    """The ranking's filters, shared by the page, its JSON twin and its downloads."""

    region: str | None = None
    subregion: str | None = None
    group: str | None = None
    sort: str = "rank"


class Problem(BaseModel):
    row: int | None = None
    column: str | None = None
    message: str


class ErrorBody(BaseModel):
    """Every error: a message in ``detail`` (FastAPI's own validation errors give a list there); a rejected
    submission adds every ``problem`` with its row and column."""

    detail: Any
    problems: list[Problem] | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "Not signed in, or no token"),
        (403, "Not allowed for this user's agency and role"),
        (404, "No such edition, country, period or record"),
        (409, "The state of the data does not allow it, or someone else changed it"),
        (422, "Invalid input; nothing was stored"),
    )
}


def create_app(database_url: str | None = None) -> FastAPI:
    from egovindex.settings import get_settings
    from egovindex.store.db import make_engine, upgrade

    settings = get_settings()
    url = database_url or settings.database_url
    upgrade(url)
    engine = make_engine(url)
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.store.db import unit_of_work

    with unit_of_work(engine) as s:  # the packaged registry, stored once in a transaction of its own
        ensure_registry(s)
    cache = EditionCache(engine)
    throttle = Throttle()
    import datetime as dt

    app = FastAPI(
        responses=ERRORS,
        title="egovindex",
        openapi_tags=routedoc.TAGS,
        version="0.1.0",
        description="Viet Nam's standing in the UN E-Government Development Index, and the national "
        "statistics behind it. Every page has a JSON twin (the same path with .json).",
    )
    app.state.engine = engine
    app.state.throttle = throttle  # shared with the routers: every check of a password is throttled alike
    app.state.session_limits = (
        dt.timedelta(minutes=settings.session_idle_minutes),
        dt.timedelta(hours=settings.session_lifetime_hours),
    )
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["num"] = lambda v, lang, d=4: i18n.number(v, lang, d)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings.data_dir, settings.secret_key),
        session_cookie="egovindex_session",
        same_site="lax",
        https_only=settings.secure_cookies,
        max_age=settings.session_lifetime_hours * 3600,
    )

    app.add_middleware(HeadAsGet)

    @app.middleware("http")
    async def headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        if request.url.scheme == "https":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        lang = request.query_params.get("lang")
        if lang in i18n.LANGUAGES:
            response.set_cookie(
                "lang", lang, max_age=365 * 86400, httponly=True, samesite="lax", secure=request.url.scheme == "https"
            )
        return response

    def language(request: Request) -> str:
        lang = request.query_params.get("lang") or request.cookies.get("lang") or i18n.DEFAULT
        return lang if lang in i18n.LANGUAGES else i18n.DEFAULT

    def html(request: Request, template: str, data: dict[str, Any], view: dict[str, Any]) -> HTMLResponse:
        lang = language(request)
        path = "/overview" if request.url.path == "/" else request.url.path
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "lang"])
        who = current(request)
        ctx = {
            "request": request,
            "user": who.username if who else None,
            "role": who.role if who else None,
            "data": data,
            "lang": lang,
            "_": i18n.gettext(lang),
            "date": lambda d: i18n.date(d, lang),
            "json_url": f"{path}.json" + (f"?{query}" if query else ""),
            "current_period": _current_period(),
            **view,
        }
        return templates.TemplateResponse(request, template, ctx)

    def build(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        key = (fn.__name__, repr(args), repr(sorted(kwargs.items())))
        try:
            return cache.memo(key, lambda editions: fn(editions, *args, **kwargs))
        except pages.NotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    # ----------------------------------------------------------------------------------------- overview
    @app.get("/overview.json", tags=["pages"])
    def overview_json(request: Request) -> JSONResponse:
        """Viet Nam's position: rank, EGDI, components, group, ASEAN table, trend, targets, next deadlines."""
        return JSONResponse(build(pages.overview, language(request))[0])

    @app.get("/", **routedoc.PAGE)
    def overview(request: Request) -> HTMLResponse:
        """Viet Nam's position (the JSON twin: /overview.json)."""
        return html(request, "overview.html", *build(pages.overview, language(request)))

    # ----------------------------------------------------------------------------------------- rankings
    def _ranking(request: Request, year: int, f: RankingFilter) -> tuple[dict, dict]:
        return build(
            pages.egdi_ranking,
            year,
            region=f.region or None,
            subregion=f.subregion or None,
            group=f.group or None,
            sort=f.sort,
            lang=language(request),
        )

    @app.get("/egdi/{year}.json", tags=["pages"])
    def ranking_json(
        request: Request,
        year: int,
        f: Annotated[RankingFilter, Depends()],
    ) -> JSONResponse:
        """One edition's ranking, with rows carrying at least iso3, country, egdi and rank."""
        return JSONResponse(_ranking(request, year, f)[0])

    @app.get(
        "/egdi/{year}.csv",
        tags=["downloads"],
        response_class=Response,
        responses={200: {"content": {"text/csv": {}}, "description": "CSV"}},
    )
    def ranking_csv(
        request: Request,
        year: int,
        f: Annotated[RankingFilter, Depends()],
    ) -> Response:
        """Exactly the rows the ranking page shows, as CSV."""
        rows = _ranking(request, year, f)[0]["rows"]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["iso3"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _safe(v) for k, v in r.items()} for r in rows)
        return Response(
            out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="egdi_{year}.csv"'},
        )

    @app.get(
        "/egdi/{year}.xlsx",
        tags=["downloads"],
        response_class=Response,
        responses={200: {"content": {XLSX: {}}, "description": "Excel workbook"}},
    )
    def ranking_xlsx(
        request: Request,
        year: int,
        f: Annotated[RankingFilter, Depends()],
    ) -> Response:
        """Exactly the rows the ranking page shows, as Excel."""
        from openpyxl import Workbook

        rows = _ranking(request, year, f)[0]["rows"]
        book = Workbook()
        ws = book.active
        ws.title = f"EGDI {year}"
        if rows:
            ws.append(list(rows[0]))
            for r in rows:
                ws.append([_safe(v) for v in r.values()])
        out = io.BytesIO()
        book.save(out)
        return Response(
            out.getvalue(),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="egdi_{year}.xlsx"'},
        )

    @app.get("/egdi/{year}", **routedoc.PAGE)
    def ranking_page(
        request: Request,
        year: int,
        f: Annotated[RankingFilter, Depends()],
    ) -> HTMLResponse:
        data, view = _ranking(request, year, f)
        return html(request, "ranking.html", data, {**view, "query": request.url.query})

    @app.get(
        "/egdi",
        tags=[routedoc.PAGES],
        status_code=307,
        response_class=RedirectResponse,
        response_description="On to the latest edition's ranking",
    )
    def latest_ranking() -> RedirectResponse:
        """The latest edition's ranking."""
        latest = cache.latest()
        if latest is None:
            raise HTTPException(404, "no edition is loaded")
        return RedirectResponse(f"/egdi/{latest.year}")

    # ----------------------------------------------------------------------------------------- countries
    @app.get("/country/{iso3}.json", tags=["pages"])
    def country_json(request: Request, iso3: Iso3) -> JSONResponse:
        """A country's history over all loaded editions."""
        return JSONResponse(build(pages.country, iso3, language(request))[0])

    @app.get("/country/{iso3}", **routedoc.PAGE)
    def country_page(request: Request, iso3: Iso3) -> HTMLResponse:
        return html(request, "country.html", *build(pages.country, iso3, language(request)))

    @app.get("/compare.json", tags=["pages"])
    def compare_json(
        request: Request,
        c: Countries = ["VNM", "THA", "MYS"],  # noqa: B006 - FastAPI copies defaults
        edition: int = 2024,
    ) -> JSONResponse:
        """Countries side by side in one edition."""
        return JSONResponse(build(pages.compare, c, edition, language(request))[0])

    @app.get("/compare", **routedoc.PAGE)
    def compare_page(
        request: Request,
        c: Countries = ["VNM", "THA", "MYS"],  # noqa: B006 - FastAPI copies defaults
        edition: int = 2024,
    ) -> HTMLResponse:
        return html(request, "compare.html", *build(pages.compare, c, edition, language(request)))

    # ----------------------------------------------------------------------------------------- simulator
    def sim(request: Request, fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        try:
            return fn(cache.editions(), *args)
        except pages.NotFoundError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None

    def sim_context(
        request: Request,
        release: int | None,
        year: int,
        country: str,
        osi: float | None,
        tii: float | None,
        hci: float | None,
        rank: int,
        region_rank: int | None,
        year_from: int,
        raw: list[str] | None = None,
    ) -> dict[str, Any]:
        for v in (osi, tii, hci):
            if v is not None and not 0 <= v <= 1:
                raise HTTPException(status_code=422, detail="component values lie between 0 and 1")
        out = {
            "whatif": sim(request, analysis_pages.whatif, year, country, {"osi": osi, "tii": tii, "hci": hci}),
            "target": sim(request, analysis_pages.target, year, country, rank, region_rank),
            "explain": sim(request, analysis_pages.explain, country, year_from or _before(year), year),
            "nowcast": sim(request, analysis_pages.nowcast, country),
        }
        if release is not None:
            from egovindex.web.collect_routes import reader

            reader(request, "released")
            out["release"] = release_whatif(release, year)
        if raw:
            out["raw"] = sim(request, analysis_pages.raw_whatif, year, country, parse_raw(raw), raw_series())
        return out

    def _before(year: int) -> int:
        earlier = [y for y in cache.editions() if y < year]
        if not earlier:
            raise HTTPException(status_code=404, detail=f"no edition before {year} to explain the change")
        return max(earlier)

    def raw_series() -> Any:
        """The raw indicator series of the reference data (read once per process)."""
        from egovindex.survey.recompute import reference_series

        panel = reference_series(settings.reference_data)
        if panel is None:
            raise HTTPException(status_code=404, detail="no raw indicator series to recompute TII and HCI")
        return panel

    def release_whatif(release_id: int, year: int) -> dict[str, Any]:
        from egovindex.collection.models import Release
        from egovindex.store.db import unit_of_work

        with unit_of_work(engine.execution_options(readonly=True)) as s:
            rel = s.get(Release, release_id)
            if rel is None:
                raise HTTPException(status_code=404, detail=f"no release {release_id}")
            values = {v.indicator_code: v.value for v in rel.values}
            label = {"id": rel.id, "recipient": rel.recipient, "period": rel.period}
        return {**label, **sim(None, analysis_pages.release_whatif, year, values, raw_series())}

    def raw_indicators(year: int) -> list[str]:
        """The raw indicators of an edition that the loaded series can recompute (none without reference data)."""
        from egovindex.analysis.simulate import raw_leaves

        if settings.reference_data is None or year not in cache.editions():
            return []
        return cache.memo(("raw_leaves", year), lambda eds: sorted(raw_leaves(eds[year], raw_series())))

    def parse_raw(items: list[str]) -> dict[str, float]:
        """``indicator=value`` pairs of the raw-indicator what-if."""
        out = {}
        for item in items:
            name, sep, value = item.partition("=")
            try:
                number = float(value.replace(",", "."))
            except ValueError:
                number = float("nan")
            if not sep or not name.strip() or number != number or not 0 <= number <= 1e6:
                raise HTTPException(
                    status_code=422, detail=f"raw: write indicator=value, e.g. fixed_broadband=30, not {item!r}"
                )
            out[name.strip()] = number
        return out

    @app.get("/simulator.json", tags=["simulator"])
    def simulator_json(
        request: Request,
        edition: int = 2024,
        country: Country = "VNM",
        osi: Component = None,
        tii: Component = None,
        hci: Component = None,
        rank: Rank = 50,
        region_rank: RegionRank = 4,
        year_from: int | None = None,
        release: ReleaseChoice = None,
        raw: list[str] = Depends(raw_changes),
    ) -> JSONResponse:
        """What-if on components, the least-cost change to a target rank, the explanation of the last rank
        change and the nowcast, for one country; with ``release``, what that release's national values would do
        to Viet Nam's rank."""
        return JSONResponse(
            sim_context(request, release, edition, country, osi, tii, hci, rank, region_rank, year_from, raw)
        )

    @app.get("/simulator", **routedoc.PAGE)
    def simulator(
        request: Request,
        edition: int = 2024,
        country: Country = "VNM",
        osi: Component = None,
        tii: Component = None,
        hci: Component = None,
        rank: Rank = 50,
        region_rank: RegionRank = 4,
        year_from: int | None = None,
        release: ReleaseChoice = None,
        raw: list[str] = Depends(raw_changes),
        draws: Draws = 1000,
        seed: Seed = 0,
    ) -> HTMLResponse:
        data = sim_context(request, release, edition, country, osi, tii, hci, rank, region_rank, year_from, raw)
        bands = build(analysis_pages.sensitivity, edition, country.upper(), draws, seed)  # same seed, same bands
        return html(
            request,
            "simulator.html",
            data,
            {
                "form": {
                    "edition": edition,
                    "country": country.upper(),
                    "osi": osi,
                    "tii": tii,
                    "hci": hci,
                    "rank": rank,
                    "region_rank": region_rank,
                    "year_from": year_from,
                    "raw": raw,
                    "draws": draws,
                    "seed": seed,
                },
                "sensitivity": bands,
                "raw_indicators": raw_indicators(edition),
                "raw_pairs": [r.split("=", 1) for r in raw] + [None, None],
                "bands_chart": analysis_pages.bands_chart(bands, language(request)),
            },
        )

    @app.get("/sensitivity.json", tags=["simulator"])
    def sensitivity_json(
        request: Request,
        edition: int = 2024,
        country: Country = "VNM",
        draws: Draws = 2000,
        seed: Seed = 0,
    ) -> JSONResponse:
        """Median rank and 5-95% band of the country and of ASEAN under uncertain weights, method and data."""
        return JSONResponse(build(analysis_pages.sensitivity, edition, country.upper(), draws, seed))

    # ----------------------------------------------------------------------------------------- signing in
    @app.get("/login", **routedoc.PAGE)
    def login_page(request: Request, next: NextPage = "/") -> HTMLResponse:
        """The sign-in page; ``next``: the page of this site to go on to."""
        return html(request, "login.html", {}, {"csrf": csrf_token(request), "next": _local(next), "error": None})

    def signed_in_as(username: str, password: str) -> Any:
        """The active user with this name and password, or None (one password check either way)."""
        from egovindex.collection.auth import authenticate
        from egovindex.store.db import unit_of_work

        with unit_of_work(engine) as s:
            return authenticate(s, username, password)

    @app.post(
        "/login",
        **routedoc.extended(
            routedoc.FORM,
            {
                code: {"description": text, "content": {"text/html": {"schema": {"type": "string"}}}}
                for code, text in (
                    (401, "Wrong user name or password: the sign-in page again"),
                    (429, "Too many failed sign-ins: the sign-in page again"),
                )
            },
        ),
    )
    def login(
        request: Request,
        username: LoginName,
        password: Password,
        csrf: str = Form(...),
        next: LocalPath = "/",
    ) -> Response:
        """Sign in (5 failures within 15 minutes lock the user name and the address for 15 minutes)."""
        check_csrf(request, csrf)
        address = request.client.host if request.client else "-"
        keys = (f"user:{username}", f"addr:{address}")
        _ = i18n.gettext(language(request))
        if throttle.locked(*keys):
            error, status = _("Too many failed sign-ins: try again in 15 minutes."), 429
        elif (user := signed_in_as(username, password)) is None:
            throttle.fail(*keys)
            error, status = _("Wrong user name or password."), 401
        else:
            throttle.clear(*keys)
            sign_in(request, user)
            return RedirectResponse(_local(next), status_code=303)
        response = html(request, "login.html", {}, {"csrf": csrf_token(request), "next": _local(next), "error": error})
        response.status_code = status
        return response

    @app.post("/logout", **routedoc.FORM)
    def logout(request: Request, csrf: str = Form(...)) -> RedirectResponse:
        """Sign out (this session)."""
        check_csrf(request, csrf)
        sign_out(request)
        return RedirectResponse("/", status_code=303)

    @app.get(
        "/reports/{period}.{fmt}",
        tags=["reports"],
        response_class=Response,
        responses={
            200: {
                "content": {"application/pdf": {}, "text/html": {}, "application/json": {}},
                "description": "The thematic report as PDF or HTML, or every figure in it as JSON",
            }
        },
    )
    def report_download(request: Request, period: PeriodText, fmt: str) -> Response:
        """The quarterly (2026Q4) or annual (2026) thematic report for the Government Office, in the page's
        language; for signed-in users. Built from the same numbers as the overview."""
        import datetime as dt
        import json

        from egovindex.collection.registry_store import ensure_registry
        from egovindex.reports import build as rb
        from egovindex.store.db import unit_of_work
        from egovindex.web.collect_routes import period_of, reader

        reader(request, "unreleased", agency=None)  # the report shows every agency's unreleased values
        media = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "json": "application/json"}
        if fmt not in media:
            raise HTTPException(status_code=404, detail="formats: pdf, html, json")
        p = period_of(period)
        lang = language(request)
        try:
            raw = raw_series()
        except HTTPException:
            raw = None  # the report says the raw-level what-if is unavailable
        try:
            with unit_of_work(engine) as s:
                ensure_registry(s)
                ctx = rb.context(s, cache.editions(), p, as_of=dt.date.today(), raw=raw)
            if fmt == "json":
                body = json.dumps(ctx, ensure_ascii=False, sort_keys=True, default=str).encode()
            else:
                html_text = rb.render_html(ctx, lang)
                body = rb.render_pdf(html_text) if fmt == "pdf" else html_text.encode()
        except rb.ReportError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return Response(
            body,
            media_type=media[fmt],
            headers={"Content-Disposition": f'attachment; filename="report_{p}_{lang}.{fmt}"'},
        )

    app.include_router(routedoc.documented(collect_routes.router(engine, html)))
    app.include_router(routedoc.documented(review_routes.router(engine, html)))
    routedoc.documented(app.router)

    @app.exception_handler(AuthorisationError)
    async def not_allowed(request: Request, exc: AuthorisationError) -> Response:
        """One answer for every door: 401 when nobody (or an ended session) is signed in, 403 otherwise."""
        status = 401 if isinstance(exc, NotSignedInError) else 403
        headers = {"WWW-Authenticate": "Bearer"} if request.url.path.startswith("/api") and status == 401 else None
        return await not_found(request, HTTPException(status_code=status, detail=str(exc), headers=headers))

    def wants_html(request: Request) -> bool:
        return "text/html" in request.headers.get("accept", "") and not request.url.path.startswith("/api")

    def error_page(request: Request, status: int, detail: Any, headers: dict[str, str] | None = None) -> Response:
        lang = language(request)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"request": request, "lang": lang, "_": i18n.gettext(lang), "status": status, "detail": detail},
            status_code=status,
            headers=headers,
        )

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        """Every refusal, the application's and the router's (no such page, method not allowed): the error page in
        the page's language for a browser, ``{"detail": message}`` for programs."""
        if not wants_html(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return error_page(request, exc.status_code, exc.detail, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        """A parameter out of its bounds: FastAPI's list of errors for programs; for a browser, the error page with
        one line per error (the parameter and why), without echoing the value sent."""
        if not wants_html(request):
            return await request_validation_exception_handler(request, exc)
        lines = [f"{' '.join(str(part) for part in e.get('loc', ()))}: {e.get('msg', '')}" for e in exc.errors()]
        return error_page(request, 422, lines)

    return app


class HeadAsGet:
    """HEAD wherever GET works: the request is answered as a GET, and only the status and headers are sent."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Any) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def raw_changes(
    raw: RawChanges = [],  # noqa: B006 - FastAPI copies defaults
    raw_name_0: str = Query("", max_length=60),
    raw_value_0: str = Query("", max_length=30),
    raw_name_1: str = Query("", max_length=60),
    raw_value_1: str = Query("", max_length=30),
) -> list[str]:
    """The simulator's raw-indicator changes: ``raw=name=value`` (programs), or name and value in two fields each
    (the page's form, which has no script to join them)."""
    pairs = ((raw_name_0, raw_value_0), (raw_name_1, raw_value_1))
    return [r for r in raw if r.strip()] + [f"{n}={v}" for n, v in pairs if n and v.strip()]


def _current_period() -> str:
    """The quarter whose data are being collected now: the last completed quarter."""
    import datetime as dt

    from egovindex.collection.periods import Period

    today = dt.date.today()
    return str(Period(today.year, (today.month - 1) // 3 + 1).previous())


def _local(path: str) -> str:
    """Only redirect within the site."""
    return path if path.startswith("/") and not path.startswith("//") else "/"


def _safe(value: Any) -> Any:
    """A cell value that a spreadsheet can never run as a formula."""
    from egovindex.collection.intake import escape_text

    return escape_text(value) if isinstance(value, str) else value
