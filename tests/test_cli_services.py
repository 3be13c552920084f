"""``egovindex services`` end to end: generate, ingest (twice: nothing changes), and the statistics' CSV columns."""

import csv
import io
import json
from pathlib import Path

from typer.testing import CliRunner

from egovindex.cli import app
from egovindex.services.stats import COLUMNS

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result.output


def test_generate_ingest_and_the_statistics(store_env: Path, tmp_path: Path) -> None:
    records = tmp_path / "records"
    run("services", "generate", "--rows", "5000", "--year", "2026", "--seed", "4", "--out", str(records))
    assert (records / "catalogue.parquet").is_file() and list((records / "dossiers").glob("*.parquet"))
    out = run("services", "ingest", str(records), "--rejects", str(tmp_path / "rejects.csv"))
    assert "rejected 0" in out and "= read" in out and not (tmp_path / "rejects.csv").exists()
    assert "unchanged" in run("services", "ingest", str(records), "--rejects", str(tmp_path / "rejects.csv"))
    table = list(
        csv.DictReader(io.StringIO(run("services", "stats", "--period", "2026Q3", "--by", "agency", "-f", "csv")))
    )
    assert list(table[0]) == ["period", "agency_code", *COLUMNS] and len(table) > 30
    nation = json.loads(run("services", "stats", "--period", "2026", "-f", "json"))
    assert nation[0]["received"] == 5000
    assert "give a month" in run("services", "stats", "--period", "Q3", code=2)
    assert "agency, level or national" in run("services", "stats", "--period", "2026", "--by", "x", code=2)
    assert "no such file" in run("services", "ingest", str(tmp_path / "nothing"), code=2)
    gaps = json.loads(run("services", "gaps", "--period", "2026-01", "-f", "json"))
    assert gaps and set(gaps[0]) == {"period", "agency_code", "procedure_code", "unit_level", "service_form",
                                     "dossiers_by_other_channels"}  # fmt: skip
    run("services", "integrity", "--period", "2026Q3", "--dossiers", str(tmp_path / "flagged.csv"), "-f", "csv")
    assert (tmp_path / "flagged.csv").read_text(encoding="utf-8").startswith("dossier_id,agency_code,flags")


def test_the_quarters_figures_become_the_owners_submission(store_env: Path, tmp_path: Path) -> None:
    records = tmp_path / "records"
    run("services", "generate", "--rows", "3000", "--year", "2026", "--seed", "2", "--out", str(records))
    run("services", "ingest", str(records), "--rejects", str(tmp_path / "rejects.csv"))
    run("registry", "load")
    run("users", "add", "vy", "--agency", "VPCP", "--role", "submitter")
    out = json.loads(run("collect", "submit", "--from-dossiers", "--period", "2026Q3", "--user", "vy", "-f", "json"))
    assert (out["agency"], out["period"], out["version"], out["values"]) == ("VPCP", "2026Q3", 1, 3)
    assert "needs --period" in run("collect", "submit", "--from-dossiers", "--user", "vy", code=2)
    assert "give the file" in run("collect", "submit", "--user", "vy", code=2)
