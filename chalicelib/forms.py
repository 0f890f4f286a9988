"""HTML-form bodies (application/x-www-form-urlencoded): Slack's requests, the survey's post."""

from __future__ import annotations

from urllib.parse import parse_qs

from chalicelib.errors import InvalidRequestError

MAX_FIELDS = 50


def parse_form(raw_body: bytes) -> dict[str, str]:
    """Each field's first value; a body that is not UTF-8 form data is refused."""
    try:
        fields = parse_qs(raw_body.decode(), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as e:
        raise InvalidRequestError(f"body is not form data: {e}") from e
    return {key: values[0] for key, values in fields.items()}
