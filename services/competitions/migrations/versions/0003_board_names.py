"""Names on the leaderboards: each board row keeps its entry's team name, workers and the names
the replicas give them; ``leaderboard_workers`` finds the rows a renamed worker is on.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(64)


def upgrade() -> None:
    with op.batch_alter_table("leaderboard_rows") as table:
        table.add_column(sa.Column("team_name", sa.String(200), nullable=True))
        table.add_column(sa.Column("worker_ids", sa.JSON(), nullable=True))
        table.add_column(sa.Column("enterprise_name", sa.String(200), nullable=True))
        table.add_column(sa.Column("worker_names", sa.JSON(), nullable=True))
    op.create_index("ix_leaderboard_rows_enterprise", "leaderboard_rows", ["enterprise_id"])
    op.create_table(
        "leaderboard_workers",
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("worker_id", ID, nullable=False),
        sa.PrimaryKeyConstraint(
            "competition_id", "entry_id", "worker_id", name="pk_leaderboard_workers"
        ),
    )
    op.create_index(
        "ix_leaderboard_workers_worker_id", "leaderboard_workers", ["worker_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_leaderboard_workers_worker_id", table_name="leaderboard_workers")
    op.drop_table("leaderboard_workers")
    op.drop_index("ix_leaderboard_rows_enterprise", table_name="leaderboard_rows")
    with op.batch_alter_table("leaderboard_rows") as table:
        for column in ("worker_names", "enterprise_name", "worker_ids", "team_name"):
            table.drop_column(column)
