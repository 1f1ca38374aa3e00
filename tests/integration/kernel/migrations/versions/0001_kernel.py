"""The test service's tables are the kernel's alone (``shared/migrations``): nothing to do here.

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
