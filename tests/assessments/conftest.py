"""Fixtures of the assessments' tests: an empty store, and one holding the DTI 2022 of the five provinces whose
main indices are published."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessments.test_dti import long_csv, published
from egovindex.assessments import values
from egovindex.store.db import make_engine, unit_of_work, upgrade


@pytest.fixture
def session(tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'a.sqlite'}"
    upgrade(url)
    with unit_of_work(make_engine(url)) as s:
        yield s


@pytest.fixture
def dti_session(session, tmp_path: Path, reference: Path):  # type: ignore[no-untyped-def]
    fw = values.method("dti-2022")
    rows = values.read_csv(long_csv(published(reference), tmp_path / "dti.csv"), fw, 2022)
    values.record(session, rows, fw=fw, year=2022, source="dti.gov.vn", actor="test")
    return session
