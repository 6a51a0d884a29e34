"""Validation that services and formats both need: a claim's text and a source's address
normalised the same way wherever they come from (a form, an import, the admin)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from arguments.models import CLAIM_MAX_LENGTH

WHITESPACE = re.compile(r"\s+")


def clean_claim_text(text: str) -> str:
    """One line of plain text, 1 to 500 characters once runs of white space are folded."""
    text = WHITESPACE.sub(" ", text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the claim: it cannot be empty."})
    if len(text) > CLAIM_MAX_LENGTH:
        raise ValidationError(
            {"text": f"Keep a claim to {CLAIM_MAX_LENGTH} characters (this has {len(text)})."}
        )
    return text


def normalize_url(url: str) -> str:
    """An http(s) URL with a lower-case scheme and host and no fragment, for reuse by URL."""
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError(
            {"url": "Give the source as a web address (http or https)."}
        ) from None
    parts = urlsplit(url)
    path = parts.path or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))
