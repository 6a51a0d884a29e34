"""Our own JSON: the whole debate, the backup format. The schema is in docs/FORMATS.md.

Exporting a debate and importing the file gives the same debate back; exporting that again
gives the same file, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import MISSING, dataclass, is_dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime
from itertools import chain, repeat
from json.encoder import encode_basestring
from operator import attrgetter, methodcaller
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
from arguments.formats.json_text import TALLY_LENGTH, column_records, encoded, records_text
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


@dataclass(frozen=True, slots=True)
class _Field:
    """One key of a record: what it must hold, and what it is when left out."""

    key: str
    kind: type | str  # a JSON type, or one of the kinds below that convert their value
    default: Any = _REQUIRED
    nullable: bool = False


_VOTES, _TAGS, _MOMENT, _DAY = "votes", "tags", "moment", "day"
# Each record's keys in the order the problems are looked for (the first one found is told).
_CLAIM = (
    _Field("id", str),
    _Field("text", str),
    _Field("is_thesis", bool, False),
    _Field("elaboration", str, ""),
    _Field("status", str, "published"),
    _Field("author", str, ""),
    _Field("votes", _VOTES, NO_VOTES),
    _Field("merged_into", str, None, nullable=True),
    _Field("created_at", _MOMENT, None, nullable=True),
    _Field("kind", str, "statement"),
    _Field("title", str, ""),
    _Field("tags", _TAGS, ()),  # JSON has no tuple: left out, not an explicit null
)
_RELATION = (
    _Field("parent", str),
    _Field("child", str),
    _Field("stance", str),
    _Field("is_link", bool, False),
    _Field("is_hidden", bool, False),
    _Field("position", int, 0),
    _Field("votes", _VOTES, NO_VOTES),
    _Field("kind", str, ""),
    _Field("group", int, None, nullable=True),
)
_SOURCE = (
    _Field("published", _DAY, None, nullable=True),
    _Field("id", str),
    _Field("url", str),
    _Field("title", str, ""),
    _Field("author", str, ""),
    _Field("publisher", str, ""),
    _Field("kind", str, "other"),
)
_CITATION = (
    _Field("claim", str),
    _Field("source", str, None, nullable=True),
    _Field("quote", str, ""),
    _Field("locator", str, ""),
    _Field("is_hidden", bool, False),
    _Field("address", str, ""),
    _Field("offset", int, None, nullable=True),
)
_ANNOTATION = (
    _Field("id", str),
    _Field("claim", str),
    _Field("parent", str, None, nullable=True),
    _Field("author", str, ""),
    _Field("body", str, ""),
    _Field("motivation", str, "commenting"),
    _Field("visibility", str, "public"),
    _Field("status", str, "published"),
    _Field("exact", str, ""),
    _Field("prefix", str, ""),
    _Field("suffix", str, ""),
    _Field("start", int, None, nullable=True),
    _Field("end", int, None, nullable=True),
    _Field("is_orphaned", bool, False),
    _Field("created_at", _MOMENT, None, nullable=True),
)


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
    # A NUL can only come from a `\u0000` escape (formats.parse refuses a raw one): without
    # one in the file, no string needs looking into.
    nul_free = "\\u0000" not in text
    document.claims = _records(data, "claims", _CLAIM, DocClaim, nul_free, required=True)
    document.relations = _records(data, "relations", _RELATION, DocRelation, nul_free)
    document.sources = _records(data, "sources", _SOURCE, DocSource, nul_free)
    document.citations = _records(data, "citations", _CITATION, DocCitation, nul_free)
    document.annotations = _records(data, "annotations", _ANNOTATION, DocAnnotation, nul_free)
    return document


def _records[R](
    data: dict,
    key: str,
    fields: tuple[_Field, ...],
    make: Callable[..., R],
    nul_free: bool,
    *,
    required: bool = False,
) -> list[R]:
    """The list under `key` as records, each made by `make(path=…, **values)`.

    A key at a time over all the records (a column), its types checked with C-level set and
    map calls; a record at a time, in Python, cost most of a 200,000-claim import's parsing.
    Where a column fails a check, the records are read one by one instead, as they always
    were, so that the problem told is the first one in the file, with its path.
    """
    values = _get(data, key, "", list, _REQUIRED if required else [])
    paths = [f"{key}[{index}]" for index in range(len(values))]
    columns = _columns(values, fields, nul_free) if set(map(type, values)) <= {dict} else None
    if columns is None:
        columns = [[] for _field in fields]
        for path, item in _items(data, key, required=required):
            for column, field in zip(columns, fields, strict=True):
                column.append(_value(item, field, path))
    # Made with their values in the record's own order (a dataclass's fields), a C-level map
    # over the columns: a dict of keywords a record was a second of a 200,000-claim parse.
    given = {field.key: column for field, column in zip(fields, columns, strict=True)}
    given["path"] = paths
    defaults = _positional_defaults(make)
    # Every field a file does not give (a line number) has a plain default.
    assert all(name in given or default is not MISSING for name, default in defaults)
    arguments = [given[name] if name in given else repeat(default) for name, default in defaults]
    return list(map(make, *arguments))


def _positional_defaults(make: Callable[..., Any]) -> list[tuple[str, Any]]:
    """A record class's fields in order, each with its default (those a file never gives,
    such as a line number, have a plain one)."""
    assert is_dataclass(make)
    return [(field.name, field.default) for field in dataclass_fields(make)]


def _columns(items: list[dict], fields: tuple[_Field, ...], nul_free: bool) -> list[list] | None:
    """Each field's values across the records, checked and converted; None where any value
    is not what its field holds (`_value` then finds it and says what is wrong)."""
    columns: list[list] = []
    for field in fields:
        if field.default is _REQUIRED:
            try:
                column = [item[field.key] for item in items]
            except KeyError:
                return None
        else:
            column = [item.get(field.key, field.default) for item in items]
        kinds = set(map(type, column))
        if field.nullable:
            kinds.discard(type(None))
        converted = _CONVERTERS.get(field.kind, _plain_column)(column, kinds, field, nul_free)
        if converted is None:
            return None
        columns.append(converted)
    return columns


def _plain_column(column: list, kinds: set[type], field: _Field, nul_free: bool) -> list | None:
    if not kinds <= {field.kind} or (field.kind is str and not nul_free):
        return None
    if field.kind is int and not _whole_numbers(x for x in column if x is not None):
        return None
    return column


def _whole_numbers(numbers: Iterable[int]) -> bool:
    """Every number fits a database's integer column (see `_get`)."""
    numbers = list(numbers)
    return not numbers or (min(numbers) >= 0 and max(numbers) <= MAX_INTEGER)


def _tally_column(
    column: list, kinds: set[type], _field: _Field, _nul_free: bool
) -> list[Tally] | None:
    if not kinds <= {list, tuple} or not set(map(len, column)) <= {TALLY_LENGTH}:
        return None
    counts = list(chain.from_iterable(column))
    if not set(map(type, counts)) <= {int} or not _whole_numbers(counts):
        return None
    return list(map(tuple, column))


def _tags_column(
    column: list, kinds: set[type], _field: _Field, _nul_free: bool
) -> list[list[str]] | None:
    if not kinds <= {list, tuple} or not set(map(type, chain.from_iterable(column))) <= {str}:
        return None
    return [tags if type(tags) is list else [] for tags in column]


def _moment_column(column: list, kinds: set[type], _field: _Field, nul_free: bool) -> list | None:
    if not kinds <= {str} or not nul_free:
        return None
    try:
        return [None if value is None else _moment(value) for value in column]
    except ValueError:
        return None


def _day_column(column: list, kinds: set[type], _field: _Field, nul_free: bool) -> list | None:
    if not kinds <= {str} or not nul_free:
        return None
    try:
        return [date.fromisoformat(value) if value else None for value in column]
    except ValueError:
        return None


# How a kind's column is checked and converted: the plain JSON kinds by `_plain_column`.
_CONVERTERS: dict[type | str, Callable[[list, set[type], _Field, bool], list | None]] = {
    _VOTES: _tally_column,
    _TAGS: _tags_column,
    _MOMENT: _moment_column,
    _DAY: _day_column,
}


def _value(item: dict, field: _Field, path: str) -> Any:
    """One record's value of `field`, or a FormatError naming its path."""
    if field.kind is _VOTES:
        return _votes(item, path)
    if field.kind is _TAGS:
        return _tags(item, path)
    if field.kind is _MOMENT:
        return _datetime(item, path)
    if field.kind is _DAY:
        return _day(item, path)
    assert isinstance(field.kind, type)
    return _get(item, field.key, path, field.kind, field.default, nullable=field.nullable)


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
        return _moment(value)
    except ValueError:
        raise FormatError(
            _("expected a date and time (ISO 8601)"), path=f"{path}.created_at"
        ) from None


def _moment(value: str) -> datetime:
    """An ISO 8601 date and time; one without a zone is in UTC."""
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _day(item: dict, path: str) -> date | None:
    published = _get(item, "published", path, str, None, nullable=True)
    try:
        return date.fromisoformat(published) if published else None
    except ValueError:
        raise FormatError(
            _("expected a date such as 2024-05-31"), path=f"{path}.published"
        ) from None


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def _isos(moments: list[datetime | None]) -> list[str | None]:
    """`_iso` of each: with a C-level call a value when every one is already in UTC (as read
    from the database), the same text."""
    if set(map(type, moments)) == {datetime} and set(map(attrgetter("tzinfo"), moments)) == {UTC}:
        return list(map(methodcaller("isoformat"), moments))
    return list(map(_iso, moments))


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


# The keys every claim and relation record has, in the file's order; `_claim_extras` and
# `_relation_extras` follow them where there is something to write.
_CLAIM_KEYS = (
    "id",
    "text",
    "elaboration",
    "is_thesis",
    "status",
    "author",
    "merged_into",
    "created_at",
    "votes",
)
_RELATION_KEYS = ("parent", "child", "stance", "is_link", "is_hidden", "position", "votes")
# Records written a batch at a time: the file is written as it is made, never held whole.
_BATCH = 5000
_INDENT = "    "  # a record's, in a list of the top object


def _relation_extras(relation: DocRelation) -> dict[str, Any]:
    return {
        **({"kind": relation.kind} if relation.kind else {}),
        **({"group": relation.group} if relation.group is not None else {}),
    }


def _claim_record(claim: DocClaim) -> dict[str, Any]:
    return {
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


def _relation_record(relation: DocRelation) -> dict[str, Any]:
    return {
        "parent": relation.parent,
        "child": relation.child,
        "stance": relation.stance,
        "is_link": relation.is_link,
        "is_hidden": relation.is_hidden,
        "position": relation.position,
        "votes": list(relation.votes),
        **_relation_extras(relation),
    }


def _claim_texts(claims: list[DocClaim]) -> list[str]:
    """The claims' records a key at a time (no dict a claim: building 200,000 of them, then
    taking them apart again a key at a time, was most of a large export's rendering); a
    claim with extras is written whole, as a dict."""
    columns: list[Any] = [list(map(attrgetter(key), claims)) for key in _CLAIM_KEYS]
    columns[_CLAIM_KEYS.index("created_at")] = _isos(columns[_CLAIM_KEYS.index("created_at")])
    texts = column_records(_CLAIM_KEYS, columns, _INDENT)
    kinds, titles, tags = (list(map(attrgetter(key), claims)) for key in ("kind", "title", "tags"))
    for index, claim in enumerate(claims):
        if kinds[index] != "statement" or titles[index] or tags[index]:
            texts[index] = _INDENT + encoded(_claim_record(claim), _INDENT)
    return texts


def _relation_texts(relations: list[DocRelation]) -> list[str]:
    """The relations' records, as `_claim_texts` writes the claims'."""
    columns = [list(map(attrgetter(key), relations)) for key in _RELATION_KEYS]
    texts = column_records(_RELATION_KEYS, columns, _INDENT)
    kinds, groups = (list(map(attrgetter(key), relations)) for key in ("kind", "group"))
    for index, relation in enumerate(relations):
        if kinds[index] or groups[index] is not None:
            texts[index] = _INDENT + encoded(_relation_record(relation), _INDENT)
    return texts


def _source_record(source: DocSource) -> dict[str, Any]:
    return {
        "id": source.id,
        "url": source.url,
        "title": source.title,
        "author": source.author,
        "publisher": source.publisher,
        "published": source.published.isoformat() if source.published else None,
        "kind": source.kind,
    }


def _citation_record(citation: DocCitation) -> dict[str, Any]:
    return {
        "claim": citation.claim,
        "source": citation.source,
        "quote": citation.quote,
        "locator": citation.locator,
        "is_hidden": citation.is_hidden,
        **({"address": citation.address} if citation.address else {}),
        **({"offset": citation.offset} if citation.offset is not None else {}),
    }


def _annotation_record(note: DocAnnotation) -> dict[str, Any]:
    return {
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


def _as_records[T](
    record: Callable[[T], dict[str, Any]],
) -> Callable[[list[T]], list[str]]:
    return lambda items: records_text(list(map(record, items)), _INDENT)


def render(document: DebateDocument) -> str:
    """Everything in the document, in a stable order, as indented UTF-8 JSON."""
    return "".join(render_parts(document))


def render_parts(document: DebateDocument) -> Iterator[str]:
    """`render`'s text in parts, a batch of records at a time, to be written as it is made."""
    head = {
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
    }
    yield "{\n" + ",\n".join(
        f"  {encode_basestring(key)}: {encoded(value, '  ')}" for key, value in head.items()
    )
    lists: tuple[tuple[str, list[Any], Callable[[list[Any]], list[str]]], ...] = (
        ("claims", document.claims, _claim_texts),
        ("relations", document.relations, _relation_texts),
        ("sources", document.sources, _as_records(_source_record)),
        ("citations", document.citations, _as_records(_citation_record)),
        ("annotations", document.annotations, _as_records(_annotation_record)),
    )
    for key, items, texts in lists:
        yield f",\n  {encode_basestring(key)}: "
        if not items:
            yield "[]"
            continue
        yield "[\n"
        for start in range(0, len(items), _BATCH):
            yield (",\n" if start else "") + ",\n".join(texts(items[start : start + _BATCH]))
        yield "\n  ]"
    yield "\n}\n"
