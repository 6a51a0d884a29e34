"""Validation that services and formats both need: a claim's text and a source's address
normalised the same way wherever they come from (a form, an import, the admin)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from arguments.models import CLAIM_MAX_LENGTH

WHITESPACE = re.compile(r"\s+")


def clean_claim_text(text: str) -> str:
    """One line of plain text, 1 to 500 characters once runs of white space are folded."""
    text = WHITESPACE.sub(" ", text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the claim: it cannot be empty.")})
    if len(text) > CLAIM_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("Keep a claim to %(max)s characters (this has %(count)s).")
                % {"max": CLAIM_MAX_LENGTH, "count": len(text)}
            }
        )
    return text


def normalize_url(url: str) -> str:
    """An http(s) URL with a lower-case scheme and host and no fragment, for reuse by URL."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": _("Give the source as a web address (http or https).")}
        ) from None
    parts = urlsplit(url)
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


# An origin a debate may be embedded in: scheme://host[:port], the host may start "*." (its
# subdomains). Anything else is refused, so a line can never inject another CSP directive.
ORIGIN_RE = re.compile(r"^https?://(\*\.)?[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:\d{1,5})?$")
MAX_EMBED_ORIGINS = 20


def clean_origin(text: str) -> str:
    """One origin as a browser sends it (`https://school.example`), from what a teacher may
    paste: a whole page address keeps only its scheme, host and port."""
    text = (text or "").strip()
    if text and "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}" if parts.netloc else ""
    if not ORIGIN_RE.match(origin):
        raise ValidationError(
            {
                "embed_origins": _(
                    "“%(text)s” is not a site's address: write it as "
                    "https://school.example (a page's full address works too)."
                )
                % {"text": text[:80]}
            }
        )
    return origin


def clean_embed_origins(text: str) -> str:
    """The allow-list as stored: one origin per line, each checked, in order, no duplicates."""
    origins: list[str] = []
    for line in (text or "").replace(",", "\n").splitlines():
        if line.strip():
            origin = clean_origin(line)
            if origin not in origins:
                origins.append(origin)
    if len(origins) > MAX_EMBED_ORIGINS:
        raise ValidationError(
            {
                "embed_origins": _("List at most %(max)s sites (this has %(count)s).")
                % {"max": MAX_EMBED_ORIGINS, "count": len(origins)}
            }
        )
    return "\n".join(origins)
