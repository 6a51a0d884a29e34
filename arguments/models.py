"""The debate's domain: debates, claims and the relations between them, sources, votes,
annotations, flags and memberships.

Models hold data and the constraints the database can enforce. Every write goes through
`arguments.services`, which enforces the invariants that span rows (same debate, one original
relation per claim, a forest of original relations) and the role rules.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower, Trim
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# What a claim may have when written on the site; an imported claim keeps its full text up to
# the hard cap, so a file from another tool loses nothing (docs/FORMATS.md).
CLAIM_MAX_LENGTH = 500
IMPORTED_CLAIM_MAX_LENGTH = 5000
TITLE_MAX_LENGTH = 200
ANNOTATION_MAX_LENGTH = 5000
ELABORATION_MAX_LENGTH = 5000


class Role(models.TextChoices):
    """A member's role in a debate, highest first."""

    OWNER = "owner", _("Owner")
    MODERATOR = "moderator", _("Moderator")
    EDITOR = "editor", _("Editor")
    WRITER = "writer", _("Writer")
    SUGGESTER = "suggester", _("Suggester")
    VIEWER = "viewer", _("Viewer")


class Stance(models.TextChoices):
    PRO = "pro", _("Pro")
    CON = "con", _("Con")


# A point's votes of each value, 0 to 4, as the readers hold them.
Tally = tuple[int, int, int, int, int]


def tally_of(counts: Sequence[int]) -> Tally:
    """Five counts (a row's `votes_0` … `votes_4`) as a tally."""
    zero, one, two, three, four = counts
    return zero, one, two, three, four


class VoteTally(models.Model):
    """Vote aggregates kept on a point: how many votes of each value 0-4.

    Updated in the same transaction as the vote rows with conditional SQL (F expressions),
    so a page never aggregates vote rows and concurrent votes lose nothing.
    """

    votes_0 = models.PositiveIntegerField(default=0)
    votes_1 = models.PositiveIntegerField(default=0)
    votes_2 = models.PositiveIntegerField(default=0)
    votes_3 = models.PositiveIntegerField(default=0)
    votes_4 = models.PositiveIntegerField(default=0)
    # The debate's `tally_version` at this point's last vote: a process that holds the
    # tallies as of version v reads only the points tallied after v
    # (structure/changes.py, `catch_up_tallies`).
    tallied_in = models.PositiveBigIntegerField(default=0, editable=False)

    TALLY_FIELDS = ("votes_0", "votes_1", "votes_2", "votes_3", "votes_4")

    class Meta:
        abstract = True

    @property
    def histogram(self) -> list[int]:
        return [getattr(self, name) for name in self.TALLY_FIELDS]

    @property
    def vote_count(self) -> int:
        return sum(self.histogram)


class GradeFormula(models.TextChoices):
    """How a student's participation in a debate becomes points (docs/EMBEDDING.md)."""

    PARTICIPATION = "participation", _("Participation: 1 point per claim, source, vote or note")
    ARGUMENTS = "arguments", _("Arguments: 3 per claim, 2 per source, 1 per vote or note")
    CLAIMS = "claims", _("Claims only: 1 point per claim written")
    # The teacher's own judgement instead of a count (arguments/services/feedback.py): the
    # overall grade, once released, scaled to the line item; nothing is sent before.
    RELEASED_GRADE = "released_grade", _("The overall grade I give, once released")
    # The share of the debate's tasks the student has completed (arguments/reading/tasks.py).
    TASKS = "tasks", _("Tasks completed: the share of the debate's tasks done")


class DebateQuerySet(models.QuerySet["Debate"]):
    def listed(self) -> DebateQuerySet:
        """Debates shown on the front page: public ones (unlisted, private and archived ones
        are not)."""
        return self.filter(visibility=Debate.Visibility.PUBLIC, archived_at__isnull=True)


# The debate row's columns that stamp or count what readers derive from its other rows:
# which versions the stored strengths and branch sizes are current with, and Explore's
# counts. A reader stores them after a write; no page differs before and after, so they
# keep no history and move no member's kept page (arguments/views/member_pages.py).
DEBATE_DERIVED_FIELDS = (
    "strengths_structure_version",
    "strengths_tally_version",
    "sizes_structure_version",
    "participant_count",
    "vote_count",
    "counted_structure_version",
    "counted_tally_version",
    "gaps_structure_version",
    "gaps_tally_version",
    "gaps_unsourced",
    "gaps_unanswered",
    "gaps_few_votes",
    "unplaced_version",
)


class Debate(models.Model):
    """A question under debate, with one or more theses at its root."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        UNLISTED = "unlisted", _("Unlisted (anyone with the link)")
        PRIVATE = "private", _("Private (members only)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        LOCKED = "locked", _("Locked (read-only for now)")
        CLOSED = "closed", _("Closed with a conclusion")

    NEWCOMER_ROLES = (Role.WRITER, Role.SUGGESTER, Role.VIEWER)

    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField("question", max_length=TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=ELABORATION_MAX_LENGTH)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_debates"
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # The language its claims are written in (issue 34): pages put it in `lang` on the
    # claims' container, search stems with its configuration (arguments/languages.py).
    language = models.CharField(
        max_length=7, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    conclusion = models.TextField(blank=True, max_length=ELABORATION_MAX_LENGTH)
    default_role = models.CharField(
        "role of newcomers",
        max_length=10,
        choices=[(role.value, role.label) for role in NEWCOMER_ROLES],
        default=Role.WRITER,
        help_text=_("The role every signed-in user has in a public or unlisted debate."),
    )
    voting_enabled = models.BooleanField(default=True)
    annotations_enabled = models.BooleanField(default=True)
    requires_approval = models.BooleanField(
        "new claims need approval",
        default=False,
        help_text=_("Claims by writers wait for a moderator, as suggestions do."),
    )
    hide_votes_until_voted = models.BooleanField(
        default=False, help_text=_("Guided voting: show others' votes only after voting.")
    )
    # Once on, never off (as Kialo): names shown under a pseudonym must stay unlinkable.
    pseudonymous = models.BooleanField(
        default=False,
        editable=False,
        help_text=_("Participants appear under a pseudonym of this debate, everywhere."),
    )
    # What another tool's file held that the app has no place for, kept to write it back
    # (docs/FORMATS.md): a Kialo discussion's question, Argdown front matter, AIF's dialogue
    # layer. Only imports and exports read it.
    interchange = models.JSONField(default=dict, blank=True, editable=False)
    embed_origins = models.TextField(
        blank=True,
        help_text=_(
            "Origins allowed to embed this debate, one per line "
            "(empty: any https origin for public debates)."
        ),
    )
    # Grades sent to LMS courses that link this debate as a graded activity (LTI AGS):
    # participation points by `grade_formula` (arguments.scoring.participation_points), full
    # marks at `grade_full_marks` points.
    grade_formula = models.CharField(
        "grade formula",
        max_length=15,
        choices=GradeFormula.choices,
        default=GradeFormula.PARTICIPATION,
    )
    grade_full_marks = models.PositiveSmallIntegerField(
        "points for full marks",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("A student with this many points or more gets the line item's maximum."),
    )
    # Feedback and grades (arguments/services/feedback.py): grades run from 0 to
    # `grade_scale`; nothing a teacher writes shows to its student before it is released,
    # for the whole debate (`grades_released_at`) or per student (ParticipantGrade).
    grade_scale = models.PositiveSmallIntegerField(
        "grades out of",
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_("Grades on claims and overall grades run from 0 to this."),
    )
    grades_released_at = models.DateTimeField(null=True, blank=True, editable=False)
    # How many tasks it holds (arguments/services/tasks.py keeps it), so a page knows whether
    # to offer a reader their tasks without a query.
    task_count = models.PositiveSmallIntegerField(default=0, editable=False)
    # Viewers and suggesters may ask to become writers (arguments/services/write_requests.py).
    accepts_write_requests = models.BooleanField(
        "viewers and suggesters may ask to write",
        default=False,
        help_text=_("They send a short message; the owner and moderators accept or decline."),
    )
    # Archived by its owner (their "delete"): nobody but site staff reaches it any more
    # (permissions.role_in); staff restore it by clearing this in the admin.
    archived_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Archived by its owner: only site staff can see it. Clear it to restore."),
    )
    # Explore (arguments/explore/listings.py): chosen by site staff in the admin, shown first.
    featured = models.BooleanField(
        default=False, help_text=_("Shown first on the home page and on Explore.")
    )
    tags: models.ManyToManyField[Tag, models.Model] = models.ManyToManyField(
        "Tag", blank=True, related_name="debates"
    )
    # Bumped by every write that changes what the tree shows, so caches keyed by it never
    # serve a stale structure.
    structure_version = models.PositiveBigIntegerField(default=1, editable=False)
    # Bumped by every vote instead: a vote changes tallies and strengths, not the structure,
    # so readers catch up on the points voted since the version they hold, nothing more.
    tally_version = models.PositiveBigIntegerField(default=0, editable=False)
    # The structure version of the last write that did not say which claims it changed (a
    # merge, a revert, a lock): a process holding an older version reloads the whole debate;
    # otherwise it reads only the claims changed since (`StructureChange`).
    rebuilt_in = models.PositiveBigIntegerField(default=1, editable=False)
    # The structure and tally versions the stored strengths (`StoredStrength` rows) are
    # current with (arguments/structure/stored_strengths.py); None until first stored.
    strengths_structure_version = models.PositiveBigIntegerField(null=True, editable=False)
    strengths_tally_version = models.PositiveBigIntegerField(null=True, editable=False)
    # The structure version the stored branch sizes (`StoredBranchSize` rows) are current
    # with (arguments/structure/stored_sizes.py); None until first stored. Votes change no
    # size, so no tally version.
    sizes_structure_version = models.PositiveBigIntegerField(null=True, editable=False)
    # Explore's "Popular" order (arguments/explore/listings.py, `popular`): people who wrote a
    # published claim and votes on its points, counted by a reader and stamped with the
    # versions they were counted at; stale when those differ from the debate's (issue 35).
    participant_count = models.PositiveIntegerField(default=0, editable=False)
    vote_count = models.PositiveBigIntegerField(default=0, editable=False)
    counted_structure_version = models.PositiveBigIntegerField(null=True, editable=False)
    counted_tally_version = models.PositiveBigIntegerField(null=True, editable=False)
    # The structure and tally versions the stored gap places (`StoredGapPlace` rows) are
    # current with (arguments/structure/stored_gaps.py); None until first stored.
    gaps_structure_version = models.PositiveBigIntegerField(null=True, editable=False)
    gaps_tally_version = models.PositiveBigIntegerField(null=True, editable=False)
    # How many stored gap places are of each kind, counted when they were stamped.
    gaps_unsourced = models.PositiveIntegerField(default=0, editable=False)
    gaps_unanswered = models.PositiveIntegerField(default=0, editable=False)
    gaps_few_votes = models.PositiveIntegerField(default=0, editable=False)
    # The structure version the stored claims with no place (`UnplacedClaim` rows) are
    # current with (arguments/structure/places.py); None until first stored.
    unplaced_version = models.PositiveBigIntegerField(null=True, editable=False)
    # A deadline (a course's, say): the periodic task freezes the debate then, once
    # (arguments/tasks/periodic.py), and clears it.
    freeze_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Take a snapshot of the debate automatically at this time."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        excluded_fields=[
            "structure_version",
            "tally_version",
            "rebuilt_in",
            *DEBATE_DERIVED_FIELDS,
            "updated_at",
            "interchange",
        ]
    )

    objects = DebateQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("title")), 0), name="debate_title_not_blank"
            ),
        ]
        # The orders the home page and Explore list debates in, read a page at a time from
        # the index, however many debates the site holds (issue 35): the home page's of
        # listed debates only; Explore's lists also hold the reader's own and their
        # memberships', so they walk the whole order and stop at a page.
        indexes = [
            models.Index(
                fields=["-featured", "-updated_at", "-id"],
                condition=Q(visibility="public", archived_at=None),
                name="debate_listed_home",
            ),
            models.Index(fields=["-updated_at"], name="debate_active"),
            models.Index(fields=["-created_at"], name="debate_new"),
            models.Index(
                fields=["-participant_count", "-vote_count", "-updated_at"], name="debate_popular"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("arguments:debate", kwargs={"slug": self.slug})

    @property
    def is_writable(self) -> bool:
        return self.status == self.Status.OPEN


class ClaimQuerySet(models.QuerySet["Claim"]):
    def published(self) -> ClaimQuerySet:
        return self.filter(status=Claim.Status.PUBLISHED)

    def theses(self) -> ClaimQuerySet:
        return self.filter(is_thesis=True)


# SQLite without statistics (no ANALYZE) finds a debate's theses through the `(debate, id)`
# index, which walks every claim of the debate (70 ms CPU at 200,000 claims, 7 at 20,000),
# not through the partial index of theses (`claim_theses`); named, it reads the theses alone.
# Raw SQL reading a debate's theses writes the index's own condition (`c.is_thesis`, not a
# parameter) and this after the claims table's name. PostgreSQL plans from its statistics.
THESES_INDEX_HINT = {"sqlite": "INDEXED BY claim_theses"}


class Claim(VoteTally):
    """One statement. A thesis is voted on for truth; other claims through their relations."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        PENDING = "pending", _("Awaiting approval")
        HIDDEN = "hidden", _("Hidden")
        DELETED = "deleted", _("Deleted")

    class Kind(models.TextChoices):
        # What the claim is in the argument-mapping formats: a statement (the default), an
        # argument (Argdown's `<Title>`: a reason whose premises and inference may be given),
        # or a link to another discussion (Kialo's "-> See discussion #N: …"), kept verbatim.
        STATEMENT = "statement", _("Statement")
        ARGUMENT = "argument", _("Argument")
        LINK = "link", _("Link to another discussion")

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="claims")
    # The column holds imported texts up to the hard cap; the services keep site writing to
    # CLAIM_MAX_LENGTH.
    text = models.CharField(max_length=IMPORTED_CLAIM_MAX_LENGTH)
    elaboration = models.TextField(blank=True, max_length=ELABORATION_MAX_LENGTH)
    is_thesis = models.BooleanField(default=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATEMENT)
    # An author's own name for the claim (Argdown's `[Title]`), and their tags; an import keeps
    # them to write them back.
    title = models.CharField(max_length=200, blank=True)
    tags = models.JSONField(default=list, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="claims",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_claims"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(
        excluded_fields=[*VoteTally.TALLY_FIELDS, "tallied_in", "updated_at"],
    )

    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["debate", "status"]),
            models.Index(fields=["debate", "tallied_in"]),
            # A debate's theses, and its newest claim, found without reading its other claims
            # (arguments/structure/first_screen.py).
            models.Index(fields=["debate"], condition=Q(is_thesis=True), name="claim_theses"),
            # The merged claims, few: where the claims a reader may not see start from
            # (structure/places.py), without a scan of the debate's claims.
            models.Index(
                fields=["debate"], condition=Q(merged_into__isnull=False), name="claim_merged"
            ),
            models.Index(fields=["debate", "id"], name="claim_debate_id"),
        ]
        constraints = [
            # Services strip input; the database refuses what is empty, blank or too long.
            models.CheckConstraint(
                condition=GreaterThan(Length(Trim("text")), 0), name="claim_text_not_blank"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), IMPORTED_CLAIM_MAX_LENGTH),
                name="claim_text_max_length",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("id")), name="claim_not_merged_into_itself"
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]

    def get_absolute_url(self) -> str:
        return reverse("arguments:claim", kwargs={"slug": self.debate.slug, "pk": self.pk})

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class RelationQuerySet(models.QuerySet["Relation"]):
    def originals(self) -> RelationQuerySet:
        """The places where claims were written (not where they are linked)."""
        return self.filter(is_link=False)

    def active(self) -> RelationQuerySet:
        """Relations that stand (an unlinked claim's relation is hidden, not deleted)."""
        return self.filter(is_hidden=False)


class Relation(VoteTally):
    """`child` is a pro or con of `parent`: the place of a claim in the debate.

    The relation where a claim was written is its original (is_link=False); reusing the claim
    elsewhere adds a link relation (is_link=True), as Kialo's linked claims do. The relation is
    the point voted on for impact, so its tally lives here.
    """

    class Kind(models.TextChoices):
        # A plain support or attack (by its stance); an undercut, a con that attacks the
        # inference from the parent to the parent's own parent rather than the parent's truth;
        # a contradiction (Argdown's `><`, strict mode), a con that says both cannot be true.
        PLAIN = "", _("Support or attack")
        UNDERCUT = "undercut", _("Undercut (attacks the inference)")
        CONTRADICTORY = "contradictory", _("Contradiction")
        # AIF's MA node: the child says the parent again in other words (a pro, so that the
        # tree has a place for it; kept as such through every import and export).
        REPHRASE = "rephrase", _("Rephrase")

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="relations")
    parent = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="child_relations")
    child = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="parent_relations")
    stance = models.CharField(max_length=3, choices=Stance.choices)
    kind = models.CharField(max_length=14, choices=Kind.choices, default=Kind.PLAIN, blank=True)
    # Premises that support their parent only together (a linked argument, AIF's one RA node
    # with several premises) share a group number under that parent; None stands alone.
    premise_group = models.PositiveIntegerField(null=True, blank=True)
    is_link = models.BooleanField(default=False)
    # Unlinking hides the relation rather than deleting it, so it can be restored.
    is_hidden = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(excluded_fields=[*VoteTally.TALLY_FIELDS, "tallied_in"])

    objects = RelationQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["debate", "parent"]),
            models.Index(fields=["debate", "tallied_in"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="relation_unique_pair"),
            models.CheckConstraint(condition=~Q(parent=F("child")), name="relation_not_self"),
            # A claim is written in one place: at most one original relation per child (the
            # services make it exactly one for every claim that is not a thesis).
            models.UniqueConstraint(
                fields=["child"], condition=Q(is_link=False), name="relation_one_original"
            ),
            models.CheckConstraint(
                condition=Q(stance__in=Stance.values), name="relation_stance_valid"
            ),
        ]

    def __str__(self) -> str:
        kind = "link" if self.is_link else "original"
        return f"{self.child_id} is a {self.stance} of {self.parent_id} ({kind})"


class Source(models.Model):
    """A document that claims cite; shared by every claim citing it: one row per URL among
    what a citer can read (a private debate's row is not reused outside it, so its title
    never shows elsewhere: services/sources.py `reusable_sources`)."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("Article")
        PAPER = "paper", _("Paper")
        LAW = "law", _("Law or regulation")
        DATASET = "dataset", _("Dataset")
        BOOK = "book", _("Book")
        VIDEO = "video", _("Video")
        OTHER = "other", _("Other")

    url = models.URLField(max_length=2000, db_index=True)
    title = models.CharField(max_length=300)
    author = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    published = models.DateField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.OTHER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(url__startswith="http://") | Q(url__startswith="https://"),
                name="source_url_http",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Citation(models.Model):
    """A claim citing a source, with the quote or locator (page, paragraph) it relies on."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="citations")
    # None for an imported reference with no readable web address (a book, a prose note): its
    # words are kept in `address`, so nothing a file cites is dropped.
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.PROTECT, related_name="citations"
    )
    # The address as the file wrote it (fragment, case, trailing `/` or `?` and all); the
    # source's URL is its normalised identity, shared by every citation of the page.
    address = models.CharField(max_length=2000, blank=True)
    # Where the citation's marker stands in the claim's text (Kialo's `[n]`), in characters;
    # None puts it after the text.
    offset = models.PositiveIntegerField(null=True, blank=True)
    quote = models.TextField(blank=True, max_length=2000)
    locator = models.CharField(max_length=100, blank=True)
    is_hidden = models.BooleanField(default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.claim_id} cites {self.source_id}"


class StructureChange(models.Model):
    """A claim changed by a write (its row, a relation at either end of it, its citations or
    notes) at a structure version of its debate: a process holding version v re-reads just
    the claims changed after v (arguments/structure/changes.py).

    Rows of their own, only ever inserted, rather than a stamp on the claim: a write takes
    the debate's row lock when it bumps the version, and updating a claim's row after that
    could deadlock against a vote or an edit that locked the claim first. For the same
    reason no foreign-key constraint: checking one locks the claim's row (PostgreSQL's
    FOR KEY SHARE), which a vote on a thesis holds FOR UPDATE. Django still cascades.
    """

    debate = models.ForeignKey(
        Debate, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    version = models.PositiveBigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["debate", "version"])]

    def __str__(self) -> str:
        return f"claim {self.claim_id} changed in version {self.version}"


class StoredStrength(models.Model):
    """A claim's DF-QuAD strength (None: not published) as a process holding its debate last
    stored it, current when the debate's `strengths_*_version` are the debate's versions: what
    a worker holding nothing shows on a debate's first screen
    (arguments/structure/stored_strengths.py).

    Rows of their own, not a column of the claim, for the reason `StructureChange` gives: a
    store holds the debate's row, and updating a claim's row after it deadlocked against a
    vote, which locks its point's claim and then the debate's row. No foreign-key constraint
    either (its check would lock the claim's row); Django still cascades.
    """

    claim = models.OneToOneField(
        Claim,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="stored_strength",
        db_constraint=False,
    )
    strength = models.FloatField(null=True)

    def __str__(self) -> str:
        return f"claim {self.claim_id}: {self.strength}"


class StoredBranchSize(models.Model):
    """How many claims a visitor sees in a claim's branch (itself included, a link counting
    one), as a process holding its debate last stored it, current when the debate's
    `sizes_structure_version` is its structure version: what a worker holding nothing sizes
    the map's segments with (arguments/structure/stored_sizes.py). A claim a visitor does
    not see has no row. Rows of their own, without a foreign-key constraint, for the reasons
    `StoredStrength` gives.
    """

    claim = models.OneToOneField(
        Claim,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="stored_size",
        db_constraint=False,
    )
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"claim {self.claim_id}: {self.size}"


class StoredGapPlace(models.Model):
    """A claim's place in its debate's tree of standing original relations (depth beneath its
    thesis, and a path of ten-digit keys that sorts as tree order at one depth) and which gaps
    it is to a reader who sees every claim, current when the debate's `gaps_structure_version`
    and `gaps_tally_version` are its versions: what the gaps page reads its first claims of
    each kind and their totals from (arguments/structure/stored_gaps.py). A claim not reached
    from a thesis has no row. No foreign-key constraints, for the reasons `StoredStrength`
    gives.
    """

    claim = models.OneToOneField(
        Claim,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="stored_gap_place",
        db_constraint=False,
    )
    debate = models.ForeignKey(
        Debate, on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    depth = models.PositiveIntegerField()
    path = models.TextField()
    # Its standing original relation (None: a thesis), that relation's parent and position:
    # what a catch-up compares to find the claims whose place a write changed.
    relation = models.PositiveBigIntegerField(null=True)
    parent = models.PositiveBigIntegerField(null=True)
    position = models.PositiveIntegerField(null=True)
    unsourced = models.BooleanField()
    unanswered = models.BooleanField()
    few_votes = models.BooleanField()

    class Meta:
        indexes = [
            models.Index(fields=["debate", "path"], name="gap_place_path"),
            models.Index(fields=["debate", "unsourced", "depth", "path"], name="gap_unsourced"),
            models.Index(fields=["debate", "unanswered", "depth", "path"], name="gap_unanswered"),
            models.Index(fields=["debate", "few_votes", "depth", "path"], name="gap_few_votes"),
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id} at depth {self.depth}"


class UnplacedClaim(models.Model):
    """A claim of a debate that is not a thesis and has no standing original relation (no
    place in the tree: its parent's relation hidden or deleted, an import's dangling one),
    current when the debate's `unplaced_version` is its structure version: what the read of
    the claims a reader may not see starts from (arguments/structure/places.py), instead of
    every claim of the debate. Few rows; no foreign-key constraints, for the reasons
    `StoredStrength` gives.
    """

    claim = models.OneToOneField(
        Claim,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
    )
    debate = models.ForeignKey(
        Debate, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )

    def __str__(self) -> str:
        return f"claim {self.claim_id} has no place"


class PerspectiveStamp(models.Model):
    """What a perspective's stored strengths (`PerspectiveStrength`) were computed from: the
    debate's structure version and a digest of the perspective's tallies. They are current
    when both are the debate's and the perspective's now; a worker holding nothing then shows
    the page through the perspective from a slice (arguments/reading/perspectives.py).

    A digest of the tallies, not the debate's tally version: a perspective's strengths depend
    only on its own voters' votes, so everyone else's votes leave them current. A named
    perspective's: its `version` ("version 7"), which every vote cast as it moves.
    """

    debate = models.ForeignKey(
        Debate, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    key = models.CharField(max_length=40)  # the perspective's `Viewpoint.key`, "named:3"
    structure_version = models.PositiveBigIntegerField()
    tallies_digest = models.CharField(max_length=32)

    class Meta:
        constraints = [models.UniqueConstraint("debate", "key", name="perspective_stamp_unique")]

    def __str__(self) -> str:
        return f"{self.key} at version {self.structure_version}"


class PerspectiveStrength(models.Model):
    """A claim's strength (DF-QuAD over one perspective's tallies) as a process holding its
    debate last stored it; current while its stamp is. No foreign-key constraint on the claim,
    as `StoredStrength`; Django still cascades."""

    stamp = models.ForeignKey(PerspectiveStamp, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    strength = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint("stamp", "claim", name="perspective_strength_unique")
        ]

    def __str__(self) -> str:
        return f"claim {self.claim_id}: {self.strength}"


class ActivityStamp(models.Model):
    """What a debate's stored activity counts (`ParticipantActivity`) are current with: the
    debate's structure and tally versions they were counted at, and a count of the votes
    counted into them since (a vote as a named perspective moves no debate version: a reader
    storing counts it read before such a vote must not store over it; it finds this moved).
    arguments/reading/activity.py."""

    debate = models.OneToOneField(
        Debate, on_delete=models.CASCADE, primary_key=True, related_name="+", db_constraint=False
    )
    structure_version = models.PositiveBigIntegerField(default=0)
    tally_version = models.PositiveBigIntegerField(default=0)
    votes_counted = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"activity of {self.debate_id} at {self.structure_version}/{self.tally_version}"


class ParticipantActivity(models.Model):
    """One participant's stored figures in a debate (the activity table's counts), current
    while the debate's `ActivityStamp` is: each kind's count and its latest act."""

    debate = models.ForeignKey(
        Debate, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    claims = models.PositiveIntegerField(default=0)
    claims_at = models.DateTimeField(null=True)
    sources = models.PositiveIntegerField(default=0)
    sources_at = models.DateTimeField(null=True)
    votes = models.PositiveIntegerField(default=0)
    votes_at = models.DateTimeField(null=True)
    notes = models.PositiveIntegerField(default=0)
    notes_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("debate", "user", name="participant_activity_unique")
        ]

    def __str__(self) -> str:
        return f"activity of {self.user_id} in {self.debate_id}"


class Vote(models.Model):
    """One user's vote on one point: a relation's impact, or a thesis's truth, 0 to 4."""

    VALUE_LABELS = {
        0: _("No impact"),
        1: _("Weak"),
        2: _("Moderate"),
        3: _("Strong"),
        4: _("Decisive"),
    }
    THESIS_VALUE_LABELS = {
        0: _("False"),
        1: _("Unlikely"),
        2: _("Uncertain"),
        3: _("Likely"),
        4: _("True"),
    }

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    relation = models.ForeignKey(
        Relation, null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    thesis = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="thesis_votes"
    )
    # A vote cast "as" a named perspective its voter created (None: their own vote, the only
    # kind the points' tallies count). See `Perspective`.
    perspective = models.ForeignKey(
        "Perspective", null=True, blank=True, on_delete=models.CASCADE, related_name="votes"
    )
    value = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=4), name="vote_value_0_4"),
            models.CheckConstraint(
                condition=Q(relation__isnull=False, thesis__isnull=True)
                | Q(relation__isnull=True, thesis__isnull=False),
                name="vote_one_point",
            ),
            # One own vote per point, and one per point as each perspective: two partial
            # constraints each, because a NULL perspective is distinct from every other NULL
            # in a plain unique constraint (and `nulls_distinct` is PostgreSQL's alone).
            models.UniqueConstraint(
                fields=["user", "relation"],
                condition=Q(relation__isnull=False, perspective__isnull=True),
                name="vote_once_per_relation",
            ),
            models.UniqueConstraint(
                fields=["user", "thesis"],
                condition=Q(thesis__isnull=False, perspective__isnull=True),
                name="vote_once_per_thesis",
            ),
            models.UniqueConstraint(
                fields=["user", "relation", "perspective"],
                condition=Q(relation__isnull=False, perspective__isnull=False),
                name="vote_once_per_relation_as",
            ),
            models.UniqueConstraint(
                fields=["user", "thesis", "perspective"],
                condition=Q(thesis__isnull=False, perspective__isnull=False),
                name="vote_once_per_thesis_as",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.value}"


class Annotation(models.Model):
    """A note on a claim, after the W3C Web Annotation model (body, motivation, selector)."""

    class Motivation(models.TextChoices):
        COMMENTING = "commenting", _("Comment")
        QUESTIONING = "questioning", _("Question")
        HIGHLIGHTING = "highlighting", _("Highlight")
        ASSESSING = "assessing", _("Assessment")

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Private (me and moderators)")
        DEBATE = "debate", _("Debate participants")
        PUBLIC = "public", _("Public")

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        HIDDEN = "hidden", _("Hidden")
        DELETED = "deleted", _("Deleted")

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="annotations")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="annotations"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    body = models.TextField(max_length=ANNOTATION_MAX_LENGTH, blank=True)
    motivation = models.CharField(
        max_length=12, choices=Motivation.choices, default=Motivation.COMMENTING
    )
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    # TextQuoteSelector (exact with prefix and suffix) and TextPositionSelector (start, end)
    # over the claim's text; empty exact means the whole claim.
    exact = models.CharField(max_length=IMPORTED_CLAIM_MAX_LENGTH, blank=True)
    prefix = models.CharField(max_length=64, blank=True)
    suffix = models.CharField(max_length=64, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    # The quote no longer matches the claim's text after an edit; kept, shown as orphaned.
    is_orphaned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gt=F("start")),
                name="annotation_span_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_motivation_display()} on {self.claim_id}"


class Flag(models.Model):
    """A participant's report on a claim or an annotation, handled by a moderator."""

    class Reason(models.TextChoices):
        DUPLICATE = "duplicate", _("Duplicate of another claim")
        UNCLEAR = "unclear", _("Unclear")
        NOT_A_CLAIM = "not_a_claim", _("Not a single claim")
        MORE_THAN_ONE = "multiple", _("More than one claim")
        OFF_TOPIC = "off_topic", _("Off-topic")
        ABUSIVE = "abusive", _("Abusive")
        SPAM = "spam", _("Spam")
        FALLACY = "fallacy", _("Fallacy")

    class Fallacy(models.TextChoices):
        AD_HOMINEM = "ad_hominem", _("Ad hominem")
        STRAW_MAN = "straw_man", _("Straw man")
        FALSE_DILEMMA = "false_dilemma", _("False dilemma")
        SLIPPERY_SLOPE = "slippery_slope", _("Slippery slope")
        APPEAL_TO_AUTHORITY = "appeal_to_authority", _("Appeal to authority")
        CIRCULAR_REASONING = "circular_reasoning", _("Circular reasoning")
        HASTY_GENERALIZATION = "hasty_generalization", _("Hasty generalization")
        RED_HERRING = "red_herring", _("Red herring")
        WHATABOUTISM = "whataboutism", _("Whataboutism")
        APPEAL_TO_EMOTION = "appeal_to_emotion", _("Appeal to emotion")
        APPEAL_TO_POPULARITY = "appeal_to_popularity", _("Appeal to popularity")
        FALSE_CAUSE = "false_cause", _("False cause")
        EQUIVOCATION = "equivocation", _("Equivocation")
        NO_TRUE_SCOTSMAN = "no_true_scotsman", _("No true Scotsman")

    # Keyed by the stored value: a fallacy read off a row or a form is a plain str. English
    # text, marked for the catalogs: shown through gettext() where a reader sees it.
    FALLACY_EXPLANATIONS: dict[str, str] = {
        Fallacy.AD_HOMINEM: gettext_noop(
            "Attacks the person making the argument instead of the argument."
        ),
        Fallacy.STRAW_MAN: gettext_noop(
            "Misrepresents the other side's claim to make it easier to attack."
        ),
        Fallacy.FALSE_DILEMMA: gettext_noop(
            "Presents two options as the only ones when others exist."
        ),
        Fallacy.SLIPPERY_SLOPE: gettext_noop(
            "Asserts a chain of consequences without showing each step."
        ),
        Fallacy.APPEAL_TO_AUTHORITY: gettext_noop(
            "Relies on who said it rather than on the evidence."
        ),
        Fallacy.CIRCULAR_REASONING: gettext_noop(
            "Assumes in a premise the conclusion it sets out to prove."
        ),
        Fallacy.HASTY_GENERALIZATION: gettext_noop(
            "Generalizes from too few or unrepresentative cases."
        ),
        Fallacy.RED_HERRING: gettext_noop("Diverts attention to an irrelevant topic."),
        Fallacy.WHATABOUTISM: gettext_noop(
            "Answers criticism by pointing at someone else's wrongdoing."
        ),
        Fallacy.APPEAL_TO_EMOTION: gettext_noop(
            "Moves the reader by feelings in place of reasons."
        ),
        Fallacy.APPEAL_TO_POPULARITY: gettext_noop(
            "Takes a claim as true because many people believe it."
        ),
        Fallacy.FALSE_CAUSE: gettext_noop("Takes a correlation or a sequence in time for a cause."),
        Fallacy.EQUIVOCATION: gettext_noop(
            "Shifts the meaning of a key word in the middle of the argument."
        ),
        Fallacy.NO_TRUE_SCOTSMAN: gettext_noop("Redefines a group to dismiss a counter-example."),
    }

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        UPHELD = "upheld", _("Upheld")
        DISMISSED = "dismissed", _("Dismissed")

    # A moderation record outlives its reporter's account (who raised it is then unknown).
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="flags",
    )
    claim = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    annotation = models.ForeignKey(
        Annotation, null=True, blank=True, on_delete=models.CASCADE, related_name="flags"
    )
    # The debate of what it flags (a claim's or a note's claim's, which never change debate),
    # so that a debate's flags are counted without a join through its claims (the activity
    # table's flags received). Set from the target on save when not given.
    debate = models.ForeignKey(
        Debate, on_delete=models.CASCADE, related_name="+", editable=False, db_index=False
    )
    reason = models.CharField(max_length=12, choices=Reason.choices)
    fallacy = models.CharField(max_length=24, choices=Fallacy.choices, blank=True)
    duplicate_of = models.ForeignKey(
        Claim, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    resolution_note = models.TextField(blank=True, max_length=2000)
    # The author may ask once for a second look at an upheld flag.
    review_requested_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(claim__isnull=False, annotation__isnull=True)
                | Q(claim__isnull=True, annotation__isnull=False),
                name="flag_one_target",
            ),
            models.CheckConstraint(
                condition=~Q(reason="fallacy") | ~Q(fallacy=""), name="flag_fallacy_named"
            ),
            models.UniqueConstraint(
                fields=["reporter", "claim"],
                condition=Q(status="open", claim__isnull=False),
                name="flag_one_open_per_claim",
            ),
            models.UniqueConstraint(
                fields=["reporter", "annotation"],
                condition=Q(status="open", annotation__isnull=False),
                name="flag_one_open_per_annotation",
            ),
        ]
        indexes = [models.Index(fields=["debate", "status"], name="flag_debate_status")]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.debate_id is None:
            # The target's own debate, however the flag is made (the service, the admin, a
            # shell, a factory): a copy of a column, no rule of the debate.
            self.debate_id = self.flagged_claim.debate_id
        super().save(*args, **kwargs)

    @property
    def review_requested(self) -> bool:
        return self.review_requested_at is not None

    @property
    def flagged(self) -> Claim | Annotation:
        """What the flag is on: a claim or a note, exactly one (`flag_one_target`)."""
        item = self.claim if self.claim_id else self.annotation
        assert item is not None
        return item

    @property
    def flagged_claim(self) -> Claim:
        """The claim flagged, or the claim the flagged note is on."""
        item = self.flagged
        return item if isinstance(item, Claim) else item.claim


class Membership(models.Model):
    """A user's role in one debate."""

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["debate", "user"]
        constraints = [
            models.UniqueConstraint(fields=["debate", "user"], name="membership_unique"),
            models.CheckConstraint(condition=Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.role} of {self.debate}"


class Merge(models.Model):
    """A duplicate claim merged into another, kept so the merge can be undone as a unit.

    Every history row the merge wrote (claims, relations, citations, annotations) carries the
    change reason `merge #<id>`; votes have no history, so the vote rows it moved are listed
    here. Reverting replays both backwards.
    """

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="merges")
    duplicate = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    into = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True, max_length=2000)
    # [{"vote": id, "point": "relation" | "thesis", "from": id, "to": id}, ...] in write order.
    vote_moves = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    reverted_at = models.DateTimeField(null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"#{self.pk}: {self.duplicate_id} merged into {self.into_id}"

    @property
    def history_tag(self) -> str:
        """The change reason stamped on every history row this merge wrote."""
        return f"merge #{self.pk}"


class ShareLink(models.Model):
    """A link that gives whoever opens it a role in the debate (a class's invitation).

    A link can be switched off and on again (a deadline), expire, or be revoked for good.
    With `instant_access`, someone without an account joins by picking a display name.
    """

    ROLES = (Role.EDITOR, Role.WRITER, Role.SUGGESTER, Role.VIEWER)

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="share_links")
    token = models.CharField(max_length=43, unique=True, editable=False)
    role = models.CharField(max_length=10, choices=[(r.value, r.label) for r in ROLES])
    instant_access = models.BooleanField(
        default=False, help_text=_("People without an account join by picking a display name.")
    )
    is_active = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A team's own link: whoever joins through it also joins the team (services/sharing.py).
    team = models.ForeignKey(
        "Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="share_links"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["editor", "writer", "suggester", "viewer"]),
                name="share_link_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} link to {self.debate}"

    def get_absolute_url(self) -> str:
        return reverse("arguments:join", kwargs={"token": self.token})

    @property
    def state(self) -> str:
        """open, off, expired or revoked: what someone opening it now would find."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return "expired"
        return "open" if self.is_active else "off"


class InstantAccount(models.Model):
    """An account made by joining through a share link without an e-mail address: bound to
    the browser that made it (its session) until its owner adds an e-mail and a password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="instant_account"
    )
    link = models.ForeignKey(ShareLink, on_delete=models.CASCADE, related_name="accounts")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} (joined through {self.link})"


class Pseudonym(models.Model):
    """Someone's name in a pseudonymous debate (see arguments/reading/pseudonyms.py)."""

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="pseudonyms")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["debate", "user"], name="pseudonym_one_per_person"),
            models.UniqueConstraint(fields=["debate", "name"], name="pseudonym_unique_in_debate"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """A large upload being imported in the background, so no request waits for it.

    The file's text waits here (not in the session) until the job has run; the job page
    follows `status` and, while it runs, the progress the worker thread leaves in the cache.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    # A UUID: the job page's address is not guessable (it is the owner's alone anyway).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=10)
    filename = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=TITLE_MAX_LENGTH, blank=True)
    # Who may open the new debate, as the uploader chose; empty: as the file says (a backup
    # from this site keeps its own setting, any other file starts private).
    visibility = models.CharField(max_length=10, choices=Debate.Visibility.choices, blank=True)
    text = models.TextField(blank=True)
    # AIF: merge the two wordings of each rephrase into one claim (where nothing is lost),
    # as the uploader chose; otherwise each is a rephrase relation.
    merge_rephrases = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    # What the import kept and left out: document.counts() and its warnings.
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    debate = models.ForeignKey(
        Debate, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How many times a task worker started it (a worker killed mid-way leaves it for another).
    attempts = models.PositiveSmallIntegerField(default=0)
    # Rows written so far and in all, while it runs: written on PostgreSQL by a connection of
    # their own (the import's transaction is not committed yet), so every worker reads them.
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or 'upload'} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class CourseActivity(models.Model):
    """A course's link to a debate (an LTI resource link), learned at its launches: the
    course's roster (NRPS) and, for a graded link, the line item its scores go to (AGS)."""

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="course_activities")
    resource_link = models.OneToOneField(
        "lti_tool.LtiResourceLink", on_delete=models.CASCADE, related_name="+"
    )
    # AGS: the line item the platform made from our deep-linking `lineItem` ("" ungraded),
    # and whether the launches grant us the score scope.
    lineitem_url = models.URLField(max_length=2000, blank=True)
    scopes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "course activities"

    def __str__(self) -> str:
        return f"{self.resource_link} → {self.debate}"


class ScoreReport(models.Model):
    """One learner's score on a graded course activity: what was last sent to the platform,
    and, while it fails, the error and when to try again (an outbox row)."""

    activity = models.ForeignKey(CourseActivity, on_delete=models.CASCADE, related_name="scores")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The platform's id of the learner (AGS `userId`): their LTI subject.
    sub = models.CharField(max_length=255)
    sent_score = models.FloatField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)  # failures in a row
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["activity", "user"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="score_report_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.sub}: {self.sent_score}"


class Tag(models.Model):
    """A topic debates are found by on Explore (`/explore/tag/<slug>/`), given by a debate's
    owner or moderators."""

    NAME_MAX_LENGTH = 40

    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=NAME_MAX_LENGTH, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("arguments:explore_tag", kwargs={"tag": self.slug})


class Perspective(models.Model):
    """A way to see a debate's strengths other than everyone's votes: a group of participants
    (a class section, defined by the owner or moderators: their own votes), or a named
    perspective ("an economist") that its creator votes as. docs/ARCHITECTURE.md,
    "Perspectives"."""

    class Kind(models.TextChoices):
        GROUP = "group", _("Group")
        NAMED = "named", _("Named perspective")

    NAME_MAX_LENGTH = 80

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="perspectives")
    kind = models.CharField(max_length=5, choices=Kind.choices)
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A group's participants (a named perspective has none: its creator votes as it).
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Bumped by every vote cast as the perspective and every change of a group's members:
    # with the debate's versions, it keys the perspective's strengths kept in memory.
    version = models.PositiveBigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "debate", name="perspective_name_unique_in_debate"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["group", "named"]), name="perspective_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


# -- Following, notifications and e-mail digests (issue 18) --


class Follow(models.Model):
    """Someone following a whole debate (`claim` empty) or one claim of it: they hear of new
    pros and cons there. Writing a claim follows it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="+")
    claim = models.ForeignKey(
        Claim, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "debate"], condition=Q(claim=None), name="follow_debate_once"
            ),
            models.UniqueConstraint(
                fields=["user", "claim"], condition=~Q(claim=None), name="follow_claim_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.claim_id or self.debate_id}"


class Notification(models.Model):
    """Something a reader should hear of, written when it happened, for them alone: its text
    already names people as that debate names them (pseudonyms) and was checked against what
    they may see. `emailed_at` records the digest that carried it (each is sent once)."""

    class Kind(models.TextChoices):
        RESPONSE = "response", _("New pro or con")
        REPLY = "reply", _("Reply to a note")
        EDIT = "edit", _("Edit of a claim")
        MODERATION = "moderation", _("Moderation decision")
        MENTION = "mention", _("Mention")
        SUGGESTION = "suggestion", _("Suggestion approved or declined")
        FEEDBACK = "feedback", _("Feedback and grades released")
        REQUEST = "request", _("Request to write")
        DEADLINE = "deadline", _("A task's deadline passed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="+")
    # What it is about (the claim answered, edited, moderated): notices group by it.
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    stance = models.CharField(max_length=3, choices=Stance.choices, blank=True)
    actor_name = models.CharField(max_length=150, blank=True)
    about = models.CharField(max_length=200)  # the claim's words when it happened
    text = models.CharField(max_length=600)
    note = models.TextField(blank=True, max_length=2000)  # a moderator's note
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(read_at=None),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(emailed_at=None),
                name="notification_unsent",
            ),
        ]

    def __str__(self) -> str:
        return f"to {self.recipient_id}: {self.text}"


class NotificationSettings(models.Model):
    """How someone wants to hear of notifications by e-mail."""

    class Digest(models.TextChoices):
        OFF = "off", _("Never")
        IMMEDIATELY = "immediately", _("As they happen")
        DAILY = "daily", _("Once a day")
        WEEKLY = "weekly", _("Once a week")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest = models.CharField(max_length=12, choices=Digest.choices, default=Digest.DAILY)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.digest}"


class Profile(models.Model):
    """What a member chose for themselves beyond their account: the interface's language
    (copied into their session when they sign in, views/language.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(max_length=7, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'}"


class ScheduledRun(models.Model):
    """When a periodic job (digests, score sync, roster sync, clean-up) is next due. Every
    task worker checks; the one whose conditional update moves `next_at` runs it, so with
    several workers or machines each period's run happens once (arguments/tasks/periodic.py)."""

    name = models.CharField(max_length=40, primary_key=True)
    next_at = models.DateTimeField()
    last_started_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} (next at {self.next_at:%Y-%m-%d %H:%M})"


class SiteWrites(models.Model):
    """The site's writes, counted: every statement that writes a row a page may show adds one
    to a slot, in the writer's own transaction (arguments/views/member_pages.py). Their sum
    moves with every committed write, so a member's kept page keyed by it is never older than
    the rows it shows. A slot per writing process and thread, so no two concurrent writers
    ever wait on one row's lock (shared slots could deadlock two transactions).

    A vote's statements (its row, the point's tally columns, the debate's tally stamp) add to
    `tallies` instead: a member's page is kept across them, its vote regions filled from a
    rendering shared by the debate's readers and keyed by that count."""

    slot = models.PositiveBigIntegerField(primary_key=True)
    writes = models.PositiveBigIntegerField(default=0)
    tallies = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.slot}: {self.writes}"


class FrozenError(Exception):
    """A snapshot, once taken, is never changed: the citable page would move under its
    readers and the content hash would lie."""


class Snapshot(models.Model):
    """A debate frozen at one moment (/d/<slug>/v/<number>/): its whole document in our own
    JSON format (compressed; `sha256` is the hash of the uncompressed text), and its outline
    (`SnapshotClaim`) for serving the page without reading the whole document. Never changed
    after creation (arguments/reading/snapshots.py, services/snapshots.py)."""

    class Reason(models.TextChoices):
        BY_HAND = "by_hand", _("Frozen by hand")
        DEADLINE = "deadline", _("Frozen at its deadline")

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="snapshots")
    number = models.PositiveIntegerField()
    title = models.CharField("question", max_length=TITLE_MAX_LENGTH)  # as it was asked then
    reason = models.CharField(max_length=10, choices=Reason.choices, default=Reason.BY_HAND)
    note = models.CharField(max_length=200, blank=True)
    # Who froze it: kept when the account is gone (the snapshot stays citable).
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(default=timezone.now)
    document = models.BinaryField()  # zlib of native_json's UTF-8 text
    sha256 = models.CharField(max_length=64)
    claim_count = models.PositiveIntegerField(default=0)  # claims a visitor saw then
    # Guided voting was on: tallies and strengths stay hidden but from its moderators, as a
    # public export of the debate hides them.
    votes_hidden = models.BooleanField(default=False)

    class Meta:
        ordering = ["debate", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["debate", "number"], name="snapshot_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.debate_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise FrozenError("A snapshot is never changed after it is taken.")
        super().save(*args, **kwargs)


class SnapshotClaim(models.Model):
    """One claim of a snapshot's outline, where a visitor saw it then: the page reads the
    theses and their pros and cons, and a claim in focus its path and its own, never the
    whole debate. `data` holds what the page shows (text, stance, strength, tally, links)."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="outline")
    claim_id = models.PositiveBigIntegerField()  # the claim's id then (not a key: claims merge)
    parent_id = models.PositiveBigIntegerField(null=True)
    depth = models.PositiveIntegerField()
    position = models.PositiveIntegerField()  # order among its siblings, as the tree had it
    path = models.JSONField(default=list)  # the claim ids from its thesis down to its parent
    data = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "claim_id"], name="snapshot_claim_unique"),
        ]
        indexes = [
            models.Index(fields=["snapshot", "depth"], name="snapshot_claim_depth"),
            models.Index(fields=["snapshot", "parent_id"], name="snapshot_claim_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.snapshot_id}: {self.claim_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise FrozenError("A snapshot is never changed after it is taken.")
        super().save(*args, **kwargs)


class OpinionMap(models.Model):
    """A debate's opinion groups (issue 33): its participants placed by how they vote and
    grouped, computed in the background (arguments/tasks/opinions.py) and kept here, so that
    a page only reads this row. `result` is arguments/structure/opinion_groups.py's JSON."""

    MIN_VOTES = 3  # a participant's votes to be placed on the map
    MIN_GROUP = 3  # people in a group for it to be shown: fewer would be a person's votes

    debate = models.OneToOneField(Debate, on_delete=models.CASCADE, related_name="opinion_map")
    result = models.JSONField(default=dict, blank=True)
    # The debate's `tally_version` read before the votes the result was computed from
    # (None: never computed), so a page can say the map is older than the latest votes.
    computed_from = models.PositiveBigIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # When the first vote not yet in a computation was cast (None: the map has every vote).
    # The task worker enqueues one computation per wanted map, marking it `enqueued_at`; the
    # computation clears both as it starts, so the votes of a burst make one job.
    wanted_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"opinion map of debate {self.debate_id}"


class AccessToken(models.Model):
    """A personal access token for the API (issue 32): it reads what its owner sees, and with
    the write scope votes and writes notes as them. Only the SHA-256 of the secret is kept;
    the secret is shown once, when it is made (`services.token_create`)."""

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write (votes, notes)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The secret's first characters, kept plainly so its owner can tell tokens apart.
    prefix = models.CharField(max_length=12, editable=False)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scope__in=["read", "write"]), name="access_token_scope_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def writes(self) -> bool:
        return self.scope == self.Scope.WRITE


class ClaimFeedback(models.Model):
    """A teacher's private feedback on a claim, for its author (Markdown), with an optional
    grade from 0 to the debate's scale. One per claim: the owner and moderators share it.
    Its author reads it once grades are released to them (`permissions.sees_feedback`)."""

    claim = models.OneToOneField(Claim, on_delete=models.CASCADE, related_name="feedback")
    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(blank=True, max_length=5000)
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["debate", "claim"], name="feedback_by_debate")]

    def __str__(self) -> str:
        return f"Feedback on claim {self.claim_id}"


class ParticipantGrade(models.Model):
    """One participant's overall grade and comment in a debate, and when they were released
    to them alone (`released_at`; the debate's `grades_released_at` releases everyone's)."""

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="grades")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    grade = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=5000)
    released_at = models.DateTimeField(null=True, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["debate", "user"], name="one_grade_per_participant")
        ]

    def __str__(self) -> str:
        return f"Grade of {self.user_id} in {self.debate_id}"


class WriteRequest(models.Model):
    """A viewer's or suggester's request to become a writer in a debate, with a short
    message; the owner or a moderator accepts (they become a writer) or declines it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="write_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    message = models.TextField(blank=True, max_length=500)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["debate", "user"],
                condition=Q(status="open"),
                name="one_open_write_request",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} asks to write in {self.debate_id} ({self.status})"


class Task(models.Model):
    """Something a teacher asks each student to do in a debate, counted from what they did
    (arguments/reading/tasks.py): write N pros or cons (under a given claim or anywhere),
    cite N sources, vote on N claims, annotate N claims; by an optional deadline."""

    class Kind(models.TextChoices):
        ARGUMENTS = "arguments", _("Write pros or cons")
        PROS = "pros", _("Write pros")
        CONS = "cons", _("Write cons")
        SOURCES = "sources", _("Cite sources")
        VOTES = "votes", _("Vote on claims")
        NOTES = "notes", _("Annotate claims")

    debate = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # For pros and cons: directly under this claim (else anywhere).
    under = models.ForeignKey(
        Claim, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    deadline = models.DateTimeField(null=True, blank=True)
    # At the deadline the task worker switches the debate's share links off, once, and tells
    # the task's maker (arguments/services/tasks.py, `task_deadlines_pass`).
    closes_share_links = models.BooleanField(
        "switch the share links off at the deadline", default=False
    )
    links_closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        """The task in words: "Write 2 pros under “…”, by 3 May"."""
        n = self.count
        text = {
            self.Kind.ARGUMENTS: lambda: ngettext(
                "Write %(count)s pro or con", "Write %(count)s pros or cons", n
            ),
            self.Kind.PROS: lambda: ngettext("Write %(count)s pro", "Write %(count)s pros", n),
            self.Kind.CONS: lambda: ngettext("Write %(count)s con", "Write %(count)s cons", n),
            self.Kind.SOURCES: lambda: ngettext(
                "Cite %(count)s source", "Cite %(count)s sources", n
            ),
            self.Kind.VOTES: lambda: ngettext(
                "Vote on %(count)s claim", "Vote on %(count)s claims", n
            ),
            self.Kind.NOTES: lambda: ngettext(
                "Annotate %(count)s claim", "Annotate %(count)s claims", n
            ),
        }[self.Kind(self.kind)]() % {"count": n}
        if self.under_id is not None and self.under is not None:
            return gettext("%(task)s under “%(claim)s”") % {
                "task": text,
                "claim": self.under.text[:80],
            }
        return text


class Team(models.Model):
    """A group of students with its own copy of a template debate (a teacher's class in
    teams): the copy is made by the task queue (arguments/services/teams.py), with the
    template's claims, sources and settings but none of its votes or notes, the team as
    its writers and the template's owner as its owner."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("No copy yet")
        COPYING = "copying", _("Being copied")
        DONE = "done", _("Copied")
        FAILED = "failed", _("Copy failed")

    MAX_MEMBERS = 40

    template = models.ForeignKey(Debate, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=60)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    copy = models.ForeignKey(
        Debate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    error = models.CharField(max_length=500, blank=True)
    # The team as a group perspective of the template debate (its members' own votes there),
    # so that perspectives and the crux finder compare teams (services/teams.py).
    perspective = models.ForeignKey(
        "Perspective", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["template", "name"], name="one_team_name_per_debate")
        ]

    def __str__(self) -> str:
        return self.name
