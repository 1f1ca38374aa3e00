"""The union counts kept per county as the facts change, filled from the rows already there;
the characters of every worker's name, by which a name fragment is found; and the indexes the
enterprise and worker lists are ordered by (registration time, then id; every worker's list
also filters on ``active`` within the index).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

COUNTED = (
    "enterprises",
    "enterprises_with_union",
    "workers",
    "union_members",
    "migrant_workers",
    "former_workers",
)
ENTERPRISES = """
    SELECT substr(region_code, 1, 6), count(*),
           sum(CASE WHEN has_union THEN 1 ELSE 0 END), 0, 0, 0, 0
    FROM enterprises WHERE active GROUP BY substr(region_code, 1, 6)
"""
WORKERS = """
    SELECT substr(e.region_code, 1, 6), 0, 0,
           sum(CASE WHEN w.active THEN 1 ELSE 0 END),
           sum(CASE WHEN w.active AND w.is_union_member THEN 1 ELSE 0 END),
           sum(CASE WHEN w.active AND w.is_migrant THEN 1 ELSE 0 END),
           sum(CASE WHEN w.active THEN 0 ELSE 1 END)
    FROM workers w JOIN enterprises e ON e.id = w.enterprise_id
    GROUP BY substr(e.region_code, 1, 6)
"""

INDEX_NAME = """
    INSERT INTO worker_name_characters (character, registered_at, worker_id)
    VALUES (:character, :registered_at, :worker_id)
"""


def upgrade() -> None:
    table = op.create_table(
        "union_counts",
        sa.Column("county_code", sa.String(6), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in COUNTED),
        sa.PrimaryKeyConstraint("county_code", name="pk_union_counts"),
    )
    op.bulk_insert(table, _counted_now())
    op.create_table(
        "worker_name_characters",
        sa.Column("character", sa.String(1), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("worker_id", sa.String(32), nullable=False),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["workers.id"], name="fk_worker_name_characters_worker_id_workers"
        ),
        sa.PrimaryKeyConstraint(
            "character", "registered_at", "worker_id", name="pk_worker_name_characters"
        ),
    )
    op.create_index(
        "ix_worker_name_characters_worker_id", "worker_name_characters", ["worker_id"]
    )
    _index_names_now()
    op.create_index("ix_workers_registered_at_id_active", "workers", ["registered_at", "id", "active"])
    op.create_index(
        "ix_workers_enterprise_id_registered_at_id",
        "workers",
        ["enterprise_id", "registered_at", "id"],
    )
    op.create_index("ix_enterprises_registered_at_id", "enterprises", ["registered_at", "id"])


def _counted_now() -> list[dict[str, object]]:
    """Every county's counts as the tables hold them (every county has a row, even empty)."""
    connection = op.get_bind()
    counties = connection.execute(sa.text("SELECT code FROM regions WHERE level = 'county'"))
    rows = {county: dict.fromkeys(COUNTED, 0) for (county,) in counties}
    for query in (ENTERPRISES, WORKERS):
        for county, *values in connection.execute(sa.text(query)):
            counts = rows.setdefault(county, dict.fromkeys(COUNTED, 0))
            for name, value in zip(COUNTED, values, strict=True):
                counts[name] += int(value or 0)
    return [{"county_code": county, **counts} for county, counts in sorted(rows.items())]


def _index_names_now() -> None:
    """Every worker's name characters (each once, lower-cased, no spaces), a batch at a time;
    ``registered_at`` goes back as the driver gave it (text on SQLite)."""
    connection = op.get_bind()
    workers = connection.execute(sa.text("SELECT id, registered_at, name FROM workers"))
    for batch in workers.partitions(10_000):
        rows = [
            {"character": character, "registered_at": registered_at, "worker_id": worker_id}
            for worker_id, registered_at, name in batch
            for character in {c for c in name.lower() if not c.isspace()}
        ]
        if rows:
            connection.execute(sa.text(INDEX_NAME), rows)


def downgrade() -> None:
    op.drop_index("ix_enterprises_registered_at_id", table_name="enterprises")
    op.drop_index("ix_workers_enterprise_id_registered_at_id", table_name="workers")
    op.drop_index("ix_workers_registered_at_id_active", table_name="workers")
    op.drop_index("ix_worker_name_characters_worker_id", table_name="worker_name_characters")
    op.drop_table("worker_name_characters")
    op.drop_table("union_counts")
