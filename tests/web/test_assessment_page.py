"""The ranking page of an assessment: the lead ministry sees the DTI 2022 of the five published provinces ranked,
with the chart, the JSON twin and the CSV of the same rows; other agencies and visitors do not."""

from pathlib import Path

from fastapi.testclient import TestClient

from assessments.test_dti import long_csv, published
from egovindex.assessments import values
from egovindex.collection.accounts import add_user
from egovindex.store.db import make_engine, unit_of_work
from egovindex.web.app import create_app
from samples import PASSWORD, sign_in


def test_the_lead_ministry_sees_the_ranking(app_url: str, reference: Path, tmp_path: Path) -> None:
    fw = values.method("dti-2022")
    rows = values.read_csv(long_csv(published(reference), tmp_path / "dti.csv"), fw, 2022)
    with unit_of_work(make_engine(app_url)) as s:
        add_user(s, actor="setup", username="hoa", agency="BKHCN", role="lead", password=PASSWORD)
        add_user(s, actor="setup", username="vy", agency="VPCP", role="approver", password=PASSWORD)
        values.record(s, rows, fw=fw, year=2022, source="dti.gov.vn/xep-hang-2022", actor="setup")
    app = create_app(app_url)
    hoa = sign_in(app, "hoa")
    data = hoa.get("/assess/dti-2022/2022.json?level=province").json()
    assert [r["unit_code"] for r in data["rows"]] == ["P48", "P79", "P22", "P46", "P92"]
    assert (data["version"], data["columns"]) == ("2022.1", ["nen_tang_chung", "hoat_dong"])
    page = hoa.get("/assess/dti-2022/2022")
    assert page.status_code == 200 and "<svg" in page.text and "Quảng Ninh</a> <code>P22</code>" in page.text
    assert "0,8002" in page.text  # Đà Nẵng's score, Vietnamese notation
    assert hoa.get("/assess/dti-2022/2022.csv").text.splitlines()[1].startswith("P48,Đà Nẵng,0.800175")
    listed = {m["id"]: m["years"] for m in hoa.get("/assess.json").json()["methods"]}
    assert listed["dti-2022"] == [2022] and listed["dti-2025"] == []
    profile = hoa.get("/assess/dti-2022/units/P22.json").json()
    assert profile["history"] == [{"year": 2022, "score": profile["history"][0]["score"], "rank": 3, "ranked": 5,
                                   "class": None}]  # fmt: skip
    assert profile["explanation"]["changes"][0]["node"] == "hoat_dong_chinh_quyen_so"
    page = hoa.get("/assess/dti-2022/units/P22")
    assert page.status_code == 200 and "Hoạt động chính quyền số: 0,8385 → 0,9081" in page.text
    assert hoa.get("/assess/dti-2022/units/P01.json").status_code == 404  # no score
    assert hoa.get("/assess/dti-2022/units/..%2Fx.json").status_code in (404, 422)
    assert hoa.get("/assess/nothing/2022.json").status_code == 404
    assert hoa.get("/assess/dti-2022/2022.json?level=commune").status_code == 404
    assert hoa.get("/assess/dti-2022/99999.json").status_code == 404
    assert sign_in(app, "vy").get("/assess/dti-2022/2022.json").status_code == 403
    assert TestClient(app).get("/assess/dti-2022/2022.json").status_code == 401
