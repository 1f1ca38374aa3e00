"""The service's tables come after the kernel's outbox and inbox, which the kernel's own
migration branch makes (``shared/migrations``): nothing to do here.

Revision ID: 0001
Revises:
Depends on: kernel_0001
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = "kernel_0001"


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
