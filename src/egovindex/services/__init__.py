"""Online public services measured from dossier records: the records and the service catalogue (``records``),
a seeded generator of realistic records (``generate``), ingestion with every row checked (``ingest``) into an
embedded DuckDB file (``warehouse``), and the statistics of a month, quarter or year per agency, unit level and
nation (``stats``). docs/services.md documents the records and the definitions."""
