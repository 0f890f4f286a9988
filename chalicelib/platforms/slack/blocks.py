"""What agents see in Slack: the ticket card, the lines in its thread, and the modals.

Pure rendering with slack_sdk's Block Kit models: no I/O. Every render starts from the ticket as
stored, so a card is always the whole truth, whichever event caused the update.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from chalicelib.domain.interaction import Channel
from chalicelib.domain.ticket import EntryType, Ticket, TicketStatus, TimelineEntry

EXCERPT_CHARS = 600
_PLATFORM = {"facebook": "Facebook", "instagram": "Instagram", "x": "X"}
_PLACE = {
    Channel.PUBLIC_COMMENT: "comment",
    Channel.MENTION: "mention",
    Channel.PRIVATE_MESSAGE: "private message",
}
_PRIORITY = {"high": ":red_circle:", "normal": ":large_yellow_circle:", "low": ":white_circle:"}
_ENTRY = {
    EntryType.CUSTOMER_MESSAGE: ":speech_balloon: Customer wrote",
    EntryType.CUSTOMER_EDITED: ":pencil2: Customer edited their message",
    EntryType.CUSTOMER_REMOVED: ":wastebasket: Customer removed their message",
    EntryType.COMMENT_HIDDEN: ":see_no_evil: Comment hidden on the platform",
    EntryType.COMMENT_UNHIDDEN: ":eyes: Comment unhidden on the platform",
    EntryType.BRAND_PUBLIC_REPLY: ":white_check_mark: Public reply sent",
    EntryType.BRAND_PRIVATE_REPLY: ":envelope: Private message sent",
    EntryType.ESCALATED: ":rotating_light: Escalated",
    EntryType.AGENT_REQUEST: ":hourglass_flowing_sand: Requested",
    EntryType.AGENT_REQUEST_REFUSED: ":no_entry: Not done",
    EntryType.POST_FAILED: ":x: Post failed",
    EntryType.POST_SKIPPED: ":information_source: Not posted",
    EntryType.RESOLVED: ":tada: Resolved",
    EntryType.SURVEY_ANSWERED: ":star: Survey answered",
    EntryType.CLOSED: ":lock: Closed",
    EntryType.REOPENED: ":repeat: Reopened",
    EntryType.MODERATED: ":see_no_evil: Moderated",
    EntryType.ASSIGNED: ":bust_in_silhouette: Assigned",
    EntryType.ROUTED: ":label: Escalated to a team",
}


def excerpt(text: str | None) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def place_label(ticket: Ticket) -> str:
    return f"{_PLATFORM.get(ticket.platform.value, ticket.platform.value)} {_PLACE[ticket.origin]}"


def relative(due: datetime, now: datetime) -> str:
    """'in 23 min', 'in 2 h 05', 'overdue by 4 min'."""
    minutes = (due - now).total_seconds() / 60
    span = math.ceil(abs(minutes)) if minutes >= 0 else math.floor(abs(minutes)) or 1
    words = f"{span} min" if span < 60 else f"{span // 60} h {span % 60:02d}"
    return f"in {words}" if minutes >= 0 else f"overdue by {words}"


def slack_time(moment: datetime) -> str:
    """A time each reader sees in their own time zone (the fallback is UTC)."""
    return f"<!date^{int(moment.timestamp())}^{{time}}|{moment:%H:%M} UTC>"


def deadline_line(ticket: Ticket, now: datetime) -> str:
    if ticket.status is TicketStatus.MODERATED:
        return "Moderated: not answered, comment hidden."
    survey = f" Survey: {ticket.survey.summary}" if ticket.survey else ""
    if ticket.status is TicketStatus.CLOSED:
        return f"Closed.{survey}"
    if ticket.status is TicketStatus.RESOLVED:
        return f"Resolved.{survey}" if survey else "Resolved: waiting for the survey answer."
    due = ticket.next_deadline
    if due is None:
        return "No deadline."
    what = "Resolution" if ticket.first_reply_made else "First public reply"
    line = f":stopwatch: {what} due {slack_time(due)} ({relative(due, now)})"
    if ticket.escalation_level:
        line += f" · :rotating_light: target missed, escalation level {ticket.escalation_level}"
    return line


def customer_label(ticket: Ticket) -> str:
    customer = ticket.customer
    handle = f" (@{customer.handle})" if customer.handle else ""
    return f"*{customer.name or customer.handle or customer.id}*{handle}"


def card(ticket: Ticket, now: datetime, teams: Sequence[str]) -> tuple[str, list[Block]]:
    """The card's notification text and its blocks."""
    place = place_label(ticket)
    link = ticket.places[0].permalink
    where = f"<{link}|{place}>" if link else place
    message = ticket.slack_card.excerpt if ticket.slack_card else ""
    quoted = "\n".join(f">{line}" for line in message.splitlines()) or ">(no text)"
    status = ticket.status.value.replace("_", " ")
    assignee = f"<@{ticket.assignee.id}>" if ticket.assignee else "nobody yet"
    blocks: list[Block] = [
        HeaderBlock(text=f"{ticket.category.replace('_', ' ').capitalize()} · {place}"),
        SectionBlock(
            text=MarkdownTextObject(text=f"{where} from {customer_label(ticket)}\n{quoted}")
        ),
        SectionBlock(
            fields=[
                MarkdownTextObject(
                    text=f"*Priority*\n{_PRIORITY.get(ticket.priority, '')} {ticket.priority}"
                ),
                MarkdownTextObject(text=f"*Status*\n{status}"),
                MarkdownTextObject(text=f"*Assigned to*\n{assignee}"),
                MarkdownTextObject(text=f"*Team*\n{ticket.routing or 'front line'}"),
            ]
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=deadline_line(ticket, now)),
                MarkdownTextObject(text=f"`{ticket.id}` · {ticket.language or '?'}"),
            ]
        ),
    ]
    if ticket.status.is_open and ticket.status is not TicketStatus.RESOLVED:
        blocks.append(actions(ticket, teams))
    text = f"{ticket.priority} {ticket.category} on {place} from {ticket.customer.name or ''}"
    return text, blocks


def actions(ticket: Ticket, teams: Sequence[str]) -> ActionsBlock:
    def button(label: str, action_id: str, style: str | None = None) -> ButtonElement:
        return ButtonElement(text=label, action_id=action_id, value=ticket.id, style=style)

    hide = button("Hide", "hide", "danger")
    hide.confirm = ConfirmObject(
        title="Hide this comment?",
        text="It stays on the platform, hidden from others (never deleted). The ticket ends "
        "as moderated under the charter.",
        confirm="Hide",
        deny="Cancel",
    )
    elements: list[ButtonElement | StaticSelectElement] = [
        button("Reply publicly", "reply_publicly", "primary"),
        button("Move to private", "move_private"),
        hide,
        button("Assign to me", "assign"),
        button("Resolve", "resolve"),
    ]
    if teams:
        elements.append(
            StaticSelectElement(
                action_id="route",
                placeholder="Escalate to team",
                options=[Option(value=team, text=team) for team in teams],
            )
        )
    return ActionsBlock(block_id=f"ticket:{ticket.id}", elements=elements)


def thread_line(entry: TimelineEntry, mention: str | None = None) -> str:
    actor = entry.actor.removeprefix("agent:")
    by = f" by {actor}" if entry.actor.startswith("agent:") else ""
    text = f": {excerpt(entry.text)}" if entry.text else ""
    line = f"{_ENTRY.get(entry.type, entry.type.value)}{by}{text}"
    return f"{line} {mention}" if mention else line


def group_mention(group_id: str) -> str:
    return f"<!subteam^{group_id}>"


# --- modals ---------------------------------------------------------------------------------

REPLY_BLOCK = "reply"
CONFIRM_BLOCK = "confirm"
NOTE_BLOCK = "note"


def _text_input(label: str, initial: str = "", *, optional: bool = False) -> InputBlock:
    return InputBlock(
        block_id=NOTE_BLOCK if optional else REPLY_BLOCK,
        label=label,
        optional=optional,
        element=PlainTextInputElement(
            action_id="text", multiline=True, initial_value=initial or None, max_length=3000
        ),
    )


def _modal(
    ticket: Ticket, callback_id: str, title: str, submit: str, intro: str, *inputs: InputBlock
) -> View:
    """A modal about `ticket` (its id rides along as private metadata), with an introduction."""
    return View(
        type="modal",
        callback_id=callback_id,
        private_metadata=ticket.id,
        title=title,
        submit=submit,
        close="Cancel",
        blocks=[SectionBlock(text=MarkdownTextObject(text=intro)), *inputs],
    )


def reply_modal(ticket: Ticket, draft: str) -> View:
    """Reply publicly: the personalised saved reply, editable, and the human-touch override."""
    return _modal(
        ticket,
        "reply_publicly",
        "Reply publicly",
        "Post reply",
        f"Public reply on the {place_label(ticket)} of {customer_label(ticket)}. No account or "
        "order numbers, e-mail, phone or card numbers in public: ask for them in private.",
        _text_input("Reply", draft),
        InputBlock(
            block_id=CONFIRM_BLOCK,
            label="Human touch",
            optional=True,
            hint="The check flags a reply without the customer's name or your signature, "
            "or a saved reply sent unchanged.",
            element=CheckboxesElement(
                action_id="confirm",
                options=[Option(value="yes", text="Post it even if the check flags it")],
            ),
        ),
    )


def private_modal(ticket: Ticket) -> View:
    return _modal(
        ticket,
        "send_private",
        "Move to private",
        "Send",
        f"Private message to {customer_label(ticket)}. Here you may ask for an order number or "
        "contact details.",
        _text_input("Message"),
    )


def resolve_modal(ticket: Ticket) -> View:
    return _modal(
        ticket,
        "resolve",
        "Resolve",
        "Resolve",
        "The closing message and the survey link are posted where the customer wrote; the "
        "ticket closes after the survey.",
        _text_input("Resolution note (for the team)", optional=True),
    )
