"""the audit log covers every stored row: baseline snapshot of the rows stored before, signed head file

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 09:00:00

No schema change. A store that holds rows or audit entries gets one ``rows.baseline`` entry with a snapshot of
every covered row as it stands, and its head file is signed for the chain (trust on first use), so that an
upgraded store verifies cleanly. An empty store gets nothing; a head file left from an earlier store of the same
name is set aside.
"""

from alembic import op
from sqlalchemy.orm import Session

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from egovindex.collection import audit

    with Session(bind=op.get_bind()) as session:
        audit.baseline(session, actor="migration 0006")


def downgrade() -> None:
    pass  # the baseline entry stays in the log: entries are never removed
