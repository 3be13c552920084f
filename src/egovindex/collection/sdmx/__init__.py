"""The data structure definition of the releases, generated from the registry and shipped as ``structure.xml``
(an SDMX-ML 3.0 Structure message): the codelists CL_FREQ, CL_AREA, CL_INDICATOR, CL_UNIT_MEASURE and
CL_REPORTING_AGENCY, the concept scheme CS_EGOVINDEX and the data structure
VN_EGOVINDEX:EGOVINDEX_NATIONAL_STATS(1.0). After a change to the registry, ``python -m egovindex.collection.sdmx``
writes the file again; a test checks that the shipped file is what the registry gives now."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from egovindex import registry

if TYPE_CHECKING:
    from pysdmx.model import Codelist, Component, Concept, ConceptScheme, DataStructureDefinition

AGENCY = "VN_EGOVINDEX"
STRUCTURE_ID = "EGOVINDEX_NATIONAL_STATS"
CONCEPTS_ID = "CS_EGOVINDEX"
VERSION = "1.0"
URN = f"urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure={AGENCY}:{STRUCTURE_ID}({VERSION})"
FILE = "structure.xml"
PATH = Path(__file__).with_name(FILE)
PREPARED = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # fixed, so that the file changes only when its content does

FREQUENCIES = {"A": "Annual", "Q": "Quarterly"}
AREAS = {"VN": "Viet Nam"}  # ISO 3166-1 alpha-2
# concept id -> (name, codelist id or None for an uncoded concept)
CONCEPTS = {
    "FREQ": ("Frequency of observation", "CL_FREQ"),
    "REF_AREA": ("Reference area", "CL_AREA"),
    "INDICATOR": ("Indicator", "CL_INDICATOR"),
    "REPORTING_AGENCY": ("Reporting agency", "CL_REPORTING_AGENCY"),
    "TIME_PERIOD": ("Time period", None),
    "OBS_VALUE": ("Observation value", None),
    "UNIT_MEASURE": ("Unit of measure", "CL_UNIT_MEASURE"),
    "MEASURE": ("Measure code of the recipient's own data structure", None),
}
DIMENSIONS = ("FREQ", "REF_AREA", "INDICATOR", "REPORTING_AGENCY", "TIME_PERIOD")  # OBS_VALUE is the measure
ATTRIBUTES = {"UNIT_MEASURE": True, "MEASURE": False}  # attached to each observation; id -> required


def unit_code(unit: str) -> str:
    """The UNIT_MEASURE code of a registry unit: "% of population" -> PCT_OF_POPULATION, "years" -> YEARS."""
    text = unit.replace("%", " PCT ").replace("+", " PLUS ")
    return "_".join(re.findall(r"[A-Za-z0-9]+", text)).upper()


def _codelist(cid: str, name: str, codes: list[Any]) -> Codelist:
    from pysdmx.model import Codelist

    return Codelist(id=cid, agency=AGENCY, version=VERSION, name=name, items=codes)


def _note(kind: str, text: object) -> Any:
    from pysdmx.model import Annotation

    return Annotation(type=kind, title=str(text))


def _indicator_codes(reg: registry.Registry) -> list[Any]:
    from pysdmx.model import Code

    return [
        Code(
            id=i.code,
            name=i.name,
            description=i.definition,
            annotations=[
                _note("UNIT_MEASURE", unit_code(i.unit)),
                *(_note(f"SDMX_{key.upper()}", value) for key, value in sorted(i.sdmx.items())),
            ],
        )
        for i in reg.indicators
    ]


def _agency_codes(reg: registry.Registry) -> list[Any]:
    from pysdmx.model import Code

    def notes(a: registry.Agency) -> list[Any]:
        dates = {"VALID_FROM": a.valid_from, "VALID_TO": a.valid_to}
        return [_note(kind, day.isoformat()) for kind, day in dates.items() if day]

    return [Code(id=a.code, name=a.name, annotations=notes(a)) for a in reg.agencies]


def codelists(reg: registry.Registry) -> dict[str, Codelist]:
    """The codelists by id: frequencies, areas, the registry's indicators, units and agencies."""
    from pysdmx.model import Code

    units = sorted({(unit_code(i.unit), i.unit) for i in reg.indicators})
    lists = [
        _codelist("CL_FREQ", "Frequency", [Code(id=k, name=v) for k, v in FREQUENCIES.items()]),
        _codelist("CL_AREA", "Reference area (ISO 3166-1 alpha-2)", [Code(id=k, name=v) for k, v in AREAS.items()]),
        _codelist("CL_INDICATOR", "Indicators of the registry", _indicator_codes(reg)),
        _codelist("CL_UNIT_MEASURE", "Units of the registry's indicators", [Code(id=c, name=n) for c, n in units]),
        _codelist("CL_REPORTING_AGENCY", "Agencies of the registry", _agency_codes(reg)),
    ]
    return {cl.id: cl for cl in lists}


def _dtype(cid: str) -> Any:
    from pysdmx.model import DataType

    return {"TIME_PERIOD": DataType.PERIOD, "OBS_VALUE": DataType.DOUBLE}.get(cid, DataType.STRING)


def concepts(lists: dict[str, Codelist]) -> ConceptScheme:
    from pysdmx.model import Concept, ConceptScheme

    base = f"urn:sdmx:org.sdmx.infomodel.conceptscheme.Concept={AGENCY}:{CONCEPTS_ID}({VERSION})"
    items = [
        Concept(id=cid, name=name, urn=f"{base}.{cid}", **({"codes": lists[cl]} if cl else {"dtype": _dtype(cid)}))
        for cid, (name, cl) in CONCEPTS.items()
    ]
    return ConceptScheme(id=CONCEPTS_ID, agency=AGENCY, version=VERSION, name="E-government statistics", items=items)


def _component(concept: Concept) -> Component:
    from pysdmx.model import Component, Role

    representation = {"local_codes": concept.codes} if concept.codes else {"local_dtype": concept.dtype}
    if concept.id in ATTRIBUTES:
        required, role = ATTRIBUTES[concept.id], Role.ATTRIBUTE
        return Component(
            id=concept.id, required=required, role=role, concept=concept, attachment_level="O", **representation
        )
    role = Role.DIMENSION if concept.id in DIMENSIONS else Role.MEASURE
    return Component(id=concept.id, required=True, role=role, concept=concept, **representation)


def data_structure(reg: registry.Registry | None = None) -> DataStructureDefinition:
    """The data structure: dimensions FREQ, REF_AREA, INDICATOR, REPORTING_AGENCY, TIME_PERIOD; measure OBS_VALUE;
    attributes UNIT_MEASURE (required) and MEASURE (the recipient's measure code, optional)."""
    from pysdmx.model import Components, DataStructureDefinition

    scheme = concepts(codelists(reg or registry.load()))
    return DataStructureDefinition(
        id=STRUCTURE_ID,
        agency=AGENCY,
        version=VERSION,
        name="National e-government statistics released by Viet Nam",
        components=Components([_component(c) for c in scheme.items]),
    )


def generate(reg: registry.Registry | None = None) -> str:
    """The SDMX-ML 3.0 Structure message of the codelists, the concepts and the data structure."""
    from pysdmx.io import write_sdmx
    from pysdmx.io.format import Format
    from pysdmx.model import Organisation
    from pysdmx.model.message import Header

    reg = reg or registry.load()
    lists = codelists(reg)
    header = Header(id=STRUCTURE_ID, prepared=PREPARED, sender=Organisation(id=AGENCY))
    structures = [*lists.values(), concepts(lists), data_structure(reg)]
    text = write_sdmx(structures, sdmx_format=Format.STRUCTURE_SDMX_ML_3_0, header=header) or ""
    return text.rstrip("\n") + "\n"


def shipped() -> str:
    """The text of the shipped structure file."""
    return resources.files(__package__).joinpath(FILE).read_text(encoding="utf-8")


@cache
def load() -> DataStructureDefinition:
    """The shipped data structure, its codelists resolved (read and checked against the SDMX schemas by pysdmx)."""
    from pysdmx.io import read_sdmx

    return read_sdmx(shipped()).get_data_structure_definition(f"DataStructure={AGENCY}:{STRUCTURE_ID}({VERSION})")


def write(path: Path = PATH) -> Path:
    """Write the structure generated from the registry to ``path`` (the shipped file by default)."""
    path.write_text(generate(), encoding="utf-8")
    return path
