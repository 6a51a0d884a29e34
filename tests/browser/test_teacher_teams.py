"""A teacher teaches with debates, in real Chromium (issue 37, "Done when"): a teacher who is
not site staff prepares a template debate, makes three teams of two students (each team
joins through its own link), gives each team its copy (the real task worker makes them while
the teams table updates itself), sets a task in a team's copy ("one pro with a source under
the thesis"); the students do it, one mentioning the other; the teacher writes feedback and
a grade on one claim, an overall grade, and releases grades; the student sees the feedback
and the notification; the activity CSV shows task completion and grades; the LTI score sent
to the course (an independent platform on a local port) follows the released grade."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from lti_tool.models import LtiRegistration, LtiUser
from playwright.sync_api import expect

from arguments.models import Claim, Debate, GradeFormula, Notification, Role, Team
from arguments.tasks.worker import run_all
from tests.browser.test_teacher_alone import signed_in_page
from tests.factories import UserFactory
from tests.test_lti_platform import graded_link, learner_launch, platform  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

TITLE = "Should every school teach programming?"
THESIS = "Every school should teach programming."


def posted(response) -> bool:
    return response.request.method == "POST"


TEAMS = {"Red": ("ada", "bo"), "Green": ("cy", "di"), "Blue": ("ed", "flo")}


def test_a_teacher_runs_teams_tasks_feedback_and_grades(browser, live_server, client, platform):  # noqa: F811
    teacher = UserFactory(username="ms-hopper", is_staff=False)
    students = {name: UserFactory(username=name) for names in TEAMS.values() for name in names}
    desk = signed_in_page(browser, live_server, teacher)

    # The template debate.
    desk.goto(reverse("arguments:debate_new"))
    desk.get_by_label("Question").fill(TITLE)
    desk.get_by_label("Thesis").fill(THESIS)
    desk.get_by_role("button", name="Start the debate").click()
    expect(desk.get_by_role("heading", name=TITLE)).to_be_visible()
    template = Debate.objects.get(title=TITLE)
    assert template.owner == teacher and not teacher.is_staff

    # Three teams, each with its own join link; two students join each.
    teams_url = reverse("arguments:debate_teams", args=[template.slug])
    desk.goto(teams_url)
    for name in TEAMS:
        desk.get_by_label("Team name").fill(name)
        desk.get_by_role("button", name="Make the team").click()
        expect(desk.get_by_text("Team made.")).to_be_visible()
        desk.get_by_role("button", name=f"Make a join link for {name}").click()
    links = {name: desk.get_by_label(f"Join link of {name}").input_value() for name in TEAMS}
    for team, names in TEAMS.items():
        for name in names:
            student = signed_in_page(browser, live_server, students[name])
            student.goto(links[team])
            student.get_by_role("button", name=f"Join as {name}").click()
            expect(student.get_by_role("heading", name=TITLE)).to_be_visible()
            student.context.close()
    for team, names in TEAMS.items():
        assert sorted(Team.objects.get(name=team).members.values_list("username", flat=True)) == [
            *names
        ]

    # Each team gets its copy: the worker makes them; the table updates itself meanwhile.
    desk.goto(teams_url)
    desk.get_by_role("button", name="Give each team its own copy").click()
    expect(desk.get_by_text("this table updates itself")).to_be_visible()
    run_all()  # the task worker's own code, as `manage.py run_tasks` runs it
    table = desk.locator("#teams-table")
    expect(table.get_by_role("link", name="map")).to_have_count(3, timeout=30_000)
    expect(desk.get_by_text("this table updates itself")).to_have_count(0)
    red = Team.objects.select_related("copy").get(name="Red").copy
    assert red is not None and red.owner == teacher
    thesis = red.claims.get(is_thesis=True)

    # The course links Red's copy as a graded activity; Ada launches it from the course.
    registration = LtiRegistration.objects.get(issuer=platform.url)
    LtiUser.objects.create(registration=registration, sub="teacher-1", auth_user=teacher)
    LtiUser.objects.create(registration=registration, sub="learner-1", auth_user=students["ada"])
    item = graded_link(client, platform, red)
    assert learner_launch(client, platform, item, "learner-1").status_code == 303
    client.logout()

    # The task, in Red's copy: one pro under the thesis, and one source.
    desk.goto(reverse("arguments:debate_tasks", args=[red.slug]))
    for kind, under in (("pros", str(thesis.pk)), ("sources", "")):
        desk.get_by_label("Students should").select_option(kind)
        desk.get_by_label("How many").fill("1")
        desk.get_by_label("Under").select_option(under)
        desk.get_by_role("button", name="Add task").click()
    expect(desk.locator(".tasks-manage").get_by_text("Write 1 pro under “Every")).to_be_visible()
    expect(desk.locator(".tasks-manage").get_by_text("Cite 1 source")).to_be_visible()

    # The students do it; Ada mentions Bo.
    written = {}
    for name, text in (
        ("ada", "Programming teaches precise thinking, as @bo showed last week."),
        ("bo", "Software runs most of the jobs students will hold."),
    ):
        page = signed_in_page(browser, live_server, students[name])
        page.goto(reverse("arguments:debate", args=[red.slug]))
        expect(page.get_by_text("Write 1 pro under")).to_be_visible()  # the tasks panel
        page.goto(reverse("arguments:claim_add", args=[red.slug, thesis.pk]) + "?stance=pro")
        page.locator("form.claim-form textarea[name=text]").fill(text)
        page.locator("form.claim-form button[type=submit]").first.click()
        claim = Claim.objects.get(debate=red, text=text)
        written[name] = claim
        page.goto(reverse("arguments:claim_cite", args=[red.slug, claim.pk]))
        page.locator("main input[name=url]").fill(f"https://example.org/{name}-study")
        page.locator("main form button[type=submit]").first.click()
        page.goto(reverse("arguments:debate_tasks", args=[red.slug]))
        expect(page.locator("#my-tasks .task-done")).to_have_count(2)
        page.context.close()
    assert all(claim.citations.exists() for claim in written.values())

    # Feedback and a grade on Ada's claim, an overall grade, then the release.
    desk.goto(reverse("arguments:claim_feedback", args=[red.slug, written["ada"].pk]))
    desk.get_by_role("textbox", name="Feedback").fill(
        "Good evidence; now answer the strongest con."
    )
    desk.get_by_label("Grade").fill("8")
    with desk.expect_response(posted):
        desk.get_by_role("button", name="Save feedback").click()
    expect(desk.get_by_text("Not released yet: only the debate's moderators")).to_be_visible()
    desk.goto(reverse("arguments:participant_activity", args=[red.slug, students["ada"].pk]))
    desk.get_by_role("spinbutton", name="Overall grade").fill("9")
    with desk.expect_response(posted):
        desk.get_by_role("button", name="Save grade").click()
    desk.goto(reverse("arguments:debate_activity", args=[red.slug]))
    with desk.expect_response(posted):
        desk.get_by_role("button", name="Release all feedback and grades").click()
    red.refresh_from_db()
    assert red.grades_released_at is not None
    run_all()  # the notices: the worker tells each student

    # Ada sees the notification and her feedback; Bo hears of the mention.
    ada = signed_in_page(browser, live_server, students["ada"])
    ada.goto(reverse("arguments:notifications"))
    expect(ada.get_by_text("Your feedback and grades in")).to_be_visible()
    ada.goto(reverse("arguments:my_feedback", args=[red.slug]))
    expect(ada.get_by_text("Good evidence; now answer the strongest con.")).to_be_visible()
    expect(ada.get_by_text("9", exact=False).first).to_be_visible()
    ada.context.close()
    assert Notification.objects.filter(
        recipient=students["bo"], kind=Notification.Kind.MENTION
    ).exists()

    # The activity CSV: task completion and grades.
    desk.goto(reverse("arguments:debate_activity", args=[red.slug]))
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Download as CSV").click()
    rows = {
        r["username"]: r
        for r in csv.DictReader(io.StringIO(Path(download.value.path()).read_text()))
    }
    assert rows["ada"]["tasks_complete"] == "2" and rows["bo"]["tasks_complete"] == "2"
    assert rows["ada"]["grade"] == "9" and rows["ada"]["released"] == "True"
    assert rows["ada"]["graded_claims"] == "1" and rows["ada"]["claim_grade_mean"].startswith("8")

    # The teacher chooses the released grade for the course; its score follows.
    desk.goto(reverse("arguments:debate_settings", args=[red.slug]))
    desk.get_by_label("The overall grade I give, once released").check()
    with desk.expect_response(posted):
        desk.get_by_role("button", name="Save grading").click()
    red.refresh_from_db()
    assert red.grade_formula == GradeFormula.RELEASED_GRADE
    call_command("lti_sync_scores", stdout=io.StringIO())
    (score,) = platform.scores
    assert (score["userId"], score["scoreGiven"]) == ("learner-1", 90.0)  # 9 of 10
    assert red.memberships.get(user=students["ada"]).role == Role.WRITER
