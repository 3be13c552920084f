"""The records of a small fixture whose every statistic is computed by hand in the tests (docs/services.md)."""

import csv
from pathlib import Path

CATALOGUE = [
    # procedure, agency, level, form, fee, valid_from, valid_to
    ("PA", "P01", "province", "full_online", "true", "2020-01-01", ""),
    ("PB", "P01", "province", "partial_online", "false", "2020-01-01", ""),
    ("PC", "P01", "commune", "offline", "false", "2020-01-01", ""),
    ("PG", "P01", "province", "partial_online", "false", "2020-01-01", ""),  # offered, never used online
    ("PD", "P02", "province", "full_online", "false", "2020-01-01", ""),  # Hà Giang, merged into N08 in 2025
    ("PE", "BKHCN", "central", "full_online", "true", "2020-01-01", "2026-08-15"),
    ("PE", "BKHCN", "central", "partial_online", "true", "2026-08-16", ""),  # the form changes mid-quarter
    ("PF", "P01", "province", "full_online", "false", "2026-10-01", ""),  # offered only from the next quarter
]
DOSSIERS = [
    # id, agency, procedure, channel, received, due, completed, fee, paid, digitised, e_result, synced, rating
    ("d1", "P01", "PA", "online", "2026-07-05 08:00", "2026-07-10 17:00", "2026-07-08 10:00", 1, 1, 1, 1, 1, "5"),
    ("d2", "P01", "PA", "counter", "2026-07-06 09:00", "2026-07-09 17:00", "2026-07-12 10:00", 1, 0, 0, 0, 1, ""),
    ("d3", "P01", "PB", "online", "2026-09-28 09:00", "2026-10-05 17:00", "", 0, 0, 1, 0, 1, ""),
    ("d4", "P01", "PC", "online", "2026-09-01 09:00", "2026-09-20 17:00", "", 0, 0, 0, 0, 0, ""),
    ("d5", "P02", "PD", "online", "2026-08-01 09:00", "2026-08-05 17:00", "2026-08-03 10:00", 0, 0, 1, 1, 1, "4"),
    ("d6", "BKHCN", "PE", "online", "2026-08-10 09:00", "2026-08-20 17:00", "2026-10-02 10:00", 1, 1, 1, 1, 1, "3"),
    ("d7", "BKHCN", "PE", "online", "2026-08-20 09:00", "2026-08-25 17:00", "2026-08-22 10:00", 1, 0, 0, 0, 1, ""),
    ("d8", "P01", "PA", "online", "2026-06-30 23:00", "2026-07-03 17:00", "2026-07-01 10:00", 1, 1, 1, 1, 1, ""),
    ("d9", "P01", "PA", "online", "2026-10-01 00:00", "2026-10-03 17:00", "", 1, 0, 0, 0, 0, ""),
    ("d10", "P01", "PB", "counter", "2026-09-25 09:00", "2026-10-10 17:00", "2026-10-03 10:00", 0, 0, 0, 0, 1, ""),
]
HEAD_C = ["procedure_code", "agency_code", "unit_level", "service_form", "fee_required", "valid_from", "valid_to"]
HEAD_D = ["dossier_id", "agency_code", "procedure_code", "channel", "received_at", "due_at", "completed_at",
          "fee_required", "paid_online", "digitised", "e_result", "synced", "rating"]  # fmt: skip


def write(path: Path, head: list[str], rows: list) -> Path:  # type: ignore[type-arg]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(head)
        writer.writerows(rows)
    return path
