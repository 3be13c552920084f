"""server-side sessions, token expiry and use, four-eyes settings, resolution basis of released values

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_user_id"), ["user_id"], unique=False)
    op.create_table(
        "agency_setting",
        sa.Column("agency_code", sa.String(length=20), nullable=False),
        sa.Column("allow_self_approval", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=False),
        sa.Column("changed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_code"], ["agency.code"]),
        sa.PrimaryKeyConstraint("agency_code"),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_used_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("revoked_by", sa.String(length=100), nullable=True))
    with op.batch_alter_table("discrepancy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resolution", sa.String(length=10), nullable=True))
    with op.batch_alter_table("released_value", schema=None) as batch_op:
        batch_op.add_column(sa.Column("basis", sa.String(length=12), nullable=False, server_default="submitted"))
        batch_op.add_column(sa.Column("discrepancy_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_released_value_discrepancy", "discrepancy", ["discrepancy_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("released_value", schema=None) as batch_op:
        batch_op.drop_constraint("fk_released_value_discrepancy", type_="foreignkey")
        batch_op.drop_column("discrepancy_id")
        batch_op.drop_column("basis")
    with op.batch_alter_table("discrepancy", schema=None) as batch_op:
        batch_op.drop_column("resolution")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_column("revoked_by")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("last_used_at")
        batch_op.drop_column("expires_at")
    op.drop_table("agency_setting")
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_user_id"))
    op.drop_table("web_session")
