"""drafts of the values typed in the browser: one per agency and period, who saved it and when

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 09:00:00

A new table, ``submission_draft``, covered by the audit log's row snapshots from its first row on (it starts
empty, so the baseline of 0006 needs nothing more).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submission_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_code", sa.String(length=20), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("saved_by", sa.String(length=100), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.Column("lock_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agency.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("agency_code", "period"),
    )


def downgrade() -> None:
    op.drop_table("submission_draft")
