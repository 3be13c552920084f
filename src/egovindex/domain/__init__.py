"""The objects every layer speaks of, below the store and the sources: an edition of the UN Survey
(``Edition``, ``EditionRow``), the provenance of a file (``SourceFile``), and a collection period (``Period``:
a quarter or a year of national statistics)."""

from egovindex.domain.edition import TOLERANCE_BY_DECIMALS, Edition, EditionRow
from egovindex.domain.periods import Period, PeriodError
from egovindex.domain.provenance import SourceFile

__all__ = ["TOLERANCE_BY_DECIMALS", "Edition", "EditionRow", "Period", "PeriodError", "SourceFile"]
