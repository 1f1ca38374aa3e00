"""The read side: the three producers' events move the right counts, each event counts once
however often and in whatever order it comes, and replay rebuilds the same targets."""

from __future__ import annotations

import random
from datetime import date

from sqlalchemy import func, insert, select

from services.dashboard.adapters.orm import PromotionFact, ReadSideVersion, StudioFact
from shared.service import ServiceWorker
from tests.integration.dashboard.conftest import World, build_world, new_id


def _version(world: World) -> int:
    with world.engine.connect() as connection:
        return connection.execute(select(ReadSideVersion.version)).scalar_one()


def test_registry_events_move_the_union_rates_and_the_denominators(any_world) -> None:
    with_union = any_world.enterprise("330402")
    without = any_world.enterprise("330411", has_union=False, union_founded_on=None)
    member = any_world.worker(with_union, "330402")
    any_world.worker(without, "330411", is_union_member=False, union_joined_on=None)
    any_world.worker(without, "330411", is_union_member=False, union_joined_on=None)

    targets = any_world.targets()
    assert targets["union_formation"]["counts"] == {"enterprises_with_union": 1, "enterprises": 2}
    assert targets["union_formation"]["current"] == 50
    assert targets["union_membership"]["counts"] == {"union_members": 1, "workers": 3}
    assert targets["union_membership"]["current"] == 33.33
    assert targets["union_membership"]["by_region"]["330411"] == 0
    assert targets["worker_participation"]["counts"]["workers_total"] == 3

    data = any_world.worker_data(member, with_union, left_on="2026-06-30", active=False)
    any_world.send("worker.left", member, data)

    targets = any_world.targets()
    assert targets["union_membership"]["counts"] == {"union_members": 0, "workers": 2}
    assert targets["worker_participation"]["counts"]["workers_total"] == 2


def test_entries_move_coverage_and_a_withdrawal_takes_it_back(any_world) -> None:
    one, two = any_world.enterprise("330402"), any_world.enterprise("330421")
    alice, bob = any_world.worker(one), any_world.worker(one)
    any_world.worker(two, "330421")
    first = any_world.entry(one, [alice, bob])
    any_world.entry(one, [alice], competition_id=new_id("cmp"))  # alice again: person-times only
    any_world.entry(two, [new_id("wkr")], year=2025)  # another year's competition

    targets = any_world.targets()
    coverage, participation = targets["enterprise_coverage"], targets["worker_participation"]
    assert coverage["counts"] == {"enterprises_participating": 1, "enterprises_total": 2}
    assert coverage["current"] == 50
    assert coverage["by_region"]["330402"] == 100
    assert participation["counts"] == {
        "workers_participating": 2,
        "workers_total": 3,
        "person_times": 3,
    }
    assert participation["current"] == 66.67

    withdrawn = {**first, "withdrawn_at": "2026-03-05T02:00:00+00:00"}
    any_world.send("entry.withdrawn", first["competition_id"], withdrawn)

    participation = any_world.targets()["worker_participation"]
    assert participation["counts"] == {
        "workers_participating": 1,
        "workers_total": 3,
        "person_times": 1,
    }


def test_certification_events_move_their_counts_by_the_facts_own_year(any_world) -> None:
    worker, migrant = new_id("wkr"), new_id("wkr")
    any_world.promotion(worker, "2026-02-10")
    any_world.promotion(worker, "2026-06-10", from_level=4, to_level=3)  # same worker, again
    any_world.promotion(new_id("wkr"), "2025-12-31")  # last year's, processed this year
    any_world.studio("municipal")
    any_world.studio("county")
    any_world.studio("municipal", approved_on="2025-11-01")  # before the plan: counts to date
    any_world.skill_leader(worker)
    any_world.skill_leader(worker, occupation_code="other")  # one person, twice designated
    any_world.training(worker)
    any_world.training(worker, completed_on="2026-04-01")
    any_world.training(migrant, is_migrant=True)

    current = any_world.current()
    # every promotion of the year, as certification's promotions.total counts them
    assert current["yearly_promotions"] == 2
    assert any_world.targets()["yearly_promotions"]["counts"] == {
        "promotions": 2,
        "workers_promoted": 1,
    }
    assert any_world.current(2025)["yearly_promotions"] == 1
    assert current["municipal_studios"] == 2
    assert current["skill_leaders"] == 1
    assert (current["trained_workers"], current["trained_migrant_workers"]) == (2, 1)
    assert any_world.targets()["trained_workers"]["by_region"]["330421"] == 2


def test_cumulative_targets_count_everything_up_to_the_end_of_the_year(world) -> None:
    world.studio("municipal", approved_on="2024-09-01")  # before the plan
    world.studio("municipal", approved_on="2026-04-01")
    world.studio("municipal", approved_on="2027-02-01")
    world.studio("municipal", approved_on="2031-06-01")  # after the plan

    assert world.current(2023)["municipal_studios"] == 0
    assert world.current(2025)["municipal_studios"] == 1
    assert world.current(2026)["municipal_studios"] == 2
    assert world.current(2027)["municipal_studios"] == 3
    assert world.current(2031)["municipal_studios"] == 4


def test_a_worker_trained_in_two_counties_is_one_for_the_city_and_one_in_each(any_world) -> None:
    worker = new_id("wkr")
    for county, day in (("330421", "2026-02-01"), ("330402", "2026-05-01")):
        data = {
            "id": new_id("trn"),
            "worker_id": worker,
            "enterprise_id": "ent",
            "region_code": county,
            "is_migrant": True,
            "course": "焊工",
            "hours": 8,
            "completed_on": day,
            "year": 2026,
        }
        any_world.send("training.completed", worker, data)
    any_world.skill_leader(worker)  # in 330411
    any_world.skill_leader(worker, occupation_code="other")

    trained = any_world.targets()["trained_migrant_workers"]
    assert trained["current"] == 1
    assert {code: trained["by_region"][code] for code in ("330402", "330421")} == {
        "330402": 1,
        "330421": 1,
    }
    assert any_world.current(region_code="330402")["trained_workers"] == 1
    assert any_world.targets()["skill_leaders"]["by_region"]["330411"] == 1


def _history(world: World) -> list:
    """A small history touching every kind of fact, with changes, in order."""
    enterprise = world.make("enterprise.registered", "e1", world.enterprise_data("e1"))
    union_later = world.make(
        "enterprise.updated",
        "e1",
        world.enterprise_data("e1", has_union=False, union_founded_on=None),
    )
    other = world.make("enterprise.registered", "e2", world.enterprise_data("e2", "330483"))
    hired = world.make("worker.registered", "w1", world.worker_data("w1", "e1"))
    moved = world.make(
        "worker.transferred",
        "w1",
        {**world.worker_data("w1", "e2", "330483"), "from_enterprise_id": "e1"},
    )
    second = world.make("worker.registered", "w2", world.worker_data("w2", "e1"))
    entry = world.entry_data("e1", ["w1", "w2"], id="n1", competition_id="c1")
    registered = world.make("entry.registered", "c1", entry)
    withdrawn = world.make(
        "entry.withdrawn", "c1", {**entry, "withdrawn_at": "2026-03-09T01:00:00+00:00"}
    )
    again = world.entry_data("e2", ["w1"], id="n2", competition_id="c1")
    promoted = world.make("skill.promoted", "w1", world.promotion_data("w1"))
    return [
        enterprise,
        union_later,
        other,
        hired,
        moved,
        second,
        registered,
        withdrawn,
        world.make("entry.registered", "c1", again),
        promoted,
        world.make("skill.promoted", "w2", world.promotion_data("w2", "2026-01-05")),
    ]


def test_every_event_delivered_twice_and_out_of_order_counts_once(any_world, tmp_path) -> None:
    in_order = build_world(tmp_path / "in-order")
    events = _history(in_order)
    in_order.deliver(*events)

    shuffled = events * 2
    random.Random(9).shuffle(shuffled)
    for event in shuffled:  # one at a time, each a batch of its own
        any_world.deliver(event)

    assert any_world.targets() == in_order.targets()
    current = any_world.current()
    assert current["union_formation"] == 50  # e1 lost its union later
    assert current["enterprise_coverage"] == 50  # n1 withdrawn; n2 (e2) registered
    assert any_world.targets()["worker_participation"]["counts"]["person_times"] == 1
    assert current["yearly_promotions"] == 2
    assert any_world.targets()["union_membership"]["by_region"]["330483"] == 100


def test_a_promotion_published_again_under_a_new_id_counts_once(world) -> None:
    data = world.promotion_data("w9")
    world.deliver(world.make("skill.promoted", "w9", data))
    world.deliver(world.make("skill.promoted", "w9", data))  # a relay's retry, say

    assert world.current()["yearly_promotions"] == 1
    with world.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(PromotionFact)).scalar() == 1


def test_the_version_rises_once_per_batch_that_changed_a_count(world) -> None:
    start = _version(world)
    enterprise = world.make("enterprise.registered", "e1", world.enterprise_data("e1"))
    world.deliver(enterprise, world.make("worker.registered", "w1", world.worker_data("w1", "e1")))
    assert _version(world) == start + 1

    world.deliver(enterprise)  # a duplicate: nothing changed
    same = world.make("enterprise.updated", "e1", world.enterprise_data("e1", name="新名字"))
    world.deliver(same)  # a newer event that moves no count
    assert _version(world) == start + 1


def test_replay_rebuilds_the_same_targets(any_world) -> None:
    for event in _history(any_world):
        any_world.deliver(event)
    any_world.studio()
    any_world.training("w1", is_migrant=True)
    before, version = any_world.targets(), _version(any_world)
    with any_world.engine.begin() as connection:  # a fact no event stands behind
        connection.execute(
            insert(StudioFact).values(
                id="stray", level="municipal", county_code="330402", approved_on=date(2026, 5, 1)
            )
        )

    replayed = ServiceWorker(any_world.app, any_world.bus).replay()

    assert replayed == 13
    with any_world.engine.connect() as connection:  # the facts were emptied, then rebuilt
        assert "stray" not in connection.execute(select(StudioFact.id)).scalars().all()
    assert any_world.targets() == before
    assert _version(any_world) > version  # never set back: a client's id stays meaningful
