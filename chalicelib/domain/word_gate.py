"""Which triage patterns a message can possibly match, so hundreds of them stay fast on one core.

Most charter patterns hold a word boundary followed by a list of words: `\\b(arnaque|scam|…)`.
Such a pattern can only match a message in which some word starts with one of those words.
`gates()` reads such lists from the pattern's syntax tree (every one a match needs: a staff word
and then an insult, say; a sign like "😡" where no word is needed), `word_prefixes()` lists the
beginnings of a message's words and its signs once, and triage runs only the patterns a
message calls up. A gate is a necessary condition only: when in doubt there is none and the
pattern always runs, so results never change (tests/unit/test_word_gate.py checks this on
every labelled message).
"""

from __future__ import annotations

import functools
import re
from re import _constants as c  # type: ignore[attr-defined]
from typing import Any

from chalicelib.domain.regex_tree import parsed

MAX_PREFIX = 6  # longer words are gated on their first letters: still necessary, a little weaker
MAX_CLASS = 4  # "[o0]", "[a@4]": a class this small is read as a choice of letters
MAX_WORDS = 64  # a gate with more words (from several classes in a row) is cut short instead
_WORD = re.compile(r"\w+")


WHOLE = "$"  # marks a whole word in gates and prefixes: "a$" is the word "a", not "avait"


def word_prefixes(folded: str) -> frozenset[str]:
    """Every beginning (up to MAX_PREFIX letters) of every word of the message, its short words
    whole, and every sign in it that is neither a letter nor a space ("?", "😡")."""
    words = _WORD.findall(folded)
    beginnings = {
        word[:size] for word in words for size in range(1, min(len(word), MAX_PREFIX) + 1)
    }
    signs = {char for char in set(folded) if not char.isspace() and not _letter(ord(char))}
    return frozenset(
        beginnings | signs | {word + WHOLE for word in words if len(word) <= MAX_PREFIX}
    )


def gates(pattern: str) -> list[frozenset[str]]:
    """Every such set of word beginnings a match must hit, the most telling first (none if
    unknown): "\\b{{staff}}.{0,60}\\b{{insult}}" needs a staff word and an insult."""
    try:
        items = list(parsed(pattern))
    except re.error:
        return []
    if len(items) == 1 and items[0][0] is c.BRANCH:  # "a|b|c": each branch has its own words
        found: set[str] = set()
        for branch in items[0][1][1]:
            words = max(_necessary(list(branch)), key=_strength, default=None)
            if words is None:
                return []
            found |= words
        return [frozenset(found)]
    unique = dict.fromkeys(frozenset(words) for words in _necessary(items))
    return sorted(unique, key=_strength, reverse=True)


def _necessary(items: list[Any]) -> list[set[str]]:
    """The word beginnings that must open the match, and those of each word that must start
    later, after a space or a \\b: "\\bj.ai (recu|eu)" needs "j" and then "recu" or "eu"."""
    found = [_within_budget(items, at_word_start=False)]
    for position in range(1, len(items)):
        op, value = items[position - 1]
        if (op, value) == (c.AT, c.AT_BOUNDARY) or _between_words(op, value):
            found.append(_within_budget(items[position:], at_word_start=True))
    needed = [words for words in found if words]
    for op, value in items:
        if op is c.ASSERT:  # "(?=.*\\bplombier)": what a look-around requires, the match does too
            needed += _necessary(list(value[1]))
    return needed


def _strength(words: set[str] | frozenset[str]) -> float:
    """How rarely a message calls up these words: each letter makes a word some 20 times rarer
    (a whole word counts one more), and any of them will do."""
    return -sum(20.0 ** -len(w) for w in words)


def _word(letters: str, whole: bool) -> str:
    return letters + WHOLE if whole and len(letters) <= MAX_PREFIX else letters[:MAX_PREFIX]


_ZERO_WIDTH = (c.ASSERT, c.ASSERT_NOT)  # look-arounds: they do not move the match
_WORD_START = [(c.AT, at) for at in (c.AT_BOUNDARY, c.AT_BEGINNING, c.AT_BEGINNING_STRING)]


STEPS = 20_000  # to find one set of words: a run of n optional parts can take 2**n steps
_steps_left = [STEPS]


class _OutOfSteps(Exception):
    pass


def _within_budget(items: list[Any], at_word_start: bool) -> set[str] | None:
    """`_starts`, or None (unknown, so always safe) if that takes more than STEPS steps."""
    _steps_left[0] = STEPS
    try:
        return _starts(items, at_word_start)
    except _OutOfSteps:
        return None


def _starts(items: list[Any], at_word_start: bool, skip: bool = True) -> set[str] | None:
    """The literal words a sequence of pattern items must start with, or None if unknown.

    A literal counts only where the match is known to be at the start of a word (after \\b or ^):
    elsewhere it could sit inside a word and the message's word beginnings would not show it."""
    _steps_left[0] -= 1
    if _steps_left[0] < 0:
        raise _OutOfSteps
    while items and (items[0][0] in _ZERO_WIDTH or items[0] in _WORD_START):
        at_word_start = at_word_start or items[0][0] is c.AT
        items = items[1:]
    if not items:
        return None
    found = _first(items, at_word_start, skip)
    if found is None and skip:  # the rest must match too, after whatever this item consumed
        return _starts(items[1:], at_word_start=False)
    return found


_SPACES = (c.CATEGORY_SPACE, c.CATEGORY_NOT_WORD)


@functools.cache
def _letter(code: int) -> bool:
    """Whether the character can be part of a word (`\\w`)."""
    return bool(_WORD.fullmatch(chr(code)))


def _between_words(op: Any, value: Any) -> bool:
    """A character no word holds: a space, "#", "[.!?]", "\\s"."""
    if op is c.LITERAL:
        return not _letter(value)
    return op is c.IN and all(
        (kind is c.LITERAL and not _letter(arg)) or (kind is c.CATEGORY and arg in _SPACES)
        for kind, arg in value
    )


def _signs(members: list[Any]) -> set[str] | None:
    """The signs a class of literals stands for, unless it holds a space or a category."""
    if any(kind is not c.LITERAL or chr(arg).isspace() for kind, arg in members):
        return None
    return {chr(arg) for _kind, arg in members}


def _first(items: list[Any], at_word_start: bool, skip: bool) -> set[str] | None:
    op, value = items[0]
    if _between_words(op, value):  # "#", "@", a space: a word may start just after
        if not skip:  # while reading on in a word, it ends it: "c[u*]nt" may be the word "c"
            return {WHOLE}
        after = _starts(items[1:], at_word_start=True)
        if after is None:  # no word after "😡" or "[.!?]": the sign itself, then
            return _signs([(op, value)] if op is c.LITERAL else value)
        return after
    if op is c.LITERAL:
        if not at_word_start:
            return None
        word, rest = "", items
        while rest and rest[0][0] is c.LITERAL and _letter(rest[0][1]):
            word, rest = word + chr(rest[0][1]), rest[1:]
        if not rest or _between_words(*rest[0]) or rest[0] == (c.AT, c.AT_BOUNDARY):
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
        low, high, inner = value
        if low >= 1:
            return _starts(list(inner), at_word_start, skip)
        if high == 1:  # "(the )?females": with it or without it
            with_it = _starts(list(inner), at_word_start, skip)
            if with_it is None or any(_WORD.fullmatch(w) and len(w) < MAX_PREFIX for w in with_it):
                # "(foo)?bar": the word goes on after it (only then: each step would double)
                with_it = _starts(list(inner) + items[1:], at_word_start, skip)
            without = _starts(items[1:], at_word_start, skip)
            return None if with_it is None or without is None else with_it | without
        return None
    if op is c.IN and len(value) <= MAX_CLASS and all(o is c.LITERAL for o, _ in value):
        # "c[o0]nnard" is "connard" or "c0nnard": each letter as a branch of its own
        found = set()
        for _literal, char in value:
            starts = _starts([(c.LITERAL, char), *items[1:]], at_word_start, skip)
            if starts is None:
                return None
            found |= starts
        return found if len(found) <= MAX_WORDS else None
    return None
