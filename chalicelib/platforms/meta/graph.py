"""The Meta Graph API calls socialsav makes, over urllib3 with retries on 429 and 5xx."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import urllib3
from urllib3.util import Retry

from chalicelib.domain.interaction import Platform
from chalicelib.domain.outbound import OutboundPost, PostKind
from chalicelib.errors import PostFailedError

DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"


class GraphApi:
    """Posts as a Page or Instagram account, with that account's token.

    `tokens` maps account ids (Page id, IG account id) to access tokens. An account without a
    token cannot post: the outbox records its posts as dry runs.
    """

    def __init__(
        self,
        base_url: str,
        tokens: Mapping[str, str],
        *,
        timeout: float = 5.0,
        retries: int = 3,
        backoff: float = 0.5,
        http: urllib3.PoolManager | None = None,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._tokens = dict(tokens)
        self._http = http or urllib3.PoolManager(
            timeout=urllib3.Timeout(total=timeout),
            retries=Retry(
                total=retries,
                backoff_factor=backoff,
                status_forcelist=(429, 500, 502, 503, 504),
                allowed_methods=None,  # POSTs too: the outbox, not the HTTP layer, dedupes
                respect_retry_after_header=True,
                raise_on_status=False,
            ),
        )

    def can_post_as(self, account_id: str) -> bool:
        return bool(self._tokens.get(account_id))

    def perform(self, post: OutboundPost) -> str:
        """Make the post; return the platform's id for what was created."""
        path, body = self._request(post)
        body["access_token"] = self._tokens[post.account_id]
        try:
            response = self._http.request(
                "POST",
                f"{self._base}/{path}",
                body=json.dumps(body).encode(),
                headers={"Content-Type": "application/json"},
            )
        except urllib3.exceptions.HTTPError as e:
            raise PostFailedError(
                f"Graph API unreachable: {type(e).__name__}", retryable=True
            ) from e
        payload = _json(response.data)
        if response.status >= 400:
            error = payload.get("error", {}) if isinstance(payload, dict) else {}
            message = error.get("message") or f"HTTP {response.status}"
            raise PostFailedError(
                f"Graph API {response.status}: {message}",
                retryable=response.status == 429 or response.status >= 500,
            )
        created = payload.get("id") or payload.get("message_id") or ""
        return str(created) if created else "ok"

    def _request(self, post: OutboundPost) -> tuple[str, dict[str, Any]]:
        if post.kind is PostKind.PUBLIC_REPLY:
            edge = "replies" if post.platform is Platform.INSTAGRAM else "comments"
            return f"{post.target_id}/{edge}", {"message": post.text}
        if post.kind is PostKind.PRIVATE_REPLY:
            return f"{post.account_id}/messages", {
                "recipient": {"comment_id": post.target_id},
                "message": {"text": post.text},
            }
        if post.kind is PostKind.MESSAGE:
            body: dict[str, Any] = {
                "recipient": {"id": post.target_id},
                "message": {"text": post.text},
                "messaging_type": "MESSAGE_TAG" if post.tag else "RESPONSE",
            }
            if post.tag:
                body["tag"] = post.tag
            return f"{post.account_id}/messages", body
        field = "hide" if post.platform is Platform.INSTAGRAM else "is_hidden"
        return post.target_id, {field: post.kind is PostKind.HIDE}


def _json(data: bytes) -> Any:
    try:
        return json.loads(data or b"{}")
    except ValueError:
        return {}
