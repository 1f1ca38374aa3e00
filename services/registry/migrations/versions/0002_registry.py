"""The registry: regions (seeded with Jiaxing and its seven counties), enterprises, workers,
their employments, the ID-number audit and the skill-level read model.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Serial = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

REGIONS = [
    ("330400", "嘉兴市", "city", None),
    ("330402", "南湖区", "county", "330400"),
    ("330411", "秀洲区", "county", "330400"),
    ("330421", "嘉善县", "county", "330400"),
    ("330424", "海盐县", "county", "330400"),
    ("330481", "海宁市", "county", "330400"),
    ("330482", "平湖市", "county", "330400"),
    ("330483", "桐乡市", "county", "330400"),
]


def upgrade() -> None:
    regions = op.create_table(
        "regions",
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("parent_code", sa.String(12), nullable=True),
        sa.PrimaryKeyConstraint("code", name="pk_regions"),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["regions.code"], name="fk_regions_parent_code_regions"
        ),
    )
    op.bulk_insert(
        regions,
        [dict(zip(("code", "name", "level", "parent_code"), row, strict=True)) for row in REGIONS],
    )
    op.create_table(
        "enterprises",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("uscc", sa.String(18), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("has_union", sa.Boolean(), nullable=False),
        sa.Column("union_founded_on", sa.Date(), nullable=True),
        sa.Column("above_designated_size", sa.Boolean(), nullable=False),
        sa.Column("ownership", sa.String(16), nullable=False),
        sa.Column("employee_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("deregistered_on", sa.Date(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_enterprises"),
        sa.UniqueConstraint("uscc", name="uq_enterprises_uscc"),
        sa.ForeignKeyConstraint(
            ["region_code"], ["regions.code"], name="fk_enterprises_region_code_regions"
        ),
        sa.CheckConstraint(
            "ownership IN ('public', 'non_public')", name="ck_enterprises_ownership"
        ),
        sa.CheckConstraint("employee_count >= 0", name="ck_enterprises_employee_count"),
    )
    op.create_index("ix_enterprises_region_code", "enterprises", ["region_code"])
    op.create_table(
        "workers",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("id_number_encrypted", sa.String(128), nullable=False),
        sa.Column("id_number_hash", sa.String(64), nullable=False),
        sa.Column("id_number_masked", sa.String(18), nullable=False),
        sa.Column("gender", sa.String(8), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("occupation_code", sa.String(20), nullable=False),
        sa.Column("is_migrant", sa.Boolean(), nullable=False),
        sa.Column("is_union_member", sa.Boolean(), nullable=False),
        sa.Column("union_joined_on", sa.Date(), nullable=True),
        sa.Column("hired_on", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_workers"),
        sa.UniqueConstraint("id_number_hash", name="uq_workers_id_number_hash"),
        sa.ForeignKeyConstraint(
            ["enterprise_id"], ["enterprises.id"], name="fk_workers_enterprise_id_enterprises"
        ),
    )
    op.create_index("ix_workers_enterprise_id_active", "workers", ["enterprise_id", "active"])
    op.create_table(
        "worker_employment",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("worker_id", sa.String(32), nullable=False),
        sa.Column("enterprise_id", sa.String(32), nullable=False),
        sa.Column("hired_on", sa.Date(), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("ended_by", sa.String(16), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_worker_employment"),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name="fk_worker_employment_worker_id_workers"
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name="fk_worker_employment_enterprise_id_enterprises",
        ),
    )
    op.create_index("ix_worker_employment_worker_id", "worker_employment", ["worker_id"])
    op.create_index("ix_worker_employment_enterprise_id", "worker_employment", ["enterprise_id"])
    op.create_table(
        "id_number_audit",
        sa.Column("id", Serial, autoincrement=True, nullable=False),
        sa.Column("worker_id", sa.String(32), nullable=False),
        sa.Column("viewer", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("viewed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_id_number_audit"),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name="fk_id_number_audit_worker_id_workers"
        ),
    )
    op.create_index("ix_id_number_audit_worker_id", "id_number_audit", ["worker_id"])
    op.create_table(
        "worker_skill",
        sa.Column("worker_id", sa.String(32), nullable=False),
        sa.Column("occupation_code", sa.String(20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("worker_id", "occupation_code", name="pk_worker_skill"),
    )


def downgrade() -> None:
    op.drop_table("worker_skill")
    op.drop_index("ix_id_number_audit_worker_id", table_name="id_number_audit")
    op.drop_table("id_number_audit")
    op.drop_index("ix_worker_employment_enterprise_id", table_name="worker_employment")
    op.drop_index("ix_worker_employment_worker_id", table_name="worker_employment")
    op.drop_table("worker_employment")
    op.drop_index("ix_workers_enterprise_id_active", table_name="workers")
    op.drop_table("workers")
    op.drop_index("ix_enterprises_region_code", table_name="enterprises")
    op.drop_table("enterprises")
    op.drop_table("regions")
