"""The command handlers with a fake context: an in-memory repository, an outbox that records
what it is given once the schema of its type accepts it (``tests.support.outbox``), a fixed
clock. No database: each test drives the real handlers through the kernel's ``handle``, wired
to the fakes as the service wires them to SQL (``with_repository``).

Every handler has a test of a rule it refuses with, and of what it stores and announces.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session

from services.competitions import commands
from services.competitions.adapters.orm import (
    CompetitionRow,
    EntryRow,
    JudgeRow,
    ResultRow,
    ScoreHistoryRow,
    ScoresheetRow,
)
from services.competitions.adapters.read_tables import EnterpriseReplica
from services.competitions.adapters.repository import (
    REGISTERED,
    Lock,
    Marks,
    Repository,
    is_entry_of,
)
from services.competitions.domain import errors
from services.competitions.domain.model import Action, WorkerView, check_publication_complete
from services.competitions.events import PRODUCES
from services.competitions.handlers import BY_COMMAND
from shared.errors import DomainError, NotFound
from shared.handling import Context, handle, with_repository
from shared.outbox import Outbox
from shared.settings import Settings
from tests.support.bodies import competition_body
from tests.support.outbox import RecordingOutbox

NOW = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)


class FakeRepository:
    """The handlers' :class:`Repository` port in memory."""

    def __init__(self) -> None:
        self.competitions: dict[str, CompetitionRow] = {}
        self.judges: dict[tuple[str, str], JudgeRow] = {}
        self.enterprises: dict[str, EnterpriseReplica] = {}
        self.known_workers: dict[str, WorkerView] = {}
        self.entries: dict[str, EntryRow] = {}
        self.sheets: dict[tuple[str, str], ScoresheetRow] = {}
        self.history: list[ScoreHistoryRow] = []
        self.results: list[ResultRow] = []

    def competition(self, competition_id: str, lock: Lock = "") -> CompetitionRow:
        if competition_id not in self.competitions:
            raise NotFound.of("competition")
        return self.competitions[competition_id]

    def judge(self, competition_id: str, judge_id: str) -> JudgeRow | None:
        return self.judges.get((competition_id, judge_id))

    def judge_ids(self, competition_id: str) -> list[str]:
        return sorted(judge for (c, judge) in self.judges if c == competition_id)

    def judge_marked(self, competition_id: str, judge_id: str) -> int:
        return sum(
            sheet.competition_id == competition_id and judge == judge_id
            for (_, judge), sheet in self.sheets.items()
        )

    def enterprise(self, enterprise_id: str) -> EnterpriseReplica | None:
        return self.enterprises.get(enterprise_id)

    def region_seen(self, region_code: str) -> bool:
        return any((e.region_code or "").startswith(region_code) for e in self.enterprises.values())

    def workers(self, ids: Iterable[str]) -> dict[str, WorkerView]:
        return {i: self.known_workers[i] for i in ids if i in self.known_workers}

    def entered(self, competition_id: str, ids: Iterable[str]) -> set[str]:
        wanted = set(ids)
        return {
            worker
            for entry in self.registered_entries(competition_id).values()
            for worker in entry.worker_ids
            if worker in wanted
        }

    def entry_count(self, competition_id: str, enterprise_id: str) -> int:
        entries = self.registered_entries(competition_id).values()
        return sum(entry.enterprise_id == enterprise_id for entry in entries)

    def entry(
        self,
        competition_id: str,
        entry_id: str,
        enterprise_id: str | None = None,
        registered: bool = False,
        lock: bool = False,
    ) -> EntryRow | None:
        entry = self.entries.get(entry_id)
        if entry is None or not is_entry_of(entry, competition_id, enterprise_id, registered):
            return None
        return entry

    def registered_entries(self, competition_id: str) -> dict[str, EntryRow]:
        return {
            entry.id: entry
            for entry in self.entries.values()
            if entry.competition_id == competition_id and entry.status == REGISTERED
        }

    def marks(self, competition_id: str) -> Marks:
        marks: Marks = {}
        for (entry_id, judge_id), sheet in self.sheets.items():
            if sheet.competition_id == competition_id:
                marks.setdefault(entry_id, {})[judge_id] = sheet.marks
        return marks

    def scoresheet(self, entry_id: str, judge_id: str) -> ScoresheetRow | None:
        return self.sheets.get((entry_id, judge_id))

    def add(self, *rows: object) -> None:
        for row in rows:
            if isinstance(row, CompetitionRow):
                self.competitions[row.id] = row
            elif isinstance(row, JudgeRow):
                self.judges[(row.competition_id, row.judge_id)] = row
            elif isinstance(row, ScoresheetRow):
                self.sheets[(row.entry_id, row.judge_id)] = row
            elif isinstance(row, ScoreHistoryRow):
                self.history.append(row)
            elif isinstance(row, ResultRow):
                self.results.append(row)
            else:
                raise TypeError(f"the fake does not store {type(row).__name__}")

    def remove(self, row: object) -> None:
        if not isinstance(row, JudgeRow):
            raise TypeError(f"the fake does not remove {type(row).__name__}")
        del self.judges[(row.competition_id, row.judge_id)]

    def add_entry(self, entry: EntryRow) -> None:
        if self.entered(entry.competition_id, entry.worker_ids):  # the primary key's part
            raise errors.WorkerAlreadyEntered("A worker of this entry was entered meanwhile.")
        self.entries[entry.id] = entry

    def release_workers(self, entry: EntryRow) -> None:
        """Nothing to do: :meth:`entered` reads the registered entries themselves."""


class Service:
    """The handlers bound to the fakes; ``service(command)`` runs one at ``service.now``."""

    def __init__(self) -> None:
        self.repository = FakeRepository()
        self.outbox = RecordingOutbox(PRODUCES)
        self.now = NOW
        repository: Repository = self.repository
        self.handlers = with_repository(BY_COMMAND, lambda _session: repository)

    def __call__(self, command: object) -> Any:
        ctx = Context(cast(Session, None), cast(Outbox, self.outbox), self.now, Settings())
        return handle(self.handlers, ctx, command)

    # -- what a test needs, built through the handlers where there is one ----------------

    def competition(self, *actions: Action, **overrides: Any) -> str:
        row = self(commands.CreateCompetition(_spec(**overrides)))
        for action in actions:
            self(commands.MoveCompetition(row.id, action))
        return str(row.id)

    def enterprise(
        self, active: bool = True, region_code: str | None = "330411", id: str | None = None
    ) -> str:
        """An enterprise the registry announced (a replica, fed by its events)."""
        enterprise_id = id or _id("ent")
        self.repository.enterprises[enterprise_id] = EnterpriseReplica(
            id=enterprise_id, name="企业", region_code=region_code, active=active
        )
        return enterprise_id

    def worker(self, enterprise_id: str, active: bool = True) -> str:
        worker_id = _id("wkr")
        self.repository.known_workers[worker_id] = WorkerView(worker_id, enterprise_id, active)
        return worker_id

    def entry(self, competition_id: str, enterprise_id: str, *workers: str) -> EntryRow:
        workers = workers or (self.worker(enterprise_id),)
        command = commands.RegisterEntry(competition_id, enterprise_id, workers, None)
        return cast(EntryRow, self(command))

    def judge(self, competition_id: str, enterprise_id: str | None = None) -> str:
        judge_id = _id("judge")
        self(commands.AssignJudge(competition_id, judge_id, enterprise_id))
        return judge_id


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def _spec(**overrides: Any) -> dict[str, Any]:
    return competition_body(
        **{
            "registration_closes_at": NOW + timedelta(days=7),
            "max_entries_per_enterprise": 2,
            "awards": [{"name": "一等奖", "places": 1}, {"name": "二等奖", "places": 1}],
            **overrides,
        }
    )


@pytest.fixture
def service() -> Service:
    return Service()


def _refused(service: Service, command: object, error: type[DomainError]) -> DomainError:
    """The command is refused with ``error``, and nothing is announced."""
    staged = len(service.outbox.added)
    with pytest.raises(error) as refused:
        service(command)
    assert len(service.outbox.added) == staged
    return refused.value


# -- create ------------------------------------------------------------------------------


def test_a_new_competition_is_a_draft_and_is_not_announced(service) -> None:
    competition = service.competition()
    row = service.repository.competitions[competition]
    assert (row.status, row.created_at, row.team_size_min, row.team_size_max) == (
        "draft",
        NOW,
        1,
        2,
    )
    assert row.tie_breaks == ["first_criterion", "registered_at"]
    assert service.outbox.added == []


def test_a_specification_the_domain_refuses_is_not_stored(service) -> None:
    twice = [{"code": "quality", "name": "质量", "weight": 1, "max_marks": 100}] * 2
    command = commands.CreateCompetition(_spec(criteria=twice))
    refused = _refused(service, command, errors.InvalidCompetitionSpec)
    assert refused.status == 422 and "Duplicate criterion" in refused.detail
    assert service.repository.competitions == {}


# -- move --------------------------------------------------------------------------------


def test_opening_announces_the_competition_as_it_now_is(service) -> None:
    competition = service.competition(Action.OPEN)
    [(event_type, subject, data)] = service.outbox.added
    assert (event_type, subject) == ("jiangong.competition.opened.v1", competition)
    assert data["status"] == "open" and data["published_on"] is None
    assert service.repository.competitions[competition].opened_at == NOW


def test_closing_a_draft_is_an_invalid_transition(service) -> None:
    competition = service.competition()
    command = commands.MoveCompetition(competition, Action.CLOSE)
    refused = _refused(service, command, errors.InvalidTransition)
    assert refused.rule == "invalid_transition" and refused.status == 409
    assert service.repository.competitions[competition].status == "draft"


def test_moving_an_unknown_competition_is_not_found(service) -> None:
    refused = _refused(service, commands.MoveCompetition("nope", Action.OPEN), NotFound)
    assert refused.status == 404 and refused.type_uri() == "/problems/not-found"


# -- edit a draft ------------------------------------------------------------------------


def test_a_draft_is_edited_and_checked_as_on_creation(service) -> None:
    competition = service.competition()
    closes = datetime(2025, 6, 1, 18, 0, tzinfo=timezone(timedelta(hours=8)))
    changes = {"title": "改名", "team_size": {"min": 2, "max": 3}, "registration_closes_at": closes}
    row = service(commands.EditCompetition(competition, changes))
    assert (row.title, row.team_size_min, row.team_size_max) == ("改名", 2, 3)
    assert row.registration_closes_at == datetime(2025, 6, 1, 10, 0, tzinfo=UTC)
    assert row.kind == "skill_contest" and row.max_entries_per_enterprise == 2  # kept
    row = service(commands.EditCompetition(competition, {"awards": None}))
    assert row.awards == []  # null: the default, as on creation


def test_a_refused_edit_changes_nothing(service) -> None:
    competition = service.competition()
    bad_region = commands.EditCompetition(competition, {"title": "x", "region_code": "123456"})
    _refused(service, bad_region, errors.UnknownRegion)
    bad_spec = commands.EditCompetition(competition, {"title": "x", "kind": "no_such_kind"})
    _refused(service, bad_spec, errors.InvalidCompetitionSpec)
    assert service.repository.competitions[competition].title == "嘉兴市数控车工技能比武"


def test_only_a_draft_is_edited(service) -> None:
    competition = service.competition(Action.OPEN)
    command = commands.EditCompetition(competition, {"title": "late"})
    refused = _refused(service, command, errors.NotADraft)
    assert (refused.rule, refused.status) == ("not_a_draft", 409) and "open" in refused.detail
    _refused(service, commands.EditCompetition("nope", {"title": "x"}), NotFound)


# -- assign a judge ----------------------------------------------------------------------


def test_a_judge_is_assigned_once(service) -> None:
    competition = service.competition()
    service.enterprise(id="ent-1")  # the judge's enterprise, announced by the registry
    judge = service.judge(competition, "ent-1")
    assert service.repository.judges[(competition, judge)].enterprise_id == "ent-1"
    again = commands.AssignJudge(competition, judge, None)
    assert _refused(service, again, errors.JudgeAlreadyAssigned).status == 409


def test_no_judge_is_assigned_once_results_are_published(service) -> None:
    competition = service.competition(Action.OPEN, Action.CLOSE)
    service(commands.PublishResults(competition))
    command = commands.AssignJudge(competition, "judge-late", None)
    _refused(service, command, errors.ResultsPublished)


# -- remove a judge ----------------------------------------------------------------------


def test_a_judge_without_marks_is_removed(service) -> None:
    competition = service.competition()
    judge, other = service.judge(competition), service.judge(competition)
    assert service(commands.RemoveJudge(competition, judge)) is None
    assert list(service.repository.judges) == [(competition, other)]
    _refused(service, commands.RemoveJudge(competition, judge), NotFound)
    _refused(service, commands.RemoveJudge("nope", other), NotFound)


def test_a_judge_with_marks_is_not_removed(service, judging) -> None:
    competition, entry, judge = judging["competition"], judging["entry"], judging["judge"]
    idle = service.judge(competition)
    service(commands.RecordScore(competition, entry, judge, _marks()))
    refused = _refused(service, commands.RemoveJudge(competition, judge), errors.JudgeHasMarks)
    assert (refused.rule, refused.status) == ("judge_has_marks", 409) and "1" in refused.detail
    assert (competition, judge) in service.repository.judges
    service(commands.RemoveJudge(competition, idle))  # while closed, without marks: removed
    assert (competition, idle) not in service.repository.judges


def test_no_judge_is_removed_once_results_are_published(service) -> None:
    competition = service.competition(Action.OPEN, Action.CLOSE)
    judge = service.judge(competition)
    service(commands.PublishResults(competition, force=True))
    _refused(service, commands.RemoveJudge(competition, judge), errors.ResultsPublished)
    assert (competition, judge) in service.repository.judges


# -- register an entry -------------------------------------------------------------------


def test_an_entry_is_stored_and_announced_with_its_enterprise_region(service) -> None:
    competition = service.competition(Action.OPEN)
    enterprise = service.enterprise()
    entry = service.entry(competition, enterprise)
    assert service.repository.entries[entry.id] is entry
    event_type, subject, data = service.outbox.added[-1]
    assert (event_type, subject) == ("jiangong.entry.registered.v1", competition)
    assert data["region_code"] == "330411" and data["registered_at"] == NOW.isoformat()
    assert data["worker_ids"] == entry.worker_ids and data["year"] == 2025


def test_an_enterprise_past_its_quota_is_refused(service) -> None:
    competition = service.competition(Action.OPEN, max_entries_per_enterprise=1)
    enterprise = service.enterprise()
    service.entry(competition, enterprise)
    command = commands.RegisterEntry(competition, enterprise, (service.worker(enterprise),), None)
    _refused(service, command, errors.QuotaExceeded)


def test_an_enterprise_the_registry_deregistered_is_refused(service) -> None:
    competition = service.competition(Action.OPEN)
    enterprise = service.enterprise(active=False)
    command = commands.RegisterEntry(competition, enterprise, (service.worker(enterprise),), None)
    refused = _refused(service, command, errors.EnterpriseNotActive)
    assert refused.errors == {"enterprise_id": [refused.detail]}
    assert service.repository.entries == {}


def test_a_worker_of_another_enterprise_is_refused(service) -> None:
    competition = service.competition(Action.OPEN)
    mine, other = service.enterprise(), service.enterprise()
    command = commands.RegisterEntry(competition, mine, (service.worker(other),), None)
    refused = _refused(service, command, errors.WorkerNotInEnterprise)
    assert refused.field == "worker_ids" and refused.status == 422


def test_a_worker_already_entered_is_refused(service) -> None:
    competition = service.competition(Action.OPEN)
    enterprise = service.enterprise()
    worker = service.worker(enterprise)
    service.entry(competition, enterprise, worker)
    command = commands.RegisterEntry(competition, enterprise, (worker,), None)
    _refused(service, command, errors.WorkerAlreadyEntered)


def test_registration_past_the_deadline_is_refused(service) -> None:
    competition = service.competition(Action.OPEN)
    enterprise = service.enterprise()
    service.now = NOW + timedelta(days=8)
    command = commands.RegisterEntry(competition, enterprise, (service.worker(enterprise),), None)
    refused = _refused(service, command, errors.RegistrationClosed)
    assert refused.detail.startswith("Registration closed at")


# -- withdraw an entry -------------------------------------------------------------------


def test_a_withdrawn_entry_is_announced_and_its_workers_may_enter_again(service) -> None:
    competition = service.competition(Action.OPEN)
    enterprise = service.enterprise()
    worker = service.worker(enterprise)
    entry = service.entry(competition, enterprise, worker)
    service(commands.WithdrawEntry(competition, entry.id, enterprise))
    assert (entry.status, entry.withdrawn_at) == ("withdrawn", NOW)
    event_type, _, data = service.outbox.added[-1]
    assert event_type == "jiangong.entry.withdrawn.v1" and data["withdrawn_at"]
    assert service.entry(competition, enterprise, worker).status == "registered"


def test_another_enterprises_entry_is_not_found(service) -> None:
    competition = service.competition(Action.OPEN)
    entry = service.entry(competition, service.enterprise())
    command = commands.WithdrawEntry(competition, entry.id, "ent-someone-else")
    _refused(service, command, NotFound)
    assert entry.status == "registered"


def test_withdrawing_once_registration_closed_is_refused(service) -> None:
    competition = service.competition(Action.OPEN)
    entry = service.entry(competition, service.enterprise())
    service(commands.MoveCompetition(competition, Action.CLOSE))
    _refused(
        service, commands.WithdrawEntry(competition, entry.id, None), errors.RegistrationClosed
    )
    assert entry.status == "registered"


# -- record a score ----------------------------------------------------------------------


@pytest.fixture
def judging(service) -> dict[str, str]:
    """A competition closed for judging, an entry and an outside judge."""
    competition = service.competition(Action.OPEN)
    enterprise = service.enterprise()
    entry = service.entry(competition, enterprise)
    service(commands.MoveCompetition(competition, Action.CLOSE))
    judge = service.judge(competition)
    return {"competition": competition, "enterprise": enterprise, "entry": entry.id, "judge": judge}


def _marks(quality: float = 80, safety: float = 60) -> dict[str, float]:
    return {"quality": quality, "safety": safety}


def test_a_judges_second_marks_replace_the_first_and_both_are_kept(service, judging) -> None:
    competition, entry, judge = judging["competition"], judging["entry"], judging["judge"]
    service(commands.RecordScore(competition, entry, judge, _marks(10, 10)))
    service.now = NOW + timedelta(minutes=5)
    sheet = service(commands.RecordScore(competition, entry, judge, _marks(90, 70)))
    assert service.repository.sheets == {(entry, judge): sheet}
    assert (sheet.marks, sheet.recorded_at) == ({"quality": 90.0, "safety": 70.0}, service.now)
    assert [h.marks["quality"] for h in service.repository.history] == [10.0, 90.0]
    event_type, subject, data = service.outbox.added[-1]
    assert (event_type, subject) == ("jiangong.score.recorded.v1", competition)
    assert data["enterprise_id"] == judging["enterprise"]
    assert data["recorded_at"] == service.now.isoformat()


def test_marks_that_replace_others_are_recorded_after_them_even_with_an_earlier_clock(
    service, judging
) -> None:
    """A request that waited for the entry's lock (or ran on a server whose clock is behind)
    took its time before the marks it replaces were recorded."""
    competition, entry, judge = judging["competition"], judging["entry"], judging["judge"]
    first = service(commands.RecordScore(competition, entry, judge, _marks(10, 10))).recorded_at
    second = service(commands.RecordScore(competition, entry, judge, _marks(20, 20))).recorded_at
    service.now = NOW - timedelta(seconds=1)
    third = service(commands.RecordScore(competition, entry, judge, _marks(30, 30))).recorded_at
    assert first == NOW < second < third
    announced = [data["recorded_at"] for _, _, data in service.outbox.added[-3:]]
    assert announced == [moment.isoformat() for moment in (first, second, third)]
    assert [h.recorded_at for h in service.repository.history] == [first, second, third]


def test_scoring_an_open_competition_is_refused(service) -> None:
    competition = service.competition(Action.OPEN)
    entry = service.entry(competition, service.enterprise())
    judge = service.judge(competition)
    command = commands.RecordScore(competition, entry.id, judge, _marks())
    refused = _refused(service, command, errors.NotScorable)
    assert "open" in refused.detail and service.repository.sheets == {}


def test_a_judge_not_assigned_may_not_score(service, judging) -> None:
    command = commands.RecordScore(judging["competition"], judging["entry"], "judge-x", _marks())
    assert _refused(service, command, errors.JudgeNotAssigned).status == 403


def test_a_judge_may_not_score_their_own_enterprise(service, judging) -> None:
    judge = service.judge(judging["competition"], judging["enterprise"])
    command = commands.RecordScore(judging["competition"], judging["entry"], judge, _marks())
    _refused(service, command, errors.JudgeOwnEnterprise)


def test_scoring_an_unknown_entry_is_not_found(service, judging) -> None:
    command = commands.RecordScore(judging["competition"], "entry-x", judging["judge"], _marks())
    _refused(service, command, NotFound)


def test_marks_beyond_a_criterions_maximum_are_refused(service, judging) -> None:
    command = commands.RecordScore(
        judging["competition"], judging["entry"], judging["judge"], _marks(quality=101)
    )
    refused = _refused(service, command, errors.MarksOutOfRange)
    assert refused.errors == {"marks": [refused.detail]}
    assert service.repository.history == []


# -- publish the results -----------------------------------------------------------------


def test_publishing_before_judging_is_an_invalid_transition(service) -> None:
    competition = service.competition(Action.OPEN)
    _refused(service, commands.PublishResults(competition), errors.InvalidTransition)
    assert service.repository.results == []


def test_publishing_ranks_the_scored_entries_and_grants_their_awards(service) -> None:
    competition = service.competition(Action.OPEN)
    enterprises = [service.enterprise() for _ in range(3)]
    entries = [service.entry(competition, enterprise) for enterprise in enterprises]
    service(commands.MoveCompetition(competition, Action.CLOSE))
    judge = service.judge(competition)
    for entry, mark in zip(entries[:2], (70, 90), strict=True):
        service(commands.RecordScore(competition, entry.id, judge, _marks(mark, mark)))
    service.now = datetime(2025, 5, 31, 17, 0, tzinfo=UTC)  # 1 June in Jiaxing
    row = service(commands.PublishResults(competition, force=True))  # entries[2]: no marks
    assert (row.status, row.published_at) == ("published", service.now)
    ranked = [(r.rank, r.entry_id, r.award) for r in service.repository.results]
    assert ranked == [(1, entries[1].id, "一等奖"), (2, entries[0].id, "二等奖")]
    published = service.outbox.added[-4:]
    assert [event_type for event_type, _, _ in published] == [
        "jiangong.competition.published.v1",
        "jiangong.results.published.v1",
        "jiangong.award.granted.v1",
        "jiangong.award.granted.v1",
    ]
    results, award = published[1][2], published[2][2]
    assert results["published_on"] == "2025-06-01" and len(results["ranking"]) == 2
    assert (award["award"], award["award_order"], award["points"]) == ("一等奖", 1, 3)
    assert award["ranked_entries"] == 2 and award["enterprise_id"] == enterprises[1]


def test_publishing_with_an_idle_judge_or_an_unmarked_entry_is_refused_unless_forced(
    service,
) -> None:
    competition = service.competition(Action.OPEN)
    entries = [service.entry(competition, service.enterprise()) for _ in range(2)]
    service(commands.MoveCompetition(competition, Action.CLOSE))
    busy, idle = service.judge(competition), service.judge(competition)
    service(commands.RecordScore(competition, entries[0].id, busy, _marks(80, 80)))
    refused = _refused(service, commands.PublishResults(competition), errors.PublicationIncomplete)
    assert (refused.rule, refused.status) == ("publication_incomplete", 409)
    assert (refused.judges, refused.entries) == ((idle,), (entries[1].id,))
    assert refused.errors == {"judges": [idle], "entries": [entries[1].id]}
    assert "1" in refused.detail and "force=true" in refused.detail
    assert service.repository.results == []
    assert service.repository.competitions[competition].status == "closed"
    row = service(commands.PublishResults(competition, force=True))
    assert row.status == "published" and len(service.repository.results) == 1


def test_publishing_with_every_judge_and_entry_marked_needs_no_confirmation(service) -> None:
    competition = service.competition(Action.OPEN)
    entry = service.entry(competition, service.enterprise())
    service(commands.MoveCompetition(competition, Action.CLOSE))
    judge = service.judge(competition)
    service(commands.RecordScore(competition, entry.id, judge, _marks(80, 80)))
    assert service(commands.PublishResults(competition)).status == "published"


def test_a_judge_whose_only_marks_are_for_a_withdrawn_entry_is_idle() -> None:
    with pytest.raises(errors.PublicationIncomplete) as refused:
        check_publication_complete(["j1", "j2"], ["e1"], {"e1": {"j1": {}}, "e0": {"j2": {}}})
    assert (refused.value.judges, refused.value.entries) == (("j2",), ())
    check_publication_complete([], [], {})


# -- region, deadline, judge's enterprise, county ------------------------------------------


def test_a_competition_in_an_unknown_region_is_refused_and_not_stored(service) -> None:
    command = commands.CreateCompetition(_spec(region_code="123456"))
    refused = _refused(service, command, errors.UnknownRegion)
    assert (refused.rule, refused.status, refused.field) == ("unknown_region", 422, "region_code")
    assert service.repository.competitions == {}


def test_the_city_and_each_county_take_competitions(service) -> None:
    for code in ("330400", "330402", "330411", "330421", "330424", "330481", "330482", "330483"):
        service.competition(region_code=code)
    assert len(service.repository.competitions) == 8


def test_a_town_takes_a_competition_once_an_enterprise_is_seen_there(service) -> None:
    command = commands.CreateCompetition(_spec(level="enterprise", region_code="330411001"))
    _refused(service, command, errors.UnknownRegion)
    service.enterprise(region_code="330411001002")  # a village of that town
    assert service(command).region_code == "330411001"


def test_opening_a_competition_whose_deadline_passed_is_refused(service) -> None:
    competition = service.competition()
    service.now = NOW + timedelta(days=7)  # the deadline itself
    command = commands.MoveCompetition(competition, Action.OPEN)
    refused = _refused(service, command, errors.RegistrationDeadlinePassed)
    assert (refused.rule, refused.status) == ("registration_deadline_passed", 409)
    row = service.repository.competitions[competition]
    assert (row.status, row.opened_at) == ("draft", None)


def test_a_judge_of_an_enterprise_the_registry_never_announced_is_refused(service) -> None:
    competition = service.competition()
    command = commands.AssignJudge(competition, "judge-1", "ent-unknown")
    refused = _refused(service, command, errors.JudgeEnterpriseUnknown)
    assert refused.errors == {"enterprise_id": [refused.detail]}
    assert service.repository.judges == {}
    deregistered = service.enterprise(active=False)  # known, if no longer active
    service(commands.AssignJudge(competition, "judge-1", deregistered))
    service(commands.AssignJudge(competition, "judge-2", None))  # an outside expert
    assert len(service.repository.judges) == 2


def test_a_county_competition_refuses_an_enterprise_of_another_county(service) -> None:
    competition = service.competition(Action.OPEN, level="county", region_code="330402")
    elsewhere = service.enterprise(region_code="330411")
    command = commands.RegisterEntry(competition, elsewhere, (service.worker(elsewhere),), None)
    refused = _refused(service, command, errors.EnterpriseOutsideCounty)
    assert (refused.status, refused.field) == (422, "enterprise_id")
    unplaced = service.enterprise(region_code=None)
    command = commands.RegisterEntry(competition, unplaced, (service.worker(unplaced),), None)
    _refused(service, command, errors.EnterpriseOutsideCounty)
    assert service.repository.entries == {}
    town = service.enterprise(region_code="330402005")
    assert service.entry(competition, town).region_code == "330402005"


def test_a_city_competition_takes_every_county(service) -> None:
    competition = service.competition(Action.OPEN)
    for code in ("330402", "330483001"):
        service.entry(competition, service.enterprise(region_code=code))
    assert len(service.repository.entries) == 2
