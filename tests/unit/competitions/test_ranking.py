"""Unit and property tests for aggregation, entry scores, ranking, awards and scaling."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.competitions.domain import errors
from services.competitions.domain.model import Award, Criterion
from services.competitions.domain.ranking import (
    RankedRow,
    ScoredEntry,
    aggregate,
    assign_awards,
    entry_score,
    rank,
    worldskills_scale,
)

T0 = datetime(2025, 3, 1, tzinfo=UTC)
CRITERIA = (
    Criterion("quality", "Quality", 0.5, 10.0),
    Criterion("innovation", "Innovation", 0.3, 10.0),
    Criterion("safety", "Safety", 0.2, 10.0),
)
CODES = [c.code for c in CRITERIA]
TIE_BREAKS = ("first_criterion", "registered_at")


def scored(entry_id: str, score: float, first: float = 0.0, day: int = 0) -> ScoredEntry:
    return ScoredEntry(entry_id, f"ent-{entry_id}", score, first, T0 + timedelta(days=day))


def ranks(rows: Sequence[RankedRow]) -> list[tuple[int, str]]:
    return [(row.rank, row.entry_id) for row in rows]


# --- aggregation -------------------------------------------------------------------------


def test_mean_averages_all_judges() -> None:
    assert aggregate({"j1": 6.0, "j2": 8.0, "j3": 10.0}, "mean") == pytest.approx(8.0)


def test_trimmed_mean_drops_one_highest_and_one_lowest_with_three_or_more_judges() -> None:
    marks = {"j1": 1.0, "j2": 7.0, "j3": 8.0, "j4": 9.0, "j5": 10.0}
    assert aggregate(marks, "trimmed_mean") == pytest.approx(8.0)
    assert aggregate({"j1": 0.0, "j2": 5.0, "j3": 10.0}, "trimmed_mean") == 5.0


def test_trimmed_mean_with_fewer_than_three_judges_is_the_mean() -> None:
    assert aggregate({"j1": 4.0, "j2": 9.0}, "trimmed_mean") == pytest.approx(6.5)
    assert aggregate({"j1": 4.0}, "trimmed_mean") == 4.0


def test_aggregating_no_marks_or_an_unknown_method_is_an_error() -> None:
    with pytest.raises(ValueError):
        aggregate({}, "mean")
    with pytest.raises(ValueError):
        aggregate({"j1": 1.0}, "median")


# --- entry score -------------------------------------------------------------------------


def test_entry_score_is_the_weighted_sum_of_aggregated_criteria() -> None:
    marks = {
        "j1": {"quality": 8.0, "innovation": 6.0, "safety": 10.0},
        "j2": {"quality": 6.0, "innovation": 4.0, "safety": 9.0},
    }
    score, per_criterion = entry_score(CRITERIA, marks, "mean")
    assert per_criterion == {"quality": 7.0, "innovation": 5.0, "safety": 9.5}
    assert score == pytest.approx(0.5 * 7 + 0.3 * 5 + 0.2 * 9.5)


def test_each_criterion_is_aggregated_over_the_judges_who_marked_it() -> None:
    marks = {
        "j1": {"quality": 9.0, "innovation": 3.0, "safety": 6.0},
        "j2": {"quality": 5.0},
    }
    _, per_criterion = entry_score(CRITERIA, marks, "mean")
    assert per_criterion == {"quality": 7.0, "innovation": 3.0, "safety": 6.0}


def test_entry_score_is_rounded_to_four_decimals() -> None:
    marks = {
        j: {"quality": m, "innovation": m, "safety": m}
        for j, m in (("a", 1.0), ("b", 0.0), ("c", 0.0))
    }
    score, per_criterion = entry_score(CRITERIA, marks, "mean")
    assert per_criterion["quality"] == 0.3333
    assert score == 0.3333


def test_entry_score_refuses_unknown_and_unmarked_criteria() -> None:
    with pytest.raises(errors.UnknownCriterion):
        entry_score(CRITERIA, {"j1": {c: 1.0 for c in [*CODES, "speed"]}}, "mean")
    with pytest.raises(errors.MissingCriterion):
        entry_score(CRITERIA, {"j1": {"quality": 1.0, "innovation": 1.0}}, "mean")


# --- ranking -----------------------------------------------------------------------------


def test_equal_scores_without_tie_breaks_rank_1_2_2_4() -> None:
    entries = [scored("d", 70.0), scored("b", 80.0), scored("a", 90.0), scored("c", 80.0)]
    assert ranks(rank(entries, tie_breaks=())) == [(1, "a"), (2, "b"), (2, "c"), (4, "d")]


def test_equal_scores_are_broken_by_the_higher_first_criterion() -> None:
    entries = [scored("a", 80.0, first=7.0), scored("b", 80.0, first=9.0)]
    assert ranks(rank(entries)) == [(1, "b"), (2, "a")]


def test_equal_score_and_first_criterion_are_broken_by_earlier_registration() -> None:
    entries = [scored("a", 80.0, first=9.0, day=2), scored("b", 80.0, first=9.0, day=1)]
    assert ranks(rank(entries)) == [(1, "b"), (2, "a")]


def test_entries_tied_after_tie_breaks_share_a_rank_and_the_next_rank_skips() -> None:
    entries = [
        scored("a", 90.0),
        scored("c", 80.0, first=5.0, day=1),
        scored("b", 80.0, first=5.0, day=1),
        scored("d", 80.0, first=4.0),
        scored("e", 70.0),
    ]
    assert ranks(rank(entries)) == [(1, "a"), (2, "b"), (2, "c"), (4, "d"), (5, "e")]


def test_ranking_refuses_unknown_tie_breaks_and_duplicate_entries() -> None:
    with pytest.raises(ValueError):
        rank([scored("a", 1.0)], tie_breaks=("age",))
    with pytest.raises(ValueError):
        rank([scored("a", 1.0), scored("a", 2.0)])


def test_ranking_nothing_gives_no_rows() -> None:
    assert rank([]) == []


# --- awards ------------------------------------------------------------------------------

AWARDS = (Award("First", 1), Award("Second", 2), Award("Third", 3))


def rows_with_ranks(*places: int) -> list[RankedRow]:
    return [RankedRow(p, f"e{i}", "ent", 100.0 - p) for i, p in enumerate(places)]


def awards_of(rows: Sequence[RankedRow]) -> list[str | None]:
    return [row.award for row in assign_awards(rows, AWARDS)]


def test_awards_are_handed_out_over_rank_positions() -> None:
    assert awards_of(rows_with_ranks(1, 2, 3, 4, 5, 6, 7)) == [
        "First",
        "Second",
        "Second",
        "Third",
        "Third",
        "Third",
        None,
    ]


def test_entries_sharing_a_rank_get_the_award_of_the_best_place_their_rank_covers() -> None:
    assert awards_of(rows_with_ranks(1, 1, 3, 4)) == ["First", "First", "Second", "Third"]
    assert awards_of(rows_with_ranks(1, 2, 3, 3, 5)) == [
        "First",
        "Second",
        "Second",
        "Second",
        "Third",
    ]
    assert awards_of(rows_with_ranks(1, 2, 3, 4, 5, 6, 6)) == [
        "First",
        "Second",
        "Second",
        "Third",
        "Third",
        "Third",
        "Third",
    ]


def test_no_awards_leaves_every_row_without_award() -> None:
    assert [r.award for r in assign_awards(rows_with_ranks(1, 2), ())] == [None, None]


# --- WorldSkills scale -------------------------------------------------------------------


def test_worldskills_scale_maps_median_to_700_and_one_sd_to_100_points() -> None:
    scaled = worldskills_scale({"a": 10.0, "b": 20.0, "c": 30.0})
    sd = (200 / 3) ** 0.5
    assert scaled["b"] == 700.0
    assert scaled["c"] == pytest.approx(700 + 100 * 10 / sd, abs=1e-4)
    assert scaled["a"] == pytest.approx(700 - 100 * 10 / sd, abs=1e-4)


def test_worldskills_scale_with_no_spread_gives_everyone_700() -> None:
    assert worldskills_scale({"a": 5.0, "b": 5.0}) == {"a": 700.0, "b": 700.0}
    assert worldskills_scale({"a": 5.0}) == {"a": 700.0}
    assert worldskills_scale({}) == {}


# --- properties --------------------------------------------------------------------------

Marks = dict[str, dict[str, dict[str, float]]]  # entry -> judge -> criterion -> mark

mark_values = st.sampled_from([0.0, 2.5, 5.0, 7.5, 10.0]) | st.floats(0.0, 10.0)
judge_marks = st.fixed_dictionaries({c: mark_values for c in CODES})
entry_marks = st.dictionaries(st.sampled_from(["j1", "j2", "j3", "j4"]), judge_marks, min_size=1)
all_marks = st.dictionaries(st.text("abcdef", min_size=1, max_size=3), entry_marks, max_size=8)
methods = st.sampled_from(["mean", "trimmed_mean"])
tie_break_choices = st.sampled_from([(), ("first_criterion",), TIE_BREAKS, ("registered_at",)])


def results(marks: Marks, method: str, tie_breaks: Sequence[str]) -> list[RankedRow]:
    entries = []
    for entry_id, by_judge in marks.items():
        score, per_criterion = entry_score(CRITERIA, by_judge, method)
        day = len(entry_id) % 2  # registration date derived from the entry, not its position
        entries.append(scored(entry_id, score, per_criterion[CODES[0]], day))
    return rank(entries, tie_breaks)


@given(all_marks, methods, tie_break_choices, st.data())
def test_ranking_is_a_permutation_invariant_function_of_the_marks(
    marks: Marks, method: str, tie_breaks: Sequence[str], data: st.DataObject
) -> None:
    shuffled_marks: Marks = {}
    for entry_id in data.draw(st.permutations(list(marks))):
        judges = data.draw(st.permutations(list(marks[entry_id])))
        shuffled_marks[entry_id] = {
            j: {c: marks[entry_id][j][c] for c in data.draw(st.permutations(CODES))} for j in judges
        }
    assert results(shuffled_marks, method, tie_breaks) == results(marks, method, tie_breaks)


scored_entries = st.lists(
    st.builds(
        lambda score, first, day: (score, first, day),
        st.sampled_from([60.0, 70.0, 80.0]),
        st.sampled_from([1.0, 2.0]),
        st.integers(0, 1),
    ),
    max_size=12,
)


@given(scored_entries, tie_break_choices)
def test_ties_share_a_rank_and_the_first_of_each_tie_group_ranks_at_its_position(
    raw: list[tuple[float, float, int]], tie_breaks: Sequence[str]
) -> None:
    entries = {f"e{i:02d}": scored(f"e{i:02d}", *values) for i, values in enumerate(raw)}
    rows = rank(entries.values(), tie_breaks)

    def key(row: RankedRow) -> tuple[object, ...]:
        entry = entries[row.entry_id]
        parts = {"first_criterion": -entry.first_criterion, "registered_at": entry.registered_at}
        return (-entry.score, *(parts[t] for t in tie_breaks))

    for i, row in enumerate(rows):
        if i > 0 and key(rows[i - 1]) == key(row):
            assert row.rank == rows[i - 1].rank
        else:
            assert row.rank == i + 1
            assert i == 0 or key(rows[i - 1]) < key(row)


@given(all_marks.filter(bool), judge_marks, methods, st.data())
def test_adding_a_judges_marks_for_one_entry_never_changes_another_entrys_criteria(
    marks: Marks, new_marks: dict[str, float], method: str, data: st.DataObject
) -> None:
    target = data.draw(st.sampled_from(sorted(marks)))
    before = {e: entry_score(CRITERIA, by_judge, method)[1] for e, by_judge in marks.items()}
    after_marks = {**marks, target: {**marks[target], "j-new": new_marks}}
    after = {e: entry_score(CRITERIA, by_judge, method)[1] for e, by_judge in after_marks.items()}
    assert {e: v for e, v in after.items() if e != target} == {
        e: v for e, v in before.items() if e != target
    }
