"""The survey's HTML: small, fast, mobile-first, no external assets, no JavaScript, accessible
(a fieldset of labelled radio buttons, a labelled text area, focus styles, AA contrast), in the
customer's language. Only the brand and the customer's first name are shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from chalicelib.domain.ticket import SURVEY_COMMENT_CHARS

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title": "How did we do?",
        "hello": "Hi {name}, thank you for your patience.",
        "hello_anonymous": "Thank you for your patience.",
        "question": "How satisfied are you with how {brand} handled your request?",
        "r1": "1, very dissatisfied",
        "r2": "2, dissatisfied",
        "r3": "3, neutral",
        "r4": "4, satisfied",
        "r5": "5, very satisfied",
        "comment": "Anything to add? (optional, up to {limit} characters)",
        "send": "Send my answer",
        "thanks_title": "Thank you!",
        "thanks": "Your answer has been recorded. It helps {brand} serve you better.",
        "already": "Your answer was already recorded. Thank you!",
        "missing": "Please choose a rating from 1 to 5.",
        "invalid_title": "This link does not work",
        "invalid": "This survey link is not valid. Please use the link from our message.",
        "expired_title": "This survey has closed",
        "expired": "This survey link has expired. Thank you all the same!",
        "slow_title": "Please wait a moment",
        "slow": "Too many attempts. Please try again in a minute.",
    },
    "fr": {
        "title": "Votre avis compte",
        "hello": "Bonjour {name}, merci pour votre patience.",
        "hello_anonymous": "Merci pour votre patience.",
        "question": "Êtes-vous satisfait(e) de la façon dont {brand} a traité votre demande ?",
        "r1": "1, très insatisfait(e)",
        "r2": "2, insatisfait(e)",
        "r3": "3, neutre",
        "r4": "4, satisfait(e)",
        "r5": "5, très satisfait(e)",
        "comment": "Un mot à ajouter ? (facultatif, {limit} caractères au plus)",
        "send": "Envoyer ma réponse",
        "thanks_title": "Merci !",
        "thanks": "Votre réponse est enregistrée. Elle aide {brand} à mieux vous servir.",
        "already": "Votre réponse était déjà enregistrée. Merci !",
        "missing": "Choisissez une note de 1 à 5, s'il vous plaît.",
        "invalid_title": "Ce lien ne fonctionne pas",
        "invalid": "Ce lien d'enquête n'est pas valide. Utilisez le lien de notre message.",
        "expired_title": "Cette enquête est close",
        "expired": "Ce lien d'enquête a expiré. Merci tout de même !",
        "slow_title": "Un instant, s'il vous plaît",
        "slow": "Trop de tentatives. Réessayez dans une minute.",
    },
}

_STYLE = """
*{box-sizing:border-box}
body{margin:0;font:1.0625rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;
color:#1a1a1a;background:#f4f4f5}
main{max-width:32rem;margin:0 auto;padding:1.25rem}
.card{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.375rem;margin:0 0 .75rem}
.brand{font-weight:600;color:#3f3f46;margin:0 0 1rem}
fieldset{border:0;margin:0 0 1rem;padding:0}
legend{font-weight:600;margin-bottom:.5rem}
.rating label{display:flex;align-items:center;gap:.625rem;padding:.625rem .75rem;margin:.375rem 0;
border:2px solid #d4d4d8;border-radius:.5rem;cursor:pointer;min-height:2.75rem}
.rating input{width:1.25rem;height:1.25rem;accent-color:#1d4ed8}
.rating label:has(input:checked){border-color:#1d4ed8;background:#eff6ff}
label.comment{display:block;font-weight:600;margin-bottom:.375rem}
textarea{width:100%;min-height:6rem;font:inherit;padding:.625rem;border:2px solid #d4d4d8;
border-radius:.5rem}
button{width:100%;font:inherit;font-weight:600;color:#fff;background:#1d4ed8;border:0;
border-radius:.5rem;padding:.875rem;margin-top:1rem;min-height:2.75rem;cursor:pointer}
:focus-visible{outline:3px solid #b45309;outline-offset:2px}
.error{color:#b91c1c;font-weight:600}
"""


@dataclass(frozen=True)
class Page:
    status: int
    html: str


def texts(language: str | None) -> dict[str, str]:
    return TEXTS.get(language or "", TEXTS["en"])


def _document(language: str | None, title: str, body: str) -> str:
    lang = language if language in TEXTS else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f'<body><main><div class="card">{body}</div></main></body></html>'
    )


def form(
    language: str | None,
    *,
    brand: str,
    first_name: str | None,
    action: str,
    csrf: str,
    error: str | None = None,
) -> str:
    t = texts(language)
    hello = t["hello"].format(name=escape(first_name)) if first_name else t["hello_anonymous"]
    choices = "".join(
        f'<label><input type="radio" name="rating" value="{n}" required> {escape(t[f"r{n}"])}'
        "</label>"
        for n in range(5, 0, -1)
    )
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f'<p class="brand">{escape(brand)}</p><h1>{escape(t["title"])}</h1><p>{hello}</p>'
        f'{alert}<form method="post" action="{escape(action)}">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        f'<fieldset class="rating"><legend>{escape(t["question"].format(brand=brand))}</legend>'
        f"{choices}</fieldset>"
        f'<label class="comment" for="comment">'
        f"{escape(t['comment'].format(limit=SURVEY_COMMENT_CHARS))}</label>"
        f'<textarea id="comment" name="comment" maxlength="{SURVEY_COMMENT_CHARS}" rows="4">'
        "</textarea>"
        f'<button type="submit">{escape(t["send"])}</button></form>'
    )
    return _document(language, t["title"], body)


def message(language: str | None, title_key: str, text_key: str, *, brand: str = "") -> str:
    t = texts(language)
    body = (
        (f'<p class="brand">{escape(brand)}</p>' if brand else "")
        + f'<h1>{escape(t[title_key])}</h1><p role="status">'
        + f"{escape(t[text_key].format(brand=brand))}</p>"
    )
    return _document(language, t[title_key], body)
