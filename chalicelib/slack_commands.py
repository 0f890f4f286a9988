"""The `/sav` slash command: answers only the agent who typed it (fast reads, no queue).

/sav ticket <id>        one ticket: status, deadline, who has it
/sav open               my open tickets, soonest deadline first
/sav peak on 2h 0.5     a peak from now for 2 hours: targets x 0.5
/sav peak off           end the running peak(s)
/sav stats              today's first-response figures
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from chalicelib.domain.sla_clock import Peak
from chalicelib.domain.stats import first_response_stats
from chalicelib.domain.survey import csat
from chalicelib.domain.ticket import Ticket, TicketStatus
from chalicelib.platforms.slack import blocks
from chalicelib.platforms.slack.payloads import SlashCommand

USAGE = (
    "Usage: `/sav ticket <id>` · `/sav open` · `/sav peak on 2h 0.5` · `/sav peak off` · "
    "`/sav stats`"
)
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m(?:in)?)?$")
_OPEN_LIMIT = 500


class CommandStore(Protocol):
    def get(self, ticket_id: str) -> Ticket | None: ...
    def list_tickets(self, status: TicketStatus | None, limit: int) -> list[Ticket]: ...
    def tickets_created_since(self, since: datetime) -> list[Ticket]: ...
    def add_peak(self, peak: Peak, peak_id: str) -> None: ...
    def end_peaks(self, at: datetime) -> int: ...


def parse_duration(text: str) -> timedelta | None:
    match = _DURATION.match(text.strip().lower())
    if not match or not any(match.groups()):
        return None
    hours, minutes = (int(g) if g else 0 for g in match.groups())
    return timedelta(hours=hours, minutes=minutes) or None


class SlashCommands:
    def __init__(
        self,
        tickets: CommandStore,
        time_zone: str,
        now: Callable[[], datetime],
        new_id: Callable[[], str],
    ) -> None:
        self._tickets = tickets
        self._zone = ZoneInfo(time_zone)
        self._now = now
        self._new_id = new_id

    def handle(self, command: SlashCommand) -> dict[str, Any]:
        words = command.text.split()
        verb, args = (words[0].lower(), words[1:]) if words else ("help", [])
        if verb == "ticket" and len(args) == 1:
            text = self._ticket(args[0])
        elif verb == "open" and not args:
            text = self._open(command.user_id)
        elif verb == "peak" and args and args[0].lower() in ("on", "off"):
            text = self._peak(args)
        elif verb == "stats" and not args:
            text = self._stats()
        else:
            text = USAGE
        return {"response_type": "ephemeral", "text": text}

    def _line(self, ticket: Ticket, now: datetime) -> str:
        return (
            f"`{ticket.id}` {ticket.priority} {ticket.category} · {blocks.place_label(ticket)} "
            f"from {blocks.customer_label(ticket)} · {blocks.deadline_line(ticket, now)}"
        )

    def _ticket(self, ticket_id: str) -> str:
        ticket = self._tickets.get(ticket_id)
        if ticket is None:
            return f"No ticket `{ticket_id}`."
        who = f"<@{ticket.assignee.id}>" if ticket.assignee else "nobody"
        status = ticket.status.value.replace("_", " ")
        return f"{self._line(ticket, self._now())}\nStatus: {status} · assigned to {who}"

    def _open(self, user_id: str) -> str:
        now = self._now()
        mine = [
            t
            for t in self._tickets.list_tickets(None, _OPEN_LIMIT)
            if t.assignee and t.assignee.id == user_id
        ]
        if not mine:
            return "You have no open tickets. *Assign to me* on a card takes one."
        mine.sort(key=lambda t: (t.next_deadline is None, t.next_deadline or now))
        return f"Your open tickets ({len(mine)}), soonest deadline first:\n" + "\n".join(
            f"• {self._line(t, now)}" for t in mine
        )

    def _peak(self, args: list[str]) -> str:
        now = self._now()
        if args[0].lower() == "off":
            if len(args) != 1:
                return USAGE
            ended = self._tickets.end_peaks(now)
            return f"Peak ended ({ended} running)." if ended else "No peak is running."
        duration = parse_duration(args[1]) if len(args) in (2, 3) else None
        if duration is None:
            return f"Give the peak's duration, like `2h`, `90m` or `1h30m`. {USAGE}"
        try:
            factor = float(args[2]) if len(args) == 3 else 0.5
            peak = Peak(start=now, end=now + duration, factor=factor)
        except (ValueError, ValidationError):
            return "The factor multiplies targets: a number above 0, at most 1 (0.5 halves them)."
        self._tickets.add_peak(peak, self._new_id())
        return (
            f"Peak on until {blocks.slack_time(peak.end)}: first-response targets of new "
            f"tickets multiplied by {peak.factor:g}."
        )

    def _stats(self) -> str:
        now = self._now()
        midnight = now.astimezone(self._zone).replace(hour=0, minute=0, second=0, microsecond=0)
        today = self._tickets.tickets_created_since(midnight)
        figures = first_response_stats(today, now)
        if not figures.opened:
            return f"No tickets yet today ({figures.moderated} moderated)."
        share = figures.within_target_share
        lines = [
            f"*Today's first responses* ({figures.opened} tickets, {figures.moderated} moderated)",
            f"• answered: {figures.answered}, within target: {figures.within_target}"
            + (f" ({share:.0%})" if share is not None else ""),
            f"• waiting: {figures.waiting}, of which overdue: {figures.overdue}",
        ]
        if figures.median_minutes is not None and figures.slowest_minutes is not None:
            lines.append(
                f"• median first response: {figures.median_minutes:.0f} min, "
                f"slowest: {figures.slowest_minutes:.0f} min"
            )
        satisfaction = csat(today)
        if satisfaction.score is not None and satisfaction.average is not None:
            lines.append(
                f"• CSAT: {satisfaction.score:.0%} rated 4-5, average {satisfaction.average:.1f}/5,"
                f" {satisfaction.answers} answers of {satisfaction.surveyed} surveyed"
            )
        return "\n".join(lines)
