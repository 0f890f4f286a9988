"""The Graph API adapter against a local fake speaking Graph's wire format."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from chalicelib.domain.interaction import Platform
from chalicelib.domain.outbound import OutboundPost, PostKind
from chalicelib.errors import PostFailedError
from chalicelib.platforms.meta.graph import GraphApi
from tests.fakes.graph_server import FakeGraph


@pytest.fixture
def fake() -> Iterator[FakeGraph]:
    server = FakeGraph().start()
    yield server
    server.stop()


def api(fake: FakeGraph, retries: int = 2) -> GraphApi:
    return GraphApi(fake.url, {"page1": "tok-page", "ig1": "tok-ig"}, retries=retries, backoff=0.05)


def post(
    kind: PostKind,
    target: str,
    platform: Platform = Platform.FACEBOOK,
    account: str = "page1",
    **extra: str,
) -> OutboundPost:
    return OutboundPost(
        key="k",
        kind=kind,
        platform=platform,
        account_id=account,
        target_id=target,
        text=extra.get("text", "hello"),
        tag=extra.get("tag"),
    )


@pytest.mark.parametrize(
    ("outbound", "path", "body", "created"),
    [
        (
            post(PostKind.PUBLIC_REPLY, "c1"),
            "/v21.0/c1/comments",
            {"message": "hello", "access_token": "tok-page"},
            "c1_reply1",
        ),
        (
            post(PostKind.PUBLIC_REPLY, "igc", Platform.INSTAGRAM, "ig1"),
            "/v21.0/igc/replies",
            {"message": "hello", "access_token": "tok-ig"},
            "igc_reply1",
        ),
        (
            post(PostKind.PRIVATE_REPLY, "c1"),
            "/v21.0/page1/messages",
            {
                "recipient": {"comment_id": "c1"},
                "message": {"text": "hello"},
                "access_token": "tok-page",
            },
            "m_sent1",
        ),
        (
            post(PostKind.MESSAGE, "psid"),
            "/v21.0/page1/messages",
            {
                "recipient": {"id": "psid"},
                "message": {"text": "hello"},
                "messaging_type": "RESPONSE",
                "access_token": "tok-page",
            },
            "m_sent1",
        ),
        (
            post(PostKind.MESSAGE, "psid", tag="HUMAN_AGENT"),
            "/v21.0/page1/messages",
            {
                "recipient": {"id": "psid"},
                "message": {"text": "hello"},
                "messaging_type": "MESSAGE_TAG",
                "tag": "HUMAN_AGENT",
                "access_token": "tok-page",
            },
            "m_sent1",
        ),
        (
            post(PostKind.HIDE, "c1"),
            "/v21.0/c1",
            {"is_hidden": True, "access_token": "tok-page"},
            "ok",
        ),
        (
            post(PostKind.UNHIDE, "c1"),
            "/v21.0/c1",
            {"is_hidden": False, "access_token": "tok-page"},
            "ok",
        ),
        (
            post(PostKind.HIDE, "igc", Platform.INSTAGRAM, "ig1"),
            "/v21.0/igc",
            {"hide": True, "access_token": "tok-ig"},
            "ok",
        ),
    ],
)
def test_each_call_speaks_the_graph_wire_format(
    fake: FakeGraph, outbound: OutboundPost, path: str, body: dict[str, object], created: str
) -> None:
    assert api(fake).perform(outbound) == created
    [request] = fake.requests
    assert (request.path, request.body) == (path, body)


def test_only_accounts_with_a_token_can_post(fake: FakeGraph) -> None:
    assert api(fake).can_post_as("page1")
    assert not api(fake).can_post_as("another-page")


def test_a_refusal_is_not_retried(fake: FakeGraph) -> None:
    fake.fail("c1", 400)
    with pytest.raises(PostFailedError, match=r"Graph API 400: \(#100\) Invalid parameter") as e:
        api(fake).perform(post(PostKind.PUBLIC_REPLY, "c1"))
    assert e.value.retryable is False
    assert len(fake.requests) == 1


def test_server_errors_are_retried_with_backoff_then_succeed(fake: FakeGraph) -> None:
    fake.fail("c1", 503, times=2)
    assert api(fake, retries=2).perform(post(PostKind.PUBLIC_REPLY, "c1")) == "c1_reply1"
    assert len(fake.requests) == 3


def test_rate_limits_honour_retry_after(fake: FakeGraph) -> None:
    fake.fail("c1", 429, times=1, retry_after=1)
    started = time.monotonic()
    api(fake).perform(post(PostKind.PUBLIC_REPLY, "c1"))
    assert time.monotonic() - started >= 1
    assert len(fake.requests) == 2


def test_persistent_server_errors_fail_as_retryable(fake: FakeGraph) -> None:
    fake.fail("c1", 500)
    with pytest.raises(PostFailedError) as e:
        api(fake, retries=1).perform(post(PostKind.PUBLIC_REPLY, "c1"))
    assert e.value.retryable is True
    assert len(fake.requests) == 2


def test_an_unreachable_graph_fails_as_retryable() -> None:
    closed = GraphApi("http://127.0.0.1:9/v21.0", {"page1": "t"}, retries=0)
    with pytest.raises(PostFailedError, match="unreachable") as e:
        closed.perform(post(PostKind.PUBLIC_REPLY, "c1"))
    assert e.value.retryable is True
