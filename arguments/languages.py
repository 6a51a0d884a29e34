"""The languages the interface speaks and a debate may be written in (issue 34).

One list, `settings.LANGUAGES`; here what the app derives from it: which code a reader's
choice or a platform's `locale` claim names (`supported`), where the member's or the launch's
choice is kept in the session (`SESSION_KEY`), and which PostgreSQL text search
configuration stems a debate's text (`search_config`). It imports nothing of the app.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language_info, get_supported_language_variant

# The language a member chose (their profile's, copied in when they sign in) or an LMS
# launch's `locale` claim: it wins over the cookie and the browser's Accept-Language.
SESSION_KEY = "language"

# PostgreSQL's built-in configurations (pg_ts_config, PostgreSQL 13 and later) by language;
# a language without one is searched with 'simple' (words lower-cased, not stemmed).
SEARCH_CONFIGS = {
    "en": "english",
    "fr": "french",
    "de": "german",
    "es": "spanish",
    "pt-br": "portuguese",
    "pt": "portuguese",
    "ar": "arabic",
}
SIMPLE = "simple"


def codes() -> list[str]:
    """Every language code of settings.LANGUAGES, in its order."""
    return [code for code, _name in settings.LANGUAGES]


def supported(code: object) -> str | None:
    """The code of settings.LANGUAGES that `code` names ("de-DE", "pt_BR", "fr"), or None.
    An LTI `locale` claim is a BCP 47 tag; Django's codes are lower-case with a hyphen."""
    if not isinstance(code, str) or not code.strip() or len(code) > 35:
        return None
    wanted = code.strip().replace("_", "-").lower()
    try:
        return get_supported_language_variant(wanted)
    except LookupError:
        return None


def search_config(code: str) -> str:
    """The text search configuration stemming text written in `code`."""
    return SEARCH_CONFIGS.get(code, SEARCH_CONFIGS.get(code.split("-")[0], SIMPLE))


def is_bidi(code: str) -> bool:
    """True for a language written right to left (Arabic, Hebrew, Persian...)."""
    try:
        return bool(get_language_info(code)["bidi"])
    except KeyError:
        return False


def direction(code: str) -> str:
    """The `dir` attribute's value for text in `code`."""
    return "rtl" if is_bidi(code) else "ltr"
