"""A stored debate read into a `DebateDocument`, for exports and backups: all of it, or what
one reader sees (their lens decides), in a fixed number of queries."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from operator import attrgetter, methodcaller
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections
from django.db.models import DateTimeField, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.db.models.sql.constants import MULTI

from arguments import formats
from arguments.formats.document import (
    NO_VOTES,
    DebateDocument,
    DocAnnotation,
    DocCitation,
    DocClaim,
    DocRelation,
    DocSource,
    collector_paused,
)
from arguments.models import Annotation, Citation, Claim, Debate, Relation, tally_of
from arguments.reading.pseudonyms import pseudonyms_of
from arguments.structure.snapshot import snapshot

if TYPE_CHECKING:
    from collections.abc import Callable

    from arguments.reading.lens import Lens


# Not frozen: the rules' protocols (`ClaimState`, `NoteState`) are plain attributes.
@dataclass(slots=True)
class _ClaimRow:
    """What the visibility rule reads of a claim row."""

    author_id: int | None
    status: str
    is_thesis: bool
    merged_into_id: int | None


@dataclass(slots=True)
class _NoteRow:
    """What the visibility rule reads of an annotation row."""

    id: int
    parent_id: int | None
    claim_id: int
    author_id: int | None
    visibility: str
    status: str


def document_from_debate(
    debate: Debate,
    *,
    seen_by: Lens | None = None,
    claim_ids: list[int] | None = None,
    parts: frozenset[str] = formats.EVERY_PART,
) -> DebateDocument:
    """The stored debate as a document, in five queries whatever its size.

    Without `seen_by`, all of it (hidden and pending claims, private annotations): the backup
    a moderator takes. With a lens, what its reader sees (`Lens.export_lens` says whose):
    the claims they see, the relations and citations between them, the notes they may read.
    `claim_ids`, when given, receives each document claim's database id, in the document's
    order (a snapshot keeps them to compare claims across time). `parts` (`formats.WRITES`)
    leaves out what the file will not hold: authors' names empty, no votes, no dates, no
    annotations.
    """
    with collector_paused():  # a whole debate's rows and records: see collector_paused
        return _document(debate, seen_by=seen_by, claim_ids=claim_ids, parts=parts)


def _document(
    debate: Debate,
    *,
    seen_by: Lens | None,
    claim_ids: list[int] | None,
    parts: frozenset[str],
) -> DebateDocument:
    people, dates = formats.PEOPLE in parts, formats.DATES in parts
    # One snapshot: a claim and its relation written meanwhile are both in the document or
    # neither.
    with snapshot():
        owner = (
            Debate.objects.filter(pk=debate.pk).values_list("owner__username", flat=True).first()
            if people
            else ""
        )
        claim_rows = _rows(
            Claim.objects.filter(debate=debate)
            .order_by("id")
            # The tags as their stored text: most claims have none, and decoding 200,000 empty
            # lists through JSONField cost half of what issue 30's new columns added to an export.
            .annotate(tags_text=Cast("tags", TextField()))
            .values_list(
                "id",
                "text",
                "elaboration",
                "is_thesis",
                "status",
                "author__username" if people else Value(""),
                "author_id",
                "merged_into_id",
                "created_at" if dates else Value(None, output_field=DateTimeField()),
                "kind",
                "title",
                "tags_text",
                *(Claim.TALLY_FIELDS if formats.VOTES in parts else ()),
            )
        )
        relation_rows = _rows(
            Relation.objects.filter(debate=debate)
            .order_by("id")
            .values_list(
                "parent_id",
                "child_id",
                "stance",
                "is_link",
                "position",
                "is_hidden",
                "kind",
                "premise_group",
                *(Relation.TALLY_FIELDS if formats.VOTES in parts else ()),
            )
        )
        citation_rows = _rows(
            Citation.objects.filter(claim__debate=debate)
            .order_by("id")
            .values_list(
                "claim_id",
                "source_id",
                "source__url",
                "source__title",
                "source__author",
                "source__publisher",
                "source__published",
                "source__kind",
                "quote",
                "locator",
                "is_hidden",
                "address",
                "offset",
            )
        )
        annotation_rows: list[tuple] = []
        if formats.NOTES in parts:
            annotation_rows = _rows(
                Annotation.objects.filter(claim__debate=debate)
                .order_by("id")
                .values_list(
                    "id",
                    "claim_id",
                    "parent_id",
                    "author_id",
                    "author__username",
                    "body",
                    "motivation",
                    "visibility",
                    "status",
                    "exact",
                    "prefix",
                    "suffix",
                    "start",
                    "end",
                    "is_orphaned",
                    "created_at",
                )
            )

    kept = {row[0] for row in claim_rows}
    if seen_by is not None:
        kept = _seen(seen_by, claim_rows, relation_rows)
        relation_rows = [
            row for row in relation_rows if not row[5] and row[0] in kept and row[1] in kept
        ]
        citation_rows = [row for row in citation_rows if not row[10] and row[0] in kept]
        notes = [
            _NoteRow(
                id=row[0], parent_id=row[2], claim_id=row[1], author_id=row[3],
                visibility=row[7], status=row[8],
            )
            for row in annotation_rows
        ]  # fmt: skip
        shown = {note.id for note in seen_by.notes_seen(notes, on=kept)}
        annotation_rows = [row for row in annotation_rows if row[0] in shown]
    # Guided voting hides tallies from readers who have not voted; a public copy does too.
    show_votes = formats.VOTES in parts and (seen_by is None or not debate.hide_votes_until_voted)

    shown_name = _names(debate, claim_rows, annotation_rows) if people else _nameless
    document = DebateDocument(
        title=debate.title,
        description=debate.description,
        slug=debate.slug,
        owner=shown_name(debate.owner_id, owner or ""),
        visibility=debate.visibility,
        status=debate.status,
        conclusion=debate.conclusion,
        default_role=debate.default_role,
        voting_enabled=debate.voting_enabled,
        annotations_enabled=debate.annotations_enabled,
        requires_approval=debate.requires_approval,
        hide_votes_until_voted=debate.hide_votes_until_voted,
        embed_origins=debate.embed_origins,
        language=debate.language,
        interchange=debate.interchange,
    )
    if seen_by is not None:
        claim_rows = [row for row in claim_rows if row[0] in kept]
    local = {row[0]: f"c{index}" for index, row in enumerate(claim_rows, start=1)}
    if claim_ids is not None:
        claim_ids[:] = local
    # A column at a time where a call a row can be spared (names, tallies, tags), then one
    # record a row: at 200,000 claims the calls a row were a second of an export.
    if claim_rows:
        (_pks, texts, elaborations, theses, statuses, authors, author_ids, merges, times, kinds,
         labels, tags, *tally) = zip(*claim_rows, strict=True)  # fmt: skip
        names = list(map(shown_name, author_ids, [author or "" for author in authors]))
        votes = list(zip(*tally, strict=True)) if show_votes else [NO_VOTES] * len(claim_rows)
        document.claims = [
            DocClaim(
                id=name_in_file,
                text=text,
                is_thesis=is_thesis,
                elaboration=elaboration,
                status=status,
                author=author,
                votes=tally_of(counts),
                merged_into=local.get(merged),
                created_at=created,
                kind=kind,
                title=label,
                tags=json.loads(tags_text) if tags_text and tags_text != "[]" else [],
            )
            for (name_in_file, text, elaboration, is_thesis, status, author, counts, merged,
                 created, kind, label, tags_text)
            in zip(local.values(), texts, elaborations, theses, statuses, names, votes, merges,
                   times, kinds, labels, tags, strict=True)
        ]  # fmt: skip
    if relation_rows:
        parents, children, stances, links, positions, hidden, kinds, groups, *tally = zip(
            *relation_rows, strict=True
        )
        votes = list(zip(*tally, strict=True)) if show_votes else [NO_VOTES] * len(relation_rows)
        document.relations = [
            DocRelation(
                parent=parent,
                child=child,
                stance=stance,
                is_link=is_link,
                position=position,
                is_hidden=is_hidden,
                votes=counts,
                kind=kind,
                group=group,
            )
            for parent, child, stance, is_link, position, is_hidden, counts, kind, group in zip(
                map(local.__getitem__, parents),
                map(local.__getitem__, children),
                stances,
                links,
                positions,
                hidden,
                votes,
                kinds,
                groups,
                strict=True,
            )
        ]
    source_ids: dict[int, str] = {}
    for (
        claim,
        source,
        url,
        title,
        author,
        publisher,
        published,
        kind,
        quote,
        locator,
        is_hidden,
        address,
        offset,
    ) in citation_rows:
        if source is not None and source not in source_ids:
            source_ids[source] = f"s{len(source_ids) + 1}"
            document.sources.append(
                DocSource(
                    id=source_ids[source],
                    url=url,
                    title=title,
                    author=author,
                    publisher=publisher,
                    published=published,
                    kind=kind,
                )
            )
        document.citations.append(
            DocCitation(
                claim=local[claim],
                source=source_ids[source] if source is not None else None,
                quote=quote,
                locator=locator,
                is_hidden=is_hidden,
                address=address,
                offset=offset,
            )
        )
    note_ids = {row[0]: f"a{index}" for index, row in enumerate(annotation_rows, start=1)}
    for (
        pk,
        claim,
        parent,
        author_id,
        author,
        body,
        motivation,
        visibility,
        status,
        exact,
        prefix,
        suffix,
        start,
        end,
        is_orphaned,
        created,
    ) in annotation_rows:
        document.annotations.append(
            DocAnnotation(
                id=note_ids[pk],
                claim=local[claim],
                parent=note_ids.get(parent),
                author=shown_name(author_id, author or ""),
                body=body,
                motivation=motivation,
                visibility=visibility,
                status=status,
                exact=exact,
                prefix=prefix,
                suffix=suffix,
                start=start,
                end=end,
                is_orphaned=is_orphaned,
                created_at=created,
            )
        )
    return document


def _rows(queryset: QuerySet[Any, Any]) -> list[tuple[Any, ...]]:
    """What `list(queryset.values_list(…))` gives, its values converted a column at a time.

    Django converts a row at a time, a Python call a value: on SQLite, a time is parsed and
    made aware, a boolean made from 0 or 1; at 200,000 claims that was 1.7 s of an export's
    4 s of reading. The columns SQLite's converters would touch are converted here with C-level
    calls over the whole column when every value is one they take as is (`_column`); any
    other column, and any column with a value out of the ordinary, goes through Django's
    own converters, a value at a time, as before.
    """
    compiler = queryset.query.get_compiler(queryset.db)
    rows = list(chain.from_iterable(compiler.execute_sql(MULTI)))
    converters = compiler.get_converters([s[0] for s in compiler.select[: compiler.col_count]])
    if not rows or not converters:
        return list(map(tuple, rows))
    columns: list[Any] = list(zip(*rows, strict=True))
    connection = connections[queryset.db]
    for index, (functions, expression) in converters.items():
        columns[index] = _column(columns[index], functions, expression, connection)
    return list(zip(*columns, strict=True))


def _column(values: tuple[Any, ...], functions: list[Any], expression: Any, connection: Any) -> Any:
    """A column converted as Django's `functions` would convert each of its values."""
    ops = connection.ops
    if values.count(None) == len(values):
        return values  # a column left out (`Value(None)`: a format that writes no dates)
    if functions == [getattr(ops, "convert_booleanfield_value", None)] and set(values) <= {0, 1}:
        return list(map(bool, values))
    if (
        functions == [getattr(ops, "convert_datetimefield_value", None)]
        and settings.USE_TZ
        and connection.timezone is UTC
        and set(map(type, values)) == {datetime}
        and set(map(attrgetter("tzinfo"), values)) == {None}
    ):
        # SQLite's driver has parsed the stored text into naive times (in UTC); Django makes
        # each aware with `replace(tzinfo=…)`.
        return list(map(methodcaller("replace", tzinfo=UTC), values))
    converted = []
    for value in values:
        for function in functions:
            value = function(value, expression, connection)
        converted.append(value)
    return converted


def _tags(stored: str | None) -> list[str]:
    """A claim's tags from their stored JSON text (read as text: see `document_from_debate`)."""
    return json.loads(stored) if stored and stored != "[]" else []


def _seen(lens: Lens, claim_rows: list[tuple], relation_rows: list[tuple]) -> set[int]:
    """The claims the lens's reader sees, from the rows already loaded (no query)."""
    claims = {row[0]: _ClaimRow(row[6], row[4], row[3], row[7]) for row in claim_rows}
    written_under: dict[int, list[int]] = defaultdict(list)
    for parent, child, _stance, is_link, _position, is_hidden, *_tally in relation_rows:
        if not is_link and not is_hidden:
            written_under[parent].append(child)
    theses = [row[0] for row in claim_rows if row[3]]
    return set(lens.visible_among(theses, claims, lambda c: written_under.get(c, ())))


def _nameless(_user_id: int | None, _username: str) -> str:
    return ""


def _names(
    debate: Debate, claim_rows: list[tuple], annotation_rows: list[tuple]
) -> Callable[[int | None, str], str]:
    """How an export names people: by username, or in a pseudonymous debate by pseudonym
    only (no copy of it may carry a real name)."""
    if not debate.pseudonymous:
        return lambda _user_id, username: username
    ids = {row[6] for row in claim_rows} | {row[3] for row in annotation_rows} | {debate.owner_id}
    names = pseudonyms_of(debate, ids)
    return lambda user_id, _username: names.get(user_id, "") if user_id is not None else ""
