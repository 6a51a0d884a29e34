"""Who may do what: every mutating endpoint against every persona, each with exactly the right
answer, and the write done exactly when it is allowed.

Personas: the six roles of a public debate whose newcomers suggest (owner, moderator, editor,
writer, suggester, viewer), an anonymous visitor, and a signed-in stranger on a private debate
(who must not even learn that it exists: 404).

To add an endpoint, add one `Row`: the URL name, the URL arguments after the slug, the POST
data, the expected status per persona, and optionally `done` (did the write happen?), which
the matrix checks against the status: a write must happen on a redirect or 200 and never on a
refusal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from lti_tool.models import LtiContext, LtiDeployment, LtiRegistration, LtiResourceLink

from arguments import services
from arguments.models import (
    Annotation,
    Claim,
    ClaimFeedback,
    CourseActivity,
    Debate,
    Flag,
    Membership,
    ParticipantGrade,
    Role,
    ShareLink,
    Stance,
    Task,
    Team,
    Vote,
    WriteRequest,
)
from arguments.services.tasks import task_add
from tests.conftest import Cast, make_cast
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "owner",
    "moderator",
    "editor",
    "writer",
    "suggester",
    "viewer",
    "anonymous",
    "stranger_private",
]


@dataclass
class Scene:
    """One debate with something to act on for every endpoint."""

    debate: Debate
    thesis: Claim
    pro: Claim  # by the writer; carries an upheld straw-man flag
    con: Claim  # by the writer
    pending: Claim  # the suggester's suggestion
    hidden: Claim  # by the writer, hidden by a moderator
    flag: Flag  # upheld on `pro`
    note: Annotation  # a public note on `con`, by the viewer
    newcomer: Any  # a user to invite


def build_scene(cast, *, visibility: str = Debate.Visibility.PUBLIC) -> Scene:
    debate = services.debate_create(
        owner=cast.owner,
        title=f"A {visibility} debate?",
        thesis="Developers should release model weights openly.",
        default_role=Role.SUGGESTER,
        visibility=visibility,
    )
    for role in ("moderator", "editor", "writer", "suggester", "viewer"):
        Membership.objects.get_or_create(debate=debate, user=cast[role], defaults={"role": role})
    thesis = debate.claims.get()

    def add(actor: Any, text: str, stance: str = Stance.PRO) -> Claim:
        return services.claim_add(actor=actor, parent=thesis, stance=stance, text=text)

    pro = add(cast.writer, "Open weights spread access.")
    con = add(cast.writer, "Released weights cannot be recalled.", Stance.CON)
    pending = add(cast.suggester, "A suggestion waits.")
    hidden = services.claim_hide(actor=cast.moderator, claim=add(cast.writer, "Hide me."))
    flag = services.flag_raise(
        actor=cast.viewer, claim=pro, reason=Flag.Reason.FALLACY, fallacy=Flag.Fallacy.STRAW_MAN
    )
    services.flag_resolve(actor=cast.moderator, flag=flag, uphold=True, note="Restate it.")
    note = services.annotation_add(actor=cast.viewer, claim=con, body="Source?")
    return Scene(
        debate=debate,
        thesis=thesis,
        pro=pro,
        con=con,
        pending=pending,
        hidden=hidden,
        flag=flag,
        note=note,
        newcomer=UserFactory(username=f"newcomer-{visibility}"),
    )


def expect(
    *,
    owner: int,
    moderator: int,
    editor: int,
    writer: int,
    suggester: int,
    viewer: int,
    anonymous: int,
    stranger_private: int = 404,
) -> dict[str, int]:
    return {
        "owner": owner,
        "moderator": moderator,
        "editor": editor,
        "writer": writer,
        "suggester": suggester,
        "viewer": viewer,
        "anonymous": anonymous,
        "stranger_private": stranger_private,
    }


def moderators_only(ok: int = 302, *, others: int = 403, anonymous: int = 403) -> dict[str, int]:
    return expect(
        owner=ok,
        moderator=ok,
        editor=others,
        writer=others,
        suggester=others,
        viewer=others,
        anonymous=anonymous,
    )


def _course_activity(debate: Debate) -> CourseActivity:
    """A course that links the debate (as a launch records it), without a roster service."""
    registration = LtiRegistration.objects.create(
        name="LMS",
        issuer=f"https://lms-{debate.pk}.example",
        client_id="tool",
        auth_url="https://lms.example/auth",
        token_url="https://lms.example/token",
        keyset_url="https://lms.example/jwks",
    )
    deployment = LtiDeployment.objects.create(registration=registration, deployment_id="1")
    context = LtiContext.objects.create(deployment=deployment, id_on_platform="course-1")
    link = LtiResourceLink.objects.create(context=context, id_on_platform="link-1")
    return CourseActivity.objects.create(debate=debate, resource_link=link)


@dataclass(frozen=True)
class Row:
    name: str  # URL name in the `arguments` namespace (or a full admin URL name)
    args: Callable[[Scene], list[Any]]  # URL arguments after the debate's slug
    statuses: dict[str, int]
    data: Callable[[Scene], dict[str, Any]] = field(default=lambda s: {})
    method: str = "post"
    done: Callable[[Scene], bool] | None = None  # did the write happen?
    admin: bool = False  # an admin URL: no slug, `args` are the whole arguments

    def url(self, scene: Scene) -> str:
        if self.admin:
            return reverse(self.name, args=self.args(scene))
        return reverse(f"arguments:{self.name}", args=[scene.debate.slug, *self.args(scene)])


def _accepting_requests(scene: Scene) -> list[Any]:
    """Turn requests to write on (as the owner would); the URL takes no more arguments."""
    Debate.objects.filter(pk=scene.debate.pk).update(accepts_write_requests=True)
    return []


def _write_request(scene: Scene) -> WriteRequest:
    return WriteRequest.objects.create(debate=scene.debate, user=scene.newcomer, message="Hi")


def _team(scene: Scene) -> list[Any]:
    """A team waiting for its copy; the URL takes no more arguments."""
    Team.objects.create(template=scene.debate, name="Red")
    return []


def _task(scene: Scene) -> Task:
    return task_add(actor=scene.debate.owner, debate=scene.debate, kind=Task.Kind.VOTES, count=3)


SCENE_FIELDS = ("debate", "thesis", "pro", "con", "pending", "hidden", "flag", "note", "newcomer")


@pytest.fixture(scope="module")
def _built(django_db_setup: None, django_db_blocker: Any) -> Any:
    """The cast and a public and a private scene, built once per module (per xdist worker:
    392 cases each built them, 45 of their 60 ms) in a transaction rolled back after the
    module. Each case runs in a savepoint of it (pytest-django's own transaction, nested), so
    what a case writes is undone before the next one, as when each built its own."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            cast = make_cast()
            scenes = {}
            for visibility in (Debate.Visibility.PUBLIC, Debate.Visibility.PRIVATE):
                built = build_scene(cast, visibility=visibility)
                scenes[visibility] = {name: getattr(built, name).pk for name in SCENE_FIELDS}
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield cast, scenes
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def cast(_built: Any, db: None) -> Cast:
    """This module's cast (conftest's, made once with the scenes)."""
    return _built[0]


@pytest.fixture
def scene_of(_built: Any, db: None) -> Callable[[str], Scene]:
    """The scene of a visibility, each object read afresh from the database (a case before
    may have changed an object in memory; its rows were rolled back)."""
    models = {
        "debate": Debate, "flag": Flag, "note": Annotation, "newcomer": get_user_model(),
    }  # fmt: skip

    def scene(visibility: str) -> Scene:
        keys = _built[1][visibility]
        return Scene(
            **{name: models.get(name, Claim).objects.get(pk=keys[name]) for name in SCENE_FIELDS}
        )

    return scene


def _refreshed(claim: Claim) -> Claim:
    return Claim.objects.get(pk=claim.pk)


def writers_and_up(ok: int = 302) -> dict[str, int]:
    return expect(
        owner=ok,
        moderator=ok,
        editor=ok,
        writer=ok,
        suggester=403,
        viewer=403,
        anonymous=403,
    )


ROWS: dict[str, Row] = {
    # -- writing in place (the tree's endpoints) --
    "add a pro": Row(
        "claim_add",
        lambda s: [s.thesis.pk],
        # Suggesters may add too: their claim waits for approval.
        expect(
            owner=302,
            moderator=302,
            editor=302,
            writer=302,
            suggester=302,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"stance": "pro", "text": "Open weights let auditors check claims."},
        done=lambda s: Claim.objects.filter(text__startswith="Open weights let auditors").exists(),
    ),
    "edit someone's claim": Row(
        "claim_edit",
        lambda s: [s.con.pk],  # written by the writer: theirs to edit, and editors' and up
        writers_and_up(),
        data=lambda s: {"text": "Released weights can never be recalled."},
        done=lambda s: _refreshed(s.con).text.startswith("Released weights can never"),
    ),
    "cite a source": Row(
        "claim_cite",
        lambda s: [s.con.pk],
        writers_and_up(),
        data=lambda s: {
            "url": "https://example.org/recall-report",
            "title": "On recalling weights",
            "kind": "article",
        },
        done=lambda s: s.con.citations.exists(),
    ),
    "link a claim": Row(
        "claim_link",
        lambda s: [s.pro.pk],
        writers_and_up(),
        data=lambda s: {"claim": s.con.pk, "stance": "con"},
        done=lambda s: s.pro.child_relations.filter(child=s.con).exists(),
    ),
    # -- votes and annotations --
    "vote on a pro": Row(
        "claim_vote",
        lambda s: [s.con.pk],
        # Viewers vote too; a vote is the one thing every signed-in role may do.
        expect(
            owner=302,
            moderator=302,
            editor=302,
            writer=302,
            suggester=302,
            viewer=302,
            anonymous=403,
        ),
        data=lambda s: {"value": "3"},
        done=lambda s: Vote.objects.filter(relation__child=s.con).exists(),
    ),
    "annotate a claim": Row(
        "claim_annotate",
        lambda s: [s.con.pk],
        expect(
            owner=302,
            moderator=302,
            editor=302,
            writer=302,
            suggester=302,
            viewer=302,
            anonymous=403,
        ),
        data=lambda s: {"motivation": "questioning", "body": "Why?", "visibility": "public"},
        done=lambda s: Annotation.objects.filter(claim=s.con, body="Why?").exists(),
    ),
    # -- moderation (this module's own endpoints) --
    "flag a claim": Row(
        "claim_flag",
        lambda s: [s.con.pk],
        # Its author edits it rather than flag it (the tree offers them no Flag either).
        expect(
            owner=302,
            moderator=302,
            editor=302,
            writer=403,
            suggester=302,
            viewer=302,
            anonymous=403,
        ),
        data=lambda s: {"reason": "unclear"},
        done=lambda s: Flag.objects.filter(claim=s.con).exists(),
    ),
    "flag a note": Row(
        "note_flag",
        lambda s: [s.note.pk],
        # The note is the viewer's own: they edit it rather than flag it.
        expect(
            owner=302,
            moderator=302,
            editor=302,
            writer=302,
            suggester=302,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"reason": "unclear"},
        done=lambda s: Flag.objects.filter(annotation=s.note).exists(),
    ),
    "open the flag form": Row(
        "claim_flag",
        lambda s: [s.con.pk],
        expect(
            owner=200,
            moderator=200,
            editor=200,
            writer=403,  # its author
            suggester=200,
            viewer=200,
            anonymous=302,  # to the login page
        ),
        method="get",
    ),
    "ask for review": Row(
        "flag_review",
        lambda s: [s.flag.pk],
        expect(
            owner=403,
            moderator=403,
            editor=403,
            writer=302,  # the flagged claim's author
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        done=lambda s: Flag.objects.get(pk=s.flag.pk).review_requested_at is not None,
    ),
    "resolve a flag on the site": Row(
        "flag_resolve",
        lambda s: [services.flag_raise(actor=s.debate.owner, claim=s.con, reason="spam").pk],
        moderators_only(),
        data=lambda s: {"decision": "dismiss", "note": "Not spam."},
        done=lambda s: Flag.objects.filter(claim=s.con, status=Flag.Status.DISMISSED).exists(),
    ),
    "open a claim's flags": Row(
        "claim_flags", lambda s: [s.pro.pk], moderators_only(200, anonymous=302), method="get"
    ),
    "approve a suggestion": Row(
        "claim_approve",
        lambda s: [s.pending.pk],
        # A suggestion is unseen (404) but by its author (403) and the moderators.
        expect(
            owner=302,
            moderator=302,
            editor=404,
            writer=404,
            suggester=403,
            viewer=404,
            anonymous=404,
        ),
        done=lambda s: _refreshed(s.pending).status == Claim.Status.PUBLISHED,
    ),
    "hide a claim": Row(
        "claim_hide",
        lambda s: [s.con.pk],
        moderators_only(),
        done=lambda s: _refreshed(s.con).status == Claim.Status.HIDDEN,
    ),
    "restore a hidden claim": Row(
        "claim_restore",
        lambda s: [s.hidden.pk],
        # A hidden claim is unseen (404) but by its author (403) and the moderators.
        expect(
            owner=302,
            moderator=302,
            editor=404,
            writer=403,
            suggester=404,
            viewer=404,
            anonymous=404,
        ),
        done=lambda s: _refreshed(s.hidden).status == Claim.Status.PUBLISHED,
    ),
    "open the settings": Row(
        "debate_settings", lambda s: [], moderators_only(200, anonymous=302), method="get"
    ),
    "invite a member": Row(
        "member_grant",
        lambda s: [],
        moderators_only(),
        data=lambda s: {"username": s.newcomer.username, "role": "viewer"},
        done=lambda s: Membership.objects.filter(debate=s.debate, user=s.newcomer).exists(),
    ),
    "remove a member": Row(
        "member_revoke",
        lambda s: [Membership.objects.get(debate=s.debate, role=Role.VIEWER).user_id],
        moderators_only(),
        done=lambda s: not Membership.objects.filter(debate=s.debate, role=Role.VIEWER).exists(),
    ),
    "lock the debate": Row(
        "debate_status",
        lambda s: [],
        moderators_only(),
        data=lambda s: {"status": "locked"},
        done=lambda s: Debate.objects.get(pk=s.debate.pk).status == Debate.Status.LOCKED,
    ),
    "choose the grade formula": Row(
        "debate_grading",
        lambda s: [],
        moderators_only(),
        data=lambda s: {"grade_formula": "claims", "grade_full_marks": "5"},
        done=lambda s: Debate.objects.get(pk=s.debate.pk).grade_formula == "claims",
    ),
    "set the debate's tags": Row(
        "debate_tags",
        lambda s: [],
        moderators_only(),
        data=lambda s: {"tags": "Open source, AI policy"},
        done=lambda s: Debate.objects.get(pk=s.debate.pk).tags.filter(name="AI policy").exists(),
    ),
    # -- the debate's own settings (issue 28): the owner's, and the moderators' part --
    "rename the debate": Row(
        "debate_configure",
        lambda s: ["about"],
        expect(
            owner=302,
            moderator=403,  # the owner's alone
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"title": "A renamed debate?", "description": ""},
        done=lambda s: Debate.objects.get(pk=s.debate.pk).title == "A renamed debate?",
    ),
    "make the debate unlisted": Row(
        "debate_configure",
        lambda s: ["participation"],
        expect(
            owner=302,
            moderator=403,  # may set approval and guided voting, not who reaches the debate
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"visibility": "unlisted", "default_role": "suggester"},
        done=lambda s: Debate.objects.get(pk=s.debate.pk).visibility == "unlisted",
    ),
    "require approval": Row(
        "debate_configure",
        lambda s: ["participation"],
        moderators_only(),
        # The moderators' part of the form: no visibility, no newcomers' role.
        data=lambda s: {"requires_approval": "on", "voting_enabled": "on"},
        done=lambda s: Debate.objects.get(pk=s.debate.pk).requires_approval,
    ),
    "allow an embedding site": Row(
        "debate_configure",
        lambda s: ["embedding"],
        expect(
            owner=302,
            moderator=403,
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"embed_origins": "https://moodle.school.example/course/view.php?id=4"},
        done=lambda s: (
            Debate.objects.get(pk=s.debate.pk).embed_origins == "https://moodle.school.example"
        ),
    ),
    "allow a site from the Embed dialog": Row(
        "embed_origin_add",
        lambda s: [],
        expect(
            owner=302,
            moderator=403,
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"origin": "https://course.school.example"},
        done=lambda s: "course.school" in Debate.objects.get(pk=s.debate.pk).embed_origins,
    ),
    "archive the debate": Row(
        "debate_archive",
        lambda s: [],
        expect(
            owner=302,
            moderator=403,
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"confirm": s.debate.slug},
        done=lambda s: Debate.objects.get(pk=s.debate.pk).archived_at is not None,
    ),
    # Allowed: the course offers no roster, so the answer is a message on the settings page.
    "fetch a course roster": Row(
        "course_roster", lambda s: [_course_activity(s.debate).pk], moderators_only()
    ),
    # -- feedback and grades (issue 37): the owner's and moderators' --
    "write feedback on a claim": Row(
        "claim_feedback",
        lambda s: [s.con.pk],
        moderators_only(),
        data=lambda s: {"body": "Cite a source.", "grade": "6"},
        done=lambda s: ClaimFeedback.objects.filter(claim=s.con).exists(),
    ),
    "open a claim's feedback": Row(
        "claim_feedback",
        lambda s: [s.con.pk],
        # Its author (the writer) reads whatever is released to them; other readers may not.
        expect(
            owner=200,
            moderator=200,
            editor=403,
            writer=200,
            suggester=403,
            viewer=403,
            anonymous=302,  # to the login page
        ),
        method="get",
    ),
    "read my feedback": Row(
        "my_feedback",
        lambda s: [],
        expect(
            owner=200,
            moderator=200,
            editor=200,
            writer=200,
            suggester=200,
            viewer=200,
            anonymous=302,  # to the login page
        ),
        method="get",
    ),
    "grade a participant": Row(
        "participant_grade",
        lambda s: [s.con.author_id],
        moderators_only(),
        data=lambda s: {"grade": "8", "comment": "Well argued."},
        done=lambda s: ParticipantGrade.objects.filter(debate=s.debate).exists(),
    ),
    "release grades": Row(
        "grades_release",
        lambda s: [],
        moderators_only(),
        done=lambda s: Debate.objects.get(pk=s.debate.pk).grades_released_at is not None,
    ),
    "set the grade scale": Row(
        "grade_scale",
        lambda s: [],
        moderators_only(),
        data=lambda s: {"grade_scale": "20"},
        done=lambda s: Debate.objects.get(pk=s.debate.pk).grade_scale == 20,
    ),
    # -- guided voting (issue 37): every signed-in reader who may vote --
    "vote in the guided walk": Row(
        "guided_voting",
        lambda s: [],
        expect(
            owner=302,
            moderator=302,
            editor=302,
            writer=302,
            suggester=302,
            viewer=302,
            anonymous=403,
        ),
        data=lambda s: {"claim": s.thesis.pk, "value": "3"},
        done=lambda s: Vote.objects.filter(thesis=s.thesis).exists(),
    ),
    # -- requests to write (issue 37): allowed by the owner, asked below writer --
    "ask to write": Row(
        "ask_to_write",
        _accepting_requests,
        expect(
            owner=403,
            moderator=403,
            editor=403,
            writer=403,
            suggester=302,
            viewer=302,
            anonymous=403,
        ),
        data=lambda s: {"message": "May I write?"},
        done=lambda s: WriteRequest.objects.filter(debate=s.debate).exists(),
    ),
    "decide a request to write": Row(
        "write_request_decide",
        lambda s: [_write_request(s).pk],
        moderators_only(),
        data=lambda s: {"decision": "accept"},
        done=lambda s: WriteRequest.objects.filter(debate=s.debate, status="accepted").exists(),
    ),
    "suggest names to mention": Row(
        "mention_names",
        lambda s: [],
        expect(
            owner=200,
            moderator=200,
            editor=200,
            writer=200,
            suggester=200,
            viewer=200,
            anonymous=403,
        ),
        method="get",
    ),
    "add a task": Row(
        "debate_tasks",
        lambda s: [],
        moderators_only(),
        data=lambda s: {"kind": "pros", "count": "1", "under": s.thesis.pk},
        done=lambda s: Task.objects.filter(debate=s.debate).exists(),
    ),
    "open the tasks": Row(
        "debate_tasks",
        lambda s: [],
        expect(
            owner=200,
            moderator=200,
            editor=200,
            writer=200,
            suggester=200,
            viewer=200,
            anonymous=302,  # to the login page
        ),
        method="get",
    ),
    "remove a task": Row(
        "task_remove",
        lambda s: [_task(s).pk],
        moderators_only(),
        done=lambda s: Task.objects.filter(debate=s.debate, removed_at__isnull=False).exists(),
    ),
    "make a team": Row(
        "debate_teams",
        lambda s: [],
        expect(
            owner=302,
            moderator=403,
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"name": "Red", "members": "wren"},
        done=lambda s: Team.objects.filter(template=s.debate).exists(),
    ),
    "make a team's join link": Row(
        "debate_teams",
        lambda s: [],
        expect(
            owner=302,
            moderator=403,
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {
            "act": "link",
            "team": Team.objects.get_or_create(template=s.debate, name="Red")[0].pk,
        },
        done=lambda s: ShareLink.objects.filter(team__template=s.debate).exists(),
    ),
    "make a perspective of each team": Row(
        "debate_teams",
        _team,
        expect(
            owner=302,
            moderator=403,
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        data=lambda s: {"act": "perspectives"},
        done=lambda s: Team.objects.filter(template=s.debate, perspective__isnull=False).exists(),
    ),
    "give each team its copy": Row(
        "team_copies",
        _team,
        expect(
            owner=302,
            moderator=403,
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=403,
        ),
        done=lambda s: Team.objects.filter(template=s.debate, status="copying").exists(),
    ),
    "open the teams": Row(
        "debate_teams",
        lambda s: [],
        expect(
            owner=200,
            moderator=403,
            editor=403,
            writer=403,
            suggester=403,
            viewer=403,
            anonymous=302,
        ),
        method="get",
    ),
    "list requests to write": Row(
        "write_requests", lambda s: [], moderators_only(200, anonymous=302), method="get"
    ),
    # -- the admin: only site staff get in; everyone else is sent to the admin's login --
    "admin: hide a claim": Row(
        "admin:arguments_claim_changelist",
        lambda s: [],
        expect(
            owner=302,
            moderator=302,
            editor=302,
            writer=302,
            suggester=302,
            viewer=302,
            anonymous=302,
            stranger_private=302,
        ),
        data=lambda s: {"action": "hide_claims", "_selected_action": [s.con.pk]},
        done=lambda s: _refreshed(s.con).status == Claim.Status.HIDDEN,
        admin=True,
    ),
    "admin: uphold a flag and hide": Row(
        "admin:arguments_flag_changelist",
        lambda s: [],
        expect(
            owner=302,
            moderator=302,
            editor=302,
            writer=302,
            suggester=302,
            viewer=302,
            anonymous=302,
            stranger_private=302,
        ),
        data=lambda s: {
            "action": "uphold_and_hide",
            "_selected_action": [
                services.flag_raise(actor=s.debate.owner, claim=s.con, reason="spam").pk
            ],
        },
        done=lambda s: _refreshed(s.con).status == Claim.Status.HIDDEN,
        admin=True,
    ),
}

SUCCESS = {200, 201, 204, 302}


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("row_name", list(ROWS))
def test_permission_matrix(client, cast, scene_of, row_name: str, persona: str) -> None:
    row = ROWS[row_name]
    if persona == "stranger_private":
        scene = scene_of(Debate.Visibility.PRIVATE)
        user = cast.stranger
    else:
        scene = scene_of(Debate.Visibility.PUBLIC)
        user = cast[persona]
    if persona != "anonymous":
        client.force_login(user)
    url = row.url(scene)
    data = row.data(scene)

    response = getattr(client, row.method)(url, data)

    expected = row.statuses[persona]
    assert response.status_code == expected, (
        f"{row_name} as {persona}: {response.status_code}, expected {expected}"
    )
    if row.admin and response.status_code == 302:
        assert response["Location"].startswith(reverse("admin:login")), "only staff get in"
    if row.done is not None:
        allowed = expected in SUCCESS and not row.admin
        assert row.done(scene) is allowed, f"{row_name} as {persona}: write done = {not allowed}"


def test_staff_pass_the_admin_rows(client, cast, scene_of) -> None:
    """The admin rows above refuse every persona; site staff do get in."""
    scene = scene_of(Debate.Visibility.PUBLIC)
    client.force_login(cast.staff)
    for row_name in ("admin: hide a claim",):
        row = ROWS[row_name]
        response = client.post(row.url(scene), row.data(scene))
        assert response.status_code == 302
        assert row.done is not None and row.done(scene)


def test_every_moderation_url_has_a_row() -> None:
    from arguments import urls

    modules = (".flags", ".approvals", ".debate_settings")
    mine = {p.name for p in urls.urlpatterns if p.callback.__module__.endswith(modules)}
    covered = {row.name for row in ROWS.values()}
    # The claim's moderation page is read-only (its author's or a moderator's view).
    assert mine - covered == {"claim_moderation"}
