"""Build a thematic report: ``context`` gathers every figure (from the loaded editions, the statistics of the
period and the analysis functions), ``summary`` writes the executive summary from those figures by explicit
rules, ``render_html`` fills the template and ``render_pdf`` prints it with WeasyPrint.

Every sentence of the summary keeps the figures it states (``Sentence.figures``), so a test can check each number
in the text against the data. The HTML is a pure function of the inputs (editions, store, period, language and
the ``as_of`` date): the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egovindex import charts, methodologies, registry
from egovindex.analysis import national_targets
from egovindex.domain.periods import Period
from egovindex.translations import gettext, number

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from egovindex.domain import Edition
    from egovindex.engine import Panel

COUNTRY = "VNM"
COMPONENT_STEP = 0.01  # recommendations: places gained per 0.01 of a component
RANK_TARGET, ASEAN_TARGET = 50, 4
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))


class ReportError(ValueError):
    """A report that cannot be built; says why and what to do."""


@dataclass
class Sentence:
    """One sentence of the executive summary and the figures it states (raw values, before formatting)."""

    rule: str
    text: str
    figures: dict[str, Any]


@dataclass
class Report:
    period: str
    lang: str
    context: dict[str, Any]
    html: str
    timings: dict[str, float] = field(default_factory=dict)

    def pdf(self) -> bytes:
        started = time.perf_counter()
        out = render_pdf(self.html)
        self.timings["pdf"] = time.perf_counter() - started
        return out

    def body(self, fmt: str) -> bytes:
        """The report as a file: ``pdf``, ``html``, or ``json`` (every figure in it)."""
        if fmt == "json":
            return json.dumps(self.context, ensure_ascii=False, indent=2, sort_keys=True, default=str).encode()
        return self.pdf() if fmt == "pdf" else self.html.encode()


# ------------------------------------------------------------------------------------------------ figures
def _edition_for(editions: dict[int, Edition], period: Period) -> int:
    years = [y for y in editions if y <= period.year]
    if not years:
        raise ReportError(f"no UN edition up to {period.year} is loaded: run egovindex sources load first")
    return max(years)


def position(editions: dict[int, Edition], year: int) -> dict[str, Any]:
    """Viet Nam's rank, EGDI, components with their ranks among assessed countries, and the edition before."""
    from egovindex.analysis.state import EditionState
    from egovindex.engine.rank import competition_rank
    from egovindex.survey.egdi import profile

    chosen = [editions[y] for y in sorted(editions) if y <= year]
    history = profile(chosen, COUNTRY)
    now = history[-1]
    earlier = [h for h in history[:-1] if h["rank"] is not None]
    state = EditionState.of(editions[year])
    i = state.index(COUNTRY)
    asean = state.members("asean")
    comps = {}
    for j, code in enumerate(("osi", "tii", "hci")):
        ranks = competition_rank(state.components[:, j])
        in_asean = competition_rank(state.components[asean, j])
        comps[code] = {
            "value": now[code],
            "rank": int(ranks[i]),
            "asean_rank": int(in_asean[list(asean.nonzero()[0]).index(i)]),
        }
    return {
        "edition": year,
        "countries": len(state.entities),
        "rank": now["rank"],
        "egdi": now["egdi"],
        "group": now["group"],
        "asean_rank": now["asean_rank"],
        "asean_members": int(asean.sum()),
        "components": comps,
        "previous": None
        if not earlier
        else {k: earlier[-1][k] for k in ("edition", "rank", "egdi", "asean_rank", "osi", "tii", "hci")},
        "trend": [{"edition": h["edition"], "rank": h["rank"], "asean_rank": h["asean_rank"]} for h in history],
    }


def approved_values(session: Session, period: Period) -> dict[str, dict[str, Any]]:
    """The period's approved (or released) national values, one per statistic: the reconciled value where a
    discrepancy was resolved, else the owner agency's, else a contributor's."""
    from egovindex.collection import reconcile, workflow

    reg = registry.load()
    out: dict[str, dict[str, Any]] = {}
    for agency in reg.agencies_at(period.end):
        sub = workflow.latest(session, agency.code, period)
        if sub is None or sub.status not in ("approved", "released"):
            continue
        for v in sub.values:
            owner = reg.owner(v.indicator_code, period.end)
            current = out.get(v.indicator_code)
            if current is None or (agency.code == owner and current["agency"] != owner):
                out[v.indicator_code] = {"value": v.value, "agency": agency.code, "submission": sub.id}
    for code, item in out.items():
        state, value = reconcile.for_release(session, code, period)
        if state == "resolved" and value is not None:
            item.update(value=value, reconciled=True)
    return dict(sorted(out.items()))


def whatif(edition: Edition, values: dict[str, dict[str, Any]], raw: Panel | None, usable: set[str]) -> dict[str, Any]:
    """What the period's approved national values would do to Viet Nam's rank in the edition (raw level: every
    country's TII and HCI recomputed with the edition's method from the ``usable`` raw indicators)."""
    from egovindex.analysis.simulate import national_changes, simulate

    if not values:
        return {"available": False, "reason": "no_values"}
    if raw is None:
        return {"available": False, "reason": "no_raw"}
    changes, unused = national_changes(edition, {k: v["value"] for k, v in values.items()}, raw, usable)
    if not changes:
        return {"available": False, "reason": "no_egdi_values"}
    sim = simulate(edition, changes, region="asean", raw=raw, report=[COUNTRY])
    return {
        "available": True,
        "changes": [{"indicator": c.target, "value": c.value} for c in changes],
        # statistics of the EGDI that the edition's method cannot use with the loaded series
        "unused": sorted(c.target for c in unused),
        "before": sim.before[COUNTRY],
        "after": sim.after[COUNTRY],
    }


def supply(session: Session, period: Period, as_of: dt.date) -> dict[str, Any]:
    """Data supply of the period: completeness and timeliness per agency, discrepancies, releases."""
    from sqlalchemy import select

    from egovindex.collection import reconcile, workflow
    from egovindex.store.collection import Release

    agencies = workflow.status(session, period=period, today=as_of)
    discrepancies = reconcile.listing(session, period=period)
    releases = session.scalars(select(Release).where(Release.period == str(period)).order_by(Release.id))
    return {
        "agencies": agencies,
        "expected": len(agencies),
        "complete": sum(1 for a in agencies if a["completeness"] >= 1),
        "on_time": sum(1 for a in agencies if a["on_time"]),
        "missing": [a["agency"] for a in agencies if a["status"] == "missing"],
        "incomplete": [a["agency"] for a in agencies if a["status"] != "missing" and a["completeness"] < 1],
        "discrepancies": discrepancies,
        "discrepancies_open": sum(1 for d in discrepancies if d["status"] == "open"),
        "discrepancies_resolved": sum(1 for d in discrepancies if d["status"] == "resolved"),
        "releases": [
            {
                "id": r.id,
                "recipient": r.recipient,
                "values": len(r.values),
                "hash": r.content_hash,
                "corrects": r.supersedes_id,
                "reason": r.reason,
                "date": r.created_at.date().isoformat(),
            }
            for r in releases
        ],
    }


SERVICES_LISTED = 5  # agencies named at the top and at the bottom of the online share


def online_services(period: Period) -> dict[str, Any]:
    """The period's online public services measured from the dossier records (the dashboard's figures, through
    the same service), or why there are none: no warehouse, no dossier received in the period, or an ingestion
    holding the warehouse."""
    from egovindex.services import dashboard, stats, warehouse

    try:
        with warehouse.reading(missing_ok=True) as con:
            if con is None:
                return {"available": False, "reason": "no_records"}
            data = dashboard.dashboard(stats.Span.parse(str(period)), connection=con)
    except warehouse.BusyError:
        return {"available": False, "reason": "busy"}
    if not data["nation"]["received"]:
        return {"available": False, "reason": "no_records"}
    agencies = data["agencies"]
    index = data["index766"]
    return {
        "available": True,
        "nation": data["nation"],
        "levels": data["levels"],
        "agencies": len(agencies),
        "top": agencies[:SERVICES_LISTED],
        "bottom": agencies[-SERVICES_LISTED:] if len(agencies) > 2 * SERVICES_LISTED else [],
        "flagged_agencies": sum(1 for a in agencies if a["flags"]),
        "flags": len(data["flags"]),
        "gaps_total": data["gaps_total"],
        "trend": data["trend"],
        "index766": {
            "method": index["method"],
            "version": index["version"],
            "rows": [
                {"code": n["code"], "name": n["name"], "name_vi": n["name_vi"], "max_points": n["max_points"],
                 **index["nation"].get(n["code"], {})}
                for n in index["nodes"]
                if n["code"] in index["columns"]
            ],
            "assumptions": index["assumptions"],
        },
    }  # fmt: skip


ASSESSED_LISTED = 10  # units named per method in the annual report


def assessments(session: Session, period: Period) -> list[dict[str, Any]]:
    """For an annual report: each assessment method with scored units in the year, its leading units (the
    ranking of ``egovindex assess rank``, through the same service), the count ranked and the assumptions named;
    nothing for a quarter."""
    if period.quarter is not None:
        return []
    from egovindex.assessments.values import methods
    from egovindex.services import assessment

    out = []
    for m in methods():
        ranking = assessment.rank(session, m["id"], period.year)
        scored = [r for r in ranking.rows if r["score"] is not None]
        if not scored:
            continue
        out.append(
            {
                "method": ranking.method,
                "version": ranking.version,
                "name": m["name"],
                "name_vi": m["name_vi"],
                "ranked": len(scored),
                "rows": scored[:ASSESSED_LISTED],
                "assumptions": sorted(ranking.assumptions),
            }
        )
    return out


def recommendations(edition: Edition, raw: Panel | None, usable: set[str]) -> dict[str, Any]:
    """The improvements with the largest rank gain per unit, with their owner agencies, and the least-cost change
    of components that reaches rank 50 and 4th in ASEAN."""
    from egovindex.analysis.simulate import Change, simulate
    from egovindex.analysis.state import AnalysisError
    from egovindex.analysis.target import Target, seek

    reg = registry.load()

    def owner(code: str) -> dict[str, str] | None:
        found = registry.owner(code)
        return None if found is None else {"agency": found.agency, "name": found.name, "name_vi": found.name_vi}

    def gain(change: Change) -> int:
        sim = simulate(edition, [change], region="asean", raw=raw, report=[COUNTRY])
        return int(sim.before[COUNTRY]["rank"] - sim.after[COUNTRY]["rank"])

    rows = [
        {
            "indicator": comp,
            "level": "component",
            "step": COMPONENT_STEP,
            "places": gain(Change(COUNTRY, comp, "shift", COMPONENT_STEP)),
            "owner": owner(comp),
        }
        for comp in ("osi", "tii", "hci")
    ]
    if raw is not None:
        for leaf in sorted(usable):
            code = next((i.code for i in reg.indicators if i.raw_indicator == leaf), None)
            rows.append(
                {
                    "indicator": leaf,
                    "level": "raw",
                    "step": 1.0,
                    "places": gain(Change(COUNTRY, leaf, "shift", 1.0)),
                    "owner": owner(code) if code else None,
                }
            )
    rows.sort(key=lambda r: (-r["places"], r["level"], r["indicator"]))
    try:
        result = seek(edition, COUNTRY, Target(rank=RANK_TARGET, region="asean", region_rank=ASEAN_TARGET)).to_dict()
        path = {
            "reached_rank": result["reached_rank"],
            "reached_region_rank": result["reached_region_rank"],
            "changes": result["changes"],
        }
    except AnalysisError as exc:
        path = {"error": str(exc)}
    return {"per_unit": rows, "target": path}


def provenance(editions: dict[int, Edition], year: int) -> list[dict[str, Any]]:
    out = []
    for y in sorted(editions):
        if y > year:
            continue
        f = methodologies.egdi(y)
        src = editions[y].source
        out.append(
            {
                "edition": y,
                "methodology": f.id,
                "version": f.version,
                "digest": f.digest(),
                "verification": dict(f.verification),
                "source": Path(src.uri).name if src else None,
                "sha256": src.sha256 if src else None,
            }
        )
    return out


def context(
    session: Session,
    editions: dict[int, Edition],
    period: Period,
    *,
    as_of: dt.date,
    raw: Panel | None = None,
) -> dict[str, Any]:
    """Every figure of the report, as plain data (what the JSON download holds)."""
    from egovindex.analysis.explain import explain
    from egovindex.analysis.figures import nowcast
    from egovindex.analysis.simulate import raw_leaves
    from egovindex.analysis.state import AnalysisError

    year = _edition_for(editions, period)
    pos = position(editions, year)
    values = approved_values(session, period)
    edition = editions[year]
    usable = set() if raw is None else raw_leaves(edition, raw)  # raw indicators the edition can recompute from
    explanation = None
    if pos["previous"]:
        try:
            explanation = explain(editions[pos["previous"]["edition"]], edition, COUNTRY).to_dict()
            explanation.pop("parts_exact")
        except AnalysisError:
            explanation = None
    quarters = []
    if period.quarter is None:
        from egovindex.collection import workflow

        for q in range(1, 5):
            rows = workflow.status(session, period=Period(period.year, q), today=as_of)
            quarters.append(
                {
                    "period": f"{period.year}Q{q}",
                    "expected": len(rows),
                    "complete": sum(1 for a in rows if a["completeness"] >= 1),
                    "on_time": sum(1 for a in rows if a["on_time"]),
                }
            )
    ctx = {
        "country": COUNTRY,
        "period": str(period),
        "kind": "quarterly" if period.quarter else "annual",
        "as_of": as_of.isoformat(),
        "addressees": [
            {"code": a.code, "name": a.name, "name_vi": a.name_vi} for a in registry.load().addressees_at(as_of)
        ],
        "deadline": period.deadline.isoformat(),
        "position": pos,
        "asean": _asean(edition),
        "explain": explanation,
        "values": values,
        "whatif": whatif(edition, values, raw, usable),
        "nowcast": nowcast({y: e for y, e in editions.items() if y <= year}, COUNTRY),
        "targets": national_targets.status(pos["rank"], pos["asean_rank"], values, as_of),
        "supply": supply(session, period, as_of),
        "services": online_services(period),
        "assessments": assessments(session, period),
        "quarters": quarters,
        "recommendations": recommendations(edition, raw, usable),
        "methodologies": provenance(editions, year),
    }
    ctx["digest"] = hashlib.sha256(json.dumps(ctx, sort_keys=True, default=str).encode()).hexdigest()
    return ctx


def _asean(edition: Edition) -> list[dict[str, Any]]:
    from egovindex.survey.egdi import ranking

    keys = ("iso3", "country", "egdi", "osi", "tii", "hci", "rank", "region_rank")
    return [{k: r[k] for k in keys} for r in ranking(edition, region="asean", components=True)]


# ------------------------------------------------------------------------------------------------ summary
_LEAD = "In the {edition} UN E-Government Survey Viet Nam ranks {rank} of {countries} with an EGDI of {egdi}"
_CHANGE = "Of the change from {rank_from} to {rank_to}, Viet Nam's own components "
TEMPLATES = {
    "position": _LEAD + "; rank {asean_rank} in ASEAN.",
    "position_up": _LEAD
    + ", up {places} places from {previous_rank} in {previous_edition}; rank {asean_rank} in ASEAN.",
    "position_down": _LEAD
    + ", down {places} places from {previous_rank} in {previous_edition}; rank {asean_rank} in ASEAN.",
    "position_same": _LEAD + ", unchanged from {previous_edition}; rank {asean_rank} in ASEAN.",
    "components": "Strongest component: {best} {best_value} (rank {best_rank}); weakest: {worst} {worst_value} "
    "(rank {worst_rank}).",
    "explain_gain_gain": _CHANGE + "gained {own} places ({main} alone {main_part}); changes in other countries "
    "gained {others}.",
    "explain_gain_loss": _CHANGE + "gained {own} places ({main} alone {main_part}); changes in other countries "
    "lost {others}.",
    "explain_loss_gain": _CHANGE + "lost {own} places ({main} alone {main_part}); changes in other countries "
    "gained {others}.",
    "explain_loss_loss": _CHANGE + "lost {own} places ({main} alone {main_part}); changes in other countries "
    "lost {others}.",
    "target": "Target {id} ({source}: rank {threshold} or better by {deadline}) is {status}: {gap} places to gain.",
    "target_one": "Target {id} ({source}: rank {threshold} or better by {deadline}) is {status}: {gap} place to gain.",
    "supply": "{complete} of {expected} agencies supplied complete data for {period}.",
    "missing": "Missing submissions: {agencies}.",
    "whatif": "With the approved national data of {period} the rank would be {after} instead of {before}.",
    "nowcast": "Nowcast of the {edition} edition: rank {rank} (5-95% range {low}-{high}).",
}


def summary(ctx: dict[str, Any], lang: str) -> list[Sentence]:
    """The executive summary by explicit rules (``TEMPLATES``); each sentence states only the figures it carries."""
    _ = gettext(lang)
    pos = ctx["position"]
    out: list[Sentence] = []

    def say(rule: str, **figures: Any) -> None:
        shown = {k: fmt(v, lang) for k, v in figures.items()}
        out.append(Sentence(rule, _(TEMPLATES[rule]).format(**shown), figures))

    # 1. rank and its change
    prev = pos["previous"]
    figures = {
        "edition": pos["edition"],
        "rank": pos["rank"],
        "countries": pos["countries"],
        "egdi": pos["egdi"],
        "asean_rank": pos["asean_rank"],
    }
    if prev is None:
        say("position", **figures)
    else:
        moved = prev["rank"] - pos["rank"]
        figures["previous_edition"] = prev["edition"]
        if moved:
            figures.update(places=abs(moved), previous_rank=prev["rank"])
        say("position_up" if moved > 0 else "position_down" if moved < 0 else "position_same", **figures)
    # 2. strongest and weakest component, by their rank among countries
    comps = pos["components"]
    best = min(comps, key=lambda c: (comps[c]["rank"], c))
    worst = max(comps, key=lambda c: (comps[c]["rank"], c))
    say(
        "components",
        best=best.upper(),
        best_value=comps[best]["value"],
        best_rank=comps[best]["rank"],
        worst=worst.upper(),
        worst_value=comps[worst]["value"],
        worst_rank=comps[worst]["rank"],
    )
    # 3. what moved the rank: places gained or lost through Viet Nam's own components and through the others
    ex = ctx["explain"]
    if ex and ex["rank_to"] != ex["rank_from"]:
        own = {k: v for k, v in ex["parts"].items() if k.startswith("own_")}
        main = max(own, key=lambda k: (abs(own[k]), k))
        own_gain = round(-sum(own.values()), 1)
        others_gain = round(-sum(v for k, v in ex["parts"].items() if not k.startswith("own_")), 1)
        rule = f"explain_{'gain' if own_gain >= 0 else 'loss'}_{'gain' if others_gain >= 0 else 'loss'}"
        say(
            rule,
            rank_from=ex["rank_from"],
            rank_to=ex["rank_to"],
            own=abs(own_gain),
            main=main.removeprefix("own_").upper(),
            main_part=abs(round(own[main], 1)),
            others=abs(others_gain),
        )
    # 4. rank targets at risk or missed
    for t in ctx["targets"]:
        if t["status"] in ("at risk", "missed") and t["unit"] == "rank":
            say(
                "target_one" if t["gap"] == 1 else "target",
                id=t["id"],
                source=t["source"],
                threshold=t["threshold"],
                deadline=t["deadline"],
                status=_(t["status"]),
                gap=t["gap"],
            )
    # 5. data supply, and who is missing
    s = ctx["supply"]
    say("supply", complete=s["complete"], expected=s["expected"], period=ctx["period"])
    if s["missing"]:
        say("missing", agencies=", ".join(s["missing"]))
    # 6. what the approved national data would do
    w = ctx["whatif"]
    if w["available"]:
        say("whatif", period=ctx["period"], after=w["after"]["rank"], before=w["before"]["rank"])
    # 7. the nowcast
    n = ctx["nowcast"]
    if n.get("rank") is not None:
        say("nowcast", edition=n["edition"], rank=n["rank"], low=n["rank_p05"], high=n["rank_p95"])
    return out


def fmt(value: Any, lang: str) -> str:
    """A figure as the report shows it: index values with 4 decimals, parts with 1, whole numbers as they are."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 1):
        return str(int(value))
    if abs(value) < 1:
        return number(value, lang, 4)
    return number(value, lang, 1)


# ------------------------------------------------------------------------------------------------ rendering
def chart_set(ctx: dict[str, Any], lang: str) -> dict[str, charts.Chart]:
    from egovindex.sources.countries import country_name

    _ = gettext(lang)
    pos = ctx["position"]
    asean = ctx["asean"]
    name = next((country_name(r["iso3"], lang, r["country"]) for r in asean if r["iso3"] == COUNTRY), "Viet Nam")
    trend = [{"edition": h["edition"], "rank": h["rank"], "country": name} for h in pos["trend"] if h["rank"]]
    peers = [r for r in asean if r["region_rank"] in (1, ASEAN_TARGET) or r["iso3"] == COUNTRY]
    bars = [
        {"component": k.upper(), "value": r[k], "country": country_name(r["iso3"], lang, r["country"])}
        for r in peers
        for k in ("egdi", "osi", "tii", "hci")
        if r[k] is not None
    ]
    gaps = [
        {"target": f"{t['id']} ({t['threshold']})", "gap": t["gap"], "status": _(t["status"])}
        for t in ctx["targets"]
        if t["unit"] == "rank"
    ]
    out = {}
    if ctx["services"]["available"]:
        from egovindex.services.dashboard import trend_chart

        out["services"] = trend_chart({"period": ctx["period"], "trend": ctx["services"]["trend"]}, lang)
    return out | {
        "trend": charts.rank_trend(
            trend,
            title=_("Viet Nam's EGDI rank, 2003-2024"),
            rank_label=_("Rank among UN Member States"),
            edition_label=_("Survey edition"),
            description=", ".join(f"{h['edition']}: {h['rank']}" for h in trend),
            lang=lang,
        ),
        "components": charts.components(
            bars,
            title=_("EGDI and its components, {year}").format(year=pos["edition"]),
            value_label=_("Index value (0-1)"),
            description="; ".join(f"{b['country']} {b['component']} {fmt(b['value'], lang)}" for b in bars),
            lang=lang,
        ),
        "gaps": charts.target_gaps(
            gaps,
            title=_("Places to gain to reach each rank target"),
            label=_("Places"),
            description="; ".join(f"{g['target']}: {g['gap']}" for g in gaps),
            lang=lang,
        ),
    }


def render_html(ctx: dict[str, Any], lang: str, timings: dict[str, float] | None = None) -> str:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    timings = timings if timings is not None else {}
    started = time.perf_counter()
    figures = chart_set(ctx, lang)
    timings["charts"] = time.perf_counter() - started
    started = time.perf_counter()
    _ = gettext(lang)
    env = Environment(
        loader=FileSystemLoader(str(resources.files("egovindex.reports") / "templates")),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda v, d=4: number(v, lang, d)
    env.filters["fig"] = lambda v: fmt(v, lang)
    from egovindex.analysis.figures import explain_labels, indicator_names
    from egovindex.sources.countries import country_name
    from egovindex.translations import date

    names = {
        **{i.code: i.name_vi if lang == "vi" else i.name for i in registry.load().indicators},
        **indicator_names(ctx["position"]["edition"], lang),
    }
    agencies = {a.code: (a.name_vi if lang == "vi" else a.name) for a in registry.load().agencies}

    html = env.get_template("report.html").render(
        ctx=ctx,
        lang=lang,
        _=_,
        date=lambda d: date(d, lang),
        country=lambda iso3, un_name: country_name(iso3, lang, un_name),
        agency=lambda code: f"{agencies.get(code, code)} ({code})",
        pct=lambda share: "–" if share is None else number(100 * share, lang, 1) + " %",
        parts=explain_labels(lang),
        names=names,
        summary=summary(ctx, lang),
        charts=figures,
        css=(resources.files("egovindex.reports") / "templates" / "report.css").read_text(encoding="utf-8"),
    )
    timings["html"] = time.perf_counter() - started
    return html


def font_file() -> Path:
    """A font that covers Vietnamese (DejaVu Sans, Debian's fonts-dejavu-core), embedded in the PDF."""
    for folder in FONT_DIRS:
        path = folder / "DejaVuSans.ttf"
        if path.exists():
            return path
    raise ReportError(
        "no font covering Vietnamese found (DejaVu Sans): install Debian's fonts-dejavu-core "
        "(apt-get install fonts-dejavu-core)"
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    regular = font_file()
    bold = regular.with_name("DejaVuSans-Bold.ttf")
    faces = f"@font-face {{ font-family: 'Report Sans'; src: url('{regular.as_uri()}'); }}\n"
    if bold.exists():
        faces += f"@font-face {{ font-family: 'Report Sans'; font-weight: bold; src: url('{bold.as_uri()}'); }}\n"
    fonts = FontConfiguration()
    return HTML(string=html).write_pdf(stylesheets=[CSS(string=faces, font_config=fonts)], font_config=fonts)


FORMATS = ("pdf", "html", "json")


def produce(
    engine: Engine,
    editions: dict[int, Edition],
    period: Period,
    *,
    lang: str,
    as_of: dt.date,
    raw: Panel | None = None,
) -> Report:
    """The report as every face asks for it (``egovindex report``, ``/reports/{period}.{fmt}``): the registry
    stored first, in a transaction of its own, then every figure read in one transaction, then the HTML."""
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.store.db import unit_of_work

    with unit_of_work(engine) as session:
        ensure_registry(session)
    with unit_of_work(engine) as session:
        return build(session, editions, period, lang=lang, as_of=as_of, raw=raw)


def build(
    session: Session,
    editions: dict[int, Edition],
    period: Period,
    *,
    lang: str,
    as_of: dt.date,
    raw: Panel | None = None,
) -> Report:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    ctx = context(session, editions, period, as_of=as_of, raw=raw)
    timings["figures"] = time.perf_counter() - started
    html = render_html(ctx, lang, timings)
    return Report(str(period), lang, ctx, html, timings)
