"""Id swaps across debates (issue 13): every endpoint that takes the id of a claim, note, flag,
relation or member, given the id of ANOTHER debate's object under the slug of a debate the
user may do anything in (they own it, and are site staff in one variant).

The other debate is a private one the user cannot see, or a public one they can: either way
the answer is a 404 (a form error for an id in the POST body) and nothing is written.
Citations have no endpoint of their own (a claim's sources are edited through the claim).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import TestCase
from django.urls import reverse

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
    Role,
    ShareLink,
    Snapshot,
    Stance,
    Task,
    Team,
    Vote,
    WriteRequest,
)
from arguments.services.snapshots import debate_freeze
from tests.factories import UserFactory
from tests.tables import one_test_per_row
from tests.test_permission_matrix import build_scene
from tests.test_private_debate_matrix import make_cast

pytestmark = pytest.mark.security


@dataclass
class Foreign:
    """Objects of a debate other than the one acted in."""

    debate: Debate
    thesis: Claim
    claim: Claim  # a published pro of the thesis
    pending: Claim
    hidden: Claim
    relation: Relation  # the claim's place under the thesis
    note: Annotation  # a public note on the claim
    flag: Flag  # an upheld flag on the claim
    member: Any  # a member of that debate only


def build_foreign(visibility: str) -> Foreign:
    owner = UserFactory(username=f"other-owner-{visibility}")
    member = UserFactory(username=f"other-member-{visibility}")
    debate = services.debate_create(
        owner=owner,
        title=f"Another {visibility} debate?",
        thesis=f"The other {visibility} thesis holds.",
        visibility=visibility,
        slug=f"other-{visibility}",
    )
    Membership.objects.create(debate=debate, user=member, role=Role.WRITER)
    thesis = debate.claims.get()
    claim = services.claim_add(
        actor=member, parent=thesis, stance=Stance.PRO, text=f"A {visibility} pro."
    )
    services.source_cite(actor=member, claim=claim, url=f"https://example.org/{visibility}")
    hidden = services.claim_add(
        actor=member, parent=thesis, stance=Stance.CON, text=f"A hidden {visibility} con."
    )
    services.claim_hide(actor=owner, claim=hidden)
    debate.requires_approval = True
    debate.save(update_fields=["requires_approval"])
    suggester = UserFactory(username=f"other-suggester-{visibility}")
    Membership.objects.create(debate=debate, user=suggester, role=Role.SUGGESTER)
    pending = services.claim_add(
        actor=suggester, parent=thesis, stance=Stance.PRO, text=f"A pending {visibility} pro."
    )
    note = services.annotation_add(actor=owner, claim=claim, body=f"A {visibility} note.")
    flag = services.flag_raise(actor=owner, claim=claim, reason=Flag.Reason.UNCLEAR)
    services.flag_resolve(actor=owner, flag=flag, uphold=True, note="Restate it.")
    return Foreign(
        debate=debate,
        thesis=thesis,
        claim=claim,
        pending=pending,
        hidden=hidden,
        relation=claim.parent_relations.get(),
        note=note,
        flag=flag,
        member=member,
    )


@dataclass(frozen=True)
class Swap:
    name: str  # URL name in the `arguments` (or `lti`) namespace
    args: Callable[[Any, Foreign], list[Any]]  # URL arguments after the slug: (home, other)
    methods: tuple[str, ...] = ("get", "post")
    data: Callable[[Any, Foreign], dict[str, Any]] = field(default=lambda h, o: {})
    query: Callable[[Any, Foreign], dict[str, str]] = field(default=lambda h, o: {})
    refused: tuple[int, ...] = (404,)  # an id in the body may be a form error instead


def foreign_course(other: Foreign) -> CourseActivity:
    from tests.test_permission_matrix import _course_activity

    return CourseActivity.objects.filter(debate=other.debate).first() or _course_activity(
        other.debate
    )


def foreign_link(other: Foreign) -> ShareLink:
    link, _ = ShareLink.objects.get_or_create(
        debate=other.debate, defaults={"token": f"swap-{other.debate.pk}", "role": "writer"}
    )
    return link


def foreign_perspective(other: Foreign, kind: str) -> Perspective:
    made, _ = Perspective.objects.get_or_create(
        debate=other.debate, kind=kind, name=f"swapped {kind}"
    )
    return made


def foreign_task(other: Foreign) -> Task:
    made, _ = Task.objects.get_or_create(debate=other.debate, kind="votes", defaults={"count": 3})
    return made


def foreign_request(other: Foreign) -> WriteRequest:
    asker = UserFactory(username=f"asker-{other.debate.pk}-{WriteRequest.objects.count()}")
    return WriteRequest.objects.create(debate=other.debate, user=asker, message="May I?")


def frozen(debate: Debate) -> int:
    """The number of the debate's latest snapshot (one taken on first need)."""
    taken = Snapshot.objects.filter(debate=debate).order_by("-number").first()
    return taken.number if taken else debate_freeze(actor=debate.owner, debate=debate).number


def foreign_number(home: Any, other: Foreign) -> int:
    """A snapshot number the other debate has and the home debate has not."""
    while Snapshot.objects.filter(debate=other.debate).count() <= frozen(home.debate):
        debate_freeze(actor=other.debate.owner, debate=other.debate)
    return Snapshot.objects.filter(debate=other.debate).count()


def foreign_team(other: Foreign) -> int:
    return Team.objects.get_or_create(template=other.debate, name="Theirs")[0].pk


def foreign_group(other: Foreign, name: str) -> str:
    group, _ = Perspective.objects.get_or_create(debate=other.debate, kind="group", name=name)
    return f"group:{group.pk}"


SWAPS: dict[str, Swap] = {
    # -- ids in the body or the query of a page without one in its URL --
    "a team's join link": Swap(
        "arguments:debate_teams",
        lambda h, o: [foreign_team(o)][:0],  # made before the snapshot: no URL argument
        ("post",),
        data=lambda h, o: {"act": "link", "team": foreign_team(o)},
        refused=(403, 404),  # staff may not configure a teacher's debate: refused first
    ),
    "cruxes between two teams": Swap(
        "arguments:debate_cruxes",
        lambda h, o: [foreign_group(o, "Red"), foreign_group(o, "Blue")][:0],
        ("get",),
        query=lambda h, o: {
            "by": "perspectives",
            "a": foreign_group(o, "Red"),
            "b": foreign_group(o, "Blue"),
        },
    ),
    # -- a claim's id in the URL --
    "focus page": Swap("arguments:claim", lambda h, o: [o.claim.pk], ("get",)),
    "branch": Swap(
        "arguments:claim",
        lambda h, o: [o.thesis.pk],
        ("get",),
        query=lambda h, o: {"part": "branch"},
    ),
    "why": Swap("arguments:claim_why", lambda h, o: [o.claim.pk], ("get",)),
    "claim map": Swap("arguments:claim_map", lambda h, o: [o.claim.pk], ("get",)),
    "claim map SVG": Swap("arguments:claim_map_svg", lambda h, o: [o.claim.pk], ("get",)),
    "add under": Swap(
        "arguments:claim_add",
        lambda h, o: [o.claim.pk],
        data=lambda h, o: {"stance": "pro", "text": "Planted in another debate."},
    ),
    "edit": Swap(
        "arguments:claim_edit", lambda h, o: [o.claim.pk], data=lambda h, o: {"text": "Swapped."}
    ),
    "cite": Swap(
        "arguments:claim_cite",
        lambda h, o: [o.claim.pk],
        data=lambda h, o: {"url": "https://example.org/swap", "title": "Swap", "kind": "article"},
    ),
    "link under": Swap(
        "arguments:claim_link",
        lambda h, o: [o.claim.pk],
        data=lambda h, o: {"claim": h.con.pk, "stance": "con"},
    ),
    "vote": Swap(
        "arguments:claim_vote",
        lambda h, o: [o.claim.pk],
        ("post",),
        data=lambda h, o: {"value": "4"},
    ),
    "annotate": Swap(
        "arguments:claim_annotate",
        lambda h, o: [o.claim.pk],
        data=lambda h, o: {"motivation": "commenting", "body": "Swapped.", "visibility": "public"},
    ),
    "flag": Swap(
        "arguments:claim_flag", lambda h, o: [o.claim.pk], data=lambda h, o: {"reason": "spam"}
    ),
    "approve": Swap("arguments:claim_approve", lambda h, o: [o.pending.pk], ("post",)),
    "hide": Swap("arguments:claim_hide", lambda h, o: [o.claim.pk], ("post",)),
    "follow": Swap("arguments:claim_follow", lambda h, o: [o.claim.pk], ("post",)),
    "restore": Swap("arguments:claim_restore", lambda h, o: [o.hidden.pk], ("post",)),
    "moderation page": Swap("arguments:claim_moderation", lambda h, o: [o.hidden.pk], ("get",)),
    "embed claim": Swap("arguments:embed_claim", lambda h, o: [o.claim.pk], ("get",)),
    "embed why": Swap("arguments:embed_why", lambda h, o: [o.claim.pk], ("get",)),
    "embed dialog": Swap(
        "arguments:embed_dialog",
        lambda h, o: [],
        ("get",),
        query=lambda h, o: {"claim": str(o.claim.pk)},
    ),
    "LTI claim": Swap("lti:claim", lambda h, o: [o.claim.pk], ("get",)),
    # -- a note's id --
    "reply": Swap(
        "arguments:note_reply",
        lambda h, o: [o.note.pk],
        ("post",),
        data=lambda h, o: {"body": "Swapped."},
    ),
    "edit note": Swap(
        "arguments:note_edit", lambda h, o: [o.note.pk], data=lambda h, o: {"body": "Swapped."}
    ),
    "delete note": Swap("arguments:note_delete", lambda h, o: [o.note.pk], ("post",)),
    "flag note": Swap(
        "arguments:note_flag", lambda h, o: [o.note.pk], data=lambda h, o: {"reason": "spam"}
    ),
    # -- a flag's id --
    "ask for review": Swap("arguments:flag_review", lambda h, o: [o.flag.pk], ("post",)),
    "resolve a flag": Swap(
        "arguments:flag_resolve",
        lambda h, o: [o.flag.pk],
        ("post",),
        data=lambda h, o: {"decision": "dismiss", "note": "Swapped."},
    ),
    "a claim's flags": Swap("arguments:claim_flags", lambda h, o: [o.claim.pk], ("get",)),
    # -- a member's id --
    "revoke": Swap("arguments:member_revoke", lambda h, o: [o.member.pk], ("post",)),
    "participant": Swap("arguments:participant_activity", lambda h, o: [o.member.pk], ("get",)),
    "course roster": Swap(
        "arguments:course_roster", lambda h, o: [foreign_course(o).pk], ("post",)
    ),
    # -- a share link's id --
    "switch a link": Swap(
        "arguments:share_link_switch", lambda h, o: [foreign_link(o).pk], ("post",)
    ),
    "revoke a link": Swap(
        "arguments:share_link_revoke", lambda h, o: [foreign_link(o).pk], ("post",)
    ),
    "hide a link's claims": Swap(
        "arguments:share_link_hide_contributions", lambda h, o: [foreign_link(o).pk], ("post",)
    ),
    # -- a group's id, and perspectives' ids in a parameter or the POST body --
    "set a group's members": Swap(
        "arguments:group_members",
        lambda h, o: [foreign_perspective(o, "group").pk],
        ("post",),
        data=lambda h, o: {"member": [h.pro.author_id]},
    ),
    "remove a group": Swap(
        "arguments:group_delete", lambda h, o: [foreign_perspective(o, "group").pk], ("post",)
    ),
    "see my debate as another debate's group": Swap(
        "arguments:debate",
        lambda h, o: [],
        ("get",),
        query=lambda h, o: {"perspective": f"group:{foreign_perspective(o, 'group').pk}"},
    ),
    "see my debate as another debate's perspective": Swap(
        "arguments:debate",
        lambda h, o: [],
        ("get",),
        query=lambda h, o: {"perspective": f"named:{foreign_perspective(o, 'named').pk}"},
    ),
    "vote as another debate's perspective": Swap(
        "arguments:perspective_voting_as",
        lambda h, o: [],
        ("post",),
        data=lambda h, o: {"perspective": foreign_perspective(o, "named").pk},
    ),
    # -- snapshots: numbers are per debate; a claim must be in the snapshot --
    "another debate's snapshot": Swap(
        "arguments:snapshot", lambda h, o: [foreign_number(h, o)], ("get",)
    ),
    "another debate's claim in my snapshot": Swap(
        "arguments:snapshot_claim", lambda h, o: [frozen(h.debate), o.claim.pk], ("get",)
    ),
    "another debate's snapshot, exported": Swap(
        "arguments:snapshot_export", lambda h, o: [foreign_number(h, o), "kialo"], ("get",)
    ),
    "another debate's snapshot, its map": Swap(
        "arguments:snapshot_map", lambda h, o: [foreign_number(h, o)], ("get",)
    ),
    "activity as of another debate's snapshot": Swap(
        "arguments:debate_activity",
        lambda h, o: [],
        ("get",),
        query=lambda h, o: {"as_of": str(foreign_number(h, o))},
    ),
    "another debate's snapshot, compared": Swap(
        "arguments:snapshot_diff", lambda h, o: [foreign_number(h, o)], ("get",)
    ),
    "my snapshot compared with another debate's": Swap(
        "arguments:snapshot_diff",
        lambda h, o: [frozen(h.debate)],
        ("get",),
        query=lambda h, o: {"to": str(foreign_number(h, o))},
    ),
    # -- teaching: feedback, grades, tasks and requests to write belong to their debate --
    "feedback on another debate's claim": Swap(
        "arguments:claim_feedback",
        lambda h, o: [o.claim.pk],
        data=lambda h, o: {"body": "Swapped.", "grade": "5"},
    ),
    "grade another debate's member": Swap(
        "arguments:participant_grade",
        lambda h, o: [o.member.pk],
        ("post",),
        data=lambda h, o: {"grade": "5", "comment": "Swapped."},
    ),
    "remove another debate's task": Swap(
        "arguments:task_remove", lambda h, o: [foreign_task(o).pk], ("post",)
    ),
    "decide another debate's request to write": Swap(
        "arguments:write_request_decide",
        lambda h, o: [foreign_request(o).pk],
        ("post",),
        data=lambda h, o: {"decision": "accept"},
    ),
    # -- ids in the POST body, under one of the home debate's own claims --
    "link another debate's claim": Swap(
        "arguments:claim_link",
        lambda h, o: [h.pro.pk],
        ("post",),
        data=lambda h, o: {"claim": o.claim.pk, "stance": "con"},
        refused=(404, 422),
    ),
    "vote at another debate's relation": Swap(
        "arguments:claim_vote",
        lambda h, o: [h.con.pk],
        ("post",),
        data=lambda h, o: {"relation": o.relation.pk, "value": "4"},
    ),
    "vote at another debate's relation, its claim": Swap(
        "arguments:claim_vote",
        lambda h, o: [o.claim.pk],
        ("post",),
        data=lambda h, o: {"relation": o.relation.pk, "value": "4"},
    ),
    "flag as duplicate of another debate's claim": Swap(
        "arguments:claim_flag",
        lambda h, o: [h.con.pk],
        ("post",),
        data=lambda h, o: {"reason": "duplicate", "duplicate_of": o.claim.pk},
        refused=(404, 422),
    ),
    # -- the JSON API (issue 32), with the actor's token --
    "API claim": Swap("api:claim_detail", lambda h, o: [o.claim.pk], ("get",)),
    "API hidden claim": Swap("api:claim_detail", lambda h, o: [o.hidden.pk], ("get",)),
    "API tree from another debate's claim": Swap(
        "api:claim_tree", lambda h, o: [], ("get",), query=lambda h, o: {"root": str(o.claim.pk)}
    ),
    "API vote": Swap(
        "api:vote_cast", lambda h, o: [o.claim.pk], ("put",), data=lambda h, o: {"value": 4}
    ),
    "API vote withdrawn": Swap("api:vote_withdraw", lambda h, o: [o.claim.pk], ("delete",)),
    "API vote at another debate's relation": Swap(
        "api:vote_cast",
        lambda h, o: [h.con.pk],
        ("put",),
        data=lambda h, o: {"value": 4, "relation_id": o.relation.pk},
    ),
    "API note": Swap(
        "api:note_add", lambda h, o: [o.claim.pk], ("post",), data=lambda h, o: {"body": "Swap."}
    ),
    "API another debate's snapshot": Swap(
        "api:snapshot_detail", lambda h, o: [foreign_number(h, o)], ("get",)
    ),
    "API another debate's snapshot, its claims": Swap(
        "api:snapshot_claim_list", lambda h, o: [foreign_number(h, o)], ("get",)
    ),
    "API another debate's claim in my snapshot": Swap(
        "api:snapshot_claim", lambda h, o: [frozen(h.debate), o.claim.pk], ("get",)
    ),
    "API another debate's snapshot, exported": Swap(
        "api:snapshot_export", lambda h, o: [foreign_number(h, o), "json"], ("get",)
    ),
    "API another debate's snapshot, compared": Swap(
        "api:snapshot_diff", lambda h, o: [foreign_number(h, o)], ("get",)
    ),
    "API my snapshot compared with another debate's": Swap(
        "api:snapshot_diff",
        lambda h, o: [frozen(h.debate)],
        ("get",),
        query=lambda h, o: {"to": str(foreign_number(h, o))},
    ),
    "API reply to another debate's note": Swap(
        "api:note_add",
        lambda h, o: [h.con.pk],
        ("post",),
        data=lambda h, o: {"body": "Swapped.", "parent_id": o.note.pk},
    ),
}


def snapshot() -> tuple[Any, ...]:
    """Everything a write could change, in every debate."""
    return (
        sorted(Debate.objects.values_list("pk", "status", "structure_version")),
        sorted(Claim.objects.values_list("pk", "debate_id", "text", "status")),
        sorted(Relation.objects.values_list("pk", "debate_id", "parent_id", "child_id")),
        sorted(Citation.objects.values_list("pk", "claim_id", "source_id")),
        sorted(Annotation.objects.values_list("pk", "claim_id", "parent_id", "body", "status")),
        sorted(Flag.objects.values_list("pk", "claim_id", "annotation_id", "review_requested_at")),
        sorted(Membership.objects.values_list("debate_id", "user_id", "role")),
        sorted(Vote.objects.values_list("pk", "relation_id", "value")),
        sorted(Perspective.objects.values_list("pk", "debate_id", "name", "version")),
        sorted(Perspective.members.through.objects.values_list("perspective_id", "user_id")),
        sorted(ClaimFeedback.objects.values_list("pk", "claim_id", "body", "grade")),
        sorted(ParticipantGrade.objects.values_list("pk", "debate_id", "user_id", "grade")),
        sorted(Task.objects.values_list("pk", "debate_id", "removed_at")),
        sorted(WriteRequest.objects.values_list("pk", "debate_id", "status")),
    )


class CrossDebateIds(TestCase):
    """The world (a home debate and two others) is built once; each swap is one test."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.cast = make_cast()
        cls.home = build_scene(cls.cast)  # public; the owner owns it
        cls.others = {
            "private": build_foreign(Debate.Visibility.PRIVATE),
            "public": build_foreign(Debate.Visibility.PUBLIC),
        }
        for other in cls.others.values():  # named by some swaps: made before any snapshot
            foreign_perspective(other, "group"), foreign_perspective(other, "named")
        cls.tokens = {
            actor: services.token_create(actor=cls.cast[actor], name="swap", scope="write")[1]
            for actor in ("owner", "staff")
        }

    def ask(self, swap: Swap, actor: str, url: str, method: str, other: Foreign) -> Any:
        """An API request with the actor's token (the API reads no session)."""
        query = swap.query(self.home, other)
        if query:
            url = f"{url}?{urlencode(query)}"
        return self.client.generic(
            method.upper(),
            url,
            json.dumps(swap.data(self.home, other)) if method != "get" else "",
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.tokens[actor]}"},
        )

    def check(self, swap_name: str) -> None:
        swap = SWAPS[swap_name]
        home, others = self.home, self.others
        wrong = []
        for actor in ("owner", "staff"):
            self.client.force_login(self.cast[actor])
            for which, other in others.items():
                url = reverse(swap.name, args=[home.debate.slug, *swap.args(home, other)])
                for method in swap.methods:
                    before = snapshot()
                    for htmx in (False, True):
                        headers = {"HX-Request": "true"} if htmx else {}
                        if swap.name.startswith("api:"):
                            response = self.ask(swap, actor, url, method, other)
                        elif method == "get":
                            response = self.client.get(
                                url, swap.query(home, other), headers=headers
                            )
                        else:
                            response = self.client.post(
                                url, swap.data(home, other), headers=headers
                            )
                        said = f"as {actor}, {which} debate's id, {method.upper()} htmx={htmx}"
                        if response.status_code not in swap.refused:
                            expected = " or ".join(map(str, swap.refused))
                            wrong.append(f"{said}: {response.status_code}, expected {expected}")
                        text = response.content.decode(errors="replace")
                        for secret in (other.claim.text, other.hidden.text, other.pending.text):
                            if secret in text:
                                wrong.append(f"{said}: shows {secret!r}")
                    if snapshot() != before:
                        wrong.append(f"as {actor}, {which} debate's id, {method.upper()}: written")
        assert not wrong, f"{swap_name}:\n  " + "\n  ".join(wrong)


one_test_per_row(CrossDebateIds, SWAPS, "{}: another debate's id under my debate's slug")


def test_the_swaps_cover_every_id_taking_url() -> None:
    """Every URL under a debate that takes an object's id has a swap."""
    from django.urls import get_resolver

    from tests.test_private_debate_matrix import _patterns

    taking_ids = {
        name
        for name, route in _patterns(get_resolver())
        if ("<slug:slug>" in route and "<int:" in route)
        or (name.startswith("api:") and ("<claim_id>" in route or "<number>" in route))
    }
    missing = taking_ids - {s.name for s in SWAPS.values()}
    assert not missing, f"add a Swap to SWAPS for each of: {sorted(missing)}"


# -- ids and names that reach past what the user may see ------------------------------------


def test_citing_by_title_does_not_reach_another_debates_source(client, cast) -> None:
    home = build_scene(cast)
    other = build_foreign(Debate.Visibility.PRIVATE)
    secret = services.source_cite(
        actor=other.member,
        claim=other.claim,
        url="https://intranet.example.org/plan-b",
        title="The plan B memo",
    ).source
    client.force_login(cast.owner)
    url = reverse("arguments:claim_cite", args=[home.debate.slug, home.con.pk])
    known = client.post(url, {"title": "The plan B memo", "kind": "article"})
    unknown = client.post(url, {"title": "A memo nobody wrote", "kind": "article"})
    assert not Citation.objects.filter(claim__debate=home.debate, source=secret).exists()
    assert known.status_code == unknown.status_code, "the answer tells the title exists"
    client.get(reverse("arguments:claim", args=[home.debate.slug, home.con.pk]))
    page = client.get(reverse("arguments:claim", args=[home.debate.slug, home.con.pk]))
    assert secret.url not in page.content.decode()


def test_a_reply_to_a_note_i_cannot_see_is_a_404(client, cast) -> None:
    home = build_scene(cast)
    private = services.annotation_add(
        actor=cast.viewer, claim=home.con, body="My own thoughts.", visibility="private"
    )
    client.force_login(cast.writer)
    before = snapshot()
    reply = client.post(
        reverse("arguments:note_reply", args=[home.debate.slug, private.pk]), {"body": "Hi."}
    )
    missing = client.post(
        reverse("arguments:note_reply", args=[home.debate.slug, private.pk + 1000]),
        {"body": "Hi."},
    )
    assert (reply.status_code, missing.status_code) == (404, 404)
    assert snapshot() == before, "a reply to an unseen note was written"


def test_the_service_refuses_a_reply_to_a_note_one_cannot_see(cast) -> None:
    home = build_scene(cast)
    private = services.annotation_add(
        actor=cast.viewer, claim=home.con, body="My own thoughts.", visibility="private"
    )
    with pytest.raises((PermissionDenied, ValidationError, Http404)):
        services.annotation_add(actor=cast.writer, claim=home.con, body="Hi.", parent=private)
