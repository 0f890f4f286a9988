"""Saved replies made human: drafting a personalised reply, and checking one before it goes out.

The field's rule: address the customer by first name, restate their point, reassure, sign with
the agent's first name. A saved reply is a starting point; sending it unchanged is flagged.
"""

from __future__ import annotations

import re

from chalicelib.domain.charter import Replies
from chalicelib.domain.ticket import Ticket
from chalicelib.domain.triage import fold

_POINT_WORDS = 14
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s")
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def first_name_or_handle(ticket: Ticket) -> str | None:
    customer = ticket.customer
    return customer.first_name or (f"@{customer.handle}" if customer.handle else None)


def restate(message: str | None) -> str:
    """The customer's point in their own words, kept short: the first sentence, at most a
    dozen words."""
    text = " ".join((message or "").split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0].rstrip(" .!?")
    words = first.split()
    return " ".join(words[:_POINT_WORDS]) + ("…" if len(words) > _POINT_WORDS else "")


def agent_first_name(agent: str) -> str:
    return agent.strip().split()[0] if agent.strip() else agent


class ReplyDrafter:
    def __init__(self, replies: Replies) -> None:
        self._replies = replies

    def saved(self, category: str, language: str | None) -> str:
        by_language = self._replies.saved.get(category, self._replies.saved["default"])
        for candidate, text in by_language.items():
            if candidate == language:
                return text
        return next(iter(by_language.values()))

    def draft(self, ticket: Ticket, message: str | None, agent: str) -> str:
        """The best saved reply for the case, filled in for this customer and this agent."""
        template = self.saved(ticket.category, ticket.language)
        return (
            template.replace("{first_name}", first_name_or_handle(ticket) or "")
            .replace("{point}", restate(message))
            .replace(
                "{signature}", self._replies.signature.replace("{agent}", agent_first_name(agent))
            )
            .replace("  ", " ")
            .strip()
        )

    def human_touch(
        self, text: str, ticket: Ticket, agent: str | None, message: str | None = None
    ) -> list[str]:
        """What a public reply lacks to read as written by a person for this person."""
        flags: list[str] = []
        folded = fold(text)
        name = first_name_or_handle(ticket)
        if name and fold(name).lstrip("@") not in folded:
            flags.append("it does not address the customer by name")
        if agent and fold(agent_first_name(agent)) not in folded:
            flags.append("it is not signed with your first name")
        personal = [name or "", restate(message), agent_first_name(agent or "")]
        if _PLACEHOLDER.search(text) or _skeleton(text, personal) in self._skeletons():
            flags.append("it is a saved reply sent unchanged")
        return flags

    def _skeletons(self) -> set[str]:
        signature = self._replies.signature.replace("{agent}", "")
        return {
            _skeleton(text.replace("{signature}", signature), [])
            for by_language in self._replies.saved.values()
            for text in by_language.values()
        }


def _skeleton(text: str, personal: list[str]) -> str:
    """The fixed words of a reply: personal parts and placeholders removed, case, accents,
    punctuation and spacing ignored."""
    folded = fold(text)
    for part in personal:
        if part:
            folded = folded.replace(fold(part), " ")
    folded = _PLACEHOLDER.sub(" ", folded)
    return " ".join(re.sub(r"[^\w]+", " ", folded).split())
