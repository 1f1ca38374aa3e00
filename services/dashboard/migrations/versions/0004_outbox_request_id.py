"""The outbox keeps the request id each event was caused by (CloudEvents extension
``jiangongrequestid``).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

from shared.tables import add_later_kernel_columns

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_later_kernel_columns(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("request_id")
