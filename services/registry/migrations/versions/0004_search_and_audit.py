"""The ID-number audit listed newest first, and kept append-only by the database itself; the
background import jobs and the rows they rejected.

An index orders the audit by time; triggers refuse any UPDATE or DELETE of its rows (and, on
PostgreSQL, a TRUNCATE), so that no code path, present or future, can rewrite who looked.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = "id_number_audit is append-only"
Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("atomic", sa.Boolean(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("checked", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column(
            "last_row",
            sa.Integer(),
            nullable=True,
            comment="the spreadsheet number of the last row imported so far",
        ),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'done', 'failed')", name="ck_import_jobs_state"
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name="fk_import_jobs_enterprise_id_enterprises"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_jobs"),
    )
    op.create_index("ix_import_jobs_enterprise_id", "import_jobs", ["enterprise_id"])
    op.create_index("ix_import_jobs_state_updated_at", "import_jobs", ["state", "updated_at"])
    op.create_table(
        "import_job_rejections",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["import_jobs.id"], name="fk_import_job_rejections_job_id_import_jobs"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_import_job_rejections"),
    )
    op.create_index("ix_import_job_rejections_job_id", "import_job_rejections", ["job_id"])
    op.create_index("ix_id_number_audit_viewed_at", "id_number_audit", ["viewed_at", "id"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION registry_refuse_audit_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{APPEND_ONLY}'; "
            "END $$"
        )
        op.execute(
            "CREATE TRIGGER id_number_audit_append_only BEFORE UPDATE OR DELETE "
            "ON id_number_audit FOR EACH ROW EXECUTE FUNCTION registry_refuse_audit_change()"
        )
        op.execute(
            "CREATE TRIGGER id_number_audit_no_truncate BEFORE TRUNCATE "
            "ON id_number_audit FOR EACH STATEMENT EXECUTE FUNCTION registry_refuse_audit_change()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER id_number_audit_no_{action.lower()} BEFORE {action} "
                f"ON id_number_audit BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER id_number_audit_no_truncate ON id_number_audit")
        op.execute("DROP TRIGGER id_number_audit_append_only ON id_number_audit")
        op.execute("DROP FUNCTION registry_refuse_audit_change()")
    else:
        op.execute("DROP TRIGGER id_number_audit_no_update")
        op.execute("DROP TRIGGER id_number_audit_no_delete")
    op.drop_index("ix_id_number_audit_viewed_at", table_name="id_number_audit")
    op.drop_index("ix_import_job_rejections_job_id", table_name="import_job_rejections")
    op.drop_table("import_job_rejections")
    op.drop_index("ix_import_jobs_state_updated_at", table_name="import_jobs")
    op.drop_index("ix_import_jobs_enterprise_id", table_name="import_jobs")
    op.drop_table("import_jobs")
