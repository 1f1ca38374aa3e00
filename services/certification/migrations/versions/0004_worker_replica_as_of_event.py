"""The worker replica remembers the event it reflects by time and id, as every replica does:
two events of the same time are then applied in one order, whatever order they arrive in. The
time stays in ``updated_at`` (the model's ``as_of``); ``as_of_event`` is the id. Rows written
before keep their time and an empty id, so any event of that same time is newer than them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("worker_replica") as batch:
        batch.add_column(
            sa.Column("as_of_event", sa.String(length=64), nullable=False, server_default="")
        )
    with op.batch_alter_table("worker_replica") as batch:
        batch.alter_column("as_of_event", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("worker_replica") as batch:
        batch.drop_column("as_of_event")
