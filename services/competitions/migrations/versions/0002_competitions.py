"""Competitions, judges, entries, scores, results; registry replicas and leaderboards.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

ID = sa.String(64)
MOMENT = sa.DateTime(timezone=True)
POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=f"fk_{table}_{column}_{target}"
    )


def upgrade() -> None:
    op.create_table(
        "competitions",
        sa.Column("id", ID, nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("contest_class", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(12), nullable=False),
        sa.Column("occupation_code", sa.String(32), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("registration_closes_at", MOMENT, nullable=True),
        sa.Column("freeze_at", MOMENT, nullable=True),
        sa.Column("max_entries_per_enterprise", sa.Integer(), nullable=True),
        sa.Column("team_size_min", sa.Integer(), nullable=False),
        sa.Column("team_size_max", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("aggregation", sa.String(16), nullable=False),
        sa.Column("awards", sa.JSON(), nullable=False),
        sa.Column("tie_breaks", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", MOMENT, nullable=False),
        sa.Column("opened_at", MOMENT, nullable=True),
        sa.Column("closed_at", MOMENT, nullable=True),
        sa.Column("published_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_competitions"),
    )
    op.create_index("ix_competitions_year_status", "competitions", ["year", "status"])
    op.create_index(
        "ix_competitions_status_deadline", "competitions", ["status", "registration_closes_at"]
    )
    op.create_table(
        "judges",
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("judge_id", ID, nullable=False),
        sa.Column("enterprise_id", ID, nullable=True),
        sa.Column("assigned_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("competition_id", "judge_id", name="pk_judges"),
        _fk("judges", "competition_id", "competitions"),
    )
    op.create_table(
        "entries",
        sa.Column("id", ID, nullable=False),
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("enterprise_id", ID, nullable=False),
        sa.Column("team_name", sa.String(200), nullable=True),
        sa.Column("worker_ids", sa.JSON(), nullable=False),
        sa.Column("region_code", sa.String(12), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("registered_at", MOMENT, nullable=False),
        sa.Column("withdrawn_at", MOMENT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_entries"),
        _fk("entries", "competition_id", "competitions"),
    )
    op.create_index(
        "ix_entries_competition_enterprise",
        "entries",
        ["competition_id", "enterprise_id", "status"],
    )
    op.create_table(
        "entry_workers",
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("worker_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("enterprise_id", ID, nullable=False),
        sa.PrimaryKeyConstraint("competition_id", "worker_id", name="pk_entry_workers"),
        _fk("entry_workers", "competition_id", "competitions"),
        _fk("entry_workers", "entry_id", "entries"),
    )
    op.create_index("ix_entry_workers_entry_id", "entry_workers", ["entry_id"])
    op.create_table(
        "scoresheets",
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("judge_id", ID, nullable=False),
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("recorded_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("entry_id", "judge_id", name="pk_scoresheets"),
        _fk("scoresheets", "entry_id", "entries"),
        _fk("scoresheets", "competition_id", "competitions"),
    )
    op.create_index("ix_scoresheets_competition_id", "scoresheets", ["competition_id"])
    op.create_table(
        "score_history",
        sa.Column("id", POSITION, autoincrement=True, nullable=False),
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("judge_id", ID, nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("recorded_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_score_history"),
    )
    op.create_index("ix_score_history_entry_judge", "score_history", ["entry_id", "judge_id"])
    op.create_table(
        "results",
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", ID, nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("scaled_score", sa.Float(), nullable=True),
        sa.Column("award", sa.String(100), nullable=True),
        sa.PrimaryKeyConstraint("competition_id", "entry_id", name="pk_results"),
        _fk("results", "competition_id", "competitions"),
        _fk("results", "entry_id", "entries"),
    )
    _create_read_models()


def _create_read_models() -> None:
    op.create_table(
        "enterprise_replicas",
        sa.Column("id", ID, nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("region_code", sa.String(12), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("as_of", MOMENT, nullable=False),
        sa.Column("as_of_event", ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_enterprise_replicas"),
    )
    op.create_table(
        "worker_replicas",
        sa.Column("id", ID, nullable=False),
        sa.Column("enterprise_id", ID, nullable=True),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("id_number_masked", sa.String(18), nullable=True),
        sa.Column("region_code", sa.String(12), nullable=True),
        sa.Column("is_migrant", sa.Boolean(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("as_of", MOMENT, nullable=False),
        sa.Column("as_of_event", ID, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_worker_replicas"),
    )
    op.create_index("ix_worker_replicas_enterprise_id", "worker_replicas", ["enterprise_id"])
    op.create_table(
        "leaderboards",
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("updated_at", MOMENT, nullable=False),
        sa.PrimaryKeyConstraint("competition_id", name="pk_leaderboards"),
    )
    op.create_table(
        "leaderboard_rows",
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("enterprise_id", ID, nullable=True),
        sa.Column("registered_at", MOMENT, nullable=True),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("first_criterion", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("award", sa.String(100), nullable=True),
        sa.Column("frozen_score", sa.Float(), nullable=True),
        sa.Column("frozen_first_criterion", sa.Float(), nullable=True),
        sa.Column("frozen_rank", sa.Integer(), nullable=True),
        sa.Column("frozen_position", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("competition_id", "entry_id", name="pk_leaderboard_rows"),
    )
    op.create_index(
        "ix_leaderboard_rows_position", "leaderboard_rows", ["competition_id", "position"]
    )
    op.create_index(
        "ix_leaderboard_rows_frozen_position",
        "leaderboard_rows",
        ["competition_id", "frozen_position"],
    )
    op.create_table(
        "leaderboard_marks",
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("judge_id", ID, nullable=False),
        sa.Column("marks", sa.JSON(), nullable=False),
        sa.Column("recorded_at", MOMENT, nullable=False),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("frozen_marks", sa.JSON(), nullable=True),
        sa.Column("frozen_recorded_at", MOMENT, nullable=True),
        sa.Column("frozen_event_id", ID, nullable=True),
        sa.PrimaryKeyConstraint(
            "competition_id", "entry_id", "judge_id", name="pk_leaderboard_marks"
        ),
    )
    op.create_table(
        "award_tally",
        sa.Column("competition_id", ID, nullable=False),
        sa.Column("entry_id", ID, nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", ID, nullable=False),
        sa.Column("award", sa.String(100), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("competition_id", "entry_id", name="pk_award_tally"),
    )
    op.create_index("ix_award_tally_year", "award_tally", ["year"])


def downgrade() -> None:
    for table in (
        "award_tally",
        "leaderboard_marks",
        "leaderboard_rows",
        "leaderboards",
        "worker_replicas",
        "enterprise_replicas",
        "results",
        "score_history",
        "scoresheets",
        "entry_workers",
        "entries",
        "judges",
        "competitions",
    ):
        op.drop_table(table)
