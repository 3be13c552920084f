"""The UN E-Government Survey: recompute, check, rank and compare editions (above the engine and sources)."""
