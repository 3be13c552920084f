"""The whole path in a real browser (Playwright driving Debian's Chromium): an agency user signs in, downloads the
template, uploads it with one error, sees the error by row and column, fixes it and submits; the approver
approves; the lead ministry releases and downloads SDMX; the public simulator shows the released figure in a
what-if. Screenshots are saved in test-artifacts/."""

import os
import shutil
from pathlib import Path

import pytest

from samples import live_server

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parents[2] / "test-artifacts"
PASSWORD = "a long enough test password"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, reference: Path):  # type: ignore[no-untyped-def]
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("no Chromium (apt-get install chromium)")

    from egovindex.collection.accounts import add_user
    from egovindex.collection.registry_store import ensure_registry
    from egovindex.settings import get_settings
    from egovindex.sources import load as loader
    from egovindex.store.db import make_engine, unit_of_work, upgrade
    from egovindex.web.app import create_app

    tmp = tmp_path_factory.mktemp("browser")
    mp = pytest.MonkeyPatch()
    mp.setenv("EGOVINDEX_DATA_DIR", str(tmp))
    mp.setenv("EGOVINDEX_REFERENCE_DATA", str(reference))
    get_settings.cache_clear()
    url = f"sqlite:///{tmp / 'browser.sqlite'}"
    upgrade(url)
    engine = make_engine(url)
    from egovindex.store.editions import save_editions

    save_editions(engine, loader.parse_all(loader.reference_files(reference)))
    with unit_of_work(engine) as s:
        ensure_registry(s)
        for name, role in (("lan", "submitter"), ("minh", "approver"), ("hoa", "lead")):
            add_user(s, actor="setup", username=name, agency="BKHCN", role=role, password=PASSWORD)
    with live_server(create_app(url)) as base:
        yield base
    mp.undo()
    get_settings.cache_clear()


def _sign_in(page, base: str, user: str, next_: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login?next={next_}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{next_}")


def test_submit_approve_release_and_see_it_in_a_what_if(server: str, tmp_path: Path, fill) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=args)
        # 1. the agency's submitter
        page = browser.new_context(accept_downloads=True).new_page()
        _sign_in(page, server, "lan", "/collect/2026Q4")
        with page.expect_download() as download:
            page.click("#template")
        xlsx = tmp_path / "BKHCN_2026Q4.xlsx"
        download.value.save_as(xlsx)
        values = {
            "mobile_subs_per100": "140,5",
            "mobile_broadband_per100": 95,
            "fixed_broadband_per100": "abc",
            "share_services_level4": 50,
            "share_services_l34": 80,
            "online_dossier_rate": 40,
        }
        fill(xlsx, source="VNNIC and operators' reports", values=values)
        page.set_input_files("input[type=file]", str(xlsx))
        page.click("#upload")
        problems = page.inner_text("#problems")
        assert "row 9, column 'D (value)': 'abc' is not a number" in problems
        page.screenshot(path=str(ARTIFACTS / "1-upload-with-an-error.png"), full_page=True)
        fill(xlsx, source="VNNIC and operators' reports", values={"fixed_broadband_per100": "30,0"})
        page.set_input_files("input[type=file]", str(xlsx))
        page.click("#upload")
        assert page.get_attribute("#status", "data-status") == "validated"  # shown in the page's language
        page.screenshot(path=str(ARTIFACTS / "2-submitted.png"), full_page=True)
        # 2. the approver
        page = browser.new_context().new_page()
        _sign_in(page, server, "minh", "/collect/2026Q4")
        page.click("#approve")
        page.wait_for_url(f"{server}/collect/2026Q4")
        assert page.get_attribute("#status", "data-status") == "approved"  # shown in the page's language
        page.screenshot(path=str(ARTIFACTS / "3-approved.png"), full_page=True)
        # 3. the lead ministry releases to ITU and downloads SDMX
        page = browser.new_context(accept_downloads=True).new_page()
        _sign_in(page, server, "hoa", "/board/2026Q4")
        page.select_option("select[name=recipient]", "ITU")
        page.click("#release")
        page.wait_for_load_state()
        assert page.url == f"{server}/board/2026Q4", (page.url, page.content()[:800])
        with page.expect_download() as download:
            page.click("text=SDMX-CSV")
        sdmx = tmp_path / "release.csv"
        download.value.save_as(sdmx)
        assert "fixed_broadband_per100,BKHCN,2026-Q4,30.0" in sdmx.read_text()
        page.screenshot(path=str(ARTIFACTS / "4-released.png"), full_page=True)
        # 4. the simulator puts the released values in a what-if, for signed-in users only (released values are
        # not public: the same rule as the release downloads)
        anonymous = browser.new_context().new_page()
        assert anonymous.goto(f"{server}/simulator?release=1&edition=2022").status == 401
        page.goto(f"{server}/simulator?release=1&edition=2022")
        assert page.locator("#release-whatif").count() == 1, page.inner_text("main")
        text = page.inner_text("#release-whatif")
        before, after = (int(text.split("→")[0].split()[-1]), int(text.split("→")[1].split()[0]))
        assert after < before  # 30 fixed-broadband subscriptions per 100 lift Viet Nam's 2022 rank
        page.screenshot(path=str(ARTIFACTS / "5-what-if.png"), full_page=True)
        browser.close()
