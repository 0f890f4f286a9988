"""The SLA clock, with the charter shipped in the repo (Europe/Paris, Mon-Fri 09:00-18:00)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.charter import load_charter
from chalicelib.domain.sla_clock import BusinessCalendar, Peak, SlaClock, peak_factor

PARIS = ZoneInfo("Europe/Paris")
CHARTER = load_charter()
CALENDAR = BusinessCalendar.from_charter(CHARTER)
CLOCK = SlaClock(CHARTER, CALENDAR)


def paris(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        # inside business hours: plain addition
        (paris(2026, 11, 18, 10, 0), 60, paris(2026, 11, 18, 11, 0)),
        # crossing the evening closing: the rest runs from next morning's opening
        (paris(2026, 11, 18, 17, 30), 60, paris(2026, 11, 19, 9, 30)),
        # before opening: counted from 09:00
        (paris(2026, 11, 18, 7, 0), 60, paris(2026, 11, 18, 10, 0)),
        # Friday 19:00: counted from Monday opening
        (paris(2026, 11, 20, 19, 0), 60, paris(2026, 11, 23, 10, 0)),
        # Saturday and Sunday are closed
        (paris(2026, 11, 21, 12, 0), 30, paris(2026, 11, 23, 9, 30)),
        # Christmas (a Friday in 2026) is a holiday: Thursday evening → Monday
        (paris(2026, 12, 24, 17, 0), 120, paris(2026, 12, 28, 10, 0)),
        # exactly at closing time: nothing left today
        (paris(2026, 11, 18, 18, 0), 1, paris(2026, 11, 19, 9, 1)),
        # a whole business day and a bit
        (paris(2026, 11, 18, 9, 0), 9 * 60 + 15, paris(2026, 11, 19, 9, 15)),
        # zero minutes outside hours: the next opening
        (paris(2026, 11, 22, 12, 0), 0, paris(2026, 11, 23, 9, 0)),
    ],
)
def test_business_minutes(start: datetime, minutes: int, due: datetime) -> None:
    assert CALENDAR.add_business_minutes(start, minutes) == due


def test_dst_spring_forward_weekend_keeps_local_opening_hours() -> None:
    # Paris moves to summer time on Sunday 2027-03-28; Friday 17:30 + 60 min → Monday 09:30
    due = CALENDAR.add_business_minutes(paris(2027, 3, 26, 17, 30), 60)
    assert due == paris(2027, 3, 29, 9, 30)
    assert due.utcoffset() == timedelta(hours=2)
    assert due.astimezone(UTC) == datetime(2027, 3, 29, 7, 30, tzinfo=UTC)


def test_dst_fall_back_weekend() -> None:
    # back to winter time on Sunday 2026-10-25
    due = CALENDAR.add_business_minutes(paris(2026, 10, 23, 17, 0), 120)
    assert due == paris(2026, 10, 26, 10, 0)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_an_open_window_across_a_dst_change_counts_real_minutes() -> None:
    # A 24 h brand: the night of 2027-03-28 has only 23 hours.
    night_shift = BusinessCalendar(
        zone=PARIS, week={d: (datetime.min.time(), datetime.max.time()) for d in range(7)}
    )
    start = paris(2027, 3, 28, 1, 0)
    due = night_shift.add_business_minutes(start, 120)
    assert due.astimezone(UTC) - start.astimezone(UTC) == timedelta(minutes=120)
    assert due == paris(2027, 3, 28, 4, 0)  # 01:00 + 2 h of real time, skipping 02:00-03:00


def test_utc_input_gives_utc_output() -> None:
    start = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    assert CALENDAR.add_business_minutes(start, 60) == datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (paris(2026, 11, 18, 10, 0), 1, paris(2026, 11, 19, 10, 0)),
        (paris(2026, 11, 20, 10, 0), 1, paris(2026, 11, 23, 10, 0)),  # Friday → Monday
        (paris(2026, 11, 18, 10, 0), 7, paris(2026, 11, 27, 10, 0)),  # 7 business days
        (paris(2026, 11, 20, 19, 0), 1, paris(2026, 11, 24, 9, 0)),  # from Monday's opening
        (paris(2026, 12, 23, 11, 0), 2, paris(2026, 12, 28, 11, 0)),  # skipping Christmas
    ],
)
def test_business_days(start: datetime, days: int, due: datetime) -> None:
    assert CALENDAR.add_business_days(start, days) == due


def test_first_response_targets_per_category_and_priority() -> None:
    opened = paris(2026, 11, 18, 10, 0)
    assert CLOCK.first_response_due(opened, "complaint", "high", []) == paris(2026, 11, 18, 11)
    assert CLOCK.first_response_due(opened, "question", "normal", []) == paris(2026, 11, 18, 14)
    assert CLOCK.first_response_due(opened, "complaint", "low", []) == paris(2026, 11, 18, 12)


def test_anything_else_is_answered_within_one_business_day() -> None:
    opened = paris(2026, 11, 18, 10, 0)
    assert CLOCK.first_response_due(opened, "praise", "normal", []) == paris(2026, 11, 19, 10)
    assert CLOCK.first_response_due(opened, "unclassified", "x", []) == paris(2026, 11, 19, 10)


def test_friday_evening_complaint_is_due_monday_one_hour_after_opening() -> None:
    opened = paris(2026, 11, 20, 19, 0)
    assert CLOCK.first_response_due(opened, "complaint", "high", []) == paris(2026, 11, 23, 10)


def test_a_peak_tightens_targets_of_tickets_opened_inside_it() -> None:
    peak = Peak(start=paris(2026, 11, 27, 0, 0), end=paris(2026, 11, 28, 0, 0), factor=0.5)
    inside = paris(2026, 11, 27, 10, 0)
    outside = paris(2026, 11, 26, 10, 0)
    assert CLOCK.first_response_due(inside, "complaint", "high", [peak]) == paris(
        2026, 11, 27, 10, 30
    )
    assert CLOCK.first_response_due(outside, "complaint", "high", [peak]) == paris(
        2026, 11, 26, 11, 0
    )


def test_overlapping_peaks_use_the_tightest_factor() -> None:
    moment = paris(2026, 11, 27, 12, 0)
    peaks = [
        Peak(start=paris(2026, 11, 27, 0, 0), end=paris(2026, 11, 28, 0, 0), factor=0.5),
        Peak(start=paris(2026, 11, 27, 11, 0), end=paris(2026, 11, 27, 13, 0), factor=0.25),
    ]
    assert peak_factor(peaks, moment) == 0.25
    assert peak_factor(peaks, paris(2026, 11, 27, 14, 0)) == 0.5
    assert peak_factor([], moment) == 1.0


def test_peak_validation() -> None:
    with pytest.raises(ValueError, match="end after"):
        Peak(start=paris(2026, 1, 2), end=paris(2026, 1, 1), factor=0.5)
    with pytest.raises(ValueError, match="less than or equal to 1"):
        Peak(start=paris(2026, 1, 1), end=paris(2026, 1, 2), factor=2)


def test_resolution_is_seven_business_days_for_routed_cases() -> None:
    replied = paris(2026, 11, 18, 15, 0)
    assert CLOCK.resolution_due(replied, "routed") == paris(2026, 11, 27, 15, 0)
    assert CLOCK.resolution_due(replied, None) == paris(2026, 11, 27, 15, 0)


def test_a_case_routed_to_a_team_has_the_team_target() -> None:
    replied = paris(2026, 11, 18, 15, 0)  # a Wednesday
    assert CHARTER.teams["refunds"].resolution_business_days == 5
    assert CLOCK.resolution_due(replied, "refunds") == paris(2026, 11, 25, 15, 0)
    assert CLOCK.resolution_due(replied, "warranty") == paris(2026, 11, 27, 15, 0)


def test_escalations_repeat_in_business_time() -> None:
    assert CLOCK.next_escalation_due(paris(2026, 11, 18, 17, 50)) == paris(2026, 11, 19, 9, 20)


def test_escalation_levels_come_further_apart() -> None:
    now = paris(2026, 11, 18, 10, 0)
    assert CLOCK.next_escalation_due(now, 1) == paris(2026, 11, 18, 10, 30)
    assert CLOCK.next_escalation_due(now, 2) == paris(2026, 11, 18, 11, 0)
    assert CLOCK.next_escalation_due(now, 3) == paris(2026, 11, 18, 11, 30)


def test_timeouts_are_whole_seconds_sped_up_locally() -> None:
    now = paris(2026, 11, 18, 10, 0)
    due = paris(2026, 11, 18, 11, 0)
    assert CLOCK.timeout_seconds(due, now) == 3600
    fast = SlaClock(CHARTER, CALENDAR, speedup=1200)
    assert fast.timeout_seconds(due, now) == 3
    assert fast.timeout_seconds(now - timedelta(hours=1), now) == 1  # already late: wake now


def test_always_open_calendar_ignores_hours() -> None:
    always = BusinessCalendar.from_charter(CHARTER, always_open=True)
    start = paris(2026, 11, 21, 23, 0)  # Saturday night
    assert always.add_business_minutes(start, 60) == paris(2026, 11, 22, 0, 0)
    assert always.add_business_days(start, 7) == paris(2026, 11, 28, 23, 0)
