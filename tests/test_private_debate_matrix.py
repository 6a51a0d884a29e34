"""A private debate, read by everyone (issue 13): every endpoint under its slug by every persona,
with the exact answer each must get.

Members read it as their role allows; a signed-in stranger and an anonymous visitor get a 404
everywhere (never a 403: a private debate's existence must not leak), and no refused answer
carries a word of the debate. Site staff moderate every debate, private ones included.
Writes are in tests/test_permission_matrix.py (roles on a public debate); here every write
endpoint is also posted to by a stranger and a visitor of the private debate, who must get
a 404 with nothing written.

To add an endpoint, add one `Row`; `test_every_url_under_a_debate_is_in_the_matrix` fails
until you do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import TestCase
from django.urls import URLPattern, URLResolver, reverse

from arguments import services
from arguments.models import (
    Annotation,
    Citation,
    Claim,
    ClaimFeedback,
    CourseActivity,
    Debate,
    Flag,
    Membership,
    ParticipantGrade,
    Perspective,
    Relation,
    ShareLink,
    Snapshot,
    Task,
    Team,
    Vote,
    WriteRequest,
)
from arguments.services.snapshots import debate_freeze
from tests.conftest import Cast
from tests.factories import UserFactory
from tests.tables import one_test_per_row
from tests.test_permission_matrix import Scene, _course_activity, build_scene

pytestmark = [pytest.mark.django_db, pytest.mark.security]

PERSONAS = [
    "owner",
    "moderator",
    "editor",
    "writer",
    "suggester",
    "viewer",
    "stranger",
    "anonymous",
    "staff",
]
MEMBERS = PERSONAS[:6]


def expect(
    ok: int = 200,
    *,
    owner: int | None = None,
    moderator: int | None = None,
    editor: int | None = None,
    writer: int | None = None,
    suggester: int | None = None,
    viewer: int | None = None,
    staff: int | None = None,
    outsiders: int = 404,
) -> dict[str, int]:
    """Statuses per persona: members and staff `ok` unless named; outsiders 404."""
    given = {
        "owner": owner,
        "moderator": moderator,
        "editor": editor,
        "writer": writer,
        "suggester": suggester,
        "viewer": viewer,
        "staff": staff if staff is not None else moderator,
    }
    statuses = {name: ok if status is None else status for name, status in given.items()}
    statuses["stranger"] = statuses["anonymous"] = outsiders
    return statuses


def writers(ok: int = 200) -> dict[str, int]:
    return expect(ok, suggester=403, viewer=403)


def course_activity(debate: Debate) -> CourseActivity:
    """The debate's one course link (made on first need)."""
    return CourseActivity.objects.filter(debate=debate).first() or _course_activity(debate)


def share_link(scene: Scene) -> ShareLink:
    """The debate's one share link (made on first need)."""
    link, _ = ShareLink.objects.get_or_create(
        debate=scene.debate, defaults={"token": f"matrix-{scene.debate.pk}", "role": "writer"}
    )
    return link


def group(scene: Scene) -> Perspective:
    """The debate's one group (made on first need)."""
    made, _ = Perspective.objects.get_or_create(
        debate=scene.debate, kind=Perspective.Kind.GROUP, name="Section A"
    )
    return made


def named(scene: Scene) -> Perspective:
    """The debate's one named perspective, the viewer's (made on first need)."""
    made, _ = Perspective.objects.get_or_create(
        debate=scene.debate, kind=Perspective.Kind.NAMED, name="an economist"
    )
    return made


def frozen(scene: Scene) -> int:
    """The number of the debate's one snapshot (taken on first need)."""
    taken = Snapshot.objects.filter(debate=scene.debate).values_list("number", flat=True).first()
    return taken or debate_freeze(actor=scene.debate.owner, debate=scene.debate).number


def write_request(scene: Scene) -> WriteRequest:
    """The debate's one request to write, the newcomer's (made on first need)."""
    made, _ = WriteRequest.objects.get_or_create(
        debate=scene.debate, user=scene.newcomer, defaults={"message": "May I?"}
    )
    return made


def task(scene: Scene) -> Task:
    """The debate's one task (made on first need)."""
    made, _ = Task.objects.get_or_create(debate=scene.debate, kind="votes", defaults={"count": 3})
    return made


def managers(ok: int = 200) -> dict[str, int]:
    return expect(ok, editor=403, writer=403, suggester=403, viewer=403)


EVERYONE_405 = dict.fromkeys(PERSONAS, 405)  # POST only: refused before the debate is looked up


@dataclass(frozen=True)
class Row:
    name: str  # URL name, namespaced ("arguments:debate", "lti:claim")
    args: Callable[[Scene], list[Any]]  # URL arguments after the slug
    statuses: dict[str, int]
    query: Callable[[Scene], dict[str, str]] = field(default=lambda s: {})
    htmx: bool = False
    slug: bool = True  # False: the URL takes no slug (oEmbed); `query` names the debate
    # The API (names "api:…"): read with each persona's token, not a session; its writes
    # are asked with their method and a JSON body.
    method: str = "get"
    body: Callable[[Scene], dict[str, Any]] = field(default=lambda s: {})

    def url(self, scene: Scene) -> str:
        args = [scene.debate.slug, *self.args(scene)] if self.slug else self.args(scene)
        return reverse(self.name, args=args)


def _page_url(scene: Scene) -> str:
    return "http://testserver" + reverse("arguments:debate", args=[scene.debate.slug])


ROWS: dict[str, Row] = {
    # -- reading the tree --
    "debate page": Row("arguments:debate", lambda s: [], expect()),
    "focus page": Row("arguments:claim", lambda s: [s.con.pk], expect()),
    "branch fragment": Row(
        "arguments:claim",
        lambda s: [s.thesis.pk],
        expect(),
        query=lambda s: {"part": "branch", "depth": "1"},
        htmx=True,
    ),
    "why? page": Row("arguments:claim_why", lambda s: [s.con.pk], expect()),
    "debate map": Row("arguments:debate_map", lambda s: [], expect()),
    "debate search": Row(
        "arguments:debate_search", lambda s: [], expect(), query=lambda s: {"q": "weights"}
    ),
    "debate map SVG": Row("arguments:debate_map_svg", lambda s: [], expect()),
    "cruxes page": Row("arguments:debate_cruxes", lambda s: [], expect()),
    "cruxes panel": Row(
        "arguments:debate_cruxes",
        lambda s: [],
        expect(),
        htmx=True,
        query=lambda s: {"part": "panel"},
    ),
    "gaps page": Row("arguments:debate_gaps", lambda s: [], expect()),
    "opinion map": Row("arguments:debate_opinions", lambda s: [], expect()),
    "cruxes between groups": Row(
        "arguments:debate_cruxes", lambda s: [], expect(), query=lambda s: {"by": "groups"}
    ),
    "gaps panel": Row(
        "arguments:debate_gaps",
        lambda s: [],
        expect(),
        htmx=True,
        query=lambda s: {"part": "panel"},
    ),
    "claim map": Row("arguments:claim_map", lambda s: [s.con.pk], expect()),
    "claim map SVG": Row("arguments:claim_map_svg", lambda s: [s.con.pk], expect()),
    "why? fragment": Row("arguments:claim_why", lambda s: [s.con.pk], expect(), htmx=True),
    "vote (a GET)": Row("arguments:claim_vote", lambda s: [s.con.pk], EVERYONE_405),
    "notes as JSON-LD": Row("arguments:debate_annotations", lambda s: [], expect()),
    "live poll": Row("arguments:debate_live", lambda s: [], expect()),
    "activity feed": Row("arguments:debate_feed", lambda s: [], expect()),
    "follow the debate (a GET)": Row("arguments:debate_follow", lambda s: [], EVERYONE_405),
    "follow a claim (a GET)": Row("arguments:claim_follow", lambda s: [s.con.pk], EVERYONE_405),
    # -- export: a member's download; the moderators' JSON is a backup of everything --
    "export kialo": Row("arguments:export", lambda s: ["kialo"], expect()),
    "export argdown": Row("arguments:export", lambda s: ["argdown"], expect()),
    "export aif": Row("arguments:export", lambda s: ["aif"], expect()),
    "export json": Row("arguments:export", lambda s: ["json"], expect()),
    "export, unknown format": Row("arguments:export", lambda s: ["pdf"], expect(404)),
    # -- the write forms (GET) --
    "add form": Row("arguments:claim_add", lambda s: [s.thesis.pk], expect(viewer=403)),
    "edit form": Row("arguments:claim_edit", lambda s: [s.con.pk], writers()),
    "cite form": Row("arguments:claim_cite", lambda s: [s.con.pk], writers()),
    "link picker": Row("arguments:claim_link", lambda s: [s.pro.pk], writers()),
    "link picker results": Row(
        "arguments:claim_link",
        lambda s: [s.pro.pk],
        writers(),
        query=lambda s: {"part": "results", "q": "weights"},
        htmx=True,
    ),
    "annotate form": Row("arguments:claim_annotate", lambda s: [s.con.pk], expect()),
    "note edit form": Row(
        "arguments:note_edit",
        lambda s: [s.note.pk],
        # Only its author (the viewer) edits a note.
        expect(403, viewer=200),
    ),
    "note reply (a GET)": Row("arguments:note_reply", lambda s: [s.note.pk], EVERYONE_405),
    "note delete (a GET)": Row("arguments:note_delete", lambda s: [s.note.pk], EVERYONE_405),
    # -- moderation --
    "flag form": Row("arguments:claim_flag", lambda s: [s.con.pk], expect(writer=403)),
    "note flag form": Row("arguments:note_flag", lambda s: [s.note.pk], expect(viewer=403)),
    "flag review (a GET)": Row("arguments:flag_review", lambda s: [s.flag.pk], EVERYONE_405),
    "approve (a GET)": Row("arguments:claim_approve", lambda s: [s.pending.pk], EVERYONE_405),
    "hide (a GET)": Row("arguments:claim_hide", lambda s: [s.con.pk], EVERYONE_405),
    "restore (a GET)": Row("arguments:claim_restore", lambda s: [s.hidden.pk], EVERYONE_405),
    "moderation page of a hidden claim": Row(
        "arguments:claim_moderation",
        lambda s: [s.hidden.pk],
        # Its author (the writer) and the moderators know of it; to others it does not exist.
        expect(404, owner=200, moderator=200, writer=200),
    ),
    "moderation page of a claim": Row("arguments:claim_moderation", lambda s: [s.pro.pk], expect()),
    "settings": Row("arguments:debate_settings", lambda s: [], managers()),
    "share links": Row("arguments:share_links", lambda s: [], managers()),
    "grading (a GET)": Row("arguments:debate_grading", lambda s: [], EVERYONE_405),
    # Feedback: the teachers', and the claim's author's (the writer wrote `con`).
    "claim feedback": Row(
        "arguments:claim_feedback",
        lambda s: [s.con.pk],
        expect(200, editor=403, suggester=403, viewer=403),
    ),
    "my feedback": Row("arguments:my_feedback", lambda s: [], expect(200)),
    "guided voting": Row("arguments:guided_voting", lambda s: [], expect(200)),
    "tasks": Row("arguments:debate_tasks", lambda s: [], expect(200)),
    "teams": Row(
        "arguments:debate_teams",
        lambda s: [],
        expect(403, owner=200, staff=403),
    ),
    "team copies (a GET)": Row("arguments:team_copies", lambda s: [], EVERYONE_405),
    "remove a task (a GET)": Row("arguments:task_remove", lambda s: [task(s).pk], EVERYONE_405),
    "mention names": Row("arguments:mention_names", lambda s: [], expect(200, outsiders=404)),
    # Requests to write: asking is refused (403) to members until the owner allows it.
    "ask to write": Row("arguments:ask_to_write", lambda s: [], expect(403)),
    "requests to write": Row("arguments:write_requests", lambda s: [], managers()),
    "decide a request (a GET)": Row(
        "arguments:write_request_decide", lambda s: [write_request(s).pk], EVERYONE_405
    ),
    "grade (a GET)": Row("arguments:participant_grade", lambda s: [s.con.author_id], EVERYONE_405),
    "release grades (a GET)": Row("arguments:grades_release", lambda s: [], EVERYONE_405),
    "grade scale (a GET)": Row("arguments:grade_scale", lambda s: [], EVERYONE_405),
    "roster (a GET)": Row(
        "arguments:course_roster", lambda s: [course_activity(s.debate).pk], EVERYONE_405
    ),
    "activity": Row("arguments:debate_activity", lambda s: [], managers()),
    "pseudonyms": Row("arguments:debate_pseudonyms", lambda s: [], managers()),
    "activity CSV": Row("arguments:debate_activity_csv", lambda s: [], managers()),
    # -- perspectives: a named one for every reader, a group's and one person's votes for
    # the managers --
    "debate page as a named perspective": Row(
        "arguments:debate",
        lambda s: [],
        expect(),
        query=lambda s: {"perspective": f"named:{named(s).pk}"},
    ),
    "debate page as a group": Row(
        "arguments:debate",
        lambda s: [],
        expect(403, owner=200, moderator=200),
        query=lambda s: {"perspective": f"group:{group(s).pk}"},
    ),
    "map as one participant": Row(
        "arguments:debate_map",
        lambda s: [],
        expect(403, owner=200, moderator=200),
        query=lambda s: {"perspective": f"user:{s.pro.author_id}"},
    ),
    "start a perspective": Row("arguments:perspective_create", lambda s: [], expect()),
    "vote as (a GET)": Row("arguments:perspective_voting_as", lambda s: [], EVERYONE_405),
    "groups": Row("arguments:perspective_groups", lambda s: [], managers()),
    "group members (a GET)": Row("arguments:group_members", lambda s: [group(s).pk], EVERYONE_405),
    "group delete (a GET)": Row("arguments:group_delete", lambda s: [group(s).pk], EVERYONE_405),
    "one participant's activity": Row(
        "arguments:participant_activity", lambda s: [s.pro.author_id], managers()
    ),
    "share link switch (a GET)": Row(
        "arguments:share_link_switch", lambda s: [share_link(s).pk], EVERYONE_405
    ),
    "share link revoke (a GET)": Row(
        "arguments:share_link_revoke", lambda s: [share_link(s).pk], EVERYONE_405
    ),
    "share link hide (a GET)": Row(
        "arguments:share_link_hide_contributions", lambda s: [share_link(s).pk], EVERYONE_405
    ),
    "grant (a GET)": Row("arguments:member_grant", lambda s: [], EVERYONE_405),
    "revoke (a GET)": Row("arguments:member_revoke", lambda s: [s.newcomer.pk], EVERYONE_405),
    "status (a GET)": Row("arguments:debate_status", lambda s: [], EVERYONE_405),
    "tags (a GET)": Row("arguments:debate_tags", lambda s: [], EVERYONE_405),
    "settings (a GET)": Row("arguments:debate_configure", lambda s: ["about"], EVERYONE_405),
    "archive (a GET)": Row("arguments:debate_archive", lambda s: [], EVERYONE_405),
    "embed site (a GET)": Row("arguments:embed_origin_add", lambda s: [], EVERYONE_405),
    "resolve a flag (a GET)": Row("arguments:flag_resolve", lambda s: [s.flag.pk], EVERYONE_405),
    "a claim's flags": Row("arguments:claim_flags", lambda s: [s.pro.pk], managers()),
    # -- embedding: never a private debate's (only through LTI) --
    "embed dialog": Row("arguments:embed_dialog", lambda s: [], expect()),
    "embed page": Row(
        "arguments:embed_debate",
        lambda s: [],
        expect(404),
    ),
    "embed claim": Row("arguments:embed_claim", lambda s: [s.con.pk], expect(404)),
    "embed branch": Row(
        "arguments:embed_claim",
        lambda s: [s.thesis.pk],
        expect(404),
        query=lambda s: {"part": "branch"},
    ),
    "embed why?": Row("arguments:embed_why", lambda s: [s.con.pk], expect(404)),
    "oEmbed": Row(
        "arguments:oembed",
        lambda s: [],
        expect(404),
        query=lambda s: {"url": _page_url(s), "format": "json"},
        slug=False,
    ),
    # -- frozen versions: read by whoever reads the debate; taken by its managers --
    "snapshot list": Row("arguments:snapshot_list", lambda s: [], expect()),
    "snapshot page": Row("arguments:snapshot", lambda s: [frozen(s)], expect()),
    "snapshot claim": Row("arguments:snapshot_claim", lambda s: [frozen(s), s.con.pk], expect()),
    "snapshot export": Row("arguments:snapshot_export", lambda s: [frozen(s), "kialo"], expect()),
    "snapshot diff": Row("arguments:snapshot_diff", lambda s: [frozen(s)], expect()),
    "snapshot map": Row("arguments:snapshot_map", lambda s: [frozen(s)], expect()),
    "activity as of a snapshot": Row(
        "arguments:debate_activity",
        lambda s: [],
        managers(),
        query=lambda s: {"as_of": str(frozen(s))},
    ),
    "freeze (a GET)": Row("arguments:snapshot_take", lambda s: [], EVERYONE_405),
    "freeze deadline (a GET)": Row("arguments:snapshot_deadline", lambda s: [], EVERYONE_405),
    # -- inside an LMS: the signed-in launcher (a visitor is told to launch again: a 403
    # that does not depend on the debate) --
    "LTI debate": Row("lti:debate", lambda s: [], {**expect(), "anonymous": 403}),
    "LTI claim": Row("lti:claim", lambda s: [s.con.pk], {**expect(), "anonymous": 403}),
    # -- the JSON API (issue 32), each persona with their own token (write scope) --
    "API debate": Row("api:debate_detail", lambda s: [], expect()),
    "API claims": Row("api:claim_list", lambda s: [], expect()),
    "API tree": Row("api:claim_tree", lambda s: [], expect()),
    "API claim": Row("api:claim_detail", lambda s: [s.con.pk], expect()),
    "API hidden claim": Row(
        "api:claim_detail", lambda s: [s.hidden.pk], expect(404, owner=200, moderator=200)
    ),
    "API pending claim": Row(
        "api:claim_detail",
        lambda s: [s.pending.pk],
        expect(404, owner=200, moderator=200, suggester=200),
    ),
    "API cruxes": Row("api:debate_cruxes", lambda s: [], expect()),
    "API gaps": Row("api:debate_gaps", lambda s: [], expect()),
    "API activity": Row("api:debate_activity", lambda s: [], expect(403, owner=200, moderator=200)),
    "API snapshots": Row("api:snapshot_list", lambda s: [], expect()),
    "API snapshot": Row("api:snapshot_detail", lambda s: [frozen(s)], expect()),
    "API snapshot claims": Row("api:snapshot_claim_list", lambda s: [frozen(s)], expect()),
    "API snapshot claim": Row("api:snapshot_claim", lambda s: [frozen(s), s.con.pk], expect()),
    "API snapshot export": Row("api:snapshot_export", lambda s: [frozen(s), "json"], expect()),
    "API snapshot diff": Row("api:snapshot_diff", lambda s: [frozen(s)], expect()),
    # A visitor's write is refused before the debate is looked up (no token: a 401).
    "API vote": Row(
        "api:vote_cast",
        lambda s: [s.con.pk],
        {**expect(), "anonymous": 401},
        method="put",
        body=lambda s: {"value": 4},
    ),
    "API vote withdrawn": Row(
        "api:vote_withdraw", lambda s: [s.con.pk], {**expect(), "anonymous": 401}, method="delete"
    ),
    "API vote on a hidden claim": Row(
        "api:vote_cast",
        lambda s: [s.hidden.pk],
        # Moderators see it; the service says why it takes no votes (a stale state: 422).
        {**expect(404, owner=422, moderator=422), "anonymous": 401},
        method="put",
        body=lambda s: {"value": 4},
    ),
    "API note": Row(
        "api:note_add",
        lambda s: [s.con.pk],
        {**expect(201), "anonymous": 401},
        method="post",
        body=lambda s: {"body": "Through the API."},
    ),
}

# How the rows above would answer if the private debate did not exist (the outsiders' view).
OUTSIDERS_SEE_NOTHING = {"stranger", "anonymous"}


def secrets_of(scene: Scene) -> list[str]:
    """Words of the private debate no refused answer may carry."""
    claims = [scene.thesis, scene.pro, scene.con, scene.pending, scene.hidden]
    return [scene.debate.title, *(c.text for c in claims)]


def make_cast() -> Cast:
    """The personas of tests/conftest.py, for a TestCase's setUpTestData."""
    names = ["owner", "moderator", "editor", "writer", "suggester", "viewer", "stranger"]
    users = {name: UserFactory(username=name) for name in names}
    users["staff"] = UserFactory(username="staffer", is_staff=True, is_superuser=True)
    return Cast(**users, anonymous=AnonymousUser())


class PrivateDebateMatrix(TestCase):
    """One private debate, built once; each row is one test, every persona in it."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.cast = make_cast()
        cls.scene = build_scene(cls.cast, visibility=Debate.Visibility.PRIVATE)
        cls.tokens = {
            name: services.token_create(actor=cls.cast[name], name="matrix", scope="write")[1]
            for name in PERSONAS
            if name != "anonymous"
        }

    def check(self, row_name: str) -> None:
        row, scene = ROWS[row_name], self.scene
        url = row.url(scene)
        headers = {"HX-Request": "true"} if row.htmx else {}
        secrets = secrets_of(scene)
        wrong: list[str] = []
        for persona in PERSONAS:
            self.client.logout()
            if row.name.startswith("api:"):
                response = self._api(row, url, self.tokens.get(persona))
                self._check_status(wrong, persona, row, response)
                continue
            if persona != "anonymous":
                self.client.force_login(self.cast[persona])
            response = self.client.get(url, row.query(scene), headers=headers)
            expected = row.statuses[persona]
            if response.status_code != expected:
                wrong.append(f"{persona}: {response.status_code}, expected {expected}")
            if response.status_code >= 300 or persona in OUTSIDERS_SEE_NOTHING:
                body = response.content.decode(errors="replace")
                leaked = [s for s in secrets if s in body]
                if leaked:
                    wrong.append(f"{persona}: a {response.status_code} carries {leaked}")
        assert not wrong, f"{row_name} ({url}):\n  " + "\n  ".join(wrong)

    def _api(self, row: Row, url: str, token: str | None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.client.generic(
            row.method.upper(),
            url,
            json.dumps(row.body(self.scene)) if row.method != "get" else "",
            content_type="application/json",
            headers=headers,
        )

    def _check_status(self, wrong: list[str], persona: str, row: Row, response: Any) -> None:
        expected = row.statuses[persona]
        if response.status_code != expected:
            wrong.append(f"{persona}: {response.status_code}, expected {expected}")
        if response.status_code >= 300 or persona in OUTSIDERS_SEE_NOTHING:
            body = response.content.decode(errors="replace")
            leaked = [s for s in secrets_of(self.scene) if s in body]
            if leaked:
                wrong.append(f"{persona}: a {response.status_code} carries {leaked}")


one_test_per_row(PrivateDebateMatrix, ROWS, "{}, by every persona")


def test_an_outsider_cannot_tell_a_private_debate_from_none(client, cast) -> None:
    """The same answers for a private debate's slug and for a slug that does not exist."""
    scene = build_scene(cast, visibility=Debate.Visibility.PRIVATE)
    client.force_login(cast.stranger)
    for name in ("debate page", "focus page", "notes as JSON-LD", "export json", "settings"):
        row = ROWS[name]
        real = client.get(row.url(scene))
        args = ["no-such-debate", *row.args(scene)]
        missing = client.get(reverse(row.name, args=args))
        assert (real.status_code, _unsalted(real.content)) == (
            missing.status_code,
            _unsalted(missing.content),
        ), name


def _unsalted(html: bytes) -> bytes:
    """A page without its per-response CSP nonces (random on every answer, so they tell
    nothing about the debate)."""
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', html)


# -- every write, by an outsider: a 404 and nothing written ---------------------------------

WRITES: dict[str, tuple[str, Callable[[Scene], list[Any]], Callable[[Scene], dict[str, Any]]]] = {
    "add": ("claim_add", lambda s: [s.thesis.pk], lambda s: {"stance": "pro", "text": "Out."}),
    "edit": ("claim_edit", lambda s: [s.con.pk], lambda s: {"text": "Rewritten by outsiders."}),
    "cite": (
        "claim_cite",
        lambda s: [s.con.pk],
        lambda s: {"url": "https://example.org/out", "title": "Out", "kind": "article"},
    ),
    "link": ("claim_link", lambda s: [s.pro.pk], lambda s: {"claim": s.con.pk, "stance": "con"}),
    "vote": ("claim_vote", lambda s: [s.con.pk], lambda s: {"value": "4"}),
    "annotate": ("claim_annotate", lambda s: [s.con.pk], lambda s: {"body": "Out."}),
    "reply": ("note_reply", lambda s: [s.note.pk], lambda s: {"body": "Out."}),
    "edit note": ("note_edit", lambda s: [s.note.pk], lambda s: {"body": "Out."}),
    "delete note": ("note_delete", lambda s: [s.note.pk], lambda s: {}),
    "flag": ("claim_flag", lambda s: [s.con.pk], lambda s: {"reason": "unclear"}),
    "flag note": ("note_flag", lambda s: [s.note.pk], lambda s: {"reason": "unclear"}),
    "ask for review": ("flag_review", lambda s: [s.flag.pk], lambda s: {}),
    "tags": ("debate_tags", lambda s: [], lambda s: {"tags": "Outsiders"}),
    "settings": (
        "debate_configure",
        lambda s: ["participation"],
        lambda s: {"visibility": "public", "requires_approval": "on"},
    ),
    "archive": ("debate_archive", lambda s: [], lambda s: {"confirm": s.debate.slug}),
    "embed site": ("embed_origin_add", lambda s: [], lambda s: {"origin": "https://out.example"}),
    "resolve a flag": ("flag_resolve", lambda s: [s.flag.pk], lambda s: {"decision": "dismiss"}),
    "approve": ("claim_approve", lambda s: [s.pending.pk], lambda s: {}),
    "hide": ("claim_hide", lambda s: [s.con.pk], lambda s: {}),
    "follow the debate": ("debate_follow", lambda s: [], lambda s: {"follow": "1"}),
    "follow a claim": ("claim_follow", lambda s: [s.con.pk], lambda s: {"follow": "1"}),
    "restore": ("claim_restore", lambda s: [s.hidden.pk], lambda s: {}),
    "feedback": ("claim_feedback", lambda s: [s.con.pk], lambda s: {"body": "Out.", "grade": "1"}),
    "grade": (
        "participant_grade",
        lambda s: [s.con.author_id],
        lambda s: {"grade": "1", "comment": "Out."},
    ),
    "release grades": ("grades_release", lambda s: [], lambda s: {}),
    "add a task": ("debate_tasks", lambda s: [], lambda s: {"kind": "votes", "count": "2"}),
    "make a team": ("debate_teams", lambda s: [], lambda s: {"name": "Out", "members": "writer"}),
    "team copies": ("team_copies", lambda s: [], lambda s: {}),
    "remove a task": ("task_remove", lambda s: [task(s).pk], lambda s: {}),
    "ask to write": ("ask_to_write", lambda s: [], lambda s: {"message": "Out."}),
    "decide a request": (
        "write_request_decide",
        lambda s: [write_request(s).pk],
        lambda s: {"decision": "accept"},
    ),
    "guided vote": ("guided_voting", lambda s: [], lambda s: {"claim": s.thesis.pk, "value": "4"}),
    "grade scale": ("grade_scale", lambda s: [], lambda s: {"grade_scale": "99"}),
    "grant": (
        "member_grant",
        lambda s: [],
        lambda s: {"username": s.newcomer.username, "role": "moderator"},
    ),
    "revoke": (
        "member_revoke",
        lambda s: [Membership.objects.get(debate=s.debate, role="viewer").user_id],
        lambda s: {},
    ),
    "status": ("debate_status", lambda s: [], lambda s: {"status": "closed", "conclusion": "x"}),
    "make a share link": ("share_links", lambda s: [], lambda s: {"role": "editor"}),
    "turn pseudonyms on": ("debate_pseudonyms", lambda s: [], lambda s: {"confirm": "yes"}),
    "grading": (
        "debate_grading",
        lambda s: [],
        lambda s: {"grade_formula": "claims", "grade_full_marks": "3"},
    ),
    "roster": ("course_roster", lambda s: [course_activity(s.debate).pk], lambda s: {}),
    "switch a share link": (
        "share_link_switch",
        lambda s: [share_link(s).pk],
        lambda s: {"on": "0"},
    ),
    "revoke a share link": ("share_link_revoke", lambda s: [share_link(s).pk], lambda s: {}),
    "hide a link's claims": (
        "share_link_hide_contributions",
        lambda s: [share_link(s).pk],
        lambda s: {},
    ),
    "start a perspective": ("perspective_create", lambda s: [], lambda s: {"name": "Out"}),
    "vote as": ("perspective_voting_as", lambda s: [], lambda s: {"perspective": named(s).pk}),
    "make a group": ("perspective_groups", lambda s: [], lambda s: {"name": "Out"}),
    "set a group's members": (
        "group_members",
        lambda s: [group(s).pk],
        lambda s: {"member": [s.pro.author_id]},
    ),
    "remove a group": ("group_delete", lambda s: [group(s).pk], lambda s: {}),
    "freeze": ("snapshot_take", lambda s: [], lambda s: {"note": "Out."}),
    "freeze deadline": ("snapshot_deadline", lambda s: [], lambda s: {"freeze_at": ""}),
}


def snapshot(scene: Scene) -> tuple[Any, ...]:
    """Everything a write could change."""
    debate = Debate.objects.get(pk=scene.debate.pk)
    return (
        debate.status,
        debate.visibility,
        debate.requires_approval,
        debate.embed_origins,
        debate.archived_at,
        debate.structure_version,
        debate.grade_scale,
        debate.grades_released_at,
        ClaimFeedback.objects.count(),
        ParticipantGrade.objects.count(),
        sorted(WriteRequest.objects.values_list("pk", "status", "message")),
        sorted(Task.objects.values_list("pk", "kind", "count", "removed_at")),
        sorted(Team.objects.values_list("pk", "name", "status")),
        sorted(Claim.objects.values_list("pk", "text", "status")),
        Relation.objects.count(),
        Citation.objects.count(),
        sorted(Annotation.objects.values_list("pk", "body", "status")),
        Flag.objects.count(),
        sorted(Flag.objects.values_list("pk", "review_requested_at", "status")),
        sorted(Membership.objects.values_list("user_id", "role")),
        Vote.objects.count(),
        sorted(Perspective.objects.values_list("pk", "name", "version")),
        Perspective.members.through.objects.count(),
        Snapshot.objects.count(),
    )


@pytest.mark.parametrize("persona", ["stranger", "anonymous"])
def test_an_outsider_writes_nothing_to_a_private_debate(client, cast, persona: str) -> None:
    scene = build_scene(cast, visibility=Debate.Visibility.PRIVATE)
    if persona != "anonymous":
        client.force_login(cast[persona])
    # What some writes name, made beforehand: the perspectives, a request to write.
    group(scene), named(scene), write_request(scene), task(scene)
    before = snapshot(scene)
    wrong = []
    for what, (name, args, data) in WRITES.items():
        url = reverse(f"arguments:{name}", args=[scene.debate.slug, *args(scene)])
        for htmx in (False, True):
            headers = {"HX-Request": "true"} if htmx else {}
            response = client.post(url, data(scene), headers=headers)
            if response.status_code != 404:
                wrong.append(f"{what} (htmx={htmx}): {response.status_code}")
    assert not wrong, f"{persona} on a private debate: " + ", ".join(wrong)
    assert snapshot(scene) == before, "an outsider's write went through"


# -- the matrix covers every URL ------------------------------------------------------------


def _patterns(resolver: URLResolver, namespace: str = "", prefix: str = "") -> list[tuple]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += _patterns(entry, inner, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            found.append((f"{namespace}{entry.name}", prefix + str(entry.pattern)))
    return found


def test_every_url_under_a_debate_is_in_the_matrix() -> None:
    from django.urls import get_resolver

    under_a_debate = {
        name
        for name, route in _patterns(get_resolver())
        if ("<slug:slug>" in route or (name.startswith("api:") and "<slug>" in route))
        and not name.startswith("admin:")
    }
    covered = {row.name for row in ROWS.values()}
    missing = under_a_debate - covered
    assert not missing, f"add a Row to ROWS for each of: {sorted(missing)}"
    assert covered - under_a_debate == {"arguments:oembed"}  # names its debate in ?url=
    written = {f"arguments:{name}" for name, _args, _data in WRITES.values()}
    posts = {ROWS[r].name for r in ROWS if ROWS[r].statuses == EVERYONE_405}
    assert posts <= written, f"add these POST-only endpoints to WRITES: {posts - written}"


# -- a hidden branch, read by those who may not see it ----------------------------------------


def test_claims_under_a_hidden_claim_stay_hidden(client, cast) -> None:
    """Issue 13 finding 3 (passes on this main: the lens hides a hidden claim's branch)."""
    scene = build_scene(cast)  # public: the visitor's annotations.jsonld is open to anyone
    parent = services.claim_add(
        actor=cast.writer, parent=scene.thesis, stance="pro", text="A branch about to go."
    )
    child = services.claim_add(
        actor=cast.writer, parent=parent, stance="con", text="Beneath the hidden branch."
    )
    services.annotation_add(
        actor=cast.viewer, claim=child, body="A note under it.", exact="hidden branch"
    )
    services.claim_hide(actor=cast.moderator, claim=parent)
    slug = scene.debate.slug
    # (who, url, query, a visible claim's or note's words the answer does show)
    reads = [
        ("editor", reverse("arguments:claim_flag", args=[slug, scene.con.pk]), {}, scene.pro.text),
        (
            "editor",
            reverse("arguments:claim_link", args=[slug, scene.pro.pk]),
            {"q": "beneath", "part": "results"},
            None,
        ),
        (
            "editor",
            reverse("arguments:claim_link", args=[slug, scene.pro.pk]),
            {"q": "released", "part": "results"},
            scene.con.text,
        ),
        ("anonymous", reverse("arguments:debate_annotations", args=[slug]), {}, "Source?"),
        ("viewer", reverse("arguments:debate", args=[slug]), {}, scene.con.text),
        ("viewer", reverse("arguments:export", args=[slug, "json"]), {}, scene.con.text),
    ]
    wrong = []
    for persona, url, query, visible in reads:
        client.logout()
        if persona != "anonymous":
            client.force_login(cast[persona])
        response = client.get(url, query, headers={"HX-Request": "true"})
        body = response.content.decode()
        if child.text in body or "A note under it" in body:
            wrong.append(f"{url} {query} as {persona} shows the hidden branch")
        if visible is not None and visible not in body:
            wrong.append(f"{url} {query} as {persona} does not show {visible!r} (the control)")
    client.force_login(cast.editor)
    if client.get(reverse("arguments:claim", args=[slug, child.pk])).status_code != 404:
        wrong.append("the claim's own page opens")
    before = Relation.objects.count()
    client.post(
        reverse("arguments:claim_link", args=[slug, scene.pro.pk]),
        {"claim": child.pk, "stance": "con"},
    )
    if Relation.objects.count() != before:
        wrong.append("an editor linked it back into the tree")
    assert not wrong, "\n".join(wrong)
