"""The workbench's accounts, sessions and append-only sign-in log.

The kernel's outbox and inbox come from the kernel's own branch (``shared/migrations``), as in
every service's database; the workbench leaves them empty.

Revision ID: 0001
Revises:
Create Date: 2026-12-08 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = "sign_in_log is append-only"


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("login", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(100), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("scope_id", sa.String(64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("login", name="uq_accounts_login"),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_because", sa.String(16), nullable=True),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("user_agent", sa.String(200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name="fk_sessions_account_id_accounts"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.UniqueConstraint("secret_hash", name="uq_sessions_secret_hash"),
    )
    op.create_index("ix_sessions_account_live", "sessions", ["account_id", "ended_at"])
    op.create_table(
        "sign_in_log",
        sa.Column("id", Position, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("account_id", sa.String(32), nullable=True),
        sa.Column("address", sa.String(64), nullable=True),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("detail", sa.String(200), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sign_in_log"),
    )
    op.create_index("ix_sign_in_log_account", "sign_in_log", ["account_id", "kind", "at"])
    op.create_index("ix_sign_in_log_address", "sign_in_log", ["address", "kind", "at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION workbench_refuse_log_change() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER sign_in_log_append_only BEFORE UPDATE OR DELETE ON sign_in_log "
            "FOR EACH ROW EXECUTE FUNCTION workbench_refuse_log_change()"
        )
        op.execute(
            "CREATE TRIGGER sign_in_log_no_truncate BEFORE TRUNCATE ON sign_in_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION workbench_refuse_log_change()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER sign_in_log_no_{action.lower()} BEFORE {action} "
                f"ON sign_in_log BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER sign_in_log_no_truncate ON sign_in_log")
        op.execute("DROP TRIGGER sign_in_log_append_only ON sign_in_log")
        op.execute("DROP FUNCTION workbench_refuse_log_change()")
    op.drop_index("ix_sign_in_log_address", table_name="sign_in_log")
    op.drop_index("ix_sign_in_log_account", table_name="sign_in_log")
    op.drop_table("sign_in_log")
    op.drop_index("ix_sessions_account_live", table_name="sessions")
    op.drop_table("sessions")
    op.drop_table("accounts")
