"""Which triage patterns a message can possibly match, so hundreds of them stay fast on one core.

Most charter patterns hold a word boundary followed by a list of words: `\\b(arnaque|scam|…)`.
Such a pattern can only match a message in which some word starts with one of those words.
`gate()` reads that list from the pattern's syntax tree, `word_prefixes()` lists the beginnings
of a message's words once, and triage runs only the patterns a message's words call up. The gate
is a necessary condition only: when in doubt there is none and the pattern always runs, so
results never change (tests/unit/test_word_gate.py checks this on every labelled message).
"""

from __future__ import annotations

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

MAX_PREFIX = 6  # longer words are gated on their first letters: still necessary, a little weaker
_WORD = re.compile(r"\w+")


WHOLE = "$"  # marks a whole word in gates and prefixes: "a$" is the word "a", not "avait"


def word_prefixes(folded: str) -> frozenset[str]:
    """Every beginning (up to MAX_PREFIX letters) of every word of the message, and its short
    words whole."""
    words = _WORD.findall(folded)
    beginnings = {
        word[:size] for word in words for size in range(1, min(len(word), MAX_PREFIX) + 1)
    }
    return frozenset(beginnings | {word + WHOLE for word in words if len(word) <= MAX_PREFIX})


def gate(pattern: str) -> frozenset[str] | None:
    """The word beginnings one of which any match must start with, or None if unknown."""
    try:
        items = list(_parser.parse(pattern))
    except re.error:
        return None
    if len(items) == 1 and items[0][0] is c.BRANCH:  # "a|b|c": each branch has its own words
        found: set[str] = set()
        for branch in items[0][1][1]:
            words = _most_telling(list(branch))
            if words is None:
                return None
            found |= words
        return frozenset(found)
    words = _most_telling(items)
    return frozenset(words) if words else None


def _most_telling(items: list[Any]) -> set[str] | None:
    """Any word that must start after a space or a \\b will do: the most telling one, so
    "\\bj.ai (recu|eu)" is filed under "recu", "eu" rather than under every word starting "j"."""
    best = _starts(items, at_word_start=False)
    for position in range(1, len(items)):
        op, value = items[position - 1]
        after_a_break = (op, value) == (c.AT, c.AT_BOUNDARY) or (
            op is c.LITERAL and not _WORD.fullmatch(chr(value))
        )
        if after_a_break:
            words = _starts(items[position:], at_word_start=True)
            if words and (best is None or _strength(words) > _strength(best)):
                best = words
    return best


def _strength(words: set[str]) -> int:
    """How rarely a message calls up these words: by the shortest (a whole word counts one more)."""
    return min(len(w) for w in words)


def _word(letters: str, whole: bool) -> str:
    return letters + WHOLE if whole and len(letters) <= MAX_PREFIX else letters[:MAX_PREFIX]


_ZERO_WIDTH = (c.ASSERT, c.ASSERT_NOT)  # look-arounds: they do not move the match
_WORD_START = [(c.AT, at) for at in (c.AT_BOUNDARY, c.AT_BEGINNING, c.AT_BEGINNING_STRING)]


def _starts(items: list[Any], at_word_start: bool, skip: bool = True) -> set[str] | None:
    """The literal words a sequence of pattern items must start with, or None if unknown.

    A literal counts only where the match is known to be at the start of a word (after \\b or ^):
    elsewhere it could sit inside a word and the message's word beginnings would not show it."""
    while items and (items[0][0] in _ZERO_WIDTH or items[0] in _WORD_START):
        at_word_start = at_word_start or items[0][0] is c.AT
        items = items[1:]
    if not items:
        return None
    found = _first(items, at_word_start, skip)
    if found is None and skip:  # the rest must match too, after whatever this item consumed
        return _starts(items[1:], at_word_start=False)
    return found


def _first(items: list[Any], at_word_start: bool, skip: bool) -> set[str] | None:
    op, value = items[0]
    if op is c.LITERAL:
        if not _WORD.fullmatch(chr(value)):  # "#", "@", a space: a word may start just after
            # (but not while reading on in a word: "acme( |-)forever" is not "acmeforever")
            return _starts(items[1:], at_word_start=True) if skip else None
        if not at_word_start:
            return None
        word, rest = "", items
        while rest and rest[0][0] is c.LITERAL and _WORD.fullmatch(chr(rest[0][1])):
            word, rest = word + chr(rest[0][1]), rest[1:]
        if not rest or rest[0][0] is c.LITERAL or rest[0] == (c.AT, c.AT_BOUNDARY):
            # a space, an apostrophe or \b after the letters: they are a whole word
            return {_word(word, whole=rest != [])}
        # "re(mbourse|fund)": the word goes on in the next item
        tails = _starts(rest, True, skip=False) if len(word) < MAX_PREFIX else None
        if tails is None:
            return {_word(word, whole=False)}
        return {_word(word + t.removesuffix(WHOLE), whole=t.endswith(WHOLE)) for t in tails}
    if op is c.SUBPATTERN:
        _group, add_flags, del_flags, inner = value
        if add_flags or del_flags:
            return None
        return _starts(list(inner) + items[1:], at_word_start, skip)
    if op is c.BRANCH:
        found: set[str] = set()
        for branch in value[1]:
            starts = _starts(list(branch) + items[1:], at_word_start, skip)
            if starts is None:
                return None
            found |= starts
        return found
    if op in (c.MAX_REPEAT, c.MIN_REPEAT):
        low, _high, inner = value
        return _starts(list(inner), at_word_start, skip) if low >= 1 else None
    return None
