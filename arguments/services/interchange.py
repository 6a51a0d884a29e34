"""Importing a debate from a file: one atomic write of a whole `DebateDocument`, in bulk.

Rules an import keeps (docs/FORMATS.md explains them to users):
- the importer owns the new debate and, by default, authors every claim, relation, citation
  and annotation in it: names in a file never become users, and never borrow existing ones.
  Only staff restoring a backup may ask to keep the authors, and then only names of users
  that already exist are used (any other falls back to the importer);
- vote tallies are copied as aggregates (only our JSON carries them); no Vote row is made up;
- sources are shared: an existing Source with the same normalized URL is reused unchanged;
- the new debate starts with a fresh structure version; nothing else is touched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from itertools import chain
from operator import attrgetter
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import DateField, DateTimeField, Field, JSONField, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from arguments import languages
from arguments.explore.search import claims_indexed_together
from arguments.formats.document import (
    DebateDocument,
    FormatError,
    check_document,
    collector_paused,
    title_for,
)
from arguments.models import (
    Annotation,
    Citation,
    Claim,
    Debate,
    Membership,
    Relation,
    Role,
    Source,
)
from arguments.reading.activity import store_counts_task
from arguments.services.guards import history_of, unique_slug
from arguments.services.sources import reusable_sources
from arguments.structure.loader import store_strengths_task

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    AnyUser = User | AnonymousUser

# Rows a batch: each batch costs a fixed number of queries (the rows, then their history).
# Rows are built with plain ids (debate_id=…), which spares bulk_create a check per relation.
BATCH_SIZE = 1000
Progress = Callable[[int, int], None]
# SQLite's page cache while an import writes (KiB, as `PRAGMA cache_size` takes a negative
# number): the connection's 2 MB held too few of the indexes' and the text index's pages, so
# they were written out and read back from the WAL again and again (a third of a
# 200,000-claim import's system time, and its relations' insert twice as slow).
IMPORT_PAGE_CACHE_KIB = 256 * 1024


def _batches[T](items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _tally_columns(model: type[Claim | Relation], items: Sequence[Any]) -> dict[str, list[int]]:
    """The items' tallies (`votes`) as the model's five columns of counts."""
    if not items:
        return {}
    counts = zip(*map(attrgetter("votes"), items), strict=True)
    return dict(zip(model.TALLY_FIELDS, map(list, counts), strict=True))


@contextmanager
def _large_page_cache() -> Iterator[None]:
    """SQLite: the connection's page cache `IMPORT_PAGE_CACHE_KIB` for the import, then as it
    was (a worker's connection persists). Set on the driver's connection: a connection setting,
    not part of the transaction, set back even when an error left the transaction broken."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    raw = connection.connection
    (kept,) = raw.execute("PRAGMA cache_size").fetchone()
    raw.execute(f"PRAGMA cache_size = -{IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:
        raw.execute(f"PRAGMA cache_size = {int(kept)}")


@collector_paused()
@_large_page_cache()
@transaction.atomic
def debate_import(
    *,
    owner: AnyUser,
    document: DebateDocument,
    title: str | None = None,
    keep_authors: bool = False,
    progress: Progress | None = None,
) -> Debate:
    """Create a new debate from a document; any problem raises FormatError and writes nothing.

    `progress(done, total)` is called after every batch of rows, for a progress bar.
    """
    if not owner.is_authenticated:
        raise PermissionDenied(_("Sign in to import a debate."))
    if keep_authors and not owner.is_staff:
        raise PermissionDenied(_("Only staff may keep the authors named in a file."))
    check_document(document)
    debate = _create_debate(owner, document, title)
    authors = _authors(document) if keep_authors else {}

    owner_pk = owner.pk

    def author_of(name: str) -> int:
        found = authors.get(name)
        return owner_pk if found is None else found.pk

    urls = {source.id: source.url for source in document.sources}
    # A citation given twice (same claim, source, address, place, quote and locator) is
    # written once.
    citations = list(
        {
            (
                item.claim,
                urls[item.source] if item.source is not None else None,
                item.address,
                item.offset,
                item.quote.strip(),
                item.locator.strip(),
            ): item
            for item in document.citations
        }.values()
    )
    total = len(document.claims) + len(document.relations) + len(citations)
    total += len(document.annotations)
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    # The rows a column at a time (no dict a row): their values mapped with C-level calls.
    items = document.claims
    count = len(items)
    claim_columns: dict[str, Sequence[Any]] = {
        "debate_id": [debate.pk] * count,
        "text": list(map(attrgetter("text"), items)),
        "elaboration": list(map(str.strip, map(attrgetter("elaboration"), items))),
        "is_thesis": list(map(attrgetter("is_thesis"), items)),
        "kind": list(map(attrgetter("kind"), items)),
        "title": list(map(attrgetter("title"), items)),
        # No tags: the column's default (None below), prepared once, not a value at a time.
        "tags": [tags or None for tags in map(attrgetter("tags"), items)],
        "author_id": list(map(author_of, map(attrgetter("author"), items))),
        "status": list(map(str, map(attrgetter("status"), items))),
        **_tally_columns(Claim, items),
        # A backup's own date; otherwise (None) the time of the import, as for every other row.
        "created_at": list(map(attrgetter("created_at"), items)),
    }
    with claims_indexed_together(debate.pk):
        claim_pks = _insert_rows(Claim, claim_columns, owner, advance=advance, history=False)
    claims = {item.id: pk for item, pk in zip(document.claims, claim_pks, strict=True)}
    # Merges point at claims that may come later in the file: set once every claim exists.
    merges = [
        (claims[item.id], claims[item.merged_into])
        for item in document.claims
        if item.merged_into is not None
    ]
    _update_column(Claim, "merged_into", merges)
    _record_history(Claim, claim_pks, owner)

    relations = document.relations
    count = len(relations)
    relation_columns: dict[str, Sequence[Any]] = {
        "debate_id": [debate.pk] * count,
        "parent_id": list(map(claims.__getitem__, map(attrgetter("parent"), relations))),
        "child_id": list(map(claims.__getitem__, map(attrgetter("child"), relations))),
        "stance": list(map(str, map(attrgetter("stance"), relations))),
        "is_link": list(map(attrgetter("is_link"), relations)),
        "is_hidden": list(map(attrgetter("is_hidden"), relations)),
        "position": list(map(attrgetter("position"), relations)),
        "kind": list(map(attrgetter("kind"), relations)),
        "premise_group": list(map(attrgetter("group"), relations)),
        "created_by_id": [owner_pk] * count,
        **_tally_columns(Relation, relations),
    }
    _insert_rows(Relation, relation_columns, owner, advance=advance)

    sources = _sources(document, owner)
    citation_columns: dict[str, Sequence[Any]] = {
        "claim_id": [claims[item.claim] for item in citations],
        "source_id": [
            sources[item.source].pk if item.source is not None else None for item in citations
        ],
        "address": [item.address for item in citations],
        "offset": [item.offset for item in citations],
        "quote": [item.quote.strip() for item in citations],
        "locator": [item.locator.strip() for item in citations],
        "is_hidden": [item.is_hidden for item in citations],
        "added_by_id": [owner_pk] * len(citations),
    }
    _insert_rows(Citation, citation_columns, owner, advance=advance)
    _annotations(document, claims, author_of, owner, advance)
    # Its strengths are stored by the task worker, not by its first reader's request; the
    # task commits with the import (a row of this transaction).
    store_strengths_task.enqueue(debate.pk)
    store_counts_task.enqueue(debate.pk)  # and its participants' counts (reading/activity.py)
    return debate


def _insert_rows(
    model: type[Model],
    columns: dict[str, Sequence[Any]],
    owner: User,
    *,
    advance: Callable[[int], None] | None = None,
    history: bool = True,
) -> list[int]:
    """Insert rows given a column at a time (attname -> every row's value), with one
    INSERT … RETURNING a batch; their pks, in the rows' order.

    What bulk_create does, without a model instance and a prepared expression per value:
    Django's per-value preparation was most of a 20,000-claim import's time; then building a
    dict a row and taking it apart again, and preparing a time a row, were a tenth of a
    200,000-claim import's. Values are plain str, int, bool or None, which both drivers take
    as they are; dates and JSON are prepared here, a column at a time. A column left out
    takes its field's default. In a column of JSON or of an `auto_now(_add)` date, None
    means that default (the time of the import for a date: a backup's dates are kept, other
    rows dated now).
    """
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    count = len(next(iter(columns.values())))
    now = timezone.now()
    # The connection itself, not the proxy, which looks it up again on every use.
    database = connections[DEFAULT_DB_ALIAS]
    values: list[Sequence[Any]] = []
    for field in fields:
        dated = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        default = now if dated else field.get_default()
        prepare = _preparation(field, database)
        if prepare is not None:
            default = prepare([default])[0]
        given = columns.get(field.attname)
        if given is None:
            values.append([default] * count)
            continue
        if prepare is not None:
            given = prepare(given)
        if dated or isinstance(field, JSONField):
            # Left out (None): the default, prepared once for every row that leaves it out.
            given = [default if value is None else value for value in given]
        values.append(given)
    column_names = ", ".join(_column(field) for field in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pks: list[int] = []
    for start in range(0, count, BATCH_SIZE):
        end = min(start + BATCH_SIZE, count)
        params = list(chain.from_iterable(zip(*(v[start:end] for v in values), strict=True)))
        sql = (
            f"INSERT INTO {quote(meta.db_table)} ({column_names}) VALUES "
            f"{', '.join([row_sql] * (end - start))} RETURNING {_column(meta.pk)}"
        )
        inserted = [row[0] for row in _bulk_execute(sql, params)]
        pks += inserted
        if history:
            _record_history(model, inserted, owner)
        if advance is not None:
            advance(end - start)
    return pks


def _preparation(
    field: Field[Any, Any], database: Any
) -> Callable[[Sequence[Any]], list[Any]] | None:
    """How a column of `field` is prepared for the driver (None values kept as None), or None
    for a field whose values the drivers take as they are."""
    if isinstance(field, DateTimeField):
        return lambda values: _times(values, database)
    if isinstance(field, DateField | JSONField):
        return lambda values: [
            None if value is None else field.get_db_prep_save(value, database) for value in values
        ]
    return None


def _times(values: Sequence[Any], database: Any) -> list[Any]:
    """Aware times as the backend's adapter gives them to its driver. On SQLite, a column of
    times in UTC (as read from a backup) at once, with C-level calls: the text Django writes
    (`str` of the naive time in UTC, the connection's zone); a time at a time through Django
    (its zone check, `make_naive`, the settings read again) was 1.5 s of a 200,000-claim
    import's CPU."""
    given = [value for value in values if value is not None]
    if (
        database.vendor == "sqlite"
        and settings.USE_TZ
        and database.timezone is UTC
        and set(map(type, given)) <= {datetime}
        and set(map(attrgetter("tzinfo"), given)) <= {UTC}
    ):
        return [None if value is None else str(value.replace(tzinfo=None)) for value in values]
    adapt = database.ops.adapt_datetimefield_value
    return [None if value is None else adapt(value) for value in values]


def _insert(
    model: type[Model],
    rows: Sequence[Model],
    owner: User,
    *,
    advance: Callable[[int], None] | None = None,
    history: bool = True,
) -> None:
    """bulk_create in batches, each with its history unless the caller records it later."""
    for batch in _batches(rows):
        model._default_manager.bulk_create(batch)
        if history:
            _record_history(model, [row.pk for row in batch], owner)
        if advance is not None:
            advance(len(batch))


def _column(field: Field[Any, Any]) -> str:
    """The field's quoted column name (a concrete field always has one; the stubs allow None)."""
    assert field.column is not None
    return connection.ops.quote_name(field.column)


def _bulk_execute(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Run one of the import's large statements (`%s` placeholders); the rows it returns.

    Unlogged unless a test captures queries: with DEBUG on, Django logs every query and, for
    the log, quotes each of its parameters (on SQLite with a query of its own), which for
    statements of 14,000 parameters cost about a quarter of a large import. Query counts taken
    in tests (`force_debug_cursor`) still see every statement. On SQLite the statement goes to
    the driver's own cursor: Django's turns `%s` into `?` with a regular expression, 2 to 3 ms
    for a statement of 30,000 placeholders, a sixth of a 200,000-claim import; these
    statements hold no other `%`, so a plain replace does. Errors are Django's either way.
    """
    if connection.force_debug_cursor:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    connection.ensure_connection()
    if connection.vendor != "sqlite":
        with connection.make_cursor(connection.create_cursor()) as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []
    with connection.wrap_database_errors:
        raw = connection.connection.cursor()
        try:
            raw.execute(sql.replace("%s", "?"), params)
            return raw.fetchall()
        finally:
            raw.close()


def _record_history(model: type[Model], pks: Sequence[int], owner: User) -> None:
    """The rows' first history records ("created by the importer"), one INSERT … SELECT a batch.

    simple_history's bulk_history_create builds a model instance a row, which costs more than
    inserting the row itself; copying the stored rows in SQL makes the same records for a
    fraction of the time (a 20,000-claim import takes seconds instead of half a minute).
    """
    history = history_of(model).model
    quote = connection.ops.quote_name
    copied = ", ".join(quote(field.column) for field in history.tracked_fields)
    stamps = ("history_date", "history_change_reason", "history_type", "history_user")
    stamped = ", ".join(quote(history._meta.get_field(name).column) for name in stamps)
    history_date = history._meta.get_field("history_date").get_db_prep_value(
        timezone.now(), connection
    )
    for batch in _batches(pks):
        placeholders = ", ".join(["%s"] * len(batch))
        sql = (
            f"INSERT INTO {quote(history._meta.db_table)} ({copied}, {stamped}) "
            f"SELECT {copied}, %s, %s, %s, %s FROM {quote(model._meta.db_table)} "
            f"WHERE {_column(model._meta.pk)} IN ({placeholders})"
        )
        _bulk_execute(sql, [history_date, None, "+", owner.pk, *batch])


def _update_column(model: type[Model], name: str, values: Sequence[tuple[int, Any]]) -> None:
    """Set one field of the rows given as (pk, value), one UPDATE … CASE a batch.

    What bulk_update does, without building an expression object a value: for a 20,000-claim
    backup that is the difference between a second and a quarter of a minute.
    """
    quote = connection.ops.quote_name
    pk = _column(model._meta.pk)
    field = model._meta.get_field(name)
    assert isinstance(field, Field)  # a column of the model's table, not a reverse relation
    column = _column(field)
    for batch in _batches(values):
        params: list[Any] = []
        for row_pk, value in batch:
            params += [row_pk, field.get_db_prep_save(value, connection)]
        cases = " ".join(["WHEN %s THEN %s"] * len(batch))
        placeholders = ", ".join(["%s"] * len(batch))
        sql = (
            f"UPDATE {quote(model._meta.db_table)} SET {column} = CASE {pk} {cases} "
            f"ELSE {column} END WHERE {pk} IN ({placeholders})"
        )
        _bulk_execute(sql, [*params, *(row_pk for row_pk, _ in batch)])


def _create_debate(owner: User, document: DebateDocument, title: str | None) -> Debate:
    question = title_for(document, title)
    slug = document.slug
    try:
        validate_slug(slug)
    except ValidationError:
        slug = ""
    if not slug or len(slug) > 80 or Debate.objects.filter(slug=slug).exists():
        slug = unique_slug(question)
    debate = Debate(
        slug=slug,
        title=question,
        description=document.description.strip(),
        owner=owner,
        visibility=document.visibility,
        status=document.status,
        conclusion=document.conclusion.strip(),
        default_role=document.default_role,
        voting_enabled=document.voting_enabled,
        annotations_enabled=document.annotations_enabled,
        requires_approval=document.requires_approval,
        hide_votes_until_voted=document.hide_votes_until_voted,
        embed_origins=document.embed_origins.strip(),
        # A language the site does not offer (another site's) falls back to the default.
        language=languages.supported(document.language) or settings.LANGUAGE_CODE,
        interchange=document.interchange,
    )
    try:
        debate.full_clean()
    except ValidationError as error:
        problems = "; ".join(f"{key}: {' '.join(m)}" for key, m in error.message_dict.items())
        raise FormatError(problems, path="debate") from None
    debate.save()
    Membership.objects.create(debate=debate, user=owner, role=Role.OWNER)
    return debate


def _authors(document: DebateDocument) -> dict[str, User]:
    """Existing users named in the document, by username (one query)."""
    names = {claim.author for claim in document.claims}
    names |= {note.author for note in document.annotations}
    names.discard("")
    return {
        user.get_username(): user for user in get_user_model().objects.filter(username__in=names)
    }


def _sources(document: DebateDocument, owner: User) -> dict[str, Source]:
    """The document's sources by local id: existing rows by normalized URL (those the owner
    may reuse: never a private debate's they cannot read), others created."""
    by_url: dict[str, Source] = {}
    urls = list(dict.fromkeys(source.url for source in document.sources))
    reusable = reusable_sources(owner).order_by("-pk")  # the oldest of one URL wins below
    for batch in _batches(urls):
        by_url.update((source.url, source) for source in reusable.filter(url__in=batch))
    new: dict[str, Source] = {}
    for item in document.sources:
        if item.url in by_url or item.url in new:
            continue
        new[item.url] = Source(
            url=item.url,
            title=item.title or urlsplit(item.url).netloc,
            author=item.author,
            publisher=item.publisher,
            published=item.published,
            kind=item.kind,
            created_by=owner,
        )
    _insert(Source, list(new.values()), owner)
    by_url.update(new)
    return {item.id: by_url[item.url] for item in document.sources}


def _annotations(
    document: DebateDocument,
    claims: dict[str, int],
    author_of: Callable[[str], int],
    owner: User,
    advance: Callable[[int], None],
) -> None:
    notes = {
        item.id: Annotation(
            claim_id=claims[item.claim],
            author_id=author_of(item.author),
            body=item.body,
            motivation=item.motivation,
            visibility=item.visibility,
            status=item.status,
            exact=item.exact,
            prefix=item.prefix,
            suffix=item.suffix,
            start=item.start,
            end=item.end,
            is_orphaned=item.is_orphaned,
        )
        for item in document.annotations
    }
    _insert(Annotation, list(notes.values()), owner, advance=advance, history=False)
    # Replies point at notes that may come later in the file: set once all exist; bulk_create
    # stamps "now" over a backup's own dates.
    parents = [
        (notes[item.id].pk, notes[item.parent].pk)
        for item in document.annotations
        if item.parent is not None
    ]
    dates = [
        (notes[item.id].pk, item.created_at)
        for item in document.annotations
        if item.created_at is not None
    ]
    _update_column(Annotation, "parent", parents)
    _update_column(Annotation, "created_at", dates)
    _record_history(Annotation, [row.pk for row in notes.values()], owner)
