"""The JSON twins of the analysis give numbers at the UN's precision (5 decimals), as their pages show them."""

import pytest
from fastapi.testclient import TestClient

from egovindex.web.app import create_app
from samples import floats_in

TWINS = (
    "/overview.json",
    "/egdi/2024.json",
    "/country/VNM.json",
    "/compare.json",
    "/simulator.json?hci=0.8&osi=0.71234567",
    "/sensitivity.json?draws=200",
)


@pytest.mark.parametrize("path", TWINS)
def test_no_more_decimals_than_the_source(loaded_store: str, path: str) -> None:
    body = TestClient(create_app(loaded_store)).get(path)
    assert body.status_code == 200, body.text
    floats = floats_in(body.json())
    assert floats and all(round(f, 5) == f for f in floats), [f for f in floats if round(f, 5) != f][:5]
