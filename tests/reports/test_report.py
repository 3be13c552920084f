"""The thematic report: figures equal the dashboard's, every number in the summary comes from the data, the PDF
renders and its text keeps the figures and Vietnamese diacritics in both languages, a quarter with missing
submissions still gives a report, and the HTML is byte-identical for the same inputs."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape

from egovindex.analysis.standing import overview
from egovindex.collection import workflow
from egovindex.collection.access import get_user
from egovindex.collection.accounts import add_user
from egovindex.collection.intake import Row
from egovindex.collection.registry_store import ensure_registry
from egovindex.domain.periods import Period
from egovindex.reports import build as rb
from egovindex.store.db import make_engine, unit_of_work
from egovindex.store.editions import current_editions
from egovindex.translations import gettext, number

AS_OF = dt.date(2026, 11, 23)
Q4 = Period.parse("2026Q4")
BROADBAND = {"mobile_subs_per100": 140.5, "mobile_broadband_per100": 95.0, "fixed_broadband_per100": 24.0}
SERVICES = {"share_services_level4": 55.0, "share_services_l34": 82.0, "online_dossier_rate": 45.0}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing: .ci/run installs Debian's poppler-utils")
        pytest.skip(f"{name} not installed (Debian's poppler-utils)")
    return path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, reference: Path):  # type: ignore[no-untyped-def]
    """The reference editions, and for 2026Q4 the lead ministry's broadband figures approved; the Government
    Office (which also reports quarterly) has sent nothing."""
    from egovindex.sources import load as loader
    from egovindex.sources.load import reference_manifest
    from egovindex.store.db import upgrade
    from egovindex.survey.recompute import read_series

    url = f"sqlite:///{tmp_path_factory.mktemp('report') / 'report.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    from egovindex.store.editions import save_editions

    save_editions(engine, loader.parse_all(loader.reference_files(reference)))
    with unit_of_work(engine) as s:
        ensure_registry(s)
        add_user(s, actor="setup", username="lan", agency="BKHCN", role="submitter")
        add_user(s, actor="setup", username="minh", agency="BKHCN", role="approver")
        sub, _ = workflow.submit(
            s,
            user=get_user(s, "lan"),
            agency="BKHCN",
            period=Q4,
            rows=[Row(k, v, "VNNIC") for k, v in {**BROADBAND, **SERVICES}.items()],
            channel="json",
            name="api",
        )
        for issue in list(sub.issues):
            if not issue.justification:
                workflow.justify(
                    s, user=get_user(s, "lan"), submission_id=sub.id, rule=issue.rule, text="new survey method"
                )
        workflow.approve(s, user=get_user(s, "minh"), submission_id=sub.id)
    raw = read_series([reference / f for f in reference_manifest()["indicators"]])
    with unit_of_work(engine) as s:
        editions = {e.year: e for e in current_editions(s)}
    return engine, editions, raw


def _report(store, period: Period, lang: str) -> rb.Report:  # type: ignore[no-untyped-def]
    engine, editions, raw = store
    with unit_of_work(engine) as s:
        return rb.build(s, editions, period, lang=lang, as_of=AS_OF, raw=raw)


def test_figures_are_the_dashboard_s(store) -> None:  # type: ignore[no-untyped-def]
    _, editions, _ = store
    dashboard, _ = overview(editions, "vi", today=AS_OF)
    pos = _report(store, Q4, "vi").context["position"]
    assert (pos["edition"], pos["rank"], pos["egdi"], pos["asean_rank"]) == (2024, 71, 0.77092, 5)
    assert (pos["rank"], pos["egdi"], pos["asean_rank"], pos["group"]) == (
        dashboard["rank"],
        dashboard["egdi"],
        dashboard["asean_rank"],
        dashboard["group"],
    )
    assert {k: c["value"] for k, c in pos["components"].items()} == {k: dashboard[k] for k in ("osi", "tii", "hci")}
    gaps = {t["id"]: t["gap"] for t in _report(store, Q4, "en").context["targets"] if t["unit"] == "rank"}
    assert gaps == {t["id"]: t["gap"] for t in dashboard["targets"]} == {"17-2": 1, "749-3": 21, "942-6": 41}
    assert pos["previous"]["rank"] == 86 and pos["components"]["tii"]["rank"] == 67


def test_every_number_in_the_summary_comes_from_the_data(store) -> None:  # type: ignore[no-untyped-def]
    for lang in ("vi", "en"):
        report = _report(store, Q4, lang)
        ctx = report.context
        sentences = rb.summary(ctx, lang)
        rules = [s.rule for s in sentences]
        assert rules[:3] == ["position_up", "components", "explain_gain_loss"] and "nowcast" in rules
        wording = gettext(lang)
        for s in sentences:
            shown = {rb.fmt(v, lang) for v in s.figures.values()}
            # numbers that are part of the wording ("5-95%"), not of the data
            literal = set(re.findall(r"\d+", re.sub(r"\{[^}]+\}", " ", wording(rb.TEMPLATES[s.rule]))))
            for found in re.findall(r"\d+(?:[.,]\d+)*", s.text):
                assert found in literal or any(found in f for f in shown), (lang, s.rule, found, s.text)
            assert str(escape(s.text)) in report.html
        by = {s.rule: s.figures for s in sentences}
        pos = ctx["position"]
        assert by["position_up"] == {
            "edition": 2024,
            "rank": 71,
            "countries": 193,
            "egdi": pos["egdi"],
            "asean_rank": 5,
            "previous_edition": 2022,
            "places": 15,
            "previous_rank": 86,
        }
        assert (by["components"]["best"], by["components"]["worst"]) == ("TII", "HCI")
        ex = ctx["explain"]
        assert by["explain_gain_loss"]["own"] - by["explain_gain_loss"]["others"] == pytest.approx(
            ex["rank_from"] - ex["rank_to"], abs=0.11
        )
        assert by["whatif"]["before"] == 71 and by["whatif"]["after"] == ctx["whatif"]["after"]["rank"]
        assert by["missing"] == {"agencies": "VPCP"}
        assert by["supply"] == {"complete": 1, "expected": 2, "period": "2026Q4"}
        assert by["nowcast"]["rank"] == ctx["nowcast"]["rank"]


def test_the_approved_data_feed_the_what_if(store) -> None:  # type: ignore[no-untyped-def]
    w = _report(store, Q4, "en").context["whatif"]
    assert w["available"] and {c["indicator"] for c in w["changes"]} == {"mobile_subs_per100", "fixed_broadband_per100"}
    assert w["unused"] == ["mobile_broadband_per100"]  # no public series of it: the 2024 TII is recomputed without
    assert w["before"]["rank"] == 71 and w["after"]["tii"] != w["before"]["tii"]
    assert w["after"]["hci"] == pytest.approx(w["before"]["hci"])


def test_online_service_targets_are_checked_against_the_approved_values(store) -> None:  # type: ignore[no-untyped-def]
    rows = {t["id"]: t for t in _report(store, Q4, "en").context["targets"]}
    assert (rows["749-1"]["current"], rows["749-1"]["gap"], rows["749-1"]["status"]) == (55.0, 25.0, "missed")
    assert (rows["17-4"]["current"], rows["17-4"]["gap"], rows["17-4"]["status"]) == (45.0, 0.0, "met")
    assert "36a-1" not in rows  # no approved value of that statistic: not invented


def test_a_quarter_without_submissions_says_who_is_missing(store) -> None:  # type: ignore[no-untyped-def]
    report = _report(store, Period.parse("2026Q3"), "en")
    ctx = report.context
    assert ctx["supply"]["missing"] == ["BKHCN", "VPCP"] and ctx["values"] == {}
    assert ctx["whatif"] == {"available": False, "reason": "no_values"}
    assert "Missing submissions: BKHCN, VPCP." in report.html
    assert "No approved national data for this period yet." in report.html
    annual = _report(store, Period(2026), "en").context
    assert [q["period"] for q in annual["quarters"]] == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert annual["quarters"][3]["complete"] == 1


def test_html_is_byte_identical_for_the_same_inputs(store) -> None:  # type: ignore[no-untyped-def]
    first, second = _report(store, Q4, "vi"), _report(store, Q4, "vi")
    assert first.html.encode() == second.html.encode() and first.context["digest"] == second.context["digest"]
    assert first.html != _report(store, Q4, "en").html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_renders_and_holds_the_dashboard_figures(store, lang: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdftotext, pdftoppm = _tool("pdftotext"), _tool("pdftoppm")
    report = _report(store, Q4, lang)
    pdf = tmp_path / f"report_{lang}.pdf"
    pdf.write_bytes(report.pdf())
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    pos = report.context["position"]
    for value in (pos["egdi"], *(c["value"] for c in pos["components"].values())):
        assert number(value, lang, 4) in text
    assert "0,7709" in text if lang == "vi" else "0.7709" in text
    assert re.search(r"EGDI\s+0[.,]7709\s+71\s+5", text)  # the position table: value, rank, rank in ASEAN
    for t in report.context["targets"]:
        if t["unit"] == "rank":
            assert re.search(rf"{re.escape(t['id'])}:.*?\s{t['threshold']}\s+{t['current']}\s+{t['gap']}\s", text, re.S)
    flat = " ".join(text.split())
    if lang == "vi":
        assert "Báo cáo chuyên đề về các chỉ số Chính phủ điện tử của Việt Nam" in flat
        assert "Tóm tắt" in flat and "Khuyến nghị" in flat and "Mục lục" in flat
        assert "Việt Nam xếp thứ 71/193 với EGDI 0,7709, tăng 15 bậc so với hạng 86 năm 2022" in flat
    else:
        assert "Executive summary" in flat and "Viet Nam's position" in flat
        assert "Viet Nam ranks 71 of 193 with an EGDI of 0.7709, up 15 places from 86 in 2022" in flat
    assert re.search(r"1 / \d+", text)  # page numbers
    assert re.search(r"Executive summary\s*\.+\s*1|Tóm tắt\s*\.+\s*1", text)  # table of contents with pages
    subprocess.run([pdftoppm, "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 6 and all(p.stat().st_size > 2000 for p in pages)
    artefacts = Path(__file__).parents[2] / "test-artifacts"
    artefacts.mkdir(exist_ok=True)
    shutil.copy(pages[0], artefacts / f"report_{lang}_page1.png")


def test_fonts_cover_vietnamese_and_are_embedded(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdffonts = _tool("pdffonts")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(_report(store, Q4, "vi").pdf())
    listing = subprocess.run([pdffonts, str(pdf)], capture_output=True, check=True, text=True).stdout
    rows = listing.splitlines()[2:]
    assert rows and all(" yes yes " in r for r in rows)  # every font embedded (as a subset)
    assert not any("Serif" in r for r in rows)


def test_web_download_and_cli(store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from egovindex.cli import app as cli
    from egovindex.settings import get_settings
    from egovindex.web.app import create_app

    engine, _, _ = store
    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("EGOVINDEX_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("EGOVINDEX_DATABASE_URL", url)
    get_settings.cache_clear()
    with unit_of_work(engine) as s:
        add_user(s, actor="setup", username="hoa", agency="BKHCN", role="lead", password="a long enough password")
    client = TestClient(create_app(url))
    assert client.get("/reports/2026Q4.html").status_code == 401
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    client.post("/login", data={"username": "hoa", "password": "a long enough password", "csrf": token})
    assert 'href="/reports/2026Q4.pdf"' in client.get("/board/2026Q4").text
    figures = client.get("/reports/2026Q4.json").json()
    assert figures["position"]["rank"] == 71 and figures["supply"]["missing"] == ["VPCP"]
    page = client.get("/reports/2026Q4.html", params={"lang": "en"})
    assert page.status_code == 200 and "Executive summary" in page.text
    pdf = client.get("/reports/2026Q4.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/reports/2026Q9.pdf").status_code == 404
    assert client.get("/reports/1999Q1.json").status_code == 409  # no edition up to 1999: said, not invented
    # the command line: the same figures, an atomic write, clear errors
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        cli, ["report", "--period", "2026Q4", "-f", "json", "-o", str(out), "--as-of", "2026-11-23"]
    )
    assert result.exit_code == 0, result.output
    assert "missing submissions: VPCP" in result.output
    import json

    assert json.loads(out.read_text())["position"] == figures["position"]
    bad = CliRunner().invoke(cli, ["report", "--period", "2026"])
    assert bad.exit_code == 2 and "--year 2026" in bad.output
    get_settings.cache_clear()


def test_the_addressees_come_from_the_registry_at_the_reports_date(store) -> None:  # type: ignore[no-untyped-def]
    engine, editions, raw = store
    with unit_of_work(engine) as s:
        before = rb.context(s, editions, Period.parse("2024Q4"), as_of=dt.date(2025, 1, 10), raw=raw)
    after = _report(store, Q4, "vi")
    assert [a["code"] for a in before["addressees"]] == ["VPCP", "BKHDT"]  # the planning ministry until 2025-02-28
    assert [a["code"] for a in after.context["addressees"]] == ["VPCP", "BTC"]  # merged into Finance
    html = rb.render_html(after.context, "vi")
    assert "Gửi Văn phòng Chính phủ và Bộ Tài chính" in html and "Bộ Kế hoạch" not in html
    assert "For the Government Office and the Ministry of Finance" in rb.render_html(after.context, "en")


def test_the_quarter_s_online_public_services_from_the_dossier_records(store, store_env: Path) -> None:  # type: ignore[no-untyped-def]
    from egovindex.services import ingest, warehouse
    from services.hand import CATALOGUE, DOSSIERS, HEAD_C, HEAD_D, write

    q3 = Period.parse("2026Q3")
    assert _report(store, q3, "en").context["services"] == {"available": False, "reason": "no_records"}
    write(store_env / "r" / "catalogue.csv", HEAD_C, CATALOGUE)
    write(store_env / "r" / "dossiers" / "a.csv", HEAD_D, DOSSIERS)
    con = warehouse.connect()  # the settings' file: this test's data folder
    assert con is not None and str(warehouse.path()).startswith(str(store_env))
    ingest.ingest([store_env / "r"], connection=con, rejects=store_env / "rejects.csv")
    con.close()
    report = _report(store, q3, "vi")
    sv = report.context["services"]
    assert sv["available"] and (sv["nation"]["received"], sv["nation"]["online_share"]) == (8, 0.75)
    assert [a["agency_code"] for a in sv["top"]] == ["BKHCN", "N08", "P01"] and sv["bottom"] == []
    assert (sv["flagged_agencies"], sv["agencies"], sv["gaps_total"]) == (1, 3, 1)  # P01 (d3, d4); PG unused
    index = {r["code"]: (r.get("ratio"), r.get("points")) for r in sv["index766"]["rows"]}
    assert index["2.1"] == (0.625, 12.5) and index["tien_do_ket_qua"] == (None, 12.5)
    assert '<h2 id="services">5. Dịch vụ công trực tuyến</h2>' in report.html
    assert "62,5 %" in report.html and "12,50 / 20" in report.html  # on-time rate; 2.1's points
    assert "<svg" in report.html.split('id="services"')[1].split('id="supply"')[0]  # the monthly trend chart
    assert _report(store, Period.parse("2026Q1"), "en").context["services"]["available"] is False


def test_the_annual_report_ranks_the_assessments_of_the_year(store, reference: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assessments.test_dti import long_csv, published
    from egovindex.assessments import values

    engine, _, _ = store
    fw = values.method("dti-2022")
    rows = values.read_csv(long_csv(published(reference), tmp_path / "dti.csv"), fw, 2022)
    with unit_of_work(engine) as s:
        values.record(s, rows, fw=fw, year=2022, source="dti.gov.vn/xep-hang-2022", actor="test")
    annual = _report(store, Period.parse("2022"), "vi")
    [dti] = annual.context["assessments"]
    assert (dti["method"], dti["ranked"]) == ("dti-2022", 5)
    assert [r["unit_code"] for r in dti["rows"]] == ["P48", "P79", "P22", "P46", "P92"]
    assert '<h2 id="assessments">6. Đánh giá các bộ, cơ quan và tỉnh</h2>' in annual.html
    assert '<h2 id="supply">7. ' in annual.html and "0,8002" in annual.html
    quarterly = _report(store, Q4, "vi")
    assert quarterly.context["assessments"] == [] and 'id="assessments"' not in quarterly.html
    assert '<h2 id="supply">6. ' in quarterly.html
