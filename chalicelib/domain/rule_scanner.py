"""Which of some charter rules match a message, without running most of their patterns.

Each pattern is filed under the words that open every match (its word gate, see word_gate), so
a message only runs the patterns its own words call up, plus the few with no gate; a pattern
that needs more words later on runs only if the message holds them too. Patterns are compiled
with their alternatives factored (see regex_tree).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from chalicelib.domain.charter import Language, Rule
from chalicelib.domain.regex_tree import factored
from chalicelib.domain.word_gate import gates


class RuleScanner:
    """Which of some rules match a message (folded, see triage.fold), as fast as it can."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.rules = tuple(rules)
        self._rule_of: list[int] = []  # by pattern number
        self._language_of: list[str] = []
        self._patterns: list[re.Pattern[str]] = []
        self._also_needs: list[list[frozenset[str]]] = []
        self._ungated: set[int] = set()
        by_word: dict[str, set[int]] = {}
        for number, rule in enumerate(self.rules):
            for source in rule.patterns:
                pattern = len(self._patterns)
                first, *others = gates(source) or [frozenset[str]()]
                self._rule_of.append(number)
                self._language_of.append(rule.language)
                self._patterns.append(factored(source))
                self._also_needs.append(others)
                if not first:
                    self._ungated.add(pattern)
                for word in first:
                    by_word.setdefault(word, set()).add(pattern)
        self._by_word = {word: frozenset(patterns) for word, patterns in by_word.items()}
        self._gate_words = frozenset(by_word)

    def matching(self, folded: str, language: Language, prefixes: frozenset[str]) -> list[Rule]:
        """The rules that match, in their charter order."""
        called = set(self._ungated)
        for word in self._gate_words & prefixes:
            called |= self._by_word[word]
        found: set[int] = set()
        for pattern in called:
            number = self._rule_of[pattern]
            if number in found or self._language_of[pattern] not in ("any", language):
                continue
            also_needs = self._also_needs[pattern]
            if also_needs and any(words.isdisjoint(prefixes) for words in also_needs):
                continue
            if self._patterns[pattern].search(folded):
                found.add(number)
        return [self.rules[number] for number in sorted(found)]
