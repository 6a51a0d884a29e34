"""What the API answers, as typed Pydantic schemas: the OpenAPI document is generated from
these, and every answer is checked against them on its way out."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from arguments.models import ANNOTATION_MAX_LENGTH, CLAIM_MAX_LENGTH


class Votes(Schema):
    """A point's vote distribution as the reader sees it. With guided voting, how others voted
    shows only once the reader has voted on the point themselves (`hidden`); how many voted
    shows always, as on the site."""

    hidden: bool
    counts: list[int] | None = Field(description="Votes at 0, 1, 2, 3 and 4; null when hidden")
    total: int
    mine: int | None = Field(description="The reader's own vote here, if any")


class ClaimOut(Schema):
    """A claim where it stands: its original place, or a link place under another claim."""

    id: int
    text: str
    elaboration: str
    status: Literal["published", "pending", "hidden", "deleted"]
    is_thesis: bool
    stance: Literal["pro", "con"] | None
    parent_id: int | None
    relation_id: int | None = Field(description="The point voted on here (null: the thesis)")
    is_link: bool
    author: str = Field(description="As the reader sees it: a pseudonym in a pseudonymous debate")
    strength: float | None
    votes: Votes
    pro_count: int
    con_count: int
    url: str


class Source(Schema):
    url: str | None
    title: str | None
    kind: str | None
    quote: str
    locator: str


class Reply(Schema):
    id: int
    author: str
    body: str
    motivation: str
    visibility: str
    created_at: datetime


class Note(Reply):
    exact: str
    replies: list[Reply]


class Contribution(Schema):
    claim_id: int
    stance: Literal["pro", "con"]
    strength: float
    effect: float


class Why(Schema):
    """How a claim's strength was reached (DF-QuAD): its base score from votes, and what each
    pro and con beneath it moved."""

    base: float
    strength: float
    contributions: list[Contribution]


class ClaimDetail(ClaimOut):
    pros: list[ClaimOut]
    cons: list[ClaimOut]
    sources: list[Source]
    notes: list[Note]
    why: Why | None


class TreeClaim(ClaimOut):
    """A claim with its pros and cons unfolded (empty lists past the depth asked for: see
    `pro_count` and `con_count`)."""

    pros: list[TreeClaim]
    cons: list[TreeClaim]


class ClaimPage(Schema):
    items: list[ClaimOut]
    total: int = Field(description="Claims the reader sees in the debate")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class Stats(Schema):
    claims: int
    theses: int
    pros: int
    cons: int
    sources: int
    votes: int = Field(description="Votes on the claims the reader sees, where they stand")
    pending: int = Field(description="Claims awaiting approval that the reader sees")


class DebateOut(Schema):
    slug: str
    title: str
    description: str
    visibility: Literal["public", "unlisted", "private"]
    status: Literal["open", "locked", "closed"]
    pseudonymous: bool
    voting_enabled: bool
    annotations_enabled: bool
    hide_votes_until_voted: bool
    tags: list[str]
    created_at: datetime
    updated_at: datetime
    url: str


class DebateListed(DebateOut):
    claim_count: int
    participant_count: int
    vote_count: int


class DebatePage(Schema):
    items: list[DebateListed]
    next_cursor: str | None


class DebateDetail(DebateOut):
    role: str | None = Field(description="The reader's role in the debate (null: a visitor)")
    conclusion: str
    stats: Stats
    theses: list[ClaimOut]


class Crux(Schema):
    claim: ClaimOut
    polarization: float = Field(description="0: everyone agrees; 1: half at each end")


class Gap(Schema):
    total: int
    claims: list[ClaimOut]


class Gaps(Schema):
    unsourced: Gap
    unanswered: Gap
    few_votes: Gap
    pending: Gap


class ActivityRow(Schema):
    username: str
    name: str
    pseudonym: str
    role: str
    claims: int
    sources: int
    votes: int
    notes: int
    flags_received: int
    last_active: datetime | None


class VoteIn(Schema):
    value: int = Field(ge=0, le=4)
    relation_id: int | None = Field(
        None, description="The place voted on when the claim is linked elsewhere"
    )


class NoteIn(Schema):
    body: str = Field("", max_length=ANNOTATION_MAX_LENGTH)
    motivation: Literal["commenting", "questioning", "highlighting", "assessing"] = "commenting"
    visibility: Literal["private", "debate", "public"] = "public"
    exact: str = Field("", max_length=CLAIM_MAX_LENGTH, description="Quoted words, optional")
    parent_id: int | None = Field(None, description="The note this one replies to")


# -- snapshots: a debate frozen at a moment (reading/snapshots.py) ---------------------------


class SnapshotOut(Schema):
    """A frozen version of a debate: what a visitor saw at `taken_at`, never changed since."""

    number: int
    title: str
    reason: Literal["by_hand", "deadline"]
    note: str
    taken_by: str | None = Field(
        description="Who froze it, as the site names them (null: at its deadline, a former "
        "member, or a pseudonymous debate)"
    )
    taken_at: datetime
    sha256: str = Field(description="SHA-256 of the stored JSON (the moderators' JSON export)")
    claim_count: int
    votes_hidden: bool = Field(description="Guided voting was on: tallies shown to moderators only")
    url: str


class FrozenLink(Schema):
    claim_id: int
    stance: Literal["pro", "con"]
    text: str


class FrozenClaim(Schema):
    """A claim of a snapshot where a visitor saw it then."""

    id: int
    parent_id: int | None = Field(description="Where it was written (null: a thesis)")
    depth: int = Field(description="Steps below its thesis")
    path: list[int] = Field(description="The claim ids from the thesis down to its parent")
    stance: Literal["pro", "con"] | None
    text: str
    elaboration: str
    strength: float | None = Field(description="Null where guided voting hid it")
    votes: list[int] | None = Field(description="Votes at 0..4 then; null where hidden")
    child_count: int = Field(description="Its pros and cons then")
    source_count: int
    links: list[FrozenLink]
    url: str


class FrozenBranch(FrozenClaim):
    """A claim with its pros and cons, in the order the snapshot's page shows them."""

    children: list[FrozenClaim]


class FrozenClaimDetail(FrozenBranch):
    ancestors: list[FrozenClaim] = Field(description="Its path's claims, the thesis first")


class SnapshotDetail(SnapshotOut):
    theses: list[FrozenBranch]


class FrozenClaimPage(Schema):
    items: list[FrozenClaim]
    total: int = Field(description="Claims in the snapshot")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page")


class FrozenChange(Schema):
    before: FrozenClaim
    after: FrozenClaim


class SnapshotChanges(Schema):
    """What changed from a snapshot to another one or to the debate now, as a visitor sees
    it: claims added, removed (hidden, merged or beneath one that was), edited, moved, and
    whose strength changed (empty where guided voting hides strengths from the reader)."""

    number: int
    to: str = Field(description='"now" or the other snapshot\'s number')
    added: list[FrozenClaim]
    removed: list[FrozenClaim]
    edited: list[FrozenChange]
    moved: list[FrozenChange]
    strengths: list[FrozenChange]
