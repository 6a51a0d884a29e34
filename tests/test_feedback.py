"""Feedback and grades (issue 37, part 1): teachers write, students read once released, the
activity table and CSV carry the grades, the LTI score can follow the released grade."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from arguments import services
from arguments.models import Debate, GradeFormula, Notification, Role, Stance
from arguments.reading.feedback import feedback_of, grades_by_user
from arguments.reading.lens import Lens
from arguments.services.feedback import (
    claim_feedback_set,
    grade_scale_set,
    grades_release,
    participant_grade_set,
)
from arguments.services.grades import Participation, participation_by_user, score_of
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET = "Good evidence, but it answers the wrong parent."


def feedback_url(debate: Debate, claim_id: int) -> str:
    return reverse("arguments:claim_feedback", args=[debate.slug, claim_id])


@pytest.fixture
def graded(cast, debate, pro):
    """The owner's feedback and a 7 on the writer's pro, and an overall 8; nothing released."""
    claim_feedback_set(actor=cast.owner, claim=pro, body=SECRET, grade=7)
    participant_grade_set(
        actor=cast.owner, debate=debate, user=cast.writer, grade=8, comment="Well argued."
    )
    return debate


def test_the_owner_and_moderators_give_feedback_and_nobody_else(cast, debate, pro):
    claim_feedback_set(actor=cast.moderator, claim=pro, body="Cite it.", grade=None)
    for persona in ("editor", "writer", "suggester", "viewer", "stranger", "anonymous"):
        with pytest.raises(PermissionDenied):
            claim_feedback_set(actor=cast[persona], claim=pro, body="Mine.", grade=1)
    mine = services.claim_add(actor=cast.owner, parent=pro, stance=Stance.PRO, text="Owner's.")
    with pytest.raises(PermissionDenied):  # one's own claim: nobody to give it to
        claim_feedback_set(actor=cast.owner, claim=mine, body="Self.", grade=1)
    with pytest.raises(PermissionDenied):
        participant_grade_set(
            actor=cast.writer, debate=debate, user=cast.viewer, grade=1, comment=""
        )
    with pytest.raises(PermissionDenied):
        grades_release(actor=cast.editor, debate=debate)


def test_a_grade_stays_on_the_debates_scale(cast, debate, pro):
    with pytest.raises(ValidationError):
        claim_feedback_set(actor=cast.owner, claim=pro, body="", grade=11)  # scale: 0 to 10
    claim_feedback_set(actor=cast.owner, claim=pro, body="", grade=9)
    with pytest.raises(ValidationError):
        grade_scale_set(actor=cast.owner, debate=debate, scale=5)  # below a 9 already given
    assert grade_scale_set(actor=cast.owner, debate=debate, scale=20).grade_scale == 20


def test_nothing_shows_to_the_student_before_the_release(client, cast, graded, pro):
    client.force_login(cast.writer)
    page = client.get(feedback_url(graded, pro.pk))
    assert page.status_code == 200 and "Not released yet" in page.content.decode()
    assert SECRET not in page.content.decode()
    mine = client.get(reverse("arguments:my_feedback", args=[graded.slug])).content.decode()
    assert SECRET not in mine and "Well argued" not in mine
    assert not feedback_of(Lens.of(graded, cast.writer)).released


def test_other_readers_never_see_it(client, cast, graded, pro):
    grades_release(actor=cast.owner, debate=graded)
    for persona in ("editor", "suggester", "viewer", "stranger"):
        client.force_login(cast[persona])
        page = client.get(feedback_url(graded, pro.pk))
        assert page.status_code == 403, persona
        assert SECRET not in page.content.decode()
        mine = client.get(reverse("arguments:my_feedback", args=[graded.slug])).content.decode()
        assert SECRET not in mine
    client.logout()
    page = client.get(feedback_url(graded, pro.pk))
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]


def test_a_private_debates_feedback_is_a_404_to_outsiders(client, cast):
    debate = services.debate_create(
        owner=cast.owner, title="Private?", thesis="A thesis.", visibility="private"
    )
    MembershipFactory(debate=debate, user=cast.writer, role=Role.WRITER)
    claim = services.claim_add(
        actor=cast.writer, parent=debate.claims.get(), stance=Stance.PRO, text="Mine."
    )
    claim_feedback_set(actor=cast.owner, claim=claim, body=SECRET, grade=3)
    client.force_login(cast.stranger)
    assert client.get(feedback_url(debate, claim.pk)).status_code == 404
    assert client.post(feedback_url(debate, claim.pk), {"body": "x"}).status_code == 404
    assert client.get(reverse("arguments:my_feedback", args=[debate.slug])).status_code == 404


def test_the_release_shows_everything_and_notifies_the_author(client, cast, graded, pro, now):
    with now():
        client.force_login(cast.owner)
        answer = client.post(reverse("arguments:grades_release", args=[graded.slug]))
    assert answer.status_code == 302
    notice = Notification.objects.get(recipient=cast.writer, kind=Notification.Kind.FEEDBACK)
    assert notice.url == reverse("arguments:my_feedback", args=[graded.slug])
    assert "olivia" not in notice.text  # no teacher named
    client.force_login(cast.writer)
    page = client.get(feedback_url(graded, pro.pk)).content.decode()
    assert "Good evidence, but it answers the wrong parent." in page and "7" in page
    mine = client.get(notice.url).content.decode()
    assert "Well argued." in mine and "8</strong> / 10" in mine
    # The claim's page now links to its feedback for its author.
    assert feedback_url(graded, pro.pk) in client.get(pro.get_absolute_url()).content.decode()
    # Feedback written after the release reaches its author at once.
    with now():
        claim_feedback_set(actor=cast.moderator, claim=pro, body="One more thing.", grade=7)
    assert Notification.objects.filter(recipient=cast.writer, kind="feedback").count() == 2


def test_a_release_to_one_student_is_theirs_alone(cast, debate, pro, con, thesis):
    other = services.claim_add(actor=cast.editor, parent=thesis, stance=Stance.PRO, text="Eddie.")
    claim_feedback_set(actor=cast.owner, claim=pro, body=SECRET, grade=5)
    claim_feedback_set(actor=cast.owner, claim=other, body="For Eddie.", grade=4)
    grades_release(actor=cast.owner, debate=debate, user=cast.writer)
    assert feedback_of(Lens.of(debate, cast.writer)).claims[0].grade == 5
    assert not feedback_of(Lens.of(debate, cast.editor)).released
    grades = grades_by_user(debate)
    assert grades[cast.writer.pk].released and not grades[cast.editor.pk].released


def test_a_pseudonymous_debate_names_the_student_by_pseudonym(client, cast, debate, pro):
    services.debate_make_pseudonymous(actor=cast.owner, debate=debate)
    client.force_login(cast.owner)
    page = client.get(feedback_url(debate, pro.pk)).content.decode()
    assert "Feedback for " in page and "wren" not in page


def test_the_teacher_writes_without_javascript_and_with_htmx(client, cast, debate, pro):
    client.force_login(cast.moderator)
    url = feedback_url(debate, pro.pk)
    page = client.get(url)
    assert page.status_code == 200 and 'name="body"' in page.content.decode()
    answer = client.post(url, {"body": "**Cite** a source.", "grade": "6"})
    assert answer.status_code == 302 and answer["Location"] == url
    assert pro.feedback.grade == 6
    fragment = client.post(url, {"body": "Better.", "grade": "7"}, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body and 'id="feedback-panel"' in body
    wrong = client.post(url, {"body": "x", "grade": "99"}, headers={"HX-Request": "true"})
    assert wrong.status_code == 422 and "from 0 to 10" in wrong.content.decode()


def test_the_overall_grade_and_its_release_from_the_participants_page(client, cast, debate, pro):
    client.force_login(cast.owner)
    page = client.get(reverse("arguments:participant_activity", args=[debate.slug, cast.writer.pk]))
    assert 'name="comment"' in page.content.decode()
    url = reverse("arguments:participant_grade", args=[debate.slug, cast.writer.pk])
    assert client.post(url, {"grade": "9", "comment": "Fine."}).status_code == 302
    assert client.post(url, {"grade": "11", "comment": ""}).status_code == 422
    release = reverse("arguments:grades_release", args=[debate.slug])
    assert client.post(release, {"user": cast.writer.pk}).status_code == 302
    assert feedback_of(Lens.of(debate, cast.writer)).grade == 9


def test_the_activity_table_and_csv_carry_the_grades(client, cast, graded):
    client.force_login(cast.moderator)
    page = client.get(reverse("arguments:debate_activity", args=[graded.slug])).content.decode()
    assert "Release all feedback and grades" in page and "8 / 10" in page
    response = client.get(reverse("arguments:debate_activity_csv", args=[graded.slug]))
    rows = {r["username"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    wren = rows["wren"]
    assert (wren["grade"], wren["claim_grade_mean"], wren["graded_claims"], wren["released"]) == (
        "8", "7.0", "1", "False",
    )  # fmt: skip


def test_the_lti_score_can_be_the_released_grade(cast, graded):
    graded.grade_formula = GradeFormula.RELEASED_GRADE
    before = participation_by_user(graded, [cast.writer.pk])[cast.writer.pk]
    assert before.released_grade is None and score_of(graded, before) is None  # nothing sent
    grades_release(actor=cast.owner, debate=graded)
    graded.refresh_from_db()
    graded.grade_formula = GradeFormula.RELEASED_GRADE
    after = participation_by_user(graded, [cast.writer.pk])[cast.writer.pk]
    assert score_of(graded, after) == 80.0  # 8 out of 10
    assert score_of(graded, Participation(released_grade=10)) == 100.0


def test_a_stranger_cannot_be_graded(cast):
    debate = services.debate_create(
        owner=cast.owner, title="Private?", thesis="A thesis.", visibility="private"
    )
    with pytest.raises(ValidationError):
        participant_grade_set(
            actor=cast.owner, debate=debate, user=UserFactory(), grade=1, comment=""
        )
