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
