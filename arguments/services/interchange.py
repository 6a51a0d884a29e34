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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.db import transaction

from arguments.formats.document import DebateDocument, FormatError, check_document, title_for
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
from arguments.services.guards import unique_slug

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

# Rows a batch: each batch costs a fixed number of queries (the rows, then their history).
BATCH_SIZE = 1000
Progress = Callable[[int, int], None]


def _batches[T](items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


def _tally(votes: Sequence[int]) -> dict[str, int]:
    return dict(zip(Claim.TALLY_FIELDS, votes, strict=True))


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
        raise PermissionDenied("Sign in to import a debate.")
    if keep_authors and not owner.is_staff:
        raise PermissionDenied("Only staff may keep the authors named in a file.")
    check_document(document)
    debate = _create_debate(owner, document, title)
    authors = _authors(document) if keep_authors else {}

    def author_of(name: str) -> AnyUser:
        return authors.get(name, owner)

    total = (
        len(document.claims)
        + len(document.relations)
        + len(document.citations)
        + len(document.annotations)
    )
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    claims: dict[str, Claim] = {}
    for batch in _batches(document.claims):
        rows = [
            Claim(
                debate=debate,
                text=item.text,
                elaboration=item.elaboration.strip(),
                is_thesis=item.is_thesis,
                author=author_of(item.author),
                status=item.status,
                **_tally(item.votes),
            )
            for item in batch
        ]
        Claim.objects.bulk_create(rows)
        for item, row in zip(batch, rows, strict=True):
            # bulk_create stamps "now"; a backup's own dates are put back below.
            row.created_at = item.created_at or row.created_at
            claims[item.id] = row
        Claim.history.bulk_history_create(rows, default_user=owner)
        advance(len(rows))
    restored = []
    for item in document.claims:
        row = claims[item.id]
        if item.merged_into is not None:
            row.merged_into = claims[item.merged_into]
        if item.merged_into is not None or item.created_at is not None:
            restored.append(row)
    for batch in _batches(restored):
        Claim.objects.bulk_update(batch, ["merged_into", "created_at"])

    for batch in _batches(document.relations):
        rows = [
            Relation(
                debate=debate,
                parent=claims[item.parent],
                child=claims[item.child],
                stance=item.stance,
                is_link=item.is_link,
                is_hidden=item.is_hidden,
                position=item.position,
                created_by=owner,
                **_tally(item.votes),
            )
            for item in batch
        ]
        Relation.objects.bulk_create(rows)
        Relation.history.bulk_history_create(rows, default_user=owner)
        advance(len(rows))

    sources = _sources(document, owner)
    seen: set[tuple[int, int, str, str]] = set()
    for batch in _batches(document.citations):
        rows = []
        for item in batch:
            row = Citation(
                claim=claims[item.claim],
                source=sources[item.source],
                quote=item.quote.strip(),
                locator=item.locator.strip(),
                is_hidden=item.is_hidden,
                added_by=owner,
            )
            key = (row.claim.pk, row.source.pk, row.quote, row.locator)
            if key not in seen:
                seen.add(key)
                rows.append(row)
        Citation.objects.bulk_create(rows)
        Citation.history.bulk_history_create(rows, default_user=owner)
        advance(len(batch))

    _annotations(document, claims, author_of, owner, advance)
    return debate


def _create_debate(owner: AnyUser, document: DebateDocument, title: str | None) -> Debate:
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
    )
    try:
        debate.full_clean()
    except ValidationError as error:
        problems = "; ".join(f"{key}: {' '.join(m)}" for key, m in error.message_dict.items())
        raise FormatError(problems, path="debate") from None
    debate.save()
    Membership.objects.create(debate=debate, user=owner, role=Role.OWNER)
    return debate


def _authors(document: DebateDocument) -> dict[str, AnyUser]:
    """Existing users named in the document, by username (one query)."""
    names = {claim.author for claim in document.claims}
    names |= {note.author for note in document.annotations}
    names.discard("")
    return {
        user.get_username(): user for user in get_user_model().objects.filter(username__in=names)
    }


def _sources(document: DebateDocument, owner: AnyUser) -> dict[str, Source]:
    """The document's sources by local id: existing rows by normalized URL, others created."""
    by_url: dict[str, Source] = {}
    urls = list(dict.fromkeys(source.url for source in document.sources))
    for batch in _batches(urls):
        by_url.update((source.url, source) for source in Source.objects.filter(url__in=batch))
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
    for batch in _batches(list(new.values())):
        Source.objects.bulk_create(batch)
        Source.history.bulk_history_create(batch, default_user=owner)
    by_url.update(new)
    return {item.id: by_url[item.url] for item in document.sources}


def _annotations(
    document: DebateDocument,
    claims: dict[str, Claim],
    author_of: Callable[[str], AnyUser],
    owner: AnyUser,
    advance: Callable[[int], None],
) -> None:
    notes: dict[str, Annotation] = {}
    for batch in _batches(document.annotations):
        rows = [
            Annotation(
                claim=claims[item.claim],
                author=author_of(item.author),
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
            for item in batch
        ]
        Annotation.objects.bulk_create(rows)
        for item, row in zip(batch, rows, strict=True):
            row.created_at = item.created_at or row.created_at
            notes[item.id] = row
        Annotation.history.bulk_history_create(rows, default_user=owner)
        advance(len(rows))
    # Replies point at notes that may come later in the file: set once all exist.
    restored = []
    for item in document.annotations:
        row = notes[item.id]
        if item.parent is not None:
            row.parent = notes[item.parent]
        if item.parent is not None or item.created_at is not None:
            restored.append(row)
    for batch in _batches(restored):
        Annotation.objects.bulk_update(batch, ["parent", "created_at"])
