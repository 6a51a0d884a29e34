"""Frozen debates (`Snapshot`): what one holds and how it is read.

A snapshot keeps the whole debate as our own JSON (the backup format, `formats.native_json`,
read by `export.document_from_debate` inside one database snapshot), compressed, with the
SHA-256 of the text; and its outline, one `SnapshotClaim` row per claim a visitor saw then,
with what the page shows of it (text, stance, strength, votes, links). The page reads only
the rows it shows (the theses and their pros and cons; a claim in focus, its path and its
own), so serving a 20,000-claim snapshot costs what serving a small one does. Exports parse
the stored document; the diff compares outlines (two snapshots', or one's and the debate's
now, built by the same `outline_of`).

What a snapshot shows is what a visitor saw at the time (published claims reached from a
published thesis, public notes), whoever reads it now: a citation must mean the same to
everyone. Who may read it at all is the debate's rule at the time of reading (the lens).
Its moderators may also download the whole stored document (`export_of`), as they may back
up the living debate.

`snapshot_data` is the one read a page or the public API needs of a snapshot.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from arguments import caches, formats
from arguments.formats import native_json
from arguments.formats.document import (
    NO_VOTES,
    DebateDocument,
    DocAnnotation,
    DocCitation,
    DocClaim,
    DocRelation,
    DocSource,
)
from arguments.models import Claim, Snapshot, SnapshotClaim
from arguments.reading.export import document_from_debate
from arguments.rules.permissions import sees_claim, sees_note
from arguments.structure import scoring

if TYPE_CHECKING:
    from collections.abc import Sequence

    from arguments.models import Debate
    from arguments.reading.lens import Lens

PUBLISHED = Claim.Status.PUBLISHED
# Strengths are stored to this many decimals: the diff's "strength changed" is a change of
# the stored value, never a float's last bit.
STRENGTH_DECIMALS = 4
# The columns a page reads of a snapshot (never `document`, the whole debate).
SNAPSHOT_COLUMNS = (
    "id",
    "debate_id",
    "number",
    "title",
    "reason",
    "note",
    "taken_by__username",
    "taken_at",
    "sha256",
    "claim_count",
    "votes_hidden",
)


@dataclass(frozen=True, slots=True)
class OutlineRow:
    """A claim where a visitor saw it: under `parent_id` (None: a thesis), `depth` below its
    thesis, `path` the claim ids from the thesis down to its parent."""

    claim_id: int
    parent_id: int | None
    depth: int
    position: int
    path: list[int]
    data: dict[str, Any]

    @property
    def text(self) -> str:
        return self.data["text"]

    @property
    def stance(self) -> str | None:
        return self.data["stance"]

    @property
    def strength(self) -> float | None:
        return self.data["strength"]


# Not frozen: the rules' protocols are plain attributes.
@dataclass(slots=True)
class _Seen:
    """What the visibility rule reads of a document's claim or note (no author: a visitor's
    rule never asks)."""

    status: str
    is_thesis: bool = False
    merged_into_id: int | None = None
    author_id: int | None = None
    visibility: str = ""


def _visitor_sees(claim: DocClaim) -> bool:
    return sees_claim(
        _Seen(claim.status, claim.is_thesis, 1 if claim.merged_into else None),
        user_id=None,
        moderates=False,
    )


def _visitor_view(document: DebateDocument) -> tuple[list[str], dict[str, DocRelation]]:
    """The claims a visitor sees, thesis by thesis and depth first in sibling order (the
    live tree's walk), and the relation each was written under."""
    claims = {claim.id: claim for claim in document.claims}
    written: dict[str, list[DocRelation]] = defaultdict(list)
    original: dict[str, DocRelation] = {}
    for relation in document.relations:
        if not relation.is_link and not relation.is_hidden:
            written[relation.parent].append(relation)
            original[relation.child] = relation
    for relations in written.values():
        relations.sort(key=lambda relation: relation.position)  # stable: id order among ties
    seen: list[str] = []
    stack = [c.id for c in reversed(document.claims) if c.is_thesis and _visitor_sees(c)]
    while stack:
        claim_id = stack.pop()
        seen.append(claim_id)
        beneath = [r.child for r in written.get(claim_id, ()) if _visitor_sees(claims[r.child])]
        stack.extend(reversed(beneath))
    return seen, original


def _strengths(document: DebateDocument, original: dict[str, DocRelation]) -> dict[str, float]:
    """DF-QuAD over the published claims and the shown relations between them, as the live
    debate scores them (`structure.loader.claim_strengths`), from the document's tallies."""
    published = {claim.id for claim in document.claims if claim.status == PUBLISHED}
    number = {claim.id: index for index, claim in enumerate(document.claims)}
    base: dict[int, float] = {}
    for claim in document.claims:
        if claim.id not in published:
            continue
        relation = original.get(claim.id)
        tally = relation.votes if relation is not None else claim.votes
        base[number[claim.id]] = scoring.base_score(tally)
    edges = [
        (number[r.parent], number[r.child], r.stance)
        for r in document.relations
        if not r.is_hidden and r.parent in published and r.child in published
    ]
    strengths = scoring.strengths(base, edges)
    return {
        claim.id: strengths[number[claim.id]] for claim in document.claims if claim.id in published
    }


def outline_of(document: DebateDocument, claim_ids: Sequence[int]) -> list[OutlineRow]:
    """The outline of a whole document (`document_from_debate` without a lens) whose claims
    have the database ids `claim_ids`, in order: what a visitor sees of it, with strengths."""
    pk = {claim.id: claim_ids[index] for index, claim in enumerate(document.claims)}
    claims = {claim.id: claim for claim in document.claims}
    seen, original = _visitor_view(document)
    shown = set(seen)
    strengths = _strengths(document, original)
    children: dict[str, int] = defaultdict(int)
    links: dict[str, list[list[Any]]] = defaultdict(list)
    for relation in sorted(document.relations, key=lambda r: r.position):
        if relation.is_hidden or relation.parent not in shown or relation.child not in shown:
            continue
        if relation.is_link:
            links[relation.parent].append(
                [pk[relation.child], relation.stance, claims[relation.child].text]
            )
        else:
            children[relation.parent] += 1
    sources: dict[str, int] = defaultdict(int)
    for citation in document.citations:
        if not citation.is_hidden:
            sources[citation.claim] += 1
    rows: list[OutlineRow] = []
    paths: dict[str, list[int]] = {}
    for local in seen:
        claim = claims[local]
        # Where it was written (a thesis was written under nothing, whatever links it).
        place = None if claim.is_thesis else original.get(local)
        parent = place.parent if place is not None else None
        path = [*paths[parent], pk[parent]] if parent is not None else []
        paths[local] = path
        rows.append(
            OutlineRow(
                claim_id=pk[local],
                parent_id=pk[parent] if parent is not None else None,
                depth=len(path),
                position=place.position if place is not None else 0,
                path=path,
                data={
                    "text": claim.text,
                    "elaboration": claim.elaboration,
                    "stance": place.stance if place is not None else None,
                    "strength": round(strengths[local], STRENGTH_DECIMALS),
                    # A thesis's truth votes; a pro's or con's impact where it was written.
                    "votes": list(place.votes if place is not None else claim.votes),
                    "children": children[local],
                    "links": links.get(local, []),
                    "sources": sources[local],
                },
            )
        )
    return rows


# -- taking one (services/snapshots.py writes it) --------------------------------------------


@dataclass(frozen=True, slots=True)
class Frozen:
    """A debate read for a snapshot: its compressed document, the text's hash, its outline."""

    document: bytes
    sha256: str
    title: str
    outline: list[OutlineRow]
    votes_hidden: bool


def freeze(debate: Debate) -> Frozen:
    """Read the whole debate once (one database snapshot) into what a `Snapshot` stores."""
    claim_ids: list[int] = []
    document = document_from_debate(debate, claim_ids=claim_ids)
    text = native_json.render(document).encode()
    return Frozen(
        document=zlib.compress(text, 6),
        sha256=hashlib.sha256(text).hexdigest(),
        title=document.title,
        outline=outline_of(document, claim_ids),
        votes_hidden=document.hide_votes_until_voted,
    )


# The diff with "now" outlines the whole living debate (about a second at 20,000 claims):
# kept per process for the debate's versions, so a page asked again costs nothing until a
# write or a vote moves a version.
# Bounded by bytes (issue 35): an outline row is about 600 bytes (its text and figures).
_OUTLINES_NOW = caches.Bounded(
    "outlines now", sizer=lambda outline: 600 * max(1, len(outline)), default_mb=16
)
_OUTLINES_NOW_LOCK = threading.Lock()


def forget_outlines_now() -> None:
    with _OUTLINES_NOW_LOCK:
        _OUTLINES_NOW.clear()


caches.register(
    "outlines now",
    kept=caches.Kept.PROCESS,
    key="the debate's id, structure version and tally version (`outline_now`)",
    stale="never: every write and vote moves a version; those used last are kept, within "
    "their budget of bytes",
    forget=forget_outlines_now,
    holds=_OUTLINES_NOW,
)


def outline_now(debate: Debate) -> list[OutlineRow]:
    """The debate's outline as it stands (what a snapshot taken now would hold), for the
    versions on the `debate` row the request read."""
    key = (debate.pk, debate.structure_version, debate.tally_version)
    with _OUTLINES_NOW_LOCK:
        kept = _OUTLINES_NOW.fetch(key)
        if kept is not None:
            return kept
    claim_ids: list[int] = []
    document = document_from_debate(debate, claim_ids=claim_ids)
    outline = outline_of(document, claim_ids)
    with _OUTLINES_NOW_LOCK:
        _OUTLINES_NOW.keep(key, outline)
    return outline


# -- reading one ---------------------------------------------------------------------------


@dataclass(slots=True)
class SnapshotView:
    """What a page (or the API) shows of a snapshot: its facts, the claims shown (theses
    and their pros and cons, or a claim in focus with its own), the path to the focus."""

    snapshot: dict[str, Any]
    items: list[OutlineRow]
    focus: OutlineRow | None = None
    path: list[OutlineRow] = field(default_factory=list)
    children: dict[int, list[OutlineRow]] = field(default_factory=dict)


def snapshot_facts(debate: Debate, number: int) -> dict[str, Any] | None:
    """One snapshot's facts (never its document); None when there is none."""
    return Snapshot.objects.filter(debate=debate, number=number).values(*SNAPSHOT_COLUMNS).first()


def snapshots_of(debate: Debate) -> list[dict[str, Any]]:
    """The debate's snapshots, newest first (one query, never their documents)."""
    return list(
        Snapshot.objects.filter(debate=debate).order_by("-number").values(*SNAPSHOT_COLUMNS)
    )


def _row(row: SnapshotClaim) -> OutlineRow:
    return OutlineRow(
        claim_id=row.claim_id,
        parent_id=row.parent_id,
        depth=row.depth,
        position=row.position,
        path=row.path,
        data=row.data,
    )


def _sorted(rows: list[OutlineRow]) -> list[OutlineRow]:
    return sorted(rows, key=lambda row: (row.position, row.claim_id))


def snapshot_data(
    debate: Debate, number: int, *, claim_id: int | None = None
) -> SnapshotView | None:
    """A snapshot of this debate as a page shows it: the theses with their pros and cons,
    or the claim `claim_id` with its path and its pros and cons. None when there is no such
    snapshot, or no such claim in it (a claim of another debate is never in it). Two
    queries; who may read it is the caller's question (the debate's lens)."""
    facts = Snapshot.objects.filter(debate=debate, number=number).values(*SNAPSHOT_COLUMNS).first()
    if facts is None:
        return None
    rows = SnapshotClaim.objects.filter(snapshot_id=facts["id"]).only(
        "claim_id", "parent_id", "depth", "position", "path", "data"
    )
    if claim_id is None:
        shown = [_row(row) for row in rows.filter(depth__lte=1)]
        children: dict[int, list[OutlineRow]] = defaultdict(list)
        for row in shown:
            if row.parent_id is not None:
                children[row.parent_id].append(row)
        theses = sorted((row for row in shown if row.depth == 0), key=lambda row: row.claim_id)
        return SnapshotView(
            snapshot=facts,
            items=theses,
            children={parent: _sorted(rows) for parent, rows in children.items()},
        )
    wanted = [_row(row) for row in rows.filter(claim_id=claim_id)]
    if not wanted:
        return None
    focus = wanted[0]
    around = [_row(row) for row in rows.filter(claim_id__in=focus.path)] + [
        _row(row) for row in rows.filter(parent_id=claim_id)
    ]
    by_id = {row.claim_id: row for row in around}
    return SnapshotView(
        snapshot=facts,
        items=[focus],
        focus=focus,
        path=[by_id[pk] for pk in focus.path if pk in by_id],
        children={claim_id: _sorted([row for row in around if row.parent_id == claim_id])},
    )


def snapshot_claims(
    debate: Debate, number: int, *, after: int | None, limit: int
) -> tuple[dict[str, Any], list[OutlineRow], bool] | None:
    """A page of a snapshot's claims by id (the API's flat list): its facts, up to `limit`
    rows with ids above `after`, and whether more follow. None when there is no such
    snapshot. Two queries, whatever the snapshot's size (the unique (snapshot, claim_id)
    index orders them)."""
    facts = Snapshot.objects.filter(debate=debate, number=number).values(*SNAPSHOT_COLUMNS).first()
    if facts is None:
        return None
    rows = SnapshotClaim.objects.filter(snapshot_id=facts["id"])
    if after is not None:
        rows = rows.filter(claim_id__gt=after)
    found = [
        _row(row)
        for row in rows.order_by("claim_id").only(
            "claim_id", "parent_id", "depth", "position", "path", "data"
        )[: limit + 1]
    ]
    return facts, found[:limit], len(found) > limit


def document_of(debate: Debate, number: int) -> DebateDocument | None:
    """A snapshot's whole stored document, as it was taken; None when there is none."""
    stored = (
        Snapshot.objects.filter(debate=debate, number=number)
        .values_list("document", flat=True)
        .first()
    )
    if stored is None:
        return None
    return native_json.parse(zlib.decompress(bytes(stored)).decode())


@dataclass(frozen=True)
class SnapshotFile:
    """A version as a download: its text, content type and file name."""

    text: str
    content_type: str
    filename: str


def export_of(lens: Lens, number: int, format_name: str) -> SnapshotFile | None:
    """Version `number` of the lens's debate as a file in `format_name`, holding what the live
    debate's export would give this reader (`Lens.export_lens`): a visitor's view of it, or for
    its moderators' JSON backup the whole stored document. None when there is no such version.
    The site's pages and the API serve the same bytes from here."""
    document = document_of(lens.debate, number)
    if document is None:
        return None
    if lens.export_lens(format_name) is not None:
        document = visitor_copy(document)
    return SnapshotFile(
        text=formats.render(document, format_name),
        content_type=formats.CONTENT_TYPES[format_name],
        filename=f"{lens.debate.slug}-v{number}{formats.EXTENSIONS[format_name]}",
    )


def visitor_copy(document: DebateDocument) -> DebateDocument:
    """What a visitor sees of a whole document, numbered afresh as a visitor's export of
    the live debate is (`document_from_debate` with a visitor's lens)."""
    seen, _original = _visitor_view(document)
    shown = set(seen)
    local = {
        claim.id: f"c{index}"
        for index, claim in enumerate(
            (claim for claim in document.claims if claim.id in shown), start=1
        )
    }
    show_votes = not document.hide_votes_until_voted
    copy = DebateDocument(
        title=document.title,
        description=document.description,
        slug=document.slug,
        owner=document.owner,
        visibility=document.visibility,
        status=document.status,
        conclusion=document.conclusion,
        default_role=document.default_role,
        voting_enabled=document.voting_enabled,
        annotations_enabled=document.annotations_enabled,
        requires_approval=document.requires_approval,
        hide_votes_until_voted=document.hide_votes_until_voted,
        embed_origins=document.embed_origins,
        language=document.language,
        interchange=document.interchange,
    )
    for claim in document.claims:
        if claim.id in shown:
            copy.claims.append(
                DocClaim(
                    id=local[claim.id],
                    text=claim.text,
                    is_thesis=claim.is_thesis,
                    elaboration=claim.elaboration,
                    kind=claim.kind,
                    title=claim.title,
                    tags=claim.tags,
                    status=claim.status,
                    author=claim.author,
                    votes=claim.votes if show_votes else NO_VOTES,
                    merged_into=None,
                    created_at=claim.created_at,
                )
            )
    for relation in document.relations:
        if not relation.is_hidden and relation.parent in shown and relation.child in shown:
            copy.relations.append(
                DocRelation(
                    parent=local[relation.parent],
                    child=local[relation.child],
                    stance=relation.stance,
                    is_link=relation.is_link,
                    position=relation.position,
                    votes=relation.votes if show_votes else NO_VOTES,
                    kind=relation.kind,
                    group=relation.group,
                )
            )
    sources = {source.id: source for source in document.sources}
    source_ids: dict[str, str] = {}
    for citation in document.citations:
        if citation.is_hidden or citation.claim not in shown:
            continue
        if citation.source is not None and citation.source not in source_ids:
            source_ids[citation.source] = f"s{len(source_ids) + 1}"
            source = sources[citation.source]
            copy.sources.append(
                DocSource(
                    id=source_ids[citation.source],
                    url=source.url,
                    title=source.title,
                    author=source.author,
                    publisher=source.publisher,
                    published=source.published,
                    kind=source.kind,
                )
            )
        copy.citations.append(
            DocCitation(
                claim=local[citation.claim],
                source=source_ids[citation.source] if citation.source is not None else None,
                quote=citation.quote,
                locator=citation.locator,
                address=citation.address,
                offset=citation.offset,
            )
        )
    note_ids: dict[str, str] = {}
    for note in document.annotations:
        visible = sees_note(
            _Seen(note.status, visibility=note.visibility),
            user_id=None,
            participant=False,
            moderates=False,
        )
        answers_shown = note.parent is None or note.parent in note_ids
        if not (visible and answers_shown and note.claim in shown):
            continue
        note_ids[note.id] = f"a{len(note_ids) + 1}"
        copy.annotations.append(
            DocAnnotation(
                id=note_ids[note.id],
                claim=local[note.claim],
                parent=note_ids.get(note.parent) if note.parent else None,
                author=note.author,
                body=note.body,
                motivation=note.motivation,
                visibility=note.visibility,
                status=note.status,
                exact=note.exact,
                prefix=note.prefix,
                suffix=note.suffix,
                start=note.start,
                end=note.end,
                is_orphaned=note.is_orphaned,
                created_at=note.created_at,
            )
        )
    return copy


# -- comparing two ---------------------------------------------------------------------------


@dataclass(slots=True)
class SnapshotDiff:
    """What changed between two outlines: claims added, removed (hidden, merged, deleted or
    under one that was), edited (text), moved (another parent or stance), and those whose
    strength changed (before, after)."""

    added: list[OutlineRow] = field(default_factory=list)
    removed: list[OutlineRow] = field(default_factory=list)
    edited: list[tuple[OutlineRow, OutlineRow]] = field(default_factory=list)
    moved: list[tuple[OutlineRow, OutlineRow]] = field(default_factory=list)
    strengths: list[tuple[OutlineRow, OutlineRow]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.edited or self.moved or self.strengths)


def outline_rows(debate: Debate, number: int) -> list[OutlineRow] | None:
    """A snapshot's whole outline (for a diff); None when there is no such snapshot."""
    snapshot = Snapshot.objects.filter(debate=debate, number=number).values_list("id", flat=True)
    pk = snapshot.first()
    if pk is None:
        return None
    return [
        _row(row)
        for row in SnapshotClaim.objects.filter(snapshot_id=pk)
        .order_by("depth", "position", "claim_id")
        .only("claim_id", "parent_id", "depth", "position", "path", "data")
    ]


def outline_skeleton(snapshot_id: int) -> list[tuple[int, int | None]]:
    """Every claim of a snapshot as (claim id, parent id), no data: what a map needs to size
    its branches (one query, no JSON read)."""
    return list(
        SnapshotClaim.objects.filter(snapshot_id=snapshot_id).values_list("claim_id", "parent_id")
    )


def outline_rows_of(snapshot_id: int, claim_ids: Sequence[int]) -> list[OutlineRow]:
    """The outline rows of these claims of a snapshot (one query)."""
    return [
        _row(row)
        for row in SnapshotClaim.objects.filter(
            snapshot_id=snapshot_id, claim_id__in=claim_ids
        ).only("claim_id", "parent_id", "depth", "position", "path", "data")
    ]


def diff(before: list[OutlineRow], after: list[OutlineRow]) -> SnapshotDiff:
    """What changed from `before` to `after`, in the order of each outline."""
    old = {row.claim_id: row for row in before}
    new = {row.claim_id: row for row in after}
    changes = SnapshotDiff()
    changes.removed = [row for row in before if row.claim_id not in new]
    for row in after:
        was = old.get(row.claim_id)
        if was is None:
            changes.added.append(row)
            continue
        if was.text != row.text:
            changes.edited.append((was, row))
        if was.parent_id != row.parent_id or was.stance != row.stance:
            changes.moved.append((was, row))
        if was.strength != row.strength:
            changes.strengths.append((was, row))
    return changes


def stored_text(stored: bytes) -> str:
    """A stored document's text (what `sha256` hashes)."""
    return zlib.decompress(stored).decode()
