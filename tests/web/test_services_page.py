"""The dashboard of online public services: the statistics of the dossier records for the lead ministry, with its
JSON twin and CSV; nobody else reads them before they are released."""

from pathlib import Path

from fastapi.testclient import TestClient

from egovindex.collection.accounts import add_user
from egovindex.services import ingest, warehouse
from egovindex.store.db import make_engine, unit_of_work
from egovindex.web.app import create_app
from samples import PASSWORD, sign_in
from services.hand import CATALOGUE, DOSSIERS, HEAD_C, HEAD_D, write


def test_the_lead_ministry_sees_the_period_others_do_not(app_url: str, tmp_path: Path) -> None:
    with unit_of_work(make_engine(app_url)) as s:
        add_user(s, actor="setup", username="hoa", agency="BKHCN", role="lead", password=PASSWORD)
        add_user(s, actor="setup", username="vy", agency="VPCP", role="approver", password=PASSWORD)
    write(tmp_path / "r" / "catalogue.csv", HEAD_C, CATALOGUE)
    write(tmp_path / "r" / "dossiers" / "a.csv", HEAD_D, DOSSIERS)
    con = warehouse.connect()  # the file of the settings: data/services.duckdb of this test's data folder
    ingest.ingest([tmp_path / "r"], connection=con, rejects=tmp_path / "rejects.csv")
    con.close()
    app = create_app(app_url)
    hoa = sign_in(app, "hoa")
    data = hoa.get("/services/2026Q3.json").json()
    assert data["nation"]["received"] == 8 and data["nation"]["online_share"] == 0.75
    assert [a["agency_code"] for a in data["agencies"]] == ["BKHCN", "N08", "P01"]  # by online share, then code
    assert data["gaps_total"] == 1 and data["gaps"][0]["procedure_code"] == "PG"
    assert {f["flag"] for f in data["flags"]} >= {"online_of_offline_service"}
    p01 = next(a for a in data["agencies"] if a["agency_code"] == "P01")
    # d4 is an online dossier of PC (offline); d3 came on 28 September, beyond twice the daily mean in the last days
    assert {f["flag"]: f["dossiers"] for f in p01["flags"]} == {"online_of_offline_service": 1, "last_days_burst": 1}
    # the twelve months to September 2026: d8 in June; July d1 d2 (one online), August d5 d6 d7, September d3 d4 d10
    trend = {t["month"]: (t["received"], t["online_share"]) for t in data["trend"]}
    assert list(trend) == [f"2025-{m}" for m in ("10", "11", "12")] + [f"2026-{m:02d}" for m in range(1, 10)]
    assert (trend["2026-06"], trend["2026-07"], trend["2026-08"], trend["2026-09"]) == (
        (1, 1.0), (2, 0.5), (3, 1.0), (3, 0.666667)
    )  # fmt: skip
    index = data["index766"]
    assert index["method"] == "service-index-766" and "tien_do_ket_qua" in index["columns"]
    assert index["nation"]["2.1"] == {"ratio": 0.625, "points": 12.5}  # 5 of 8 on time
    p01_index = next(a for a in index["agencies"] if a["agency_code"] == "P01")["values"]
    assert p01_index["tien_do_ket_qua"]["points"] == 12.0 and p01_index["service_index_766"]["points"] is None
    page = hoa.get("/services/2026Q3")
    assert page.status_code == 200 and "Hồ sơ tiếp nhận" in page.text and 'id="received">8<' in page.text
    assert "<svg" in page.text and 'class="sortable"' in page.text and "/static/sort.js" in page.text
    assert "trực tuyến ở dịch vụ không trực tuyến: 1" in page.text  # the flag beside P01's figures
    assert hoa.get("/services/2026Q3.csv").text.startswith("period,agency_code,received,online,online_share")
    flagged = hoa.get("/services/2026Q3.csv?table=flagged").text.splitlines()
    assert flagged[0] == "dossier_id,agency_code,flags" and "d4,P01,online_of_offline_service" in flagged
    assert hoa.get("/services/2026Q3.csv?table=gaps").text.splitlines()[1].startswith("2026Q3,P01,PG,")
    index_csv = hoa.get("/services/2026Q3.csv?table=index").text.splitlines()
    assert index_csv[0].startswith("period,agency_code,node,name,name_vi,ratio,points,max_points")
    assert any(line.startswith("2026Q3,P01,2.1,") and ",0.6,12.0,20.0," in line for line in index_csv)
    for table in ("levels", "trend", "flags"):
        assert hoa.get(f"/services/2026Q3.csv?table={table}").status_code == 200
    assert hoa.get("/services/2026Q3.csv?table=secrets").status_code == 422
    assert hoa.get("/services/2026Q9.json").status_code == 404
    vy = sign_in(app, "vy")  # another agency's approver: the figures are not released
    assert vy.get("/services/2026Q3.json").status_code == 403
    anonymous = TestClient(app)
    assert anonymous.get("/services/2026Q3.json").status_code == 401
    assert (
        anonymous.get("/services/2026Q3", follow_redirects=False).headers["location"] == "/login?next=/services/2026Q3"
    )
