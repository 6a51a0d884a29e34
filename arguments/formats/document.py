"""A debate in memory, independent of any file format.

Every parser produces a `DebateDocument` and every renderer reads one. `check_document` holds
the rules an import must meet (the same invariants as the services), so a preview can show a
file's problems before anything is written. `arguments.formats.stored` reads a stored debate
into a document.

Errors and warnings are the reader's words: made with `gettext` when the file is read, in the
language of the request that reads it (the import form, its summary) or of the worker's job
(its owner's). Paths and ids stay as the file has them.
"""

from __future__ import annotations

import gc
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from operator import attrgetter, methodcaller
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from arguments.models import (
    ANNOTATION_MAX_LENGTH,
    CLAIM_MAX_LENGTH,
    ELABORATION_MAX_LENGTH,
    IMPORTED_CLAIM_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Annotation,
    Claim,
    Debate,
    Relation,
    Role,
    Source,
    Stance,
    Tally,
)
from arguments.rules.validation import normalize_url

if TYPE_CHECKING:
    from collections.abc import Iterable

NO_VOTES: Tally = (0, 0, 0, 0, 0)
WHITESPACE = re.compile(r"\s+")
QUOTE_MAX_LENGTH = 2000
LOCATOR_MAX_LENGTH = 100
SOURCE_TITLE_MAX_LENGTH = 300
URL_MAX_LENGTH = 2000
CLAIM_TITLE_MAX_LENGTH = 200  # Claim.title's column


# What an import reads but cannot write back in the same format (a round trip would lose or
# change it), by kind: the preview counts each (`DebateDocument.losses`).
LOSSES = {
    "older_generation": gettext_lazy("in Kialo's older layout, written back in the current one"),
    "question_added": gettext_lazy(
        "several theses asked no question (written back under '1. Question:', the debate's title)"
    ),
    "repeated_sources": gettext_lazy(
        "source entries repeating another's address and excerpt (written back as one)"
    ),
    "comments": gettext_lazy("comments"),
    "headings": gettext_lazy("headings"),
    "data": gettext_lazy("{data} blocks"),
    "texts": gettext_lazy("earlier texts of a statement given several (Argdown keeps the last)"),
    "backwards": gettext_lazy(
        "relations written from the supporting side (+>, ->, _>), written back from the other"
    ),
    "scheme_names": gettext_lazy(
        "scheme names other than Default Inference, Conflict and Rephrase"
    ),
    "node_details": gettext_lazy("nodes with details such as timestamps"),
    "ova": gettext_lazy("OVA layout and analysed text"),
    "edge_ids": gettext_lazy("edge ids (numbered afresh)"),
}


class FormatError(ValueError):
    """A file that cannot be read or imported; its str names the line (or JSON path) first."""

    def __init__(self, message: str, line: int | None = None, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path

    def __str__(self) -> str:
        if self.line is not None:
            return at_line(self.line, self.message)
        if self.path:
            return at_place(self.path, self.message)
        return self.message


def at_line(line: int, message: str) -> str:
    """A problem with the line it is on, as the import form and summary show it."""
    return _("line %(line)s: %(problem)s") % {"line": line, "problem": message}


def at_place(place: str, message: str) -> str:
    """A problem with where it is: a JSON path (`edges[3]`), as the file has it."""
    return _("%(place)s: %(problem)s") % {"place": place, "problem": message}


@dataclass(slots=True)
class DocClaim:
    """A claim with a local id (a Kialo number, an Argdown title, an AIF nodeID...)."""

    id: str
    text: str
    is_thesis: bool = False
    elaboration: str = ""
    kind: str = Claim.Kind.STATEMENT
    title: str = ""  # the author's own name for it (Argdown's `[Title]`)
    tags: list[str] = field(default_factory=list)
    status: str = Claim.Status.PUBLISHED
    author: str = ""
    votes: Tally = NO_VOTES
    merged_into: str | None = None
    created_at: datetime | None = None
    line: int | None = None
    path: str | None = None


@dataclass(slots=True)
class DocRelation:
    """`child` is a `stance` of `parent`; `is_link` where the claim is reused, not written."""

    parent: str
    child: str
    stance: str
    is_link: bool = False
    position: int = 0
    is_hidden: bool = False
    votes: Tally = NO_VOTES
    kind: str = Relation.Kind.PLAIN
    # Premises of one linked argument share a group number under their parent.
    group: int | None = None
    line: int | None = None
    path: str | None = None


@dataclass(slots=True)
class DocSource:
    id: str
    url: str
    title: str = ""
    author: str = ""
    publisher: str = ""
    published: date | None = None
    kind: str = Source.Kind.OTHER
    line: int | None = None
    path: str | None = None


@dataclass(slots=True)
class DocCitation:
    """`source` is None for a reference with no readable address, its words in `address`."""

    claim: str
    source: str | None
    quote: str = ""
    locator: str = ""
    is_hidden: bool = False
    address: str = ""  # as the file wrote it; empty means the source's URL
    offset: int | None = None  # where its marker stands in the claim's text
    line: int | None = None
    path: str | None = None


@dataclass(slots=True)
class DocAnnotation:
    """A note on a claim (W3C Web Annotation shape: body, motivation, text selectors)."""

    id: str
    claim: str
    body: str = ""
    motivation: str = Annotation.Motivation.COMMENTING
    visibility: str = Annotation.Visibility.PUBLIC
    status: str = Annotation.Status.PUBLISHED
    author: str = ""
    parent: str | None = None
    exact: str = ""
    prefix: str = ""
    suffix: str = ""
    start: int | None = None
    end: int | None = None
    is_orphaned: bool = False
    created_at: datetime | None = None
    line: int | None = None
    path: str | None = None


@dataclass
class DebateDocument:
    """A whole debate: what it asks, its claims and how they relate, what they cite.

    The debate's settings (visibility, status...) only come from and go to our own JSON; the
    other formats leave them at the defaults of a new debate, except that an imported debate
    starts private (a teacher's test import must not land on the home page): its owner opens
    it from its settings page.
    """

    title: str = ""
    description: str = ""
    claims: list[DocClaim] = field(default_factory=list)
    relations: list[DocRelation] = field(default_factory=list)
    sources: list[DocSource] = field(default_factory=list)
    citations: list[DocCitation] = field(default_factory=list)
    annotations: list[DocAnnotation] = field(default_factory=list)
    slug: str = ""
    owner: str = ""
    visibility: str = Debate.Visibility.PRIVATE
    status: str = Debate.Status.OPEN
    conclusion: str = ""
    default_role: str = Role.WRITER
    voting_enabled: bool = True
    annotations_enabled: bool = True
    requires_approval: bool = False
    hide_votes_until_voted: bool = False
    embed_origins: str = ""
    # The language its claims are written in (`Debate.language`, issue 34): our JSON and
    # Argdown's front matter carry it; "" (a file that does not say) means the site's default.
    language: str = ""
    # What a file held that the app has no column for, kept to write it back (a Kialo
    # question, Argdown front matter, AIF's dialogue layer): `Debate.interchange`.
    interchange: dict[str, Any] = field(default_factory=dict)
    # What a parser or the check tolerated and left out (a dangling reference, an unreadable
    # address, a repeated relation): warnings, each naming its line or JSON path, shown in the
    # preview, the import summary and the command's output.
    problems: list[str] = field(default_factory=list)
    # What a round trip in the file's own format will not give back, counted by kind (LOSSES).
    losses: dict[str, int] = field(default_factory=dict)

    def lose(self, kind: str, count: int = 1) -> None:
        """Count `count` things of a kind (a key of LOSSES) that an export will not write back."""
        if count:
            self.losses[kind] = self.losses.get(kind, 0) + count

    def warn(self, where: object, message: str) -> None:
        """Record a warning about `where` (an item with a line or path, a line's number, or
        a JSON path)."""
        if isinstance(where, int):
            self.problems.append(at_line(where, message))
        elif isinstance(where, str):
            self.problems.append(at_place(where, message) if where else message)
        elif (line := getattr(where, "line", None)) is not None:
            self.problems.append(at_line(line, message))
        elif path := getattr(where, "path", None):
            self.problems.append(at_place(path, message))
        else:
            self.problems.append(message)

    @property
    def theses(self) -> list[DocClaim]:
        return [claim for claim in self.claims if claim.is_thesis]

    def counts(self) -> dict[str, int]:
        """How much the document holds, for a preview and the import command's report."""
        links = sum(1 for relation in self.relations if relation.is_link)
        return {
            "theses": len(self.theses),
            "claims": len(self.claims),
            "relations": len(self.relations) - links,
            "links": links,
            "sources": len(self.sources),
            "citations": len(self.citations),
            "annotations": len(self.annotations),
            # Longer than the site lets anyone write, kept whole (the import cap is higher).
            "long_claims": sum(1 for claim in self.claims if len(claim.text) > CLAIM_MAX_LENGTH),
            "warnings": len(self.problems),
            # Only the kinds there are, as `lost_<kind>` (the preview names them).
            **{f"lost_{kind}": n for kind, n in self.losses.items()},
        }


def fold(text: str) -> str:
    """Runs of white space folded to one space, ends trimmed."""
    return WHITESPACE.sub(" ", text or "").strip()


def claim_label(name: str = "") -> str:
    """How a problem names a claim: "claim 1.2." by its number or name in the file, else
    "claim" (the subject of the sentences of `check_claim_text`)."""
    # Translators: the subject of "… has no text" and "… is 600 characters long".
    return _("claim %(name)s") % {"name": name} if name else _("claim")


def check_claim_text(
    text: str, *, line: int | None = None, path: str | None = None, label: str = ""
) -> str:
    """A claim's text as written, ends trimmed, or a FormatError: no folding, so paragraphs
    and spacing survive (a parser folds where its format says white space is layout).
    `label` names the claim (`claim_label`, or the file's name for it)."""
    cleaned = (text or "").replace("\r\n", "\n").strip()
    if cleaned and "\x00" not in cleaned and len(cleaned) <= IMPORTED_CLAIM_MAX_LENGTH:
        return cleaned
    # Worded only for a problem: a translated label a claim was a tenth of the check.
    label = label or claim_label()
    if not cleaned:
        raise FormatError(_("%(claim)s has no text") % {"claim": label}, line, path)
    if "\x00" in cleaned:
        raise FormatError(
            _("%(claim)s holds a NUL character, which no text may") % {"claim": label}, line, path
        )
    if len(cleaned) > IMPORTED_CLAIM_MAX_LENGTH:
        raise FormatError(
            _(
                "%(claim)s is %(length)s characters long; an imported claim may have at most "
                "%(limit)s (split it, or move the rest into a claim of its own)"
            )
            % {"claim": label, "length": len(cleaned), "limit": IMPORTED_CLAIM_MAX_LENGTH},
            line,
            path,
        )
    return cleaned


def source_key(url: str) -> str:
    """A source's identity for de-duplication (its stored URL), or ValidationError.

    Lower-case scheme and host, no fragment (`services.normalize_url`); an address written
    without a scheme (`www.example.org/a`) is read as http. The address as written is kept on
    each citation.
    """
    url = (url or "").strip()
    if url[:4].lower() == "www.":
        url = f"http://{url}"
    return normalize_url(url)


def clean_claim_text(
    text: str, *, line: int | None = None, path: str | None = None, label: str = ""
) -> str:
    """A claim's text as an import stores it (one line, 1 to 5,000 characters) or a FormatError.

    The site's own limit (500) is for writing; a file from another tool keeps its longer
    claims whole, up to the hard cap that the database also enforces.
    """
    return check_claim_text(fold(text), line=line, path=path, label=label)


@dataclass(slots=True)
class Candidate:
    """A pro/con edge read from a graph format, before it is settled into original or link."""

    parent: str
    child: str
    stance: str
    line: int | None = None
    path: str | None = None
    # Where the file writes the claim itself (not a reference to it): chosen as its original
    # before any other edge.
    preferred: bool = False
    kind: str = Relation.Kind.PLAIN
    group: int | None = None


def settle_relations(
    document: DebateDocument, candidates: Iterable[Candidate], *, roots: set[str] | None = None
) -> None:
    """Give a graph the app's shape: originals form a forest, every other edge is a link.

    Each claim's original is its first preferred edge, else its first edge, that does not
    close a cycle of originals; claims in `roots` keep no original unless an edge is
    preferred. Claims left without an original become theses. Repeated and self edges are
    dropped and reported in `document.problems`.
    """
    roots = roots or set()
    kept: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for edge in candidates:
        where: int | str = edge.line or edge.path or ""
        if edge.parent == edge.child:
            document.warn(where, _("a claim cannot answer itself; edge left out"))
            continue
        if (edge.parent, edge.child) in seen:
            document.warn(where, _("the same two claims are related twice; kept once"))
            continue
        seen.add((edge.parent, edge.child))
        kept.append(edge)

    # Union-find over the forest of originals, where a set's representative is always its
    # tree's root: attaching `child` (a root, having no original yet) under `parent` closes a
    # cycle exactly when `child` is the root of `parent`'s tree.
    union: dict[str, str] = {}

    def root(node: str) -> str:
        union.setdefault(node, node)
        while union[node] != node:
            union[node] = union[union[node]]
            node = union[node]
        return node

    original: dict[str, Candidate] = {}
    for preferred_pass in (True, False):
        for edge in kept:
            if edge.preferred is not preferred_pass or edge.child in original:
                continue
            if not preferred_pass and edge.child in roots:
                continue
            parent_root = root(edge.parent)
            if parent_root == edge.child:
                continue
            union[root(edge.child)] = parent_root
            original[edge.child] = edge

    positions: dict[str, int] = defaultdict(int)
    for edge in kept:
        document.relations.append(
            DocRelation(
                parent=edge.parent,
                child=edge.child,
                stance=edge.stance,
                is_link=original.get(edge.child) is not edge,
                position=positions[edge.parent],
                kind=edge.kind,
                group=edge.group,
                line=edge.line,
                path=edge.path,
            )
        )
        positions[edge.parent] += 1
    for claim in document.claims:
        claim.is_thesis = claim.id not in original


def _error(item: object, message: str, field_name: str = "") -> FormatError:
    path = "debate" if isinstance(item, DebateDocument) else getattr(item, "path", None)
    if path and field_name:
        path = f"{path}.{field_name}"
    return FormatError(message, getattr(item, "line", None), path)


def _check_choice(item: object, field_name: str, choices: Iterable[str]) -> None:
    value = getattr(item, field_name)
    if value not in choices:
        allowed = list(choices)
        raise _error(
            item,
            _("%(value)s is not one of %(allowed)s")
            % {"value": repr(value), "allowed": ", ".join(allowed)},
            field_name,
        )


def _check_length(item: object, field_name: str, limit: int) -> None:
    value = getattr(item, field_name) or ""
    if len(value) > limit:
        raise _error(
            item,
            _("is %(length)s characters long; the limit is %(limit)s")
            % {"length": len(value), "limit": limit},
            field_name,
        )


def check_document(document: DebateDocument) -> None:
    """Refuse, with a FormatError naming the line or path, what an import must not write.

    Folds claim texts in place. The rules are the services' invariants: every claim that is
    not a thesis has exactly one original relation, originals form a forest rooted at the
    theses, relations join claims of this document, and texts fit the database's limits.
    """
    if not document.claims:
        raise FormatError(_("the file holds no claims"))
    # Once, not a claim at a time: a choices class builds its values on every access.
    claim_statuses, stances = frozenset(Claim.Status.values), frozenset(Stance.values)
    claim_kinds, relation_kinds = frozenset(Claim.Kind.values), frozenset(Relation.Kind.values)
    claims = _claims_checked_at_once(document.claims, claim_statuses, claim_kinds)
    if claims is None:
        claims = _claims_checked(document.claims, claim_statuses, claim_kinds)
    for claim in document.claims:
        if claim.merged_into is not None and (
            claim.merged_into not in claims or claim.merged_into == claim.id
        ):
            message = _("merged into an unknown claim %(id)s") % {"id": repr(claim.merged_into)}
            raise _error(claim, message, "merged_into")
    if not any(claim.is_thesis for claim in document.claims):
        raise FormatError(_("the file has no thesis (a claim that answers no other)"))
    _check_length(document, "description", ELABORATION_MAX_LENGTH)
    _check_length(document, "conclusion", ELABORATION_MAX_LENGTH)

    original_parent: dict[str, str] = {}
    pairs: set[tuple[str, str]] = set()
    ends = set(map(attrgetter("parent"), document.relations))
    ends.update(map(attrgetter("child"), document.relations))
    # Looked at a relation at a time only when some end is no claim of the file.
    related = document.relations if ends <= claims.keys() else []
    for relation in document.relations if related is not document.relations else ():
        missing = [end for end in ("parent", "child") if getattr(relation, end) not in claims]
        if missing:
            # A dangling reference: the edge goes; a claim it left without a place is refused
            # below (the tree cannot be repaired without guessing where it stood).
            name = getattr(relation, missing[0])
            document.warn(
                relation,
                _("relates an unknown claim %(id)s; relation left out") % {"id": repr(name)},
            )
            continue
        related.append(relation)
    document.relations = related
    for relation in document.relations:
        if relation.stance not in stances or relation.kind not in relation_kinds:
            _check_choice(relation, "stance", stances)
            _check_choice(relation, "kind", relation_kinds)
        if relation.parent == relation.child:
            raise _error(relation, _("a claim cannot be a pro or con of itself"))
        if (relation.parent, relation.child) in pairs:
            raise _error(relation, _("the same two claims are related twice"))
        pairs.add((relation.parent, relation.child))
        if relation.is_link:
            continue
        if claims[relation.child].is_thesis:
            raise _error(relation, _("a thesis stands at the root and cannot be a pro or con"))
        if relation.child in original_parent:
            raise _error(
                relation,
                _("claim %(id)s is written in two places") % {"id": repr(relation.child)},
            )
        original_parent[relation.child] = relation.parent
    for claim in document.claims:
        if not claim.is_thesis and claim.id not in original_parent:
            raise _error(
                claim,
                _("claim %(id)s answers no other claim and is no thesis") % {"id": repr(claim.id)},
            )
    _check_forest(claims, original_parent)

    # A source, citation or note is a part of a claim, not the claim: a bad one is left out
    # with a warning and the claim kept (an import loses nothing it can read).
    sources: set[str] = set()
    readable: list[DocSource] = []
    unreadable: dict[str, str] = {}
    for source in document.sources:
        if source.id in sources:
            raise _error(source, _("the id %(id)s is used twice") % {"id": repr(source.id)}, "id")
        sources.add(source.id)
        try:
            source.url = source_key(source.url)
        except ValidationError:
            document.warn(
                source,
                _(
                    "%(address)s is not a readable http(s) address; its citations keep it as "
                    "their text, with no source to open"
                )
                % {"address": repr(source.url)},
            )
            unreadable[source.id] = source.url
            continue
        _check_length(source, "url", URL_MAX_LENGTH)
        source.title = fold(source.title)
        _check_length(source, "title", SOURCE_TITLE_MAX_LENGTH)
        _check_length(source, "author", 200)
        _check_length(source, "publisher", 200)
        _check_choice(source, "kind", Source.Kind.values)
        readable.append(source)
    document.sources = readable
    kept_sources = {source.id for source in readable}
    citations: list[DocCitation] = []
    for citation in document.citations:
        if citation.claim not in claims:
            document.warn(
                citation,
                _("cites for an unknown claim %(id)s; left out") % {"id": repr(citation.claim)},
            )
            continue
        if citation.source is not None and citation.source in unreadable:
            # Said once for the source; the citation keeps the words it was given.
            citation.address = citation.address or unreadable[citation.source]
            citation.source = None
        elif citation.source is not None and citation.source not in kept_sources:
            document.warn(
                citation,
                _("unknown source %(id)s; citation left out") % {"id": repr(citation.source)},
            )
            continue
        if citation.source is None and not citation.address.strip():
            document.warn(citation, _("cites nothing (no source and no text); left out"))
            continue
        _check_length(citation, "address", URL_MAX_LENGTH)
        _check_length(citation, "quote", QUOTE_MAX_LENGTH)
        _check_length(citation, "locator", LOCATOR_MAX_LENGTH)
        citations.append(citation)
    document.citations = citations

    notes = {note.id for note in document.annotations}
    if len(notes) != len(document.annotations):
        raise FormatError(_("two annotations share an id"), path="annotations")
    kept_notes: list[DocAnnotation] = []
    for note in document.annotations:
        if note.claim not in claims:
            document.warn(
                note, _("a note on an unknown claim %(id)s; left out") % {"id": repr(note.claim)}
            )
            continue
        if note.parent is not None and (note.parent not in notes or note.parent == note.id):
            document.warn(
                note,
                _("replies to an unknown note %(id)s; kept as a note") % {"id": repr(note.parent)},
            )
            note.parent = None
        _check_choice(note, "motivation", Annotation.Motivation.values)
        _check_choice(note, "visibility", Annotation.Visibility.values)
        _check_choice(note, "status", Annotation.Status.values)
        _check_length(note, "body", ANNOTATION_MAX_LENGTH)
        _check_length(note, "exact", IMPORTED_CLAIM_MAX_LENGTH)
        _check_length(note, "prefix", 64)
        _check_length(note, "suffix", 64)
        if (note.start is None) != (note.end is None) or (
            note.start is not None
            and note.end is not None
            and (note.start < 0 or note.end <= note.start)
        ):
            raise _error(note, _("start and end must both be given, with end after start"))
        kept_notes.append(note)
    # A reply to a note that was left out stays, as a note of its own.
    left = notes - {note.id for note in kept_notes}
    for note in kept_notes:
        if note.parent in left:
            note.parent = None
    document.annotations = kept_notes

    _check_choice(document, "visibility", Debate.Visibility.values)
    _check_choice(document, "status", Debate.Status.values)
    _check_choice(document, "default_role", [role.value for role in Debate.NEWCOMER_ROLES])


def _claims_checked_at_once(
    items: list[DocClaim], statuses: frozenset[str], kinds: frozenset[str]
) -> dict[str, DocClaim] | None:
    """The claims by id, their texts trimmed as `check_claim_text` trims them, checked a
    field at a time over all of them with C-level calls (a claim at a time, in Python, was
    a second of a 200,000-claim check); None, with nothing changed, where any check fails
    (`_claims_checked` then finds the first problem in the file and tells it)."""
    ids = list(map(attrgetter("id"), items))
    fields = [list(map(attrgetter(name), items)) for name in ("text", "elaboration", "title")]
    if not set(map(type, chain.from_iterable(fields))) <= {str}:
        return None  # a parser's None: `check_claim_text` and the lengths read it as ""
    texts = list(map(str.strip, map(methodcaller("replace", "\r\n", "\n"), fields[0])))
    elaborations, titles = list(map(len, fields[1])), list(map(len, fields[2]))
    if (
        len(set(ids)) != len(ids)
        or not all(texts)
        or any("\x00" in text for text in texts)
        or max(map(len, texts)) > IMPORTED_CLAIM_MAX_LENGTH
        or max(elaborations) > ELABORATION_MAX_LENGTH
        or max(titles) > CLAIM_TITLE_MAX_LENGTH
        or not set(map(attrgetter("status"), items)) <= statuses
        or not set(map(attrgetter("kind"), items)) <= kinds
    ):
        return None
    for claim, text in zip(items, texts, strict=True):
        claim.text = text
    return dict(zip(ids, items, strict=True))


def _claims_checked(
    items: list[DocClaim], claim_statuses: frozenset[str], claim_kinds: frozenset[str]
) -> dict[str, DocClaim]:
    """The claims by id, checked a claim at a time: the first problem in the file is told."""
    claims: dict[str, DocClaim] = {}
    for claim in items:
        if claim.id in claims:
            raise _error(claim, _("the id %(id)s is used twice") % {"id": repr(claim.id)}, "id")
        claims[claim.id] = claim
        claim.text = check_claim_text(claim.text, line=claim.line, path=claim.path)
        # Tested inline first, the error's wording looked up only when one fails: four calls
        # a claim were a tenth of the check at 200,000 claims.
        if (
            len(claim.elaboration or "") > ELABORATION_MAX_LENGTH
            or claim.status not in claim_statuses
            or claim.kind not in claim_kinds
            or len(claim.title or "") > CLAIM_TITLE_MAX_LENGTH
        ):
            _check_length(claim, "elaboration", ELABORATION_MAX_LENGTH)
            _check_choice(claim, "status", claim_statuses)
            _check_choice(claim, "kind", claim_kinds)
            _check_length(claim, "title", CLAIM_TITLE_MAX_LENGTH)
    return claims


def _check_forest(claims: dict[str, DocClaim], original_parent: dict[str, str]) -> None:
    """Every claim reaches a thesis through its originals (no cycle among originals)."""
    rooted: set[str] = {claim_id for claim_id, claim in claims.items() if claim.is_thesis}
    for start in claims:
        path: list[str] = []
        on_path: set[str] = set()
        current = start
        while current not in rooted:
            if current in on_path:
                raise _error(
                    claims[current],
                    _("claim %(id)s is its own ancestor (a cycle of originals)")
                    % {"id": repr(current)},
                )
            on_path.add(current)
            path.append(current)
            current = original_parent[current]
        rooted.update(path)


def title_for(document: DebateDocument, title: str | None = None) -> str:
    """The debate's question: the one given, else the file's, else its first thesis."""
    chosen = fold(title or "") or fold(document.title)
    if not chosen:
        chosen = next((claim.text for claim in document.claims if claim.is_thesis), "")
    if len(chosen) > TITLE_MAX_LENGTH:
        chosen = chosen[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
    return fold(chosen) or "Imported debate"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a whole debate is parsed, written or rendered.

    Such work makes millions of objects that live until it ends (a file's parsed values,
    rows, records) and no cycles to speak of; the collector, started by every 2,000 new
    objects, went over all of them again and again: 1.5 to 2 s of CPU of a 200,000-claim
    import or export. Reference counting still frees everything as before; whatever cycles
    there are wait for the next collection. A pause within a pause leaves the outer one to
    resume (one process-wide switch: another thread meanwhile simply collects later).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
