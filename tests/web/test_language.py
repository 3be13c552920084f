"""Every HTML page of the application in Vietnamese (the default language), public and signed in, as the role that
sees it: what a reader sees and a screen reader reads (the text, the ``aria-label``, ``alt``, ``title`` and
``placeholder`` attributes, the SVG charts' ``<title>`` and text) holds no English word, beyond a short allow-list of
codes, acronyms and the sample users' names.

An English word is one of the English vocabulary of the project (the words of the catalogue's English messages, of
the registry's and the methodologies' English names, of the UN's country and region names) or of a list of frequent
English words, and not a word of the Vietnamese vocabulary (the words of the Vietnamese translations and of the
registry's and methodologies' Vietnamese names). Country and region names in Vietnamese come from CLDR (Babel) and
are taken out first: a few are the same in both languages ("Singapore") or keep English words ("New Zealand").
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from babel import Locale
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

import samples
from egovindex.collection.access import ROLES
from samples import LEAD, OTHER, OWN, account

# Codes and acronyms that are the same in both languages, and what the sample data name (users, the actor of the
# set-up, the test client's address). Agency, recipient and ISO3 codes are added from the registry and the tables.
ALLOWED = {
    *("EGDI", "OSI", "TII", "HCI", "EPI", "ASEAN", "UN", "DESA", "UNDESA", "UNDP", "ITU", "UIS", "LHQ"),
    *("SDMX", "ML", "CSV", "JSON", "PDF", "HTML", "XML", "API", "ISO", "Excel", "Internet", "egovindex"),
    *("setup", "testclient"),
}

# Frequent English words (the words of the UI come from the catalogue; these catch a sentence from elsewhere).
COMMON = """
a about above across add added after again against agency all allow also am an and any approve approved are as
at available back based be because been before being below between both but by can cannot change changed check
closed code come comment complete could country data date day days deadline did do does done down draft due
during each edit edition editions either else end ended english enter entered error every expected failed false
few file filled find first for form found from full given go group had has have he her here his how if in
index indicator indicators information input into is it its just last lead least left less like list load
locked log long made make many may method might more most must name need needed new next no none not nothing
now number of off old on once one only open or other others our out over own page part parts password people
per period please position previous rank ranking rate reason record records region release released reopen
report required review right role row rows same save see seed select send sent set shall she should show
shown sign since so some source status still submit submitted submission such table take target than that the
their them then there these they this those through time to too total true under unit until up update upload
use used user users valid validated value values version very was we were what when where which while who why
will with within without would year years yes you your
"""

STRIP_ELEMENTS = re.compile(r"(?is)<(script|style|code)\b[^>]*>.*?</\1>|<!--.*?-->")
ENGLISH_ELEMENT = re.compile(r'(?is)<(\w+)\b[^>]*\blang="en"[^>]*>.*?</\1>')
READ_ATTRIBUTES = re.compile(r'\b(?:aria-label|alt|title|placeholder)="([^"]*)"')
WORD = re.compile(r"[^\W\d_]+")
HASH = re.compile(r"\b[0-9a-f]{12,}\b")  # digests and fingerprints: letters in them are no words
PLACEHOLDER = re.compile(r"\{[^}]*\}|%\([^)]*\)[sd]")


def _words(*texts: str) -> set[str]:
    return {w.casefold() for t in texts for w in WORD.findall(PLACEHOLDER.sub(" ", t or ""))}


@dataclass(frozen=True)
class Vocabulary:
    english: set[str]
    allowed: set[str]  # as written: ISO3 codes include PER, CAN and AND
    names: list[str]  # taken out of the text before its words are looked at, longest first


def vocabulary(users: list[str]) -> Vocabulary:
    from egovindex import methodologies, registry
    from egovindex.sources.countries import M49_REGIONS, M49_SUBREGIONS, countries
    from egovindex.translations import catalogue

    reg = registry.load()
    nodes = [n for y in methodologies.egdi_editions() for n in methodologies.egdi(y).nodes]
    english = _words(
        *catalogue("en"),
        *catalogue("vi"),  # the msgids
        *(a.name for a in reg.agencies),
        *(f"{i.name} {i.unit}" for i in reg.indicators),
        *(str(t.get("target", "")) for t in reg.targets),
        *(f"{n.name} {n.unit or ''}" for n in nodes),
        *(f"{c.name} {c.subregion} {c.region}" for c in countries().values()),
        *M49_REGIONS.values(),
        *M49_SUBREGIONS,
    ) | _words(COMMON)
    vietnamese = _words(
        *(v for k, v in catalogue("vi").items() if v != k),
        *(a.name_vi for a in reg.agencies),
        *(i.name_vi for i in reg.indicators),
        *(str(t.get("target_vi", "")) for t in reg.targets),
        *(n.name_vi or "" for n in nodes),
    )
    codes = {a.code for a in reg.agencies} | set(reg.recipients) | set(countries())
    territories = Locale("vi").territories.values()
    return Vocabulary(
        english=english - vietnamese,
        allowed=ALLOWED | codes,
        names=sorted({*territories, *users}, key=len, reverse=True),
    )


def english_words(page: str, vocab: Vocabulary) -> tuple[list[str], list[str]]:
    """The English words of a page's visible and read text, with some context; and the elements marked
    ``lang="en"`` (taken out: English said to be English)."""
    marked = [re.sub(r"<[^>]+>", "", m.group(0)) for m in ENGLISH_ELEMENT.finditer(page)]
    page = ENGLISH_ELEMENT.sub(" ", STRIP_ELEMENTS.sub(" ", page))
    read = " ".join(READ_ATTRIBUTES.findall(page))
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page) + "\n" + read)
    for name in vocab.names:
        text = text.replace(name, " ")
    text = HASH.sub(" ", text)
    found = []
    for m in WORD.finditer(text):
        word = m.group(0).casefold()
        if len(word) > 1 and word in vocab.english and m.group(0) not in vocab.allowed:
            found.append(f"{m.group(0)!r} in {' '.join(text[max(0, m.start() - 40) : m.end() + 40].split())!r}")
    return found, marked


# ------------------------------------------------------------------------------------------------ the walk
@dataclass(frozen=True)
class Visit:
    route: str  # the route's path, as the application declares it
    url: str  # {release} and {discrepancy}: the sample site's
    who: str | None  # the account signed in, None for anonymous
    status: int = 200
    form: dict[str, str] | None = None  # a POST of the page's form (the sign-in page after a wrong password)


LEAD_USER, ADMIN = account("lead", LEAD), account("administrator", LEAD)
SUBMITTER, APPROVER = account("submitter", OWN), account("approver", OWN)
RAW = "raw_name_0=fixed_broadband_per100&raw_value_0=60&raw_name_1=adult_literacy_pct&raw_value_1=97"
ACCOUNTS = [("administrator", LEAD), ("lead", LEAD), ("approver", OWN), ("submitter", OWN), ("viewer", OTHER)]
VISITS = [
    Visit("/", "/", None),
    Visit("/egdi/{year}", "/egdi/2024", None),
    Visit("/egdi/{year}", "/egdi/2003", None),  # countries not assessed, and why
    Visit("/egdi/{year}", "/egdi/2024?region=035&sort=country", None),
    Visit("/country/{iso3}", "/country/VNM", None),
    Visit("/country/{iso3}", "/country/NZL", None),
    Visit("/compare", "/compare?c=VNM&c=THA&c=LAO&edition=2024", None),
    Visit("/simulator", f"/simulator?hci=0.8&draws=300&{RAW}", None),
    Visit("/simulator", "/simulator?release={release}&draws=300", LEAD_USER),
    Visit("/login", "/login", None),
    Visit("/login", "/login", None, 401, {"username": SUBMITTER, "password": "not the password"}),
    *(Visit("/collect/{period}", "/collect/2025", who) for who in (SUBMITTER, APPROVER)),
    *(Visit("/collect/{period}/correct", "/collect/2025/correct", who) for who in (SUBMITTER, APPROVER)),
    Visit("/board/{period}", "/board/2025", LEAD_USER),
    Visit("/services/{period}", "/services/2026Q3", LEAD_USER),
    Visit("/assess/{method}/{year}", "/assess/dti-2022/2022?level=province", LEAD_USER),
    Visit("/assess/{method}/{year}", "/assess/service-index-766/2026", LEAD_USER),
    Visit("/assess", "/assess", LEAD_USER),
    Visit("/assess/{method}/units/{unit}", "/assess/dti-2022/units/P22", LEAD_USER),
    Visit("/discrepancy/{discrepancy_id}", "/discrepancy/{discrepancy}", APPROVER),
    Visit("/discrepancy/{discrepancy_id}", "/discrepancy/{discrepancy}", LEAD_USER),
    Visit("/audit", "/audit", LEAD_USER),
    Visit("/audit", "/audit?snapshots=true", ADMIN),
    Visit("/admin", "/admin", ADMIN),
    *(Visit("/account", "/account", account(role, agency)) for role, agency in ACCOUNTS),
    # the error page: the application's 404, the router's 404, a refused parameter, a refused user
    Visit("/country/{iso3}", "/country/XXX", None, 404),
    Visit("/country/{iso3}", "/no/such/page", None, 404),
    Visit("/egdi/{year}", "/egdi/abc", None, 422),
    Visit("/audit", "/audit", SUBMITTER, 403),
]
PARAMS = [pytest.param(v, id=f"{v.url}-{v.who or 'anonymous'}-{v.status}") for v in VISITS]


@pytest.fixture(scope="module")
def world(loaded_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    for site in samples.site(loaded_store, tmp_path_factory.mktemp("language")):
        users = [account(role, agency) for role in ROLES for agency in (OWN, OTHER, LEAD)] + ["ctk_clerk"]
        ended = samples.sign_in(site.app, account("viewer", OTHER))  # a session that ended, with its reason
        ended.post("/logout", data={"csrf": samples.csrf_of(ended)})
        yield {"site": site, "vocab": vocabulary(users), "clients": {None: TestClient(site.app)}}


def _visit(world: dict[str, Any], visit: Visit) -> Any:
    site: samples.Site = world["site"]
    if visit.who not in world["clients"]:
        world["clients"][visit.who] = samples.sign_in(site.app, visit.who)
    client = world["clients"][visit.who]
    url = visit.url.format(release=site.rid, discrepancy=site.did)
    headers = {"accept": "text/html"}
    if visit.form is None:
        return client.get(url, headers=headers)
    token = samples.CSRF.search(client.get(url).text).group(1)  # type: ignore[union-attr]
    return client.post(url, data={**visit.form, "csrf": token}, headers=headers)


def test_the_walk_covers_every_html_page() -> None:
    from egovindex.web.families import FAMILIES

    pages = {
        r.path
        for family in FAMILIES
        for r in family.router.routes
        if isinstance(r, APIRoute) and "GET" in r.methods and r.response_class is HTMLResponse
    }
    walked = {v.route for v in VISITS}
    assert pages == walked, f"walk these pages in Vietnamese too: {sorted(pages - walked)}"


@pytest.mark.parametrize("visit", PARAMS)
def test_vietnamese_pages_have_no_english(world: dict[str, Any], visit: Visit) -> None:
    response = _visit(world, visit)
    assert response.status_code == visit.status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html") and '<html lang="vi">' in response.text
    found, marked = english_words(response.text, world["vocab"])
    assert not found, f"{len(found)} English words on {visit.url}:\n" + "\n".join(found[:40])
    # English said to be English (lang="en"): the language switch; on the error page, the detail of a refusal
    assert visit.status >= 400 or marked == ["English"], marked


def test_the_walk_can_fail() -> None:
    """The check finds English where it is: the raw codes, the UN's names and English sentences."""
    vocab = vocabulary(["submitter_bgddt"])
    page = """<html lang="vi"><body><h1>Bảng xếp hạng</h1><table><tr><td>Thailand</td><td>Việt Nam</td></tr>
      <tr><th>own_osi</th><td>-4,67</td></tr></table><select><option>fixed_broadband_per100</option></select>
      <svg><title>Rank among UN Member States</title></svg><p aria-label="Main menu">x</p>
      <p>submitter_bgddt · BGDDT · EGDI · <code>adult_literacy_pct</code> · New Zealand</p></body></html>"""
    found, _ = english_words(page, vocab)
    words = {f.split("'")[1] for f in found}
    assert words == {"Thailand", "own", "fixed", "broadband", "per", "Rank", "among", "Member", "States", "Main"}


def test_country_names_follow_the_page_language(world: dict[str, Any]) -> None:
    """Vietnamese: CLDR's names by the ISO 3166 alpha-2 code; English: the UN's. JSON keeps the UN's in
    ``country`` and adds the page's in ``country_name``."""
    from egovindex.sources.countries import countries

    client = TestClient(world["site"].app)
    vi = Locale("vi").territories
    rows = client.get("/egdi/2024.json").json()["rows"]
    assert all(r["country_name"] == vi[countries()[r["iso3"]].iso2] for r in rows)
    vnm = next(r for r in rows if r["iso3"] == "VNM")
    assert (vnm["country"], vnm["country_name"]) == ("Viet Nam", "Việt Nam")
    english = client.get("/egdi/2024.json", params={"lang": "en"}).json()["rows"]
    assert all(r["country_name"] == r["country"] for r in english)
    assert ">Viet Nam<" in client.get("/egdi/2024", params={"lang": "en"}).text
    overview = client.get("/overview.json", params={"lang": "vi"}).json()
    assert {r["country_name"] for r in overview["asean"]} >= {"Việt Nam", "Thái Lan", "Lào", "Campuchia"}
