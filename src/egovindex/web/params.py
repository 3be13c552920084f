"""Parameters shared by the routes, with the bounds that keep bad values out before any code sees them (a value
out of bounds is a 422 that says which parameter and why, never an overflow or a crash deep in the code): a
record's id or revision fits the database's 64-bit integers; a number is finite and within its range; a text is no
longer than what it can mean (a period, a code, a name, a password, a comment or reason). The same type serves a
page, its JSON twin and its form, so that they cannot disagree."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Form, Path, Query
from pydantic import StringConstraints

from egovindex.collection.accounts import MAX_PASSWORD
from egovindex.collection.intake import Limits
from egovindex.collection.workflow import MAX_TEXT

MAX_ID = 2**63 - 1
MAX_PATH = 2000  # characters of a page of this site to go on to

RecordId = Annotated[int, Path(ge=1, le=MAX_ID, description="a record's id")]
OlderThan = Annotated[int | None, Query(ge=1, le=MAX_ID, description="show entries before this id")]
ReleaseChoice = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="a release's id: what its national values would do to Viet Nam's rank"),
]
LockVersion = Annotated[
    int, Form(ge=0, le=MAX_ID, description="the record's revision as read; another one means someone changed it")
]
PeriodText = Annotated[
    str, Path(min_length=4, max_length=20, description="a quarter (2026Q4) or a year (2026)", examples=["2025"])
]

# simulator
Country = Annotated[str, Query(pattern=r"^[A-Za-z]{3}$", description="a country's ISO 3166 alpha-3 code")]
Component = Annotated[
    float | None, Query(ge=0, le=1, allow_inf_nan=False, description="a component's value, 0 to 1 (what if)")
]
Rank = Annotated[int, Query(ge=1, le=193, description="the target rank among the 193 UN member states")]
RegionRank = Annotated[int | None, Query(ge=1, le=11, description="the target rank in South-East Asia")]
Draws = Annotated[int, Query(ge=100, le=20_000, description="Monte Carlo draws of the sensitivity bands")]
Seed = Annotated[int, Query(ge=0, le=2**32 - 1, description="the draws' seed: the same seed, the same bands")]

# forms
Code = Annotated[str, Form(max_length=20, description="an agency's or a recipient's code")]
Name = Annotated[str, Form(max_length=200, description="a person's full name")]
FreeText = Annotated[str, Form(max_length=MAX_TEXT, description=f"at most {MAX_TEXT} characters")]
LoginName = Annotated[str, Form(max_length=100, description="a user's name")]
NewUserName = Annotated[
    str, Form(min_length=2, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$", description="letters, digits, _ . -")
]
Password = Annotated[str, Form(max_length=MAX_PASSWORD)]
NewPassword = Annotated[str, Form(min_length=12, max_length=MAX_PASSWORD, description="at least 12 characters")]
YesNo = Literal["yes", "no"]
LocalPath = Annotated[str, Form(max_length=MAX_PATH, description="a page of this site to go on to")]
NumberText = Annotated[str, Form(max_length=100, description="a number as typed (1.234,5 or 1234.5)")]
RuleCode = Annotated[str, Form(max_length=60, description="a rule's or an indicator's code")]

# the period's form (web/families/entry.py): one row per statistic, each field a list in the order of the rows
MAX_CELL = Limits().max_cell_chars  # characters of a source or a note, as in a file's cell
MAX_FORM_ROWS = 100
FormCode = Annotated[str, StringConstraints(max_length=60)]
FormNumber = Annotated[str, StringConstraints(max_length=100)]
FormText = Annotated[str, StringConstraints(max_length=MAX_CELL)]
CellText = Annotated[str, Form(max_length=MAX_CELL, description=f"at most {MAX_CELL} characters")]
ValuesVersion = Annotated[int, Form(ge=1, le=MAX_ID, description="the version of the agency's values as read")]

# paths and queries
UserName = Annotated[str, Path(max_length=100, description="a user's name")]
AgencyCode = Annotated[str, Path(max_length=20, description="an agency's code")]
Iso3 = Annotated[str, Path(pattern=r"^[A-Za-z]{3}$", description="a country's ISO 3166 alpha-3 code")]
Countries = Annotated[
    list[Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{3}$")]],
    Query(min_length=1, max_length=20, description="up to 20 countries' ISO 3166 alpha-3 codes"),
]
RawChanges = Annotated[
    list[Annotated[str, StringConstraints(max_length=100)]],
    Query(max_length=20, description="raw indicator changes, e.g. fixed_broadband_per100=30"),
]
NextPage = Annotated[str, Query(max_length=MAX_PATH, description="a page of this site to go on to")]
