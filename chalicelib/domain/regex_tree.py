"""Charter patterns as `re` parses them: once for the word gate and for compiling, which factors
alternatives so long word lists stay fast.

`re` tries the alternatives of `(?:le|ce|votre) vendeurs?|(?:le|ce|votre) conseillers?|…` one
after another at every word of a message, the shared opening each time again. Factoring by the
opening item gives `(?:le|ce|votre) (?:vendeurs?|conseillers?|…)`: the same language (a b|a c
is a(b|c)), so whether a message matches never changes, but at a fraction of the work. The
charter's word lists expand to alternations of a few hundred entries like these.
"""

from __future__ import annotations

import functools
import re
from re import _compiler, _parser  # type: ignore[attr-defined]
from re import _constants as c  # type: ignore[attr-defined]
from typing import Any

# Not possessive repeats nor atomic groups: they keep the first alternative that fits, so there
# the order of alternatives, which factoring changes, decides whether the pattern matches.
_NESTED = (c.MAX_REPEAT, c.MIN_REPEAT)


@functools.lru_cache(maxsize=1)  # the gate and the compiler ask for the same one in turn
def parsed(pattern: str) -> Any:
    """`re`'s syntax tree of the pattern (raises re.error)."""
    return _parser.parse(pattern)


@functools.cache  # once per process, for every triage built from the same charter
def factored(pattern: str) -> re.Pattern[str]:
    """The pattern compiled with every alternation factored by its alternatives' openings.

    Searching gives the same yes or no as `re.compile(pattern)`; which alternative matches
    first, and so the span of a match, may differ, so callers use it only to ask whether the
    message matches."""
    tree = parsed(pattern)
    return _compiler.compile(_parser.SubPattern(tree.state, _items(list(tree), tree.state)))  # type: ignore[no-any-return]


def _items(items: list[Any], state: Any) -> list[Any]:
    out = []
    for op, value in items:
        if op is c.BRANCH:
            branches = _alternatives([_items(list(b), state) for b in value[1]], state)
            value = (None, [_parser.SubPattern(state, b) for b in branches])
        elif op is c.SUBPATTERN:
            group, add_flags, del_flags, inner = value
            value = (group, add_flags, del_flags, _sub(inner, state))
        elif op in _NESTED:
            low, high, inner = value
            value = (low, high, _sub(inner, state))
        elif op in (c.ASSERT, c.ASSERT_NOT):
            direction, inner = value
            value = (direction, _sub(inner, state))
        out.append((op, value))
    return out


def _sub(inner: Any, state: Any) -> Any:
    return _parser.SubPattern(state, _items(list(inner), state))


def _alternatives(branches: list[list[Any]], state: Any) -> list[list[Any]]:
    """Alternatives that open with the same item share it, in the order they first appear."""
    by_opening: dict[Any, list[list[Any]]] = {}
    for branch in branches:
        by_opening.setdefault(_key(branch[0]) if branch else "", []).append(branch)
    out = []
    for opening, group in by_opening.items():
        if not opening or len(group) == 1:
            out += group
            continue
        rests = _alternatives([branch[1:] for branch in group], state)
        if len(rests) == 1:
            out.append([group[0][0], *rests[0]])
            continue
        choice = [(c.BRANCH, (None, [_parser.SubPattern(state, rest) for rest in rests]))]
        out.append([group[0][0], (c.SUBPATTERN, (None, 0, 0, _parser.SubPattern(state, choice)))])
    return out


_PLAIN = (c.LITERAL, c.NOT_LITERAL, c.AT, c.ANY)


def _key(item: Any) -> Any:
    """What tells two items apart: a letter as it is, anything nested by its text."""
    return item if item[0] in _PLAIN else repr(item)
