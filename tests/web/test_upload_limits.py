"""Uploads through the statistics page under hostile input: a template with one value at its last row, files over
the size limit (with and without a Content-Length), thousands of bad rows (the page lists the first 100 and offers
every problem as a CSV download for the same user), and pages that keep answering while uploads are read."""

import io
import re
import statistics
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from egovindex.collection.intake import HEADER_ROW, Limits, template
from egovindex.domain.periods import Period
from egovindex.store.db import make_engine, unit_of_work
from egovindex.web.app import create_app
from samples import live_server

PASSWORD = "a long enough test password"
HEAD = "indicator_code,value,source\n"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def _signed_in(app, user: str = "lan") -> TestClient:  # type: ignore[no-untyped-def]
    client = TestClient(app)
    token = _csrf(client.get("/login").text)
    r = client.post("/login", data={"username": user, "password": PASSWORD, "csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return client


def _upload(client: TestClient, name: str, data: bytes):  # type: ignore[no-untyped-def]
    csrf = _csrf(client.get("/collect/2026Q4").text)
    return client.post("/collect/2026Q4/upload", data={"csrf": csrf}, files={"file": (name, data)})


def hostile_template() -> bytes:
    """The agency's own template, 7 KB, with one value typed in its last cell."""
    book = load_workbook(io.BytesIO(template("BKHCN", Period.parse("2026Q4"))))
    ws = book["Data"]
    ws.cell(HEADER_ROW + 1, 4, 140.5)
    ws.cell(HEADER_ROW + 1, 5, "VNNIC")
    ws["A1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bad_rows(n: int) -> bytes:
    return (HEAD + "".join(f"no_such_statistic_{i},1,VNNIC\n" for i in range(n))).encode()


def _nothing_stored(client: TestClient) -> None:
    assert client.get("/collect/2026Q4.json").json()["submission"] is None


def test_the_hostile_template_is_refused_quickly(app_url: str) -> None:
    client = _signed_in(create_app(app_url))
    started = time.perf_counter()
    r = _upload(client, "q4.xlsx", hostile_template())
    assert time.perf_counter() - started < 3
    assert r.status_code == 422
    assert "cell A1048576 is beyond the last row that may hold values" in r.text
    assert f"at most {Limits().max_rows} rows of values" in r.text
    _nothing_stored(client)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(app_url: str) -> None:
    client = _signed_in(create_app(app_url))
    limit = Limits().max_bytes
    big = HEAD.encode() + b"mobile_subs_per100,140.5,VNNIC\n" * (limit // 30 + 10)
    r = _upload(client, "q.csv", big)
    assert r.status_code == 413 and f"the limit is {limit} bytes" in r.text and len(r.text) < 50_000
    # the same without a Content-Length: the body is read in chunks and refused once over the limit
    csrf = _csrf(client.get("/collect/2026Q4").text)
    boundary = "x7f3boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{csrf}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="q.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()

    def chunks() -> Iterator[bytes]:
        yield head
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]
        yield f"\r\n--{boundary}--\r\n".encode()

    r = client.post(
        "/collect/2026Q4/upload",
        content=chunks(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert r.status_code == 413 and f"the limit is {limit} bytes" in r.text
    _nothing_stored(client)
    assert TestClient(create_app(app_url)).post("/collect/2026Q4/upload", content=chunks()).status_code == 401


def test_thousands_of_bad_rows_give_a_small_page_and_a_download(app_url: str) -> None:
    app = create_app(app_url)
    client = _signed_in(app)
    data = bad_rows(4000)
    assert len(data) < Limits().max_bytes
    r = _upload(client, "q.csv", data)
    assert r.status_code == 422
    assert len(r.content) < 200_000, len(r.content)
    assert "4000" in r.text and "100" in r.text
    listed = re.search(r'<ul id="problems">(.*?)</ul>', r.text, re.S).group(1)
    assert listed.count("<li>") == 100
    assert "q.csv, row 2, column &#39;indicator_code&#39;: unknown indicator &#39;no_such_statistic_0&#39;" in listed
    link = re.search(r'href="(/collect/problems/[^"]+\.csv)"', r.text).group(1)
    download = client.get(link)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    lines = download.text.splitlines()
    assert lines[0] == "file,row,column,message" and len(lines) == 4001
    assert lines[-1] == "q.csv,4001,indicator_code,unknown indicator 'no_such_statistic_3999'"
    assert _signed_in(app, "thao").get(link).status_code == 404  # another user of the same agency
    assert TestClient(app).get(link).status_code == 401
    assert client.get("/collect/problems/not-a-key.csv").status_code == 404
    _nothing_stored(client)


def test_malformed_csv_rows_are_refused(app_url: str) -> None:
    client = _signed_in(create_app(app_url))
    r = _upload(client, "q.csv", (HEAD + "mobile_subs_per100,140,5,VNNIC\n").encode())
    assert r.status_code == 422 and "row 2, column &#39;field 4&#39;: 4 fields where the header has 3" in r.text
    r = _upload(client, "q.csv", (HEAD + "mobile_subs_per100,1.234,VNNIC\n").encode())
    assert r.status_code == 422 and "&#39;1.234&#39; is ambiguous" in r.text
    r = _upload(client, "q.xls", b"x")
    assert r.status_code == 422 and "unsupported file type" in r.text
    _nothing_stored(client)
    r = _upload(client, "q.csv", (HEAD + 'mobile_subs_per100,"140,5",VNNIC\n').encode())
    assert r.status_code == 200, r.text
    assert client.get("/collect/2026Q4.json").json()["submission"]["values"]["mobile_subs_per100"] == 140.5


# ------------------------------------------------------------------------------------------- a real server
@pytest.fixture
def server(app_url: str) -> Iterator[str]:
    with live_server(create_app(app_url)) as base:
        yield base


@pytest.mark.network_local
def test_pages_answer_while_hostile_uploads_are_read(server: str) -> None:
    import httpx

    def signed_in() -> httpx.Client:
        client = httpx.Client(base_url=server, timeout=60)
        token = _csrf(client.get("/login").text)
        client.post("/login", data={"username": "lan", "password": PASSWORD, "csrf": token})
        return client

    uploads = [("q4.xlsx", hostile_template()), ("q.csv", bad_rows(9000))]
    busy = threading.Event()
    stop = threading.Event()
    answers: list[tuple[str, int, float]] = []

    def upload_loop(name: str, data: bytes) -> None:
        client = signed_in()
        try:
            csrf = _csrf(client.get("/collect/2026Q4").text)
            while not stop.is_set():
                busy.set()
                t = time.perf_counter()
                r = client.post("/collect/2026Q4/upload", data={"csrf": csrf}, files={"file": (name, data)})
                answers.append((name, r.status_code, time.perf_counter() - t))
                csrf = _csrf(r.text)
        finally:
            client.close()

    threads = [threading.Thread(target=upload_loop, args=u) for u in uploads]
    for t in threads:
        t.start()
    latencies: list[float] = []
    try:
        assert busy.wait(10)
        with httpx.Client(base_url=server, timeout=10) as probe:
            deadline = time.perf_counter() + 4
            while time.perf_counter() < deadline:
                for path in ("/login", "/overview.json"):
                    t = time.perf_counter()
                    status = probe.get(path).status_code
                    latencies.append(time.perf_counter() - t)
                    assert status in (200, 404), (path, status)
                time.sleep(0.02)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=120)
    assert answers and {status for _, status, _ in answers} == {422}, answers
    print(
        f"\npage latency during hostile uploads: {len(latencies)} requests, median "
        f"{statistics.median(latencies) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
        + "; ".join(
            f"{name}: {len(ts)} uploads, median {statistics.median(ts) * 1000:.0f} ms"
            for name in ("q4.xlsx", "q.csv")
            if (ts := [s for n, _, s in answers if n == name])
        )
    )
    assert max(latencies) < 1, sorted(latencies)[-5:]


def test_the_api_checks_the_token_before_the_body_and_bounds_the_body(app_url: str) -> None:
    from egovindex.collection.accounts import issue_token

    app = create_app(app_url)
    client = TestClient(app)
    limit = Limits().max_bytes
    record = b'{"indicator": "mobile_subs_per100", "value": 1, "source": "' + b"x" * 200 + b'"},'
    big = b'{"agency": "BKHCN", "period": "2026Q4", "values": [' + record * (limit // len(record) + 10) + b"{}]}"

    def chunks() -> Iterator[bytes]:  # the body as a program streams it, without a Content-Length
        for start in range(0, len(big), 65536):
            yield big[start : start + 65536]

    headers = {"Content-Type": "application/json"}
    r = client.post("/api/submissions", content=chunks(), headers=headers)  # 401, not 413: the token comes first
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "Bearer"
    with unit_of_work(make_engine(app_url)) as s:
        token = issue_token(s, actor="setup", username="lan")
    headers["Authorization"] = f"Bearer {token}"
    r = client.post("/api/submissions", content=big, headers=headers)  # with its Content-Length
    assert r.status_code == 413 and f"limit of {limit} bytes" in r.json()["detail"]
    r = client.post("/api/submissions", content=chunks(), headers=headers)  # without: read until over the limit
    assert r.status_code == 413
    deep = b'{"agency": "BKHCN", "period": "2026Q4", "values": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert client.post("/api/submissions", content=deep, headers=headers).status_code == 422
    assert client.post("/api/submissions", content=b"\xff{", headers=headers).status_code == 422
