"""Exceptional promotion by contest (破格).

When a skill contest publishes its results, each placed worker may be promoted without the
years, by a versioned rules table of bands. The defaults (after the published bands of
municipal human-resources bureaus):

- city contest of class 1, rank ≤ 10 → level 2;
- city contest of class 2, or county contest, rank ≤ 6 → level 3;
- enterprise contest, top 30 % (rank ≤ ⌈0.3 × ranked entries⌉, in integer arithmetic) → level 4.

Only ``kind == "skill_contest"`` counts. Where several bands admit an award, the highest level
wins. A worker below the band's level (or with none) goes to it; one already at it goes one up;
one above it gets nothing. **At most one contest promotion per worker per calendar year**, the
year of the award's ``published_on`` (the fact's own date). :func:`decide_contest_promotion`
never raises for a refusal: it returns a :class:`ContestDecision` with the refusal's rule code
and detail, which the consumer records on the worker's history with the rules' version.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date

from . import errors
from .counting import year_of_fact
from .levels import HIGHEST, Promotion, Route, is_higher

SKILL_CONTEST = "skill_contest"
CONTEST_LEVELS = ("city", "county", "enterprise")
CONTEST_CLASSES = (1, 2)


@dataclass(frozen=True, slots=True)
class Award:
    """A placed entry of a published contest, as ``award.granted`` tells it."""

    competition_id: str
    entry_id: str
    worker_ids: tuple[str, ...]
    kind: str
    level: str
    contest_class: int | None
    rank: int
    ranked_entries: int
    published_on: date
    occupation_code: str | None
    year: int | None = None  # the competition's own year; counts go by published_on

    @property
    def award_id(self) -> str:
        return f"{self.competition_id}/{self.entry_id}"


@dataclass(frozen=True, slots=True)
class ContestBand:
    """Awards of a contest ``level`` (and ``contest_class``, ``None`` for any) placed within
    ``max_rank`` or the top ``top_percent`` % of ranked entries lead to ``to_level``."""

    level: str
    to_level: int
    contest_class: int | None = None
    max_rank: int | None = None
    top_percent: int | None = None

    def admits(self, award: Award) -> bool:
        if award.level != self.level or award.rank < 1:
            return False
        if self.contest_class is not None and award.contest_class != self.contest_class:
            return False
        if self.max_rank is not None:
            return award.rank <= self.max_rank
        cutoff = -(-(self.top_percent or 0) * award.ranked_entries // 100)  # ceiling
        return award.rank <= cutoff


_BAND_FIELDS = {
    "level": (CONTEST_LEVELS, False),
    "to_level": ((1, 2, 3, 4, 5), False),
    "contest_class": (CONTEST_CLASSES, True),
    "max_rank": (range(1, 100_001), True),
    "top_percent": (range(1, 101), True),
}
"""Each band field: its allowed values and whether it may be null (or absent)."""


@dataclass(frozen=True, slots=True)
class ContestRules:
    version: int
    bands: tuple[ContestBand, ...]

    def band_for(self, award: Award) -> ContestBand | None:
        admitting = [band for band in self.bands if band.admits(award)]
        return min(admitting, key=lambda band: band.to_level, default=None)

    def to_dict(self) -> dict[str, object]:
        return {"version": self.version, "bands": [asdict(band) for band in self.bands]}

    @classmethod
    def from_dict(cls, data: Mapping[str, object], *, version: int | None = None) -> ContestRules:
        """Rules from plain JSON data; ``version`` (if given) replaces the data's own.
        Every problem is reported at once, by field (``bands[0].to_level``)."""
        if not isinstance(data, Mapping):
            raise errors.InvalidRulesTable(errors={"rules": ["The rules table is an object."]})
        problems: dict[str, list[str]] = {}
        given = data.get("version") if version is None else version
        if isinstance(given, bool) or not isinstance(given, int) or given < 1:
            problems["version"] = ["The version is a whole number, 1 or more."]
            given = 0
        raw_bands = data.get("bands")
        if not isinstance(raw_bands, list) or not raw_bands:
            problems["bands"] = ["The bands are a non-empty list."]
            raw_bands = []
        bands = [_band(raw, f"bands[{i}]", problems) for i, raw in enumerate(raw_bands)]
        if problems:
            raise errors.InvalidRulesTable(errors=problems)
        return cls(given, tuple(band for band in bands if band is not None))


def _band(raw: object, where: str, problems: dict[str, list[str]]) -> ContestBand | None:
    if not isinstance(raw, Mapping):
        problems[where] = ["A band is an object."]
        return None
    for key in sorted(set(raw) - set(_BAND_FIELDS)):
        problems[f"{where}.{key}"] = ["Unknown field."]
    for key, (allowed, nullable) in _BAND_FIELDS.items():
        value = raw.get(key)
        if value is None and nullable:
            continue
        if isinstance(value, bool) or not isinstance(value, int | str) or value not in allowed:
            problems[f"{where}.{key}"] = [f"Not an allowed value for {key}."]
    if (raw.get("max_rank") is None) == (raw.get("top_percent") is None):
        problems[f"{where}.max_rank"] = ["Give either max_rank or top_percent."]
    if any(key.startswith(where + ".") or key == where for key in problems):
        return None
    return ContestBand(
        level=raw["level"],
        to_level=raw["to_level"],
        contest_class=raw.get("contest_class"),
        max_rank=raw.get("max_rank"),
        top_percent=raw.get("top_percent"),
    )


DEFAULT_CONTEST_RULES = ContestRules(
    version=1,
    bands=(
        ContestBand("city", 2, contest_class=1, max_rank=10),
        ContestBand("city", 3, contest_class=2, max_rank=6),
        ContestBand("county", 3, max_rank=6),
        ContestBand("enterprise", 4, top_percent=30),
    ),
)


@dataclass(frozen=True, slots=True)
class ContestDecision:
    """Granted (``to_level`` set) or refused (``reason`` = a rule code, with ``detail``)."""

    rules_version: int
    occupation_code: str | None
    on: date
    from_level: int | None = None
    to_level: int | None = None
    reason: str | None = None
    detail: str | None = None

    @property
    def granted(self) -> bool:
        return self.to_level is not None

    @property
    def year(self) -> int:
        return year_of_fact(self.on)

    def promotion(self) -> Promotion | None:
        if self.to_level is None or self.occupation_code is None:
            return None
        return Promotion(
            self.occupation_code, self.from_level, self.to_level, Route.CONTEST, self.on
        )


def decide_contest_promotion(
    award: Award,
    current_level: int | None,
    contest_promotions_this_year: int,
    rules: ContestRules,
) -> ContestDecision:
    """What ``award`` does for one worker holding ``current_level`` in its occupation, who had
    ``contest_promotions_this_year`` contest promotions in the year of ``published_on``."""

    def refused(error: type[errors.DomainError], detail: str | None = None) -> ContestDecision:
        return ContestDecision(
            rules.version,
            award.occupation_code,
            award.published_on,
            current_level,
            reason=error.rule,
            detail=detail or error.default_detail,
        )

    if award.kind != SKILL_CONTEST:
        return refused(errors.NotEligibleForContestPromotion, "Only a skill contest promotes.")
    if not award.occupation_code:
        return refused(errors.NotEligibleForContestPromotion, "The contest names no occupation.")
    band = rules.band_for(award)
    if band is None:
        return refused(errors.NotEligibleForContestPromotion)
    if current_level is not None and is_higher(current_level, band.to_level):
        return refused(errors.AboveContestBand)
    to_level = band.to_level if is_higher(band.to_level, current_level) else band.to_level - 1
    if to_level < HIGHEST:
        return refused(errors.AlreadyAtLevel, "The worker already holds level 1, the highest.")
    if contest_promotions_this_year > 0:
        return refused(errors.ContestPromotionThisYear)
    return ContestDecision(
        rules.version, award.occupation_code, award.published_on, current_level, to_level
    )
