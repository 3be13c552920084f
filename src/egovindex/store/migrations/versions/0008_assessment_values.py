"""assessment values: a value of a node of an assessment method for a unit and a year, of record, claimed or adjusted

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 11:00:00

A new table, ``assessment_value``, covered by the audit log's row snapshots from its first row on (it starts
empty).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assessment_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("method_version", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("unit_code", sa.String(length=20), nullable=False),
        sa.Column("node", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("superseded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["superseded_by_id"], ["assessment_value.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessment_value_method", "assessment_value", ["method"])
    op.create_index("ix_assessment_value_year", "assessment_value", ["year"])
    op.create_index("ix_assessment_value_unit_code", "assessment_value", ["unit_code"])


def downgrade() -> None:
    op.drop_index("ix_assessment_value_unit_code", "assessment_value")
    op.drop_index("ix_assessment_value_year", "assessment_value")
    op.drop_index("ix_assessment_value_method", "assessment_value")
    op.drop_table("assessment_value")
