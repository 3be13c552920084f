from pathlib import Path

import pytest

from egovindex.sources.load import reference_files
from egovindex.sources.undata import read_undata


@pytest.fixture(scope="session")
def editions(reference: Path) -> dict:
    return {e.year: e for path in reference_files(reference) for e in read_undata(path)}


@pytest.fixture(scope="session")
def raw(reference: Path):  # type: ignore[no-untyped-def]
    from egovindex.survey.recompute import read_series

    return read_series(
        [reference / "indicators/itu_wdi_indicators.csv", reference / "indicators/undp_hdr_eys_mys_1990_2022.csv"]
    )
