"""The statistics workflow through the command line, as an operator runs it."""

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from egovindex.cli import app

runner = CliRunner()


def run(*args: str, code: int = 0, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def operator(store_env: Path) -> Path:
    run("registry", "load")
    for name, agency, role in (
        ("lan", "BKHCN", "submitter"),
        ("minh", "BKHCN", "approver"),
        ("hoa", "BKHCN", "lead"),
        ("an", "BGDDT", "submitter"),
    ):
        run("users", "add", name, "--agency", agency, "--role", role)
    return store_env


def test_template_submit_fix_approve_release_export_verify(operator: Path, fill) -> None:  # type: ignore[no-untyped-def]
    xlsx = operator / "BKHCN_2026Q4.xlsx"
    assert "6 indicators, due 15/01/2027" in run(
        "collect", "template", "--agency", "BKHCN", "--period", "2026Q4", "--out", str(xlsx)
    )
    fill(xlsx, {"mobile_subs_per100": "140,5", "mobile_broadband_per100": 95, "fixed_broadband_per100": "abc"})
    out = run("collect", "submit", str(xlsx), "--agency", "BKHCN", "--user", "lan", code=2)
    assert "row 9, column 'D (value)': 'abc' is not a number" in out and "nothing was stored" in out
    fill(xlsx, {"fixed_broadband_per100": "24,8"})
    result = json.loads(run("collect", "submit", str(xlsx), "--agency", "BKHCN", "--user", "lan", "-f", "json"))
    assert result["status"] == "validated" and result["values"] == 3 and result["version"] == 1
    assert "only an approver of BKHCN" in run("collect", "approve", str(result["submission"]), "--user", "lan", code=2)
    run("collect", "approve", str(result["submission"]), "--user", "minh")
    assert "was approved" in run("collect", "submit", str(xlsx), "--agency", "BKHCN", "--user", "lan", code=2)
    out = run("collect", "release", "--recipient", "ITU", "--period", "2026Q4", "--user", "hoa")
    assert "release 1 created: ITU 2026Q4, 3 values" in out
    listing = json.loads(run("release", "list", "-f", "json"))
    assert listing[0]["recipient"] == "ITU" and len(listing[0]["hash"]) == 64
    sdmx = run("release", "export", "1", "--format", "sdmx-csv")
    assert "VN_EGOVINDEX:EGOVINDEX_NATIONAL_STATS(1.0)" in sdmx and "mobile_subs_per100,BKHCN,2026-Q4,140.5" in sdmx
    target = operator / "release.xlsx"
    run("release", "export", "1", "--format", "xlsx", "--out", str(target))
    assert load_workbook(io.BytesIO(target.read_bytes())).active["D5"].value == 24.8
    status = {r["agency"]: r for r in json.loads(run("collect", "status", "-p", "2026Q4", "-f", "json"))}
    assert status["BKHCN"]["status"] == "released" and "released" in status["BKHCN"]["locked"]
    assert "chain intact" in run("audit", "verify")


def test_csv_needs_a_period_and_bad_users_are_refused(operator: Path) -> None:
    csv_file = operator / "q.csv"
    csv_file.write_text("indicator_code,value,source\nmobile_subs_per100,140.5,VNNIC\n")
    assert "give --period for a CSV file" in run(
        "collect", "submit", str(csv_file), "--agency", "BKHCN", "--user", "lan", code=2
    )
    assert "no active user 'eve'" in run(
        "collect", "submit", str(csv_file), "--agency", "BKHCN", "--user", "eve", "-p", "2026Q4", code=2
    )
    assert "only a submitter or approver of BKHCN" in run(
        "collect", "submit", str(csv_file), "--agency", "BKHCN", "--user", "an", "-p", "2026Q4", code=2
    )
    assert "not a period" in run("collect", "status", "-p", "Q4", code=2)


def test_users_and_registry(operator: Path) -> None:
    assert "exists already" in run("users", "add", "lan", "--agency", "BKHCN", "--role", "viewer", code=2)
    assert "unknown role" in run("users", "add", "x", "--agency", "BKHCN", "--role", "king", code=2)
    assert "at least 12 characters" in run(
        "users", "add", "y", "--agency", "BKHCN", "--role", "viewer", "--password-stdin", stdin="short\n", code=2
    )
    run(
        "users",
        "add",
        "admin",
        "--agency",
        "BKHCN",
        "--role",
        "administrator",
        "--password-stdin",
        stdin="correct horse battery staple\n",
    )
    provinces = json.loads(
        run("registry", "show", "agencies", "--at", "2024-06-30", "--block", "province", "-f", "json")
    )
    assert len(provinces) == 63
    assert (
        len(json.loads(run("registry", "show", "agencies", "--at", "2025-07-01", "--block", "province", "-f", "json")))
        == 34
    )
    assert "already stored" in run("registry", "load")


def test_a_release_feeds_a_what_if(operator: Path) -> None:
    csv_file = operator / "q.csv"
    csv_file.write_text(
        "indicator_code,value,source\nmobile_subs_per100,140.5,VNNIC\nmobile_broadband_per100,95,VNNIC\n"
        "fixed_broadband_per100,30,VNNIC\n"
    )
    sub = json.loads(
        run("collect", "submit", str(csv_file), "--agency", "BKHCN", "--user", "lan", "-p", "2026Q4", "-f", "json")
    )
    run("collect", "approve", str(sub["submission"]), "--user", "minh")
    run("collect", "release", "--recipient", "ITU", "--period", "2026Q4", "--user", "hoa")
    run("sources", "load", "--reference")
    text = run("simulate", "-e", "2022", "--release", "1", "-f", "json")
    assert "not used by the 2022 recomputation: mobile_broadband_per100" in text  # no public series for it
    out = json.loads(text[text.index("{") :])
    assert out["changes"] == ["VNM fixed_broadband_per100 = 30", "VNM mobile_subs_per100 = 140.5"]
    assert out["after"]["VNM"]["tii"] > out["before"]["VNM"]["tii"]
    assert out["after"]["VNM"]["rank"] < out["before"]["VNM"]["rank"]


def test_json_channel(operator: Path) -> None:
    payload = operator / "q4.json"
    payload.write_text(
        json.dumps({"values": [{"indicator": "mobile_subs_per100", "value": "140,5", "source": "VNNIC"}]})
    )
    out = json.loads(
        run("collect", "submit", str(payload), "--agency", "BKHCN", "--user", "lan", "-p", "2026Q4", "-f", "json")
    )
    assert out["values"] == 1 and out["status"] == "submitted"  # the other owned statistics are missing: a warning
    assert any("completeness" in w for w in out["warnings"])
    assert "give --period for a JSON file" in run(
        "collect", "submit", str(payload), "--agency", "BKHCN", "--user", "lan", code=2
    )
