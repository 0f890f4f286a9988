"""Agents' clicks and modal submissions, from Slack.

Acknowledged at once: a button either opens a modal (Slack's trigger id lives three seconds, so
the draft is read and the modal opened right here), answers the agent alone with the reason it
cannot be done now, or queues the action. A submitted modal is checked (PII, human touch, the
case's rules) and queued; a refusal shows on the modal's field. The queued work reports back on
the card and its thread.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger

from chalicelib.agent_actions import AgentActions
from chalicelib.errors import NotFoundError, RefusedError
from chalicelib.inbox_message import AgentAction
from chalicelib.platforms.slack import blocks
from chalicelib.platforms.slack.payloads import BlockActions, SlackUser, ViewSubmission
from chalicelib.platforms.slack.web_api import SlackApi

logger = Logger(child=True)

# Buttons that open a modal, with the rule checked before it opens.
_MODAL_BUTTONS = {
    "reply_publicly": "reply_publicly",
    "move_private": "send_private",
    "resolve": "resolve",
}
_QUEUED_BUTTONS = ("hide", "assign", "route")


class SlackInteractions:
    def __init__(self, actions: AgentActions, slack: SlackApi, now: Callable[[], datetime]) -> None:
        self._actions = actions
        self._slack = slack
        self._now = now

    def handle(self, interaction: BlockActions | ViewSubmission) -> dict[str, Any] | None:
        """Slack's answer body, or None for an empty 200."""
        if isinstance(interaction, ViewSubmission):
            return self._submitted(interaction)
        self._clicked(interaction)
        return None

    def _agent(self, user: SlackUser) -> str:
        return self._slack.display_name(user.id, user.handle)

    def _clicked(self, payload: BlockActions) -> None:
        action = payload.actions[0]
        ticket_id = action.ticket_id
        try:
            if action.action_id in _MODAL_BUTTONS:
                ticket = self._actions.check(ticket_id, _MODAL_BUTTONS[action.action_id])
                if action.action_id == "reply_publicly":
                    draft, _ = self._actions.draft(ticket.id, self._agent(payload.user))
                    view = blocks.reply_modal(ticket, draft)
                elif action.action_id == "move_private":
                    view = blocks.private_modal(ticket)
                else:
                    view = blocks.resolve_modal(ticket)
                self._slack.open_view(payload.trigger_id, view)
            elif action.action_id in _QUEUED_BUTTONS:
                self._actions.request(
                    AgentAction(
                        # one hide per ticket: a double click is the same request
                        request_id=f"hide:{ticket_id}"
                        if action.action_id == "hide"
                        else f"slack:{action.action_id}:{action.action_ts or self._now()}",
                        ticket_id=ticket_id,
                        action=action.action_id,  # type: ignore[arg-type]
                        agent=self._agent(payload.user),
                        agent_id=payload.user.id,
                        team=action.selected_option.value if action.selected_option else None,
                        requested_at=self._now(),
                    )
                )
            else:
                logger.warning("unknown slack action ignored", action_id=action.action_id)
        except (RefusedError, NotFoundError) as e:
            # Only the agent who clicked needs to know why nothing happens.
            if payload.response_url:
                self._slack.respond(payload.response_url, f":no_entry: {e}")
            logger.info("slack action refused", action_id=action.action_id, reason=str(e))

    def _submitted(self, payload: ViewSubmission) -> dict[str, Any] | None:
        view = payload.view
        if view.callback_id not in ("reply_publicly", "send_private", "resolve"):
            logger.warning("unknown slack view ignored", callback_id=view.callback_id)
            return None
        field = blocks.NOTE_BLOCK if view.callback_id == "resolve" else blocks.REPLY_BLOCK
        try:
            self._actions.request(
                AgentAction(
                    # the modal's id: submitting the same modal twice is one request
                    request_id=f"slack:{view.id}",
                    ticket_id=view.private_metadata,
                    action=view.callback_id,  # type: ignore[arg-type]
                    text=view.text(field).strip() or None,
                    agent=self._agent(payload.user),
                    agent_id=payload.user.id,
                    confirm=view.ticked(blocks.CONFIRM_BLOCK),
                    requested_at=self._now(),
                )
            )
        except (RefusedError, NotFoundError) as e:
            return {"response_action": "errors", "errors": {field: str(e)[:2000]}}
        return None
