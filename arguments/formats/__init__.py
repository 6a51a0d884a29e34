"""Debates in other tools' formats: Kialo, Argdown, AIF, and our own JSON.

Each format module has `parse(text) -> DebateDocument` and `render(document) -> str`; every
format reads into and writes from the same `DebateDocument` (arguments.formats.document), and
one service (`services.debate_import`) writes a document into the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from types import ModuleType

from django.utils.translation import gettext as _

from arguments.formats import aif, argdown, kialo, native_json
from arguments.formats.document import (
    DebateDocument,
    FormatError,
    check_document,
    collector_paused,
)

FORMATS: dict[str, ModuleType] = {
    "kialo": kialo,
    "argdown": argdown,
    "aif": aif,
    "json": native_json,
}
LABELS = {"kialo": "Kialo", "argdown": "Argdown", "aif": "AIF", "json": "JSON"}
# The file name an export gets after the debate's slug, and what it is served as.
EXTENSIONS = {"kialo": ".txt", "argdown": ".argdown", "aif": ".aif.json", "json": ".json"}
CONTENT_TYPES = {
    "kialo": "text/plain; charset=utf-8",
    "argdown": "text/plain; charset=utf-8",
    "aif": "application/json; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
ARGDOWN_ELEMENT = re.compile(r"^[ \t]*(?:[+\-_]>?|<[+\-_])?[ \t]*(?:\[[^\]\n]+\]|<[^>\n]+>):", re.M)


def detect(text: str, filename: str = "") -> str | None:
    """The format a file is in, from what it says and then its name; None when unsure."""
    name = filename.lower()
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith(("Discussion Title:", "Discussion Name:")):
        return "kialo"
    if head.startswith("{"):
        try:
            data = json.loads(head)
        except (ValueError, RecursionError):
            # Still JSON by intent: the parser will name the line of the syntax error.
            return "aif" if ".aif" in name else "json"
        if isinstance(data, dict):
            if data.get("format") == native_json.FORMAT_NAME:
                return "json"
            if "AIF" in data or "nodes" in data:
                return "aif"
        return None
    if name.endswith((".argdown", ".ad")) or head.startswith("===") or ARGDOWN_ELEMENT.search(head):
        return "argdown"
    return None


def parse(text: str, format_name: str, *, merge_rephrases: bool = False) -> DebateDocument:
    """Read `text` in the named format; a FormatError says where and what went wrong.
    `merge_rephrases`: AIF's rephrases merged into one claim (see aif.parse)."""
    try:
        module = FORMATS[format_name]
    except KeyError:
        raise FormatError(_("unknown format %(name)s") % {"name": repr(format_name)}) from None
    # PostgreSQL stores no NUL character in text, and no text file has one.
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise FormatError(_("a NUL character: this is no text file"), line)
    with collector_paused():
        if module is aif:
            return aif.parse(text, merge_rephrases=merge_rephrases)
        return module.parse(text)


def load(text: str, format_name: str, *, merge_rephrases: bool = False) -> DebateDocument:
    """Parse and check a file exactly as an import would, without writing anything."""
    document = parse(text, format_name, merge_rephrases=merge_rephrases)
    check_document(document)
    return document


# What each format writes beyond the claims' texts, their places, sources and citations: who
# wrote (people), the votes, the dates, the annotations (notes). An export reads no more than
# its format writes (reading/export.py): at 20,000 claims, converting dates and joining
# usernames a Kialo file never holds was a fifth of the export.
PEOPLE, VOTES, DATES, NOTES = "people", "votes", "dates", "notes"
EVERY_PART = frozenset({PEOPLE, VOTES, DATES, NOTES})
WRITES: dict[str, frozenset[str]] = {
    "kialo": frozenset(),
    "argdown": frozenset({PEOPLE, VOTES}),
    "aif": frozenset(),
    "json": EVERY_PART,
}


def render(document: DebateDocument, format_name: str) -> str:
    """Write a document in the named format."""
    with collector_paused():
        return FORMATS[format_name].render(document)


def render_parts(document: DebateDocument, format_name: str) -> Iterator[str]:
    """`render`'s text in parts, to be written to a file as it is made: our JSON a batch of
    records at a time (a 200,000-claim backup is 123 MB of text, which made whole, then
    encoded whole, cost seconds of the system's time), the other formats whole."""
    with collector_paused():
        if format_name == "json":
            yield from native_json.render_parts(document)
        else:
            yield FORMATS[format_name].render(document)


__all__ = [
    "CONTENT_TYPES",
    "DATES",
    "EVERY_PART",
    "EXTENSIONS",
    "FORMATS",
    "LABELS",
    "NOTES",
    "PEOPLE",
    "VOTES",
    "WRITES",
    "DebateDocument",
    "FormatError",
    "detect",
    "load",
    "parse",
    "render",
    "render_parts",
]
