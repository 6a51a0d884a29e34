"""Take the README's screenshots from the running app, in Debian's Chromium.

    .venv/bin/python docs/screenshots/take.py

Builds a throwaway SQLite database with the demo debates, serves it on a free port, signs in a
fresh user and photographs the pages a newcomer sees. Writes PNG files beside this script.
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
            for _ in range(50):
                try:
                    urlopen(base + "/", timeout=1)
                    break
                except OSError:
                    time.sleep(0.2)
            shoot(base)
        finally:
            server.terminate()
            server.wait()


def shoot(base: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 860}, base_url=base)
        page.goto("/accounts/signup/")
        page.fill("input[name=username]", "reader")
        page.fill("input[name=password1]", "a sturdy passphrase 42")
        page.fill("input[name=password2]", "a sturdy passphrase 42")
        page.click("form button[type=submit]")
        page.goto("/")
        page.screenshot(path=OUT / "debates.png")
        page.goto("/d/open-weight-ai/")
        page.screenshot(path=OUT / "debate.png")
        thesis = page.locator('[role="treeitem"]').first
        thesis.locator(":scope > .claim-body").get_by_role("link", name="Add con").click()
        page.locator(".slot form textarea[name=text]").wait_for()
        page.locator(".slot form textarea[name=text]").fill("A new rebuttal, written in place.")
        page.locator(".slot form").screenshot(path=OUT / "add-in-place.png")
        page.goto("/d/open-weight-ai/")
        second = page.locator('[role="treeitem"] [role="treeitem"]').first
        page.goto(second.locator(".claim-text a").first.get_attribute("href"))
        page.screenshot(path=OUT / "focus.png")
        page.goto("/d/open-weight-ai/map/")
        page.screenshot(path=OUT / "map.png")
        phone = browser.new_page(viewport={"width": 390, "height": 844}, base_url=base)
        phone.goto("/d/open-weight-ai/")
        phone.screenshot(path=OUT / "phone.png")
        browser.close()


if __name__ == "__main__":
    main()
