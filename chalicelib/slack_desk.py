"""The agents' desk in Slack: a live card per ticket, a line in its thread per event, and the
notices that must reach people (on-call groups at escalations, teams, moderators).

`changed` hears of every committed ticket write with timeline entries (the ticket store calls
it), so the card follows the ticket whoever changed it: a webhook, the workflow, an agent. Slack
is a view: a failed call is logged and never undoes or blocks the ticket's own processing; the
next event redraws the whole card.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aws_lambda_powertools import Logger

from chalicelib.domain.charter import Team
from chalicelib.domain.ticket import EntryType, SlackCard, Ticket, TimelineEntry
from chalicelib.platforms.slack import blocks
from chalicelib.platforms.slack.web_api import SlackApi, SlackCallError

logger = Logger(child=True)


class CardStore(Protocol):
    def set_card(self, ticket_id: str, card: SlackCard) -> bool: ...


@dataclass(frozen=True)
class DeskChannels:
    agents: str
    escalations: str
    moderation: str
    oncall_groups: tuple[str, ...] = ()  # one per escalation level; the last one repeats

    def oncall(self, level: int) -> str | None:
        if not self.oncall_groups or level < 1:
            return None
        return self.oncall_groups[min(level, len(self.oncall_groups)) - 1]


class SlackDesk:
    def __init__(
        self,
        slack: SlackApi,
        cards: CardStore,
        channels: DeskChannels,
        teams: Mapping[str, Team],
        now: Callable[[], datetime],
    ) -> None:
        self._slack = slack
        self._cards = cards
        self._channels = channels
        self._teams = teams
        self._now = now

    def open_card(self, ticket: Ticket, message: str | None) -> None:
        """Post the new ticket's card and remember where it is (once)."""
        if ticket.slack_card is not None or not self._channels.agents:
            return
        place = SlackCard(channel=self._channels.agents, ts="", excerpt=blocks.excerpt(message))
        text, card = blocks.card(
            ticket.model_copy(update={"slack_card": place}), self._now(), list(self._teams)
        )
        try:
            ts = self._slack.post(place.channel, text, card)
        except SlackCallError as e:
            logger.warning("ticket card not posted", ticket_id=ticket.id, reason=str(e))
            return
        if not self._cards.set_card(ticket.id, place.model_copy(update={"ts": ts})):
            logger.warning(
                "ticket already had a card: a second one was posted", ticket_id=ticket.id
            )
            return
        logger.info("ticket card posted", ticket_id=ticket.id, channel=self._channels.agents)

    def changed(self, ticket: Ticket, entries: Sequence[TimelineEntry]) -> None:
        try:
            self._notify(ticket, entries)
            if ticket.slack_card is not None and ticket.slack_card.ts:
                self._follow(ticket, ticket.slack_card, entries)
        except SlackCallError as e:
            logger.warning("slack not updated", ticket_id=ticket.id, reason=str(e))

    def _follow(self, ticket: Ticket, card: SlackCard, entries: Sequence[TimelineEntry]) -> None:
        text, shown = blocks.card(ticket, self._now(), list(self._teams))
        self._slack.update(card.channel, card.ts, text, shown)
        for entry in entries:
            mention = self._mention(ticket, entry)
            self._slack.post(card.channel, blocks.thread_line(entry, mention), thread_ts=card.ts)

    def _mention(self, ticket: Ticket, entry: TimelineEntry) -> str | None:
        if entry.type is not EntryType.ESCALATED:
            return None
        group = self._channels.oncall(ticket.escalation_level)
        return blocks.group_mention(group) if group else None

    def _notify(self, ticket: Ticket, entries: Sequence[TimelineEntry]) -> None:
        """Notices outside the card's thread, for the people who must act."""
        summary = f"`{ticket.id}` {blocks.place_label(ticket)} from {blocks.customer_label(ticket)}"
        for entry in entries:
            if entry.type is EntryType.ESCALATED and self._channels.escalations:
                mention = self._mention(ticket, entry) or ""
                line = blocks.thread_line(entry, mention)
                self._slack.post(self._channels.escalations, f"{line}\n{summary}")
            elif entry.type is EntryType.ROUTED and ticket.routing in self._teams:
                self._tell_team(ticket, ticket.routing or "", summary)
            elif entry.type is EntryType.MODERATED and self._channels.moderation:
                # Spam hidden by the charter is not news; abuse, or anything an agent hid, is.
                if ticket.category == "spam" and not entry.actor.startswith("agent:"):
                    continue
                self._slack.post(
                    self._channels.moderation, f"{blocks.thread_line(entry)}\n{summary}"
                )

    def _tell_team(self, ticket: Ticket, name: str, summary: str) -> None:
        team = self._teams[name]
        due = ticket.resolution_due
        target = f"{team.resolution_business_days} business days"
        if due:
            target += f", due {blocks.slack_time(due)} {due:%Y-%m-%d}"
        excerpt = ticket.slack_card.excerpt if ticket.slack_card else ""
        self._slack.post(
            team.slack_channel,
            f":label: New case for {name}: {summary}\nResolution target: {target}\n>{excerpt}",
        )
