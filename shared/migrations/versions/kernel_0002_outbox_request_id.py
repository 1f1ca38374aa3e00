"""The outbox keeps the request id each event was caused by (CloudEvents extension
``jiangongrequestid``).

The services' first revisions made the kernel's tables as the kernel then described them, so a
database made after the column came may have it already, without its service's later-columns
revision recorded: the column is added only where it is missing.

Revision ID: kernel_0002
Revises: kernel_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "kernel_0002"
down_revision = "kernel_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    columns = {column["name"] for column in sa.inspect(op.get_bind()).get_columns("outbox")}
    if "request_id" not in columns:
        with op.batch_alter_table("outbox") as outbox:
            outbox.add_column(sa.Column("request_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("request_id")
