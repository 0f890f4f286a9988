"""Factored alternations answer "does this match?" exactly as the pattern as written does."""

from __future__ import annotations

import re

import pytest

from chalicelib.domain.regex_tree import factored

PATTERNS = [
    r"\b(?:(?:le|ce) vendeurs?|(?:le|ce) conseillers?|(?:le|ce) cm)\b.{0,20}\b(?:idiot|nul)",
    r"\b(?:ab|ac|a)\b",  # one alternative is the shared opening itself
    r"\b(?:foo|foobar|fob)$",
    r"x(?:ab|ab)y",  # the same alternative twice
    r"(?:a|)b",  # an empty alternative
    r"(?s)^(?!.*\b(?:moi|me|my)\b)(?=.*\b(?:plombier|plumber))",  # flags and look-arounds
    r"(?:(?:[i1]d[i1][o0]t)s?|(?:[i1]d[i1][o0]t)ic|m[o0]r[o0]ns?)\b",
    r"(?:re(?:mbourse|fund)|re(?:mbourse|fund)ment)s?",
]
TEXTS = [
    "",
    "le vendeur est un idiot",
    "ce conseiller... nul",
    "le cm, franchement nul",
    "ce vendeur est gentil",
    "ab",
    "a",
    "ac b",
    "abc",
    "foobar",
    "fob",
    "foob",
    "xaby",
    "b",
    "le plombier est venu",
    "mon plombier est venu",
    "you 1d10t",
    "idiotic",
    "m0r0ns",
    "remboursement",
    "refunds",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_factored_matches_exactly_where_the_pattern_as_written_does(pattern: str) -> None:
    expected = [bool(re.search(pattern, text)) for text in TEXTS]
    assert [bool(factored(pattern).search(text)) for text in TEXTS] == expected
    assert any(expected)  # each pattern is tried on texts it matches, and on others
    assert not all(expected)


def test_a_bad_pattern_is_refused_as_re_refuses_it() -> None:
    with pytest.raises(re.error):
        factored(r"(unclosed")
