"""Form bodies are bounded before anything reads them, and a refusal never echoes the request back."""

from fastapi.testclient import TestClient

from egovindex.web.limits import FORM_LIMIT


def test_a_large_form_is_refused_before_it_is_read(app_url: str) -> None:
    from egovindex.web.app import create_app

    client = TestClient(create_app(app_url))
    big = {"value_x": "9" * (FORM_LIMIT + 1)}
    for path in ("/collect/2026Q4/draft", "/login", "/collect/2026Q4/form", "/account/password"):
        r = client.post(path, data=big)
        assert r.status_code == 413, (path, r.status_code)
    form = {"content-type": "application/x-www-form-urlencoded"}
    streamed = client.post("/login", content=iter([b"a=" + b"1" * 60_000] * 6), headers=form)
    assert streamed.status_code == 413  # counted as it arrives when no length is declared
    assert client.post("/login", data={"username": "x", "password": "y", "csrf": "z"}).status_code in (401, 403)


def test_a_validation_error_does_not_echo_the_values(app_url: str) -> None:
    from egovindex.web.app import create_app

    client = TestClient(create_app(app_url))
    secret = "s3cret-" + "x" * 5000
    r = client.post("/login", data={"username": secret, "password": secret, "csrf": secret})
    assert r.status_code == 422 and secret not in r.text
