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
    page = hoa.get("/services/2026Q3")
    assert page.status_code == 200 and "Hồ sơ tiếp nhận" in page.text and 'id="received">8<' in page.text
    assert hoa.get("/services/2026Q3.csv").text.startswith("period,agency_code,received,online,online_share")
    assert hoa.get("/services/2026Q9.json").status_code == 404
    vy = sign_in(app, "vy")  # another agency's approver: the figures are not released
    assert vy.get("/services/2026Q3.json").status_code == 403
    anonymous = TestClient(app)
    assert anonymous.get("/services/2026Q3.json").status_code == 401
    assert (
        anonymous.get("/services/2026Q3", follow_redirects=False).headers["location"] == "/login?next=/services/2026Q3"
    )
