"""The SLA clock: deadlines in business time, peaks, and the timeouts handed to the workflow.

Pure code. Times are aware datetimes; windows are built in the brand's local time (so DST is the
zone's business), and durations are measured in UTC so an hour is always sixty real minutes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from chalicelib.domain.charter import WEEKDAYS, Charter

_ONE_DAY = timedelta(days=1)
_MAX_DAYS_SCANNED = 3700  # ten years of closed days means a broken calendar, not a deadline


class Peak(BaseModel):
    """A declared peak or campaign: targets of tickets opened inside it are multiplied by
    `factor` (0.5 halves them)."""

    model_config = ConfigDict(frozen=True)

    start: datetime
    end: datetime
    factor: float = Field(gt=0, le=1)

    @model_validator(mode="after")
    def _ordered(self) -> Peak:
        if self.end <= self.start:
            raise ValueError("a peak must end after it starts")
        return self

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


@dataclass(frozen=True)
class BusinessCalendar:
    zone: ZoneInfo
    week: dict[int, tuple[time, time]]  # weekday (0 = Monday) → local opening, closing
    holidays: frozenset[date] = field(default_factory=frozenset)
    always_open: bool = False

    @classmethod
    def from_charter(cls, charter: Charter, *, always_open: bool = False) -> BusinessCalendar:
        hours = charter.business_hours
        return cls(
            zone=ZoneInfo(charter.brand.time_zone),
            week={WEEKDAYS.index(day): (slot.open, slot.close) for day, slot in hours.week.items()},
            holidays=frozenset(hours.holidays),
            always_open=always_open,
        )

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The day's opening and closing instants, or None when closed."""
        if day in self.holidays or day.weekday() not in self.week:
            return None
        opens, closes = self.week[day.weekday()]
        return (
            datetime.combine(day, opens, tzinfo=self.zone),
            datetime.combine(day, closes, tzinfo=self.zone),
        )

    def add_business_minutes(self, start: datetime, minutes: float) -> datetime:
        """The instant `minutes` of open time after `start` (counted from the next opening when
        `start` is outside business hours)."""
        if self.always_open:
            return start + timedelta(minutes=minutes)
        remaining = timedelta(minutes=minutes)
        cursor = start.astimezone(self.zone)
        for _ in range(_MAX_DAYS_SCANNED):
            day_window = self.window(cursor.date())
            if day_window is not None and cursor < day_window[1]:
                opens, closes = day_window
                begin = max(cursor, opens)
                available = closes.astimezone(UTC) - begin.astimezone(UTC)
                if remaining <= available:
                    return (begin.astimezone(UTC) + remaining).astimezone(start.tzinfo)
                remaining -= available
            cursor = datetime.combine(cursor.date() + _ONE_DAY, time(0), tzinfo=self.zone)
        raise ValueError("no business hours within ten years")

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` itself when open, else the next opening."""
        return self.add_business_minutes(moment, 0)

    def add_business_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day `days` business days later (from the next opening when
        `start` is outside business hours)."""
        if self.always_open:
            return start + timedelta(days=days)
        begin = self.next_opening(start).astimezone(self.zone)
        day = begin.date()
        counted = 0
        for _ in range(_MAX_DAYS_SCANNED):
            if counted == days:
                break
            day += _ONE_DAY
            if self.window(day) is not None:
                counted += 1
        else:
            raise ValueError("no business hours within ten years")
        candidate = datetime.combine(day, begin.timetz().replace(tzinfo=None), tzinfo=self.zone)
        window = self.window(day)
        assert window is not None
        return min(max(candidate, window[0]), window[1]).astimezone(start.tzinfo)


def peak_factor(peaks: list[Peak], moment: datetime) -> float:
    """The tightest factor of the peaks covering `moment` (1.0 when none does)."""
    return min((p.factor for p in peaks if p.covers(moment)), default=1.0)


@dataclass(frozen=True)
class SlaClock:
    charter: Charter
    calendar: BusinessCalendar
    speedup: float = 1.0  # the local stage runs the clock faster so targets elapse in seconds

    def first_response_due(
        self, opened_at: datetime, category: str, priority: str, peaks: list[Peak]
    ) -> datetime:
        sla = self.charter.sla
        minutes = sla.first_response(category, priority) * peak_factor(peaks, opened_at)
        due = self.calendar.add_business_minutes(opened_at, minutes)
        cap = self.calendar.add_business_days(opened_at, sla.first_response_cap_business_days)
        return min(due, cap)

    def next_escalation_due(self, now: datetime, level: int = 1) -> datetime:
        """When the level after `level` comes: repeatedly, never silently, but further apart as
        the case climbs (30 min, then 60, then 90...), so senior levels are not flooded."""
        minutes = self.charter.sla.escalation_repeat_minutes * max(level, 1)
        return self.calendar.add_business_minutes(now, minutes)

    def resolution_due(self, replied_at: datetime, routing: str | None) -> datetime:
        """A case routed to a team has that team's target; others the charter's default."""
        team = self.charter.teams.get(routing or "")
        days = team.resolution_business_days if team else self.charter.sla.resolution_days(routing)
        return self.calendar.add_business_days(replied_at, days)

    def survey_due(self, resolved_at: datetime) -> datetime:
        return resolved_at + timedelta(days=self.charter.sla.survey_wait_days)

    def timeout_seconds(self, due: datetime, now: datetime) -> int:
        """What the workflow waits for `due`: whole seconds, at least one, sped up locally."""
        seconds = (due - now).total_seconds() / self.speedup
        return max(1, math.ceil(seconds))
