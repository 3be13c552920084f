"""Assessments of ministries, government agencies and provinces: methods as data (``methodologies``), values of
the nodes of their trees per unit and year (of record, claimed, adjusted), scores, ranks and levels."""
