"""Our own JSON: the whole debate, the backup format. The schema is in docs/FORMATS.md.

Exporting a debate and importing the file gives the same debate back; exporting that again
gives the same file, byte for byte.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arguments.formats.aif import load_json
from arguments.formats.document import (
    NO_VOTES,
    DebateDocument,
    DocAnnotation,
    DocCitation,
    DocClaim,
    DocRelation,
    DocSource,
    FormatError,
)
from arguments.formats.json_text import dumps_indented
from arguments.models import Tally, tally_of

FORMAT_NAME = "debate-map"
VERSION = 1
_REQUIRED = object()
MAX_INTEGER = 2**31 - 1  # what every database's integer columns hold
# What a field must hold, as a problem names it ("expected a string").
_EXPECTED = {
    str: gettext_lazy("expected a string"),
    bool: gettext_lazy("expected true or false"),
    int: gettext_lazy("expected a whole number"),
    list: gettext_lazy("expected a list"),
}


def parse(text: str) -> DebateDocument:
    """Read a file written by `render` (or by hand, following the schema)."""
    data = load_json(text)
    if not isinstance(data, dict):
        raise FormatError(_("expected an object"), path="$")
    if data.get("format") != FORMAT_NAME:
        raise FormatError(_("expected %(name)s") % {"name": repr(FORMAT_NAME)}, path="format")
    version = _get(data, "version", "", int)
    if version != VERSION:
        raise FormatError(
            _("version %(version)s is not one this site reads (%(known)s)")
            % {"version": version, "known": VERSION},
            path="version",
        )
    debate = _get(data, "debate", "", dict)
    document = DebateDocument(
        title=_get(debate, "title", "debate", str),
        description=_get(debate, "description", "debate", str, ""),
        slug=_get(debate, "slug", "debate", str, ""),
        owner=_get(debate, "owner", "debate", str, ""),
        visibility=_get(debate, "visibility", "debate", str, "private"),
        status=_get(debate, "status", "debate", str, "open"),
        conclusion=_get(debate, "conclusion", "debate", str, ""),
        default_role=_get(debate, "default_role", "debate", str, "writer"),
        voting_enabled=_get(debate, "voting_enabled", "debate", bool, True),
        annotations_enabled=_get(debate, "annotations_enabled", "debate", bool, True),
        requires_approval=_get(debate, "requires_approval", "debate", bool, False),
        hide_votes_until_voted=_get(debate, "hide_votes_until_voted", "debate", bool, False),
        embed_origins=_get(debate, "embed_origins", "debate", str, ""),
        language=_get(debate, "language", "debate", str, ""),
        interchange=_get(debate, "interchange", "debate", dict, {}),
    )
    for path, item in _items(data, "claims", required=True):
        document.claims.append(
            DocClaim(
                id=_get(item, "id", path, str),
                text=_get(item, "text", path, str),
                is_thesis=_get(item, "is_thesis", path, bool, False),
                elaboration=_get(item, "elaboration", path, str, ""),
                status=_get(item, "status", path, str, "published"),
                author=_get(item, "author", path, str, ""),
                votes=_votes(item, path),
                merged_into=_get(item, "merged_into", path, str, None, nullable=True),
                created_at=_datetime(item, path),
                kind=_get(item, "kind", path, str, "statement"),
                title=_get(item, "title", path, str, ""),
                tags=_tags(item, path),
                path=path,
            )
        )
    for path, item in _items(data, "relations"):
        document.relations.append(
            DocRelation(
                parent=_get(item, "parent", path, str),
                child=_get(item, "child", path, str),
                stance=_get(item, "stance", path, str),
                is_link=_get(item, "is_link", path, bool, False),
                is_hidden=_get(item, "is_hidden", path, bool, False),
                position=_get(item, "position", path, int, 0),
                votes=_votes(item, path),
                kind=_get(item, "kind", path, str, ""),
                group=_get(item, "group", path, int, None, nullable=True),
                path=path,
            )
        )
    for path, item in _items(data, "sources"):
        published = _get(item, "published", path, str, None, nullable=True)
        try:
            day = date.fromisoformat(published) if published else None
        except ValueError:
            raise FormatError(
                _("expected a date such as 2024-05-31"), path=f"{path}.published"
            ) from None
        document.sources.append(
            DocSource(
                id=_get(item, "id", path, str),
                url=_get(item, "url", path, str),
                title=_get(item, "title", path, str, ""),
                author=_get(item, "author", path, str, ""),
                publisher=_get(item, "publisher", path, str, ""),
                published=day,
                kind=_get(item, "kind", path, str, "other"),
                path=path,
            )
        )
    for path, item in _items(data, "citations"):
        document.citations.append(
            DocCitation(
                claim=_get(item, "claim", path, str),
                source=_get(item, "source", path, str, None, nullable=True),
                quote=_get(item, "quote", path, str, ""),
                locator=_get(item, "locator", path, str, ""),
                is_hidden=_get(item, "is_hidden", path, bool, False),
                address=_get(item, "address", path, str, ""),
                offset=_get(item, "offset", path, int, None, nullable=True),
                path=path,
            )
        )
    for path, item in _items(data, "annotations"):
        document.annotations.append(
            DocAnnotation(
                id=_get(item, "id", path, str),
                claim=_get(item, "claim", path, str),
                parent=_get(item, "parent", path, str, None, nullable=True),
                author=_get(item, "author", path, str, ""),
                body=_get(item, "body", path, str, ""),
                motivation=_get(item, "motivation", path, str, "commenting"),
                visibility=_get(item, "visibility", path, str, "public"),
                status=_get(item, "status", path, str, "published"),
                exact=_get(item, "exact", path, str, ""),
                prefix=_get(item, "prefix", path, str, ""),
                suffix=_get(item, "suffix", path, str, ""),
                start=_get(item, "start", path, int, None, nullable=True),
                end=_get(item, "end", path, int, None, nullable=True),
                is_orphaned=_get(item, "is_orphaned", path, bool, False),
                created_at=_datetime(item, path),
                path=path,
            )
        )
    return document


def _get(
    obj: dict,
    key: str,
    path: str,
    kind: type,
    default: Any = _REQUIRED,
    *,
    nullable: bool = False,
) -> Any:
    where = f"{path}.{key}" if path else key
    if key not in obj:
        if default is _REQUIRED:
            raise FormatError(_("is missing"), path=where)
        return default
    value = obj[key]
    if value is None and nullable:
        return None
    # bool is an int in Python; a JSON true is no position.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise FormatError(str(_EXPECTED.get(kind, _("expected an object"))), path=where)
    if kind is str and isinstance(value, str) and "\x00" in value:
        raise FormatError(_("holds a NUL character (\\u0000), which no text may"), path=where)
    if kind is int and isinstance(value, int) and not 0 <= value <= MAX_INTEGER:
        raise FormatError(
            _("expected a whole number from 0 to %(max)s") % {"max": MAX_INTEGER}, path=where
        )
    return value


def _items(data: dict, key: str, *, required: bool = False) -> list[tuple[str, dict]]:
    values = _get(data, key, "", list, _REQUIRED if required else [])
    for index, value in enumerate(values):
        if not isinstance(value, dict):
            raise FormatError(_("expected an object"), path=f"{key}[{index}]")
    return [(f"{key}[{index}]", value) for index, value in enumerate(values)]


def _tags(item: dict, path: str) -> list[str]:
    tags = _get(item, "tags", path, list, [])
    if not all(isinstance(tag, str) for tag in tags):
        raise FormatError(_("expected a list of strings"), path=f"{path}.tags")
    return tags


def _votes(item: dict, path: str) -> Tally:
    votes = _get(item, "votes", path, list, list(NO_VOTES))
    if len(votes) != 5 or not all(
        isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_INTEGER for n in votes
    ):
        raise FormatError(_("expected five vote counts (for 0 to 4)"), path=f"{path}.votes")
    return tally_of(votes)


def _datetime(item: dict, path: str) -> datetime | None:
    value = _get(item, "created_at", path, str, None, nullable=True)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise FormatError(
            _("expected a date and time (ISO 8601)"), path=f"{path}.created_at"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _claim_extras(claim: DocClaim) -> dict[str, Any]:
    """What only some claims have (a kind, a title, tags): written when there is some, so a
    debate written on the site keeps the file it always had."""
    extras: dict[str, Any] = {}
    if claim.kind != "statement":
        extras["kind"] = claim.kind
    if claim.title:
        extras["title"] = claim.title
    if claim.tags:
        extras["tags"] = claim.tags
    return extras


def render(document: DebateDocument) -> str:
    """Everything in the document, in a stable order, as indented UTF-8 JSON."""
    data = {
        "format": FORMAT_NAME,
        "version": VERSION,
        "debate": {
            "slug": document.slug,
            "title": document.title,
            "description": document.description,
            "owner": document.owner,
            "visibility": document.visibility,
            "status": document.status,
            "conclusion": document.conclusion,
            "default_role": document.default_role,
            "voting_enabled": document.voting_enabled,
            "annotations_enabled": document.annotations_enabled,
            "requires_approval": document.requires_approval,
            "hide_votes_until_voted": document.hide_votes_until_voted,
            "language": document.language,
            "embed_origins": document.embed_origins,
            # What other formats held that only they read, written only when there is some.
            **({"interchange": document.interchange} if document.interchange else {}),
        },
        "claims": [
            {
                "id": claim.id,
                "text": claim.text,
                "elaboration": claim.elaboration,
                "is_thesis": claim.is_thesis,
                "status": claim.status,
                "author": claim.author,
                "merged_into": claim.merged_into,
                "created_at": _iso(claim.created_at),
                "votes": list(claim.votes),
                **_claim_extras(claim),
            }
            for claim in document.claims
        ],
        "relations": [
            {
                "parent": relation.parent,
                "child": relation.child,
                "stance": relation.stance,
                "is_link": relation.is_link,
                "is_hidden": relation.is_hidden,
                "position": relation.position,
                "votes": list(relation.votes),
                **({"kind": relation.kind} if relation.kind else {}),
                **({"group": relation.group} if relation.group is not None else {}),
            }
            for relation in document.relations
        ],
        "sources": [
            {
                "id": source.id,
                "url": source.url,
                "title": source.title,
                "author": source.author,
                "publisher": source.publisher,
                "published": source.published.isoformat() if source.published else None,
                "kind": source.kind,
            }
            for source in document.sources
        ],
        "citations": [
            {
                "claim": citation.claim,
                "source": citation.source,
                "quote": citation.quote,
                "locator": citation.locator,
                "is_hidden": citation.is_hidden,
                **({"address": citation.address} if citation.address else {}),
                **({"offset": citation.offset} if citation.offset is not None else {}),
            }
            for citation in document.citations
        ],
        "annotations": [
            {
                "id": note.id,
                "claim": note.claim,
                "parent": note.parent,
                "author": note.author,
                "body": note.body,
                "motivation": note.motivation,
                "visibility": note.visibility,
                "status": note.status,
                "exact": note.exact,
                "prefix": note.prefix,
                "suffix": note.suffix,
                "start": note.start,
                "end": note.end,
                "is_orphaned": note.is_orphaned,
                "created_at": _iso(note.created_at),
            }
            for note in document.annotations
        ],
    }
    return dumps_indented(data) + "\n"
