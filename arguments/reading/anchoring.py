"""Anchoring an annotation's selected span in a claim's text (W3C TextQuote + TextPosition).

An annotation stores the exact quote with some context before and after, and the offsets
where it stood. After the claim's text is edited the offsets may be wrong, so the quote is
found again: at its old place if it is still there, else the occurrence whose context matches
best, else nowhere (the annotation is then orphaned, never lost).
"""

from __future__ import annotations

from dataclasses import dataclass

CONTEXT_LENGTH = 32


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    exact: str
    prefix: str
    suffix: str


def span_at(text: str, start: int, end: int) -> Span:
    """The span text[start:end] with its context; ValueError when it lies outside the text."""
    if not (0 <= start < end <= len(text)):
        raise ValueError(f"The selection {start}-{end} lies outside the claim's text.")
    return Span(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT_LENGTH) : start],
        suffix=text[end : end + CONTEXT_LENGTH],
    )


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    score = 0
    for a, b in zip(reversed(before), reversed(prefix), strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(after, suffix, strict=False):
        if a != b:
            break
        score += 1
    return score


def find_span(
    text: str, exact: str, *, prefix: str = "", suffix: str = "", start: int | None = None
) -> Span | None:
    """Where `exact` stands in `text` now, preferring its old place, then the best context."""
    if not exact:
        return None
    if start is not None and text[start : start + len(exact)] == exact:
        return span_at(text, start, start + len(exact))
    candidates: list[int] = []
    position = text.find(exact)
    while position != -1:
        candidates.append(position)
        position = text.find(exact, position + 1)
    if not candidates:
        return None
    best = max(
        candidates,
        key=lambda c: (
            _context_score(text, c, c + len(exact), prefix, suffix),
            -abs(c - (start or 0)),
        ),
    )
    return span_at(text, best, best + len(exact))
