"""A class joins by a share link, in real Chromium browsers (issue 20): the teacher makes a
writer link with instant access, a student opens it in a fresh browser, picks a name, adds a
con, and the teacher's activity table and CSV show it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from arguments import services
from arguments.models import Membership, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a sturdy passphrase 42"


def test_a_student_joins_by_link_with_a_name_and_the_teacher_sees_it(browser, live_server):
    teacher = UserFactory(username="teacher", password=PASSWORD)
    debate = services.debate_create(owner=teacher, title="Open weights?", thesis="Release them.")
    Membership.objects.filter(debate=debate, user=teacher).update(role=Role.OWNER)

    desk = browser.new_context(base_url=live_server.url).new_page()
    desk.goto("/accounts/login/")
    desk.fill("input[name=login]", "teacher")
    desk.fill("input[name=password]", PASSWORD)
    desk.click("form button[type=submit]")
    desk.goto(f"/d/{debate.slug}/settings/share/")
    desk.select_option("select[name=role]", "writer")
    desk.check("input[name=instant_access]")
    desk.get_by_role("button", name="Make the link").click()
    link = desk.locator(".share-url").first.input_value()
    expect(desk.locator(".share-qr svg").first).to_be_visible()

    student = browser.new_context().new_page()  # a fresh browser: no cookies, no account
    student.goto(link)
    student.fill("input[name=display_name]", "Ada L.")
    student.get_by_role("button", name="Join").click()
    expect(student.get_by_text("Welcome to")).to_be_visible()
    thesis = student.locator('[role="treeitem"]').first  # the thesis's card
    thesis.locator(".column-adds").get_by_role("link", name="Add con").click()
    student.locator(".slot form textarea[name=text]").fill("Weights leak anyway.")
    student.locator(".slot form").get_by_role("button", name="Add con").click()
    # In the tree (the "Needs you" panel, refreshed after the write, may name it too).
    expect(student.get_by_role("tree").get_by_text("Weights leak anyway.")).to_be_visible()

    desk.goto(f"/d/{debate.slug}/settings/activity/")
    row = desk.locator("tr", has_text="ada-l")
    expect(row).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text("1")  # claims
    with desk.expect_download() as download:
        desk.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text()
    assert "ada-l" in text and ",writer,1," in text
    desk.goto(f"/d/{debate.slug}/settings/share/")
    expect(desk.get_by_text("Used 1 time")).to_be_visible()
