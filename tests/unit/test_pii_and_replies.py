from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.charter import load_charter
from chalicelib.domain.interaction import Channel, Platform
from chalicelib.domain.pii_guard import PiiGuard
from chalicelib.domain.replies import ReplyDrafter, restate
from chalicelib.domain.ticket import Customer, Place, Ticket, TicketStatus
from chalicelib.errors import RefusedError

CHARTER = load_charter()
GUARD = PiiGuard(CHARTER.sensitive_data)
DRAFTER = ReplyDrafter(CHARTER.replies)
NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Write to jane.doe@example.com", ["an e-mail address"]),
        ("Call us on 06 12 34 56 78", ["a phone number"]),
        ("Ring +44 20 7946 0958", ["a phone number"]),
        ("IBAN FR76 3000 6000 0112 3456 7890 189", ["an IBAN"]),
        ("Visa 4111 1111 1111 1111", ["a card number"]),
        ("12 rue de la Paix, 75002 Paris", ["a postal address"]),
        ("your order #A-10234 is on its way", ["an order number"]),
        ("commande n° 123456", ["an order number"]),
        ("client n°1234567", ["an account number"]),
    ],
)
def test_sensitive_data_is_found(text: str, found: list[str]) -> None:
    assert GUARD.find(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "Hi Jane, please send us your order number in private. - Sam",
        "We answer within 24 hours, 7 days a week (2 days at most).",
        "Our 2026 catalogue is out!",
        "IBAN FR76 3000 6000 0112 3456 7890 180",  # wrong check digits: not an IBAN
        "card 4970 1012 3456 7890",  # fails Luhn
    ],
)
def test_ordinary_replies_pass(text: str) -> None:
    assert GUARD.find(text) == []
    GUARD.check_public(text)


def test_a_public_reply_with_sensitive_data_is_refused_with_the_advice() -> None:
    with pytest.raises(RefusedError) as refused:
        GUARD.check_public("Hi Jane, we found order #A-10234, write to jane@example.com")
    assert str(refused.value) == (
        "a public reply must not contain an e-mail address or an order number: "
        "move the conversation to private to ask for or give it"
    )


def ticket(category: str = "complaint", language: str = "fr", **customer: str) -> Ticket:
    return Ticket(
        id="tk-1",
        platform=Platform.FACEBOOK,
        account_id="p",
        customer=Customer(id="1", **customer),
        customer_key="k",
        origin=Channel.PUBLIC_COMMENT,
        places=(Place(channel=Channel.PUBLIC_COMMENT, thread_id="c"),),
        status=TicketStatus.AWAITING_PUBLIC_REPLY,
        created_at=NOW,
        updated_at=NOW,
        category=category,
        language=language,
    )


MESSAGE = "Mon colis n'est jamais arrivé. C'est la troisième fois que j'écris !"


def test_a_draft_is_personalised_restates_the_point_and_is_signed() -> None:
    text = DRAFTER.draft(ticket(name="Jane Doe", first_name="Jane"), MESSAGE, "Sam Martin")
    assert text.startswith("Bonjour Jane, nous sommes vraiment désolés")
    assert "« Mon colis n'est jamais arrivé »" in text
    assert text.endswith("- Sam")


def test_the_handle_stands_in_for_a_missing_first_name_and_english_is_used() -> None:
    text = DRAFTER.draft(ticket("question", "en", handle="jdoe"), "Is it waterproof?", "Sam")
    assert text.startswith('Hi @jdoe, thanks for your question ("Is it waterproof")')


def test_the_point_is_kept_short() -> None:
    long = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen more"
    assert (
        restate(long) == "one two three four five six seven eight nine ten eleven twelve "
        "thirteen fourteen…"
    )


def test_the_human_touch_check() -> None:
    jane = ticket(name="Jane Doe", first_name="Jane")
    personal = "Bonjour Jane, désolée pour ce retard, je relance le transporteur. - Sam"
    assert DRAFTER.human_touch(personal, jane, "Sam", MESSAGE) == []
    assert DRAFTER.human_touch("Bonjour, nous regardons.", jane, "Sam", MESSAGE) == [
        "it does not address the customer by name",
        "it is not signed with your first name",
    ]
    draft = DRAFTER.draft(jane, MESSAGE, "Sam")
    assert DRAFTER.human_touch(draft, jane, "Sam", MESSAGE) == [
        "it is a saved reply sent unchanged"
    ]
    raw = CHARTER.replies.saved["complaint"]["fr"]
    assert "it is a saved reply sent unchanged" in DRAFTER.human_touch(raw, jane, "Sam", MESSAGE)
