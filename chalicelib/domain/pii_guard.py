"""Sensitive data never goes in a public reply: it is asked for, and given, in private.

Built-in detectors (e-mail, phone, IBAN with its check digits, card number with Luhn, street
address with postcode) plus the charter's own patterns (order and account numbers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from chalicelib.errors import RefusedError

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(
    r"(?<![\w])(?:(?:\+|00)\d{1,3}[ .-]?)?(?:\(?\d{1,4}\)?[ .-]?){2,5}\d{2,4}(?![\w])"
)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,30}\b", re.IGNORECASE)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_ADDRESS = re.compile(
    r"\b\d{1,4}\s*(?:bis|ter)?,?\s+(?:rue|avenue|av\.?|boulevard|bd|chemin|all[ée]e|impasse|"
    r"place|quai|route|cours|street|st\.?|road|rd\.?|lane|ave\.?|drive|way)\b[^\n]{0,60}?"
    r"\b\d{5}\b",
    re.IGNORECASE,
)


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def _iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    rearranged = compact[4:] + compact[:4]
    numeric = "".join(str(int(c, 36)) for c in rearranged)
    return int(numeric) % 97 == 1


def _phone(text: str) -> bool:
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if 9 <= len(digits) <= 15 and not _luhn_card(digits):
            return True
    return False


def _luhn_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and _luhn(digits)


class PiiGuard:
    def __init__(self, patterns: Mapping[str, Sequence[str]]) -> None:
        # e.g. {"order number": [r"..."], "account number": [r"..."]}, from the charter
        self._patterns = {
            label: [re.compile(p, re.IGNORECASE) for p in found]
            for label, found in patterns.items()
        }

    def find(self, text: str) -> list[str]:
        """What kinds of sensitive data `text` contains, in a stable order."""
        found: list[str] = []
        if _EMAIL.search(text):
            found.append("an e-mail address")
        if any(_iban_valid(m.group()) for m in _IBAN.finditer(text)):
            found.append("an IBAN")
        if any(_luhn_card(re.sub(r"\D", "", m.group())) for m in _CARD.finditer(text)):
            found.append("a card number")
        if _ADDRESS.search(text):
            found.append("a postal address")
        found.extend(
            f"an {label}" if label[0] in "aeiou" else f"a {label}"
            for label, patterns in self._patterns.items()
            if any(p.search(text) for p in patterns)
        )
        if _phone(text) and "a card number" not in found and "an IBAN" not in found:
            found.append("a phone number")
        return found

    def check_public(self, text: str) -> None:
        """Refuse a public reply that contains sensitive data, saying what and what to do."""
        found = self.find(text)
        if found:
            raise RefusedError(
                f"a public reply must not contain {' or '.join(found)}: "
                "move the conversation to private to ask for or give it"
            )
