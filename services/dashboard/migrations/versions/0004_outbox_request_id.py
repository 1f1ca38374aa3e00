"""The service's later revisions come after the outbox's request id, which the kernel's own
migration branch adds (``shared/migrations``): nothing to do here.

Revision ID: 0004
Revises: 0003
Depends on: kernel_0002
"""

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = "kernel_0002"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
