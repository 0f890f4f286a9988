from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.interaction import Channel, Interaction, Platform, Verb
from chalicelib.errors import InvalidRequestError
from chalicelib.platforms.meta.normalise import interactions_from, parse_delivery
from tests.meta_payloads import load

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def normalise(name: str) -> list[Interaction]:
    return interactions_from(parse_delivery(load(name)), received_at=NOW)


def test_page_comment() -> None:
    [comment] = normalise("feed_comment")
    assert comment.platform is Platform.FACEBOOK
    assert comment.channel is Channel.PUBLIC_COMMENT
    assert comment.verb is Verb.CREATED
    assert comment.account_id == "1234567890"
    assert comment.item_id == "1234567890_555_777"
    assert comment.thread_id == "1234567890_555_777"  # a top-level comment starts its thread
    assert comment.parent_id is None
    assert comment.post_id == "1234567890_555"
    assert comment.author.id == "24680"
    assert comment.author.name == "Jane Doe"
    assert comment.text is not None
    assert "3rd time" in comment.text
    assert comment.occurred_at == datetime.fromtimestamp(1760000000, tz=UTC)
    assert comment.permalink == "https://www.facebook.com/1234567890_555_777"
    assert comment.from_brand is False


def test_reply_in_a_thread_belongs_to_the_top_level_comment() -> None:
    [reply] = normalise("feed_followup")
    assert reply.parent_id == "1234567890_555_777"
    assert reply.thread_id == "1234567890_555_777"


def test_the_page_own_comment_is_from_the_brand() -> None:
    [reply] = normalise("feed_page_reply")
    assert reply.from_brand is True
    assert reply.parent_id == "1234567890_555_777"


def test_edit_keeps_the_item_and_changes_the_dedup_key() -> None:
    [edit] = normalise("feed_comment_edited")
    [original] = normalise("feed_comment")
    assert edit.verb is Verb.EDITED
    assert edit.item_key == original.item_key
    assert edit.dedup_key != original.dedup_key


def test_messenger_message_and_its_millisecond_timestamp() -> None:
    [message] = normalise("messenger_message")
    assert message.channel is Channel.PRIVATE_MESSAGE
    assert message.item_id == "m_AbC123"
    assert message.thread_id == "24680"
    assert message.customer_id == "24680"
    assert message.occurred_at == datetime.fromtimestamp(1760000900.1, tz=UTC)


def test_messenger_echo_is_a_brand_message_to_the_recipient() -> None:
    [echo] = normalise("messenger_echo")
    assert echo.from_brand is True
    assert echo.author.id == "1234567890"
    assert echo.customer_id == "24680"
    assert echo.thread_id == "24680"


def test_instagram_comment_mention_and_message() -> None:
    [comment] = normalise("instagram_comment")
    assert (comment.platform, comment.channel) == (Platform.INSTAGRAM, Channel.PUBLIC_COMMENT)
    assert comment.author.handle == "some_user"
    assert comment.post_id == "17850000000000002"
    [mention] = normalise("instagram_mention")
    assert mention.channel is Channel.MENTION
    assert mention.item_id == "17894227972186120"
    assert mention.post_id == "17918195224117851"
    [dm] = normalise("instagram_message")
    assert (dm.platform, dm.channel) == (Platform.INSTAGRAM, Channel.PRIVATE_MESSAGE)
    assert dm.customer_id == "IGSID_222"


def test_a_delivery_with_several_entries_skips_what_is_not_a_conversation() -> None:
    items = normalise("multi_entry")
    # two comments and one message; the reaction, the ratings change and the read receipt are
    # well-formed but not conversations, so they are skipped rather than refused
    assert [i.item_id for i in items] == ["1234567890_600_1", "1234567890_601_1", "m_multi_1"]


def test_iso_timestamps_are_accepted() -> None:
    body = (
        b'{"object":"instagram","entry":[{"id":"1","time":"2026-01-02T03:04:05+00:00",'
        b'"messaging":[{"sender":{"id":"9"},"recipient":{"id":"1"},'
        b'"timestamp":"2026-01-02T03:04:05+00:00","message":{"mid":"x","text":"hi"}}]}]}'
    )
    [dm] = interactions_from(parse_delivery(body), received_at=NOW)
    assert dm.occurred_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_attachments_without_text_are_described() -> None:
    body = (
        b'{"object":"page","entry":[{"id":"1","time":1,"messaging":[{"sender":{"id":"9"},'
        b'"recipient":{"id":"1"},"timestamp":1760000000000,"message":{"mid":"x",'
        b'"attachments":[{"type":"image","payload":{"url":"https://x"}}]}}]}]}'
    )
    [dm] = interactions_from(parse_delivery(body), received_at=NOW)
    assert dm.text == "[image]"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "body"),
        (b'{"object":"whatsapp_business_account","entry":[{"id":"1"}]}', "object"),
        (b'{"object":"page","entry":[]}', "entry"),
        (b'{"object":"page"}', "entry"),
        (b'{"object":"page","entry":[{"time":1}]}', "entry.0.id"),
        (
            b'{"object":"page","entry":[{"id":"1","changes":[{"field":"feed",'
            b'"value":{"item":"comment","verb":"add"}}]}]}',
            "comment_id and from",
        ),
        (
            b'{"object":"page","entry":[{"id":"1","messaging":[{"sender":{"id":"2"}}]}]}',
            "recipient",
        ),
    ],
)
def test_malformed_deliveries_are_refused_with_the_reason(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidRequestError, match=reason):
        parse_delivery(body)


def test_what_depends_on_another_item_is_ordered_apart_from_the_customer_messages() -> None:
    [comment] = normalise("feed_comment")
    [follow_up] = normalise("feed_followup")
    [page_reply] = normalise("feed_page_reply")
    [edit] = normalise("feed_comment_edited")
    assert comment.ordering_key == follow_up.ordering_key  # one conversation, in order
    assert page_reply.ordering_key == comment.ordering_key + "#dependent"
    assert edit.ordering_key == comment.ordering_key + "#dependent"
