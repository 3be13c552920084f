"""The overview compares the national targets with the newest released values of their statistics (released
values are public; approved ones are not), and the public pages kept for visitors are dropped when a release
changes what they show."""

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

import samples
from egovindex.analysis.standing import overview
from egovindex.collection.views import latest_released
from egovindex.store.db import unit_of_work
from egovindex.store.editions import current_editions

TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="module")
def world(loaded_store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[samples.Site]:
    yield from samples.site(loaded_store, tmp_path_factory.mktemp("targets"))


def test_the_newest_release_of_each_statistic(world: samples.Site) -> None:
    released = latest_released(world.engine)
    assert released and {(v["period"], v["release"], v["agency"]) for v in released.values()} == {
        ("2025", world.rid, "BGDDT")
    }
    assert world.app.state.site.cache.stamp()[2] == world.rid  # a release changes the state the kept pages follow
    anonymous = TestClient(world.app)
    assert anonymous.get("/overview.json").status_code == 200


def test_targets_are_compared_with_released_statistics(loaded_store: str) -> None:
    from egovindex.store.db import make_engine

    with unit_of_work(make_engine(loaded_store)) as s:
        editions = {e.year: e for e in current_editions(s)}
    released = {
        "online_dossier_rate": {"value": 45.0, "period": "2026Q3"},
        "share_services_level4": {"value": 55.0, "period": "2026Q3"},
    }
    data, _ = overview(editions, "en", today=TODAY, released=released)
    rows = {t["id"]: t for t in data["targets"]}
    assert (rows["17-4"]["current"], rows["17-4"]["gap"], rows["17-4"]["status"], rows["17-4"]["period"]) == (
        45.0, 0.0, "met", "2026Q3"
    )  # fmt: skip
    assert (rows["749-1"]["current"], rows["749-1"]["gap"], rows["749-1"]["status"]) == (55.0, 25.0, "missed")
    assert rows["17-2"]["unit"] == "rank" and rows["17-2"]["period"] is None  # the rank targets as before
    without, _ = overview(editions, "en", today=TODAY)
    assert "17-4" not in {t["id"] for t in without["targets"]}  # nothing released: not guessed
