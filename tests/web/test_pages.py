"""The public pages and their JSON twins, through the in-process client."""

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from egovindex.web.app import SECURITY_HEADERS, create_app


@pytest.fixture(scope="module")
def client(loaded_store: str) -> TestClient:
    return TestClient(create_app(loaded_store))


def test_overview_json_and_html_agree(client: TestClient) -> None:
    data = client.get("/overview.json").json()
    assert (data["edition"], data["rank"], data["egdi"], data["asean_rank"], data["group"]) == (
        2024,
        71,
        0.77092,
        5,
        "Very High",
    )
    assert [t["edition"] for t in data["trend"]][:3] == [2003, 2004, 2005] and data["trend"][-1]["rank"] == 71
    targets = {t["id"]: t for t in data["targets"]}
    assert targets["17-2"]["status"] == "missed" and targets["17-2"]["gap"] == 1  # top 4 in ASEAN by 2025
    assert targets["942-6"]["status"] == "at risk" and targets["942-6"]["gap"] == 41  # top 30 by 2030
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="rank">71<' in page.text and "0,7709" in page.text  # Vietnamese number format by default
    assert "Việt Nam trong Chỉ số Phát triển Chính phủ điện tử" in page.text and "<svg" in page.text
    assert re.search(r"\d{4}Q[1-4]: \d{2}/\d{2}/\d{4}</li>", page.text)  # dd/mm/yyyy in Vietnamese
    assert 'href="/overview.json"' in page.text


def test_english_switch_sets_a_cookie(client: TestClient) -> None:
    page = client.get("/?lang=en")
    assert "Viet Nam in the UN E-Government Development Index" in page.text and "0.7709" in page.text
    assert "lang=en" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]
    assert "Overview" in client.get("/egdi/2024").text  # the cookie keeps English
    client.cookies.clear()


def test_ranking_json_rows_and_filters(client: TestClient) -> None:
    data = client.get("/egdi/2024.json").json()
    assert len(data["rows"]) == 193 and {"iso3", "country", "egdi", "rank"} <= set(data["rows"][0])
    asean = client.get("/egdi/2024.json", params={"region": "asean"}).json()["rows"]
    assert [r["iso3"] for r in asean][:5] == ["SGP", "THA", "MYS", "IDN", "VNM"]
    low = client.get("/egdi/2024.json", params={"group": "Low"}).json()["rows"]
    assert low and all(r["group"] == "Low" for r in low)
    by_tii = client.get("/egdi/2024.json", params={"region": "035", "sort": "tii"}).json()["rows"]
    assert [r["tii"] for r in by_tii] == sorted((r["tii"] for r in by_tii), reverse=True)
    assert client.get("/egdi/2003.json").json()["not_assessed"][0]["reason"]


def test_downloads_contain_exactly_what_the_page_shows(client: TestClient) -> None:
    params = {"region": "asean", "sort": "egdi"}
    shown = client.get("/egdi/2024.json", params=params).json()["rows"]
    rows = list(csv.DictReader(io.StringIO(client.get("/egdi/2024.csv", params=params).text)))
    assert [r["iso3"] for r in rows] == [r["iso3"] for r in shown]
    book = load_workbook(io.BytesIO(client.get("/egdi/2024.xlsx", params=params).content))
    sheet = [[c.value for c in row] for row in book.active.iter_rows()]
    assert sheet[0] == list(shown[0]) and [r[0] for r in sheet[1:]] == [r["iso3"] for r in shown]
    html = client.get("/egdi/2024", params=params).text
    table = html[html.index('id="ranking"') :]
    assert len(re.findall(r'<a href="/country/[A-Z]{3}">', table)) == len(shown)


def test_country_and_compare(client: TestClient) -> None:
    vnm = client.get("/country/VNM.json").json()
    assert vnm["country"] == "Viet Nam" and [h["rank"] for h in vnm["history"]][-3:] == [86, 86, 71]
    assert "<svg" in client.get("/country/vnm").text
    both = client.get("/compare.json", params={"c": ["VNM", "THA"], "edition": 2024}).json()
    assert [(r["iso3"], r["rank"]) for r in both["rows"]] == [("VNM", 71), ("THA", 52)]
    page = client.get("/compare", params={"c": ["VNM", "THA"], "edition": 2024}).text
    assert page.count("<svg") == 2 and "visually-hidden" in page
    assert 'href="/compare.json?c=VNM&amp;c=THA&amp;edition=2024"' in page  # the twin of what is shown


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/egdi/2030", 404),
        ("/egdi/2030.json", 404),
        ("/country/XXX", 404),
        ("/country/XXX.json", 404),
        ("/egdi/2024.json?group=Huge", 404),
        ("/compare.json?c=XXX", 404),
        ("/egdi/abc", 422),
    ],
)
def test_errors_are_clear(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    if path.endswith(".json") or ".json?" in path:
        assert response.json()["detail"]


def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/", "/egdi/2024.json", "/static/style.css", "/country/XXX"):
        response = client.get(path)
        for header, value in SECURITY_HEADERS.items():
            assert response.headers[header] == value
    assert "'unsafe-inline'" not in SECURITY_HEADERS["Content-Security-Policy"]
    assert "<script" not in client.get("/").text  # no inline scripts at all


def test_every_ui_string_has_a_vietnamese_translation() -> None:
    from pathlib import Path

    from egovindex.reports.build import TEMPLATES
    from egovindex.translations import catalogue

    root = Path(__file__).parents[2] / "src/egovindex"
    found = set(TEMPLATES.values())  # the report's summary sentences
    for f in [
        *root.glob("web/templates/*.html"),
        root / "analysis/standing.py",
        root / "analysis/figures.py",
        root / "reports/templates/report.html",
        root / "reports/build.py",
    ]:
        found |= {a or b for a, b in re.findall(r"""_\("([^"]+)"\)|_\('([^']+)'\)""", f.read_text(encoding="utf-8"))}
    missing = sorted(found - set(catalogue("vi")))
    assert not missing, f"add to translations/vi/LC_MESSAGES/messages.po: {missing}"
    assert catalogue("vi")["Very High"] == "Rất cao"


def test_simulator_page_and_twin(client: TestClient) -> None:
    data = client.get("/simulator.json", params={"hci": 0.8}).json()
    assert data["whatif"]["before"]["rank"] == 71 and data["whatif"]["after"]["rank"] == 65
    assert data["target"]["reached_rank"] <= 50 and data["target"]["changes"][0]["owner"]
    assert data["explain"]["rank_from"] == 86 and sum(data["explain"]["parts"].values()) == pytest.approx(-15)
    assert data["nowcast"]["edition"] == 2026 and data["nowcast"]["rank_p05"] <= data["nowcast"]["rank_p95"]
    page = client.get("/simulator", params={"hci": 0.8, "lang": "en"}).text
    assert 'id="rank-after">65<' in page and "Least-cost change" in page
    client.cookies.clear()
    assert client.get("/simulator.json", params={"hci": 1.5}).status_code == 422
    assert client.get("/simulator.json", params={"country": "XXX"}).status_code == 404


def test_sensitivity_twin(client: TestClient) -> None:
    data = client.get("/sensitivity.json", params={"draws": 300, "seed": 2}).json()
    assert data["country"]["iso3"] == "VNM" and data["country"]["p05"] <= 71 <= data["country"]["p95"]
    assert len(data["asean"]) == 10


@pytest.mark.parametrize("value", [0.77092, 1234.5678, -0.5, 0.0, 1e6])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_numbers_follow_babel_s_notation(value: float, lang: str) -> None:
    from babel.numbers import format_decimal

    from egovindex.translations import number

    assert number(value, lang) == format_decimal(value, format="#,##0.0000", locale=lang)


def test_simulator_raw_indicators_and_sensitivity_bands(client: TestClient) -> None:
    base = client.get("/simulator.json", params={"raw": "fixed_broadband_per100=21.6"}).json()["raw"]
    assert "fixed_broadband_per100" in base["indicators"] and base["before"]["rank"] == 71
    more = client.get("/simulator.json", params={"raw": "fixed_broadband_per100=60"}).json()["raw"]
    # more broadband raises TII (every country's TII recomputed with the edition's method) and never the rank number
    assert more["after"]["tii"] > base["after"]["tii"] and more["after"]["rank"] <= base["after"]["rank"]
    assert more["after"]["hci"] == pytest.approx(more["before"]["hci"])
    assert client.get("/simulator.json", params={"raw": "broadband"}).status_code == 422
    assert client.get("/simulator.json", params={"raw": "osi_x=3"}).status_code == 404
    page = client.get(
        "/simulator", params={"raw_name_0": "fixed_broadband_per100", "raw_value_0": "60", "draws": 300}
    ).text
    assert 'id="raw-whatif">' in page and f"<strong>{more['after']['rank']}</strong>" in page
    assert 'id="sensitivity"' in page and page.count("<svg") == 1  # the ASEAN bands chart
    assert re.search(r"Việt Nam: trung vị thứ hạng \d+,\s+khoảng 5-95% \d+–\d+", page)
