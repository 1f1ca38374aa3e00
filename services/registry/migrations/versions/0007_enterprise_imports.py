"""Background imports of enterprises: an import job says what it imports (``kind``), counts
the rows already registered as they are (``unchanged``), and an import of enterprises belongs
to no enterprise.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("import_jobs") as table:
        table.add_column(sa.Column("kind", sa.String(16), server_default="workers", nullable=False))
        table.add_column(sa.Column("unchanged", sa.Integer(), server_default="0", nullable=False))
        table.alter_column("enterprise_id", existing_type=sa.String(32), nullable=True)
        table.create_check_constraint(
            op.f("ck_import_jobs_kind"), "kind IN ('workers', 'enterprises')"
        )


def downgrade() -> None:
    op.execute(
        "DELETE FROM import_job_rejections WHERE job_id IN "
        "(SELECT id FROM import_jobs WHERE kind = 'enterprises')"
    )
    op.execute("DELETE FROM import_jobs WHERE kind = 'enterprises'")
    with op.batch_alter_table("import_jobs") as table:
        table.drop_constraint("ck_import_jobs_kind", type_="check")
        table.alter_column("enterprise_id", existing_type=sa.String(32), nullable=False)
        table.drop_column("unchanged")
        table.drop_column("kind")
