"""Take the README's screenshots from the running app, in Debian's Chromium.

    .venv/bin/python docs/screenshots/take.py

Builds a throwaway SQLite database with the demo debates, serves it on a free port, signs in a
fresh user (who moderates the main debate) and photographs every page at desktop (1280x800,
`<page>.png`) and phone width (390x844, `<page>-phone.png`). Writes PNG files beside this script.

    SHOTS_ONLY=snapshot-map,snapshot .venv/bin/python docs/screenshots/take.py

takes only the named pages of PAGES (both widths), for a change that touched only those.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.request import urlopen

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
# SHOTS="teams,tasks" (or SHOTS_ONLY) takes only those pages (and the feedback panel).
ONLY = {
    name
    for name in (os.environ.get("SHOTS", "") + "," + os.environ.get("SHOTS_ONLY", "")).split(",")
    if name
}
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = os.environ | {"DATABASE_URL": f"sqlite:///{folder}/shots.sqlite3"}
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "seed_demo"], env=env, check=True, capture_output=True)
        port = free_port()
        server = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(600):  # a loaded machine may take a minute to serve
                try:
                    urlopen(base + "/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base, env)
        finally:
            server.terminate()
            server.wait()


# Every page a reader meets: (file name, address). Each is taken at desktop and phone width.
PAGES = [
    ("debates", "/"),
    ("debate", "/d/open-weight-ai/"),
    ("debate-new", "/d/phones-in-class/"),
    ("search", "/d/open-weight-ai/search/?q=weights"),
    ("map", "/d/open-weight-ai/map/"),
    ("embed", "/embed/d/open-weight-ai/"),
    ("embed-dialog", "/d/open-weight-ai/embed/"),
    ("settings", "/d/open-weight-ai/settings/"),
    ("import", "/import/"),
    ("profile", "/me/"),
    ("explore", "/explore/"),
    ("cruxes", "/d/open-weight-ai/cruxes/"),
    ("gaps", "/d/open-weight-ai/gaps/"),
    ("activity", "/d/open-weight-ai/activity/"),
    ("notifications", "/notifications/"),
    ("groups", "/d/open-weight-ai/settings/groups/"),
    # The moderators' admin, scoped to the debates the reader moderates (issue 28).
    ("snapshot", "/d/open-weight-ai/v/1/"),
    ("snapshots", "/d/open-weight-ai/v/"),
    ("snapshot-diff", "/d/open-weight-ai/v/1/diff/"),
    ("snapshot-map", "/d/open-weight-ai/v/1/map/"),
    ("activity-as-of", "/d/open-weight-ai/settings/activity/?as_of=1"),
    ("moderate", "/moderate/"),
    ("moderate-claims", "/moderate/arguments/claim/"),
    # The opinion map (issue 33), with planted voters and the reader among them.
    ("opinions", "/d/open-weight-ai/opinions/"),
    # Teaching (issue 37): guided voting, the task list, the teams overview.
    ("guided-voting", "/d/open-weight-ai/guided/"),
    ("tasks", "/d/open-weight-ai/tasks/"),
    ("teams", "/d/open-weight-ai/teams/"),
]
SIGNED_OUT = [("login", "/accounts/login/"), ("signup", "/accounts/signup/")]
SIZES = {"": {"width": 1280, "height": 800}, "-phone": {"width": 390, "height": 844}}


def make_moderator(env: dict[str, str], username: str) -> None:
    """The reader owns the main debate (an owner moderates it), so its whole settings page and
    the moderators' admin can be photographed too."""
    code = (
        "from django.contrib.auth import get_user_model; from arguments.models import *; "
        f"u = get_user_model().objects.get(username='{username}'); "
        "d = Debate.objects.get(slug='open-weight-ai'); "
        "Debate.objects.filter(pk=d.pk).update(owner=u); "
        "Membership.objects.filter(debate=d, role=Role.OWNER).update(role=Role.MODERATOR); "
        "Membership.objects.update_or_create(debate=d, user=u, defaults={'role': Role.OWNER})"
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "shell", "-c", code], env=env, check=True, capture_output=True)


def make_empty_debate(env: dict[str, str], username: str) -> None:
    """A debate the reader has just created: a thesis and nothing under it yet."""
    code = (
        "from django.contrib.auth import get_user_model; from arguments import services; "
        f"u = get_user_model().objects.get(username='{username}'); "
        "services.debate_create(owner=u, title='Should our school ban phones in class?', "
        "thesis='Phones should be banned in class.', slug='phones-in-class')"
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "shell", "-c", code], env=env, check=True, capture_output=True)


def make_snapshot(env: dict[str, str], username: str) -> None:
    """Version 1 of the main debate, frozen by the reader (its owner); then a new con, so
    the diff with now has something to show."""
    code = (
        "from django.contrib.auth import get_user_model; from arguments import services; "
        "from arguments.models import Debate; "
        "from arguments.services.snapshots import debate_freeze; "
        f"u = get_user_model().objects.get(username='{username}'); "
        "d = Debate.objects.get(slug='open-weight-ai'); "
        "debate_freeze(actor=u, debate=d, note='as the class saw it'); "
        "t = d.claims.filter(is_thesis=True).first(); "
        "services.claim_add(actor=u, parent=t, stance='con', "
        "text='Frozen versions make this debate citable, whatever happens next.')"
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "shell", "-c", code], env=env, check=True, capture_output=True)


def make_opinions(env: dict[str, str], username: str) -> None:
    """Voters in three camps (the reader in the first) and the opinion map computed as the
    task worker would: the tallies stay as seeded, so the other pages do not change."""
    code = (
        "from django.contrib.auth import get_user_model; from arguments.models import Debate; "
        "from arguments.bench.opinions import plant_camps; "
        "from arguments.tasks.opinions import opinions_compute; "
        f"u = get_user_model().objects.get(username='{username}'); "
        "d = Debate.objects.get(slug='open-weight-ai'); "
        "plant_camps(d, voters=44, per_voter=30, also=[u]); opinions_compute(d.pk)"
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "shell", "-c", code], env=env, check=True, capture_output=True)


def make_feedback(env: dict[str, str], username: str) -> int:
    """The reader's feedback and a grade on a participant's claim (issue 37): its id."""
    code = (
        "from django.contrib.auth import get_user_model; from arguments.models import *; "
        "from arguments.services.feedback import claim_feedback_set; "
        f"u = get_user_model().objects.get(username='{username}'); "
        "c = Claim.objects.filter(debate__slug='open-weight-ai', is_thesis=False, "
        "status='published').exclude(author=u).exclude(author=None).order_by('pk').first(); "
        "claim_feedback_set(actor=u, claim=c, grade=7, body='Good evidence, but it answers "
        "the wrong parent: *move it* under the claim about audits, and cite the study.'); "
        "print(c.pk)"
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    done = subprocess.run([*manage, "shell", "-c", code], env=env, check=True, capture_output=True)
    return int(done.stdout.split()[-1])


def make_teaching(env: dict[str, str], username: str) -> None:
    """Two teams of the main debate (one with its copy made, as the task worker would) and
    two tasks (issue 37)."""
    code = (
        "from django.contrib.auth import get_user_model; from arguments.models import *; "
        "from arguments.services.teams import team_create, team_copy_run, team_link_make, "
        "team_perspectives_make; "
        "from arguments.services.tasks import task_add; "
        f"u = get_user_model().objects.get(username='{username}'); "
        "d = Debate.objects.get(slug='open-weight-ai'); "
        "ms = list(get_user_model().objects.exclude(pk=u.pk).order_by('pk')[:4]); "
        "[Membership.objects.get_or_create(debate=d, user=m, defaults={'role': 'writer'}) "
        "for m in ms]; "
        "red = team_create(actor=u, debate=d, name='Red', members=ms[:2]); "
        "blue = team_create(actor=u, debate=d, name='Blue', members=ms[2:]); "
        "Team.objects.filter(pk=red.pk).update(status='copying'); team_copy_run(red.pk); "
        "team_link_make(actor=u, team=blue); team_perspectives_make(actor=u, debate=d); "
        "th = Claim.objects.filter(debate=d, is_thesis=True).order_by('pk').first(); "
        "task_add(actor=u, debate=d, kind='pros', count=1, under=th); "
        "task_add(actor=u, debate=d, kind='sources', count=2); "
        "task_add(actor=u, debate=d, kind='votes', count=10)"
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "shell", "-c", code], env=env, check=True, capture_output=True)


def shoot(base: str, env: dict[str, str]) -> None:
    pages = [(name, address) for name, address in PAGES if not ONLY or name in ONLY]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for suffix, viewport in SIZES.items():
            visitor = browser.new_page(viewport=viewport, base_url=base)
            for name, address in SIGNED_OUT if not ONLY else ():
                visitor.goto(address)
                visitor.screenshot(path=OUT / f"{name}{suffix}.png")
            visitor.close()
        # Issue 34: the debate page in French and in Arabic (right to left), for a visitor
        # whose browser asks for the language; the switcher is in every page's footer.
        for language in ("fr", "ar"):
            for suffix, viewport in SIZES.items():
                context = browser.new_context(viewport=viewport, base_url=base, locale=language)
                shot = context.new_page()
                shot.goto("/d/open-weight-ai/")
                shot.screenshot(path=OUT / f"debate-{language}{suffix}.png")
                shot.locator(".language-switcher").scroll_into_view_if_needed()
                shot.screenshot(path=OUT / f"language-switcher-{language}{suffix}.png")
                context.close()
        page = browser.new_page(viewport=SIZES[""], base_url=base)
        page.goto("/accounts/signup/")
        page.fill("input[name=username]", "reader")
        page.fill("input[name=password1]", "a sturdy passphrase 42")
        page.fill("input[name=password2]", "a sturdy passphrase 42")
        page.click("form button[type=submit]")
        make_moderator(env, "reader")
        make_empty_debate(env, "reader")
        make_snapshot(env, "reader")
        make_opinions(env, "reader")
        feedback = make_feedback(env, "reader")
        make_teaching(env, "reader")
        cookies = page.context.cookies()
        for suffix, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, base_url=base)
            context.add_cookies(cookies)
            shot = context.new_page()
            for name, address in pages:
                shot.goto(address)
                shot.screenshot(path=OUT / f"{name}{suffix}.png")
            shot.goto(f"/d/open-weight-ai/claims/{feedback}/feedback/")
            shot.screenshot(path=OUT / f"feedback{suffix}.png")
            if ONLY:  # only the named pages (and the feedback panel): the rest is slow
                context.close()
                continue
            # The settings page whole (every section), and the merge page of the moderators'
            # admin with its claim picker open on a search.
            shot.goto("/d/open-weight-ai/settings/")
            shot.screenshot(path=OUT / f"settings-full{suffix}.png", full_page=True)
            shot.goto("/moderate/arguments/claim/")
            shot.locator("input[name=_selected_action]").first.check()
            shot.locator("select[name=action]").select_option("merge_claims")
            shot.locator("input[name=reason]").fill("Says the same.")
            shot.locator("button[name=index]").click()
            shot.locator(".select2-selection").first.click()
            shot.locator(".select2-search__field").fill("open")
            shot.locator(".select2-results__option[aria-selected]").first.wait_for()
            shot.screenshot(path=OUT / f"moderate-merge{suffix}.png")
            # A claim in focus: the first pro of the thesis.
            shot.goto("/d/open-weight-ai/")
            shot.goto(shot.locator(".column-pro .claim-open").first.get_attribute("href"))
            shot.screenshot(path=OUT / f"focus{suffix}.png")
            # A card's ⋯ menu open, and a con being written in place.
            shot.goto("/d/open-weight-ai/")
            thesis = shot.locator('[role="treeitem"]').first
            thesis.locator(".claim-menu > summary").click()
            thesis.screenshot(path=OUT / f"menu{suffix}.png")
            thesis.locator(".column-adds .action-con").click()  # in sight, above the cons
            field = shot.locator(".slot form textarea[name=text]")
            field.wait_for()
            field.fill("A new rebuttal, written in place.")
            shot.locator(".slot form").screenshot(path=OUT / f"add-in-place{suffix}.png")
            # A new API token on the profile page, its secret shown once (issue 32).
            shot.goto("/me/")
            shot.fill("#token-name", "My analysis script")
            shot.locator("#tokens form.share-form button[type=submit]").click()
            shot.locator("#tokens").screenshot(path=OUT / f"api-token{suffix}.png")
            # The API's browsable docs (Swagger UI from our own files), once they are drawn.
            shot.goto("/api/v1/docs")
            for _ in range(100):  # polled: the CSP forbids wait_for_function's eval
                if shot.evaluate("document.querySelectorAll('.opblock').length"):
                    break
                time.sleep(0.1)
            shot.screenshot(path=OUT / f"api-docs{suffix}.png")
            # The import preview of a fragmented AIF nodeset: one debate or a debate a part.
            shot.goto("/import/")
            fragmented = ROOT / "tests" / "fixtures" / "formats" / "aif_fragmented.json"
            shot.locator("input[name=file]").set_input_files(str(fragmented))
            shot.locator(".import-form button[type=submit]").click()
            shot.locator(".import-parts").wait_for()
            shot.screenshot(path=OUT / f"import-preview{suffix}.png", full_page=True)
            # A claim too long, counted aloud (no silent cut), on the form's own page.
            shot.goto("/d/open-weight-ai/")
            thesis = shot.locator('[role="treeitem"]').first
            shot.goto(thesis.locator(".column-adds .action-pro").get_attribute("href"))
            shot.locator("textarea[name=text]").fill("Phones distract. " * 31)
            shot.screenshot(path=OUT / f"add-too-long{suffix}.png")
            # A share link with its QR code, large enough to project.
            shot.goto("/d/open-weight-ai/settings/share/")
            if not shot.locator(".share-qr").count():
                shot.get_by_role("button", name="Make the link").click()
            shot.locator(".share-qr").first.scroll_into_view_if_needed()
            shot.screenshot(path=OUT / f"share{suffix}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
