from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.interaction import Channel, Interaction
from chalicelib.domain.ticket import (
    Appended,
    EntryType,
    Ignored,
    Opened,
    Ticket,
    TicketStatus,
    first_name_of,
    route,
    ticket_id_for,
)
from chalicelib.platforms.meta.normalise import interactions_from, parse_delivery
from tests.meta_payloads import load

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def interaction(name: str) -> Interaction:
    [only] = interactions_from(parse_delivery(load(name)), received_at=NOW)
    return only


def opened(name: str) -> Ticket:
    outcome = route(interaction(name), customer_ticket=None, item_ticket=None, now=NOW)
    assert isinstance(outcome, Opened)
    return outcome.ticket


def test_a_customer_comment_opens_a_ticket_awaiting_a_public_reply() -> None:
    outcome = route(interaction("feed_comment"), customer_ticket=None, item_ticket=None, now=NOW)
    assert isinstance(outcome, Opened)
    ticket = outcome.ticket
    assert ticket.status is TicketStatus.AWAITING_PUBLIC_REPLY
    assert ticket.customer.first_name == "Jane"
    assert ticket.customer_key == "facebook#1234567890#24680"
    assert [(p.channel, p.thread_id) for p in ticket.places] == [
        (Channel.PUBLIC_COMMENT, "1234567890_555_777")
    ]
    assert outcome.entry.type is EntryType.CUSTOMER_MESSAGE
    assert outcome.entry.actor == "customer"


def test_a_ticket_that_starts_in_private_has_no_public_step() -> None:
    assert opened("messenger_message").status is TicketStatus.IN_PRIVATE


def test_the_ticket_id_is_derived_from_the_first_item() -> None:
    first = interaction("feed_comment")
    assert ticket_id_for(first) == ticket_id_for(interaction("feed_comment"))
    assert ticket_id_for(first) != ticket_id_for(interaction("feed_followup"))
    assert opened("feed_comment").id == ticket_id_for(first)


def test_a_follow_up_in_the_same_thread_joins_the_open_ticket_without_a_new_place() -> None:
    ticket = opened("feed_comment")
    outcome = route(interaction("feed_followup"), customer_ticket=ticket, item_ticket=None, now=NOW)
    assert isinstance(outcome, Appended)
    assert outcome.ticket.id == ticket.id
    assert outcome.ticket.places == ticket.places
    assert outcome.before == ticket


def test_a_private_message_joins_the_open_ticket_as_a_second_place() -> None:
    ticket = opened("feed_comment")
    outcome = route(
        interaction("messenger_message"), customer_ticket=ticket, item_ticket=None, now=NOW
    )
    assert isinstance(outcome, Appended)
    assert [p.channel for p in outcome.ticket.places] == [
        Channel.PUBLIC_COMMENT,
        Channel.PRIVATE_MESSAGE,
    ]
    assert outcome.ticket.status is TicketStatus.AWAITING_PUBLIC_REPLY


def test_the_page_public_reply_is_recorded_and_ends_the_wait_for_one() -> None:
    ticket = opened("feed_comment")
    outcome = route(
        interaction("feed_page_reply"), customer_ticket=None, item_ticket=ticket, now=NOW
    )
    assert isinstance(outcome, Appended)
    assert outcome.entry.type is EntryType.BRAND_PUBLIC_REPLY
    assert outcome.entry.actor == "brand"
    assert outcome.ticket.status is TicketStatus.REPLIED_PUBLICLY
    assert outcome.ticket.first_public_reply_at == interaction("feed_page_reply").occurred_at


def test_a_second_public_reply_keeps_the_first_reply_time() -> None:
    ticket = opened("feed_comment").model_copy(
        update={"first_public_reply_at": NOW, "status": TicketStatus.IN_PRIVATE}
    )
    outcome = route(
        interaction("feed_page_reply"), customer_ticket=None, item_ticket=ticket, now=NOW
    )
    assert isinstance(outcome, Appended)
    assert outcome.ticket.first_public_reply_at == NOW
    assert outcome.ticket.status is TicketStatus.IN_PRIVATE


def test_a_page_echo_is_a_private_brand_reply_on_the_customer_ticket() -> None:
    ticket = opened("messenger_message")
    outcome = route(
        interaction("messenger_echo"), customer_ticket=ticket, item_ticket=None, now=NOW
    )
    assert isinstance(outcome, Appended)
    assert outcome.entry.type is EntryType.BRAND_PRIVATE_REPLY
    assert outcome.ticket.status is TicketStatus.IN_PRIVATE


def test_brand_messages_outside_any_ticket_are_ignored_not_ticketed() -> None:
    for name in ("messenger_echo", "feed_page_reply"):
        outcome = route(interaction(name), customer_ticket=None, item_ticket=None, now=NOW)
        assert isinstance(outcome, Ignored)


def test_an_edit_goes_on_the_ticket_holding_the_item() -> None:
    ticket = opened("feed_comment")
    outcome = route(
        interaction("feed_comment_edited"), customer_ticket=None, item_ticket=ticket, now=NOW
    )
    assert isinstance(outcome, Appended)
    assert outcome.entry.type is EntryType.CUSTOMER_EDITED


def test_an_edit_of_an_unknown_item_is_ignored() -> None:
    outcome = route(
        interaction("feed_comment_edited"), customer_ticket=None, item_ticket=None, now=NOW
    )
    assert isinstance(outcome, Ignored)


def test_first_names() -> None:
    assert first_name_of("Jane Doe") == "Jane"
    assert first_name_of("  Chloé  Martin ") == "Chloé"
    assert first_name_of("") is None
    assert first_name_of(None) is None


def test_a_brand_reply_to_an_unseen_comment_may_be_ahead_of_it() -> None:
    outcome = route(interaction("feed_page_reply"), customer_ticket=None, item_ticket=None, now=NOW)
    assert isinstance(outcome, Ignored)
    assert outcome.may_arrive_later is True
    edit = route(
        interaction("feed_comment_edited"), customer_ticket=None, item_ticket=None, now=NOW
    )
    assert isinstance(edit, Ignored)
    assert edit.may_arrive_later is True


def test_a_brand_message_without_a_parent_will_never_find_one() -> None:
    echo = route(interaction("messenger_echo"), customer_ticket=None, item_ticket=None, now=NOW)
    assert isinstance(echo, Ignored)
    assert echo.may_arrive_later is False
