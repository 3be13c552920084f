"""The command line, end to end, on a temporary store."""

import csv
import functools
import http.server
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from egovindex.cli import app

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_rank_a_file_never_loaded_before(store_env: Path, reference: Path) -> None:
    out = run("egdi", "rank", str(reference / "egdi/raw/text-mining-week1/EGOV_DATA_2016.csv"), "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["iso3", "country", "egdi", "rank", "group", "egdi_recomputed", "rank_recomputed"]
    assert len(rows) == 193
    vnm = next(r for r in rows if r["iso3"] == "VNM")
    assert vnm["rank"] == "89" and vnm["egdi"] == "0.51426" and vnm["group"] == "High"  # as published
    assert vnm["rank_recomputed"] == "89" and abs(float(vnm["egdi_recomputed"]) - 0.51426) < 5e-5
    assert not (store_env / "data" / "test.sqlite").exists()


def test_rank_xlsx_with_region(store_env: Path, reference: Path) -> None:
    out = run(
        "egdi", "rank", str(reference / "egdi/raw/UNU-EGOV-datasets/egdi-2018.xlsx"), "--region", "asean", "-f", "json"
    )
    rows = json.loads(out)
    assert [r["iso3"] for r in rows][:3] == ["SGP", "MYS", "BRN"]
    assert {"iso3", "country", "egdi", "rank", "group", "egdi_recomputed", "rank_recomputed", "region_rank"} == set(
        rows[0]
    )
    assert next(r for r in rows if r["iso3"] == "VNM")["region_rank"] == 6


def test_load_then_rank_check_profile_compare_and_list(store_env: Path) -> None:
    out = run("sources", "load", "--reference")
    assert out.count("added") == 12  # every edition, 2003 to 2024, 2012 included
    assert run("sources", "load", "--reference").count("unchanged") == 12
    rows = json.loads(run("egdi", "rank", "2024", "--region", "asean", "-f", "json"))
    assert [(r["iso3"], r["rank"], r["region_rank"]) for r in rows][:5] == [
        ("SGP", 3, 1),
        ("THA", 52, 2),
        ("MYS", 57, 3),
        ("IDN", 64, 4),
        ("VNM", 71, 5),
    ]
    report = json.loads(run("egdi", "check", "2020", "-f", "json"))
    assert report["ok"] and len(report["ties_at_published_precision"]) == 4
    assert "rows outside tolerance: 2" in run("egdi", "check", "2008")
    run("egdi", "check", "2008", "--strict", code=1)
    profile = list(csv.DictReader(io.StringIO(run("egdi", "profile", "Viet Nam", "-f", "csv"))))
    assert [p["rank"] for p in profile] == ["97", "112", "105", "91", "90", "83", "99", "89", "88", "86", "86", "71"]
    assert [p["asean_rank"] for p in profile][-3:] == ["6", "6", "5"]
    both = json.loads(run("egdi", "compare", "VNM", "THA", "-e", "2024", "-f", "json"))
    assert [(c["iso3"], c["rank"]) for c in both] == [("VNM", 71), ("THA", 52)]
    listing = json.loads(run("sources", "list", "-f", "json"))
    assert len(listing) == 12 and all(len(r["sha256"]) == 16 for r in listing)


def test_bad_file_is_rejected_and_nothing_is_stored(store_env: Path, reference: Path, tmp_path: Path) -> None:
    bad = tmp_path / "EGOV_DATA_2024.csv"
    text = (reference / "egdi/raw/Estadistica1CienciaPolitica/EGOV_DATA_2024.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("Viet Nam ,71,0.77092", "Viet Nam ,71,zero"), encoding="utf-8")
    good = reference / "egdi/egdi_2016.csv"
    result = runner.invoke(app, ["sources", "load", str(good), str(bad)])
    assert result.exit_code == 2
    assert "EGOV_DATA_2024.csv, row 156, column 'E_Index': 'zero' is not a number" in result.output
    assert "nothing was stored" in result.output
    assert json.loads(run("sources", "list", "-f", "json")) == []


def test_unknown_edition_and_country(store_env: Path) -> None:
    assert "not loaded" in run("egdi", "rank", "2030", code=2)
    assert "unknown country name" in run("egdi", "profile", "Atlantis", code=2)


def test_recompute_from_raw_indicators(store_env: Path, reference: Path) -> None:
    out = run(
        "egdi",
        "recompute",
        "-i",
        str(reference / "indicators/itu_wdi_indicators.csv"),
        "-i",
        str(reference / "indicators/undp_hdr_eys_mys_1990_2022.csv"),
        "--published",
        str(reference / "egdi/egdi_2018.csv"),
        "-e",
        "2018",
        "-f",
        "json",
    )
    payload = json.loads(out)
    assert payload["meta"]["agreement"]["tii"]["spearman"] >= 0.95
    assert len(payload["rows"]) == 193
    assert [Path(f["uri"]).name for f in payload["meta"]["sources"]] == [
        "itu_wdi_indicators.csv",
        "undp_hdr_eys_mys_1990_2022.csv",
    ]
    assert all(len(f["sha256"]) == 64 for f in payload["meta"]["sources"])


def test_settings_are_listed(store_env: Path) -> None:
    out = run("settings")
    for name in (
        "EGOVINDEX_DATABASE_URL",
        "EGOVINDEX_REFERENCE_DATA",
        "EGOVINDEX_DATA_DIR",
        "EGOVINDEX_UNDATA_BASE_URL",
    ):
        assert name in out


@pytest.fixture
def http_server(reference: Path) -> Iterator[str]:
    """A local HTTP server on loopback that serves the reference folder."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(reference))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.network_local
def test_fetch_downloads_records_and_loads(store_env: Path, http_server: str) -> None:
    base = f"{http_server}/egdi/raw/text-mining-week1"
    out = run(
        "sources",
        "fetch",
        "--base-url",
        base,
        "-e",
        "2020",
        "-e",
        "2022",
        "--url",
        f"{http_server}/egdi/raw/Estadistica1CienciaPolitica/EGOV_DATA_2024.csv",
    )
    assert out.count("added") == 3
    listing = json.loads(run("sources", "list", "-f", "json"))
    assert [r["source"] for r in listing] == [
        f"{base}/EGOV_DATA_2020.csv",
        f"{base}/EGOV_DATA_2022.csv",
        f"{http_server}/egdi/raw/Estadistica1CienciaPolitica/EGOV_DATA_2024.csv",
    ]
    assert (store_env / "data" / "downloads" / "EGOV_DATA_2024.csv").is_file()
    missing = runner.invoke(app, ["sources", "fetch", "--base-url", base, "-e", "2012"])
    assert missing.exit_code == 2 and "404" in missing.output and "nothing was stored" in missing.output
