"""Two app servers on one database, a class writing and voting on both, signed-in readers
reading the debate page on both: does any read fail while others write? (issue 38)

    DATABASE_URL=postgres://… python manage.py racecheck [--runs 10] [--seconds 30]

Starts two gunicorn servers (separate processes, as on two machines; production settings),
adds a synthetic debate of `--size` claims when missing, and for each run drives 20 voters,
4 writers and 6 readers, each request to either server at random. Prints each run's answers
by status and, last, a JSON line with the failed page reads (5xx or no answer) over all runs.
Run it on its own PostgreSQL database: it adds users, claims and votes.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.test.utils import override_settings

from arguments.bench.loadtest_clients import Session, sessions_for
from arguments.bench.synthetic import build_debate
from arguments.models import Claim, Debate, Relation

if TYPE_CHECKING:
    from collections.abc import Callable

WORDS = (
    "open", "weights", "models", "safety", "misuse", "research", "access", "audit", "cost",
    "compute", "law", "policy", "bio", "cyber", "risk", "benefit", "science", "education",
    "market", "power", "lab", "startup", "nation", "trust", "release", "license", "harm",
    "evidence", "study", "data", "privacy", "talent", "defence", "attack",
)  # fmt: skip


class Command(BaseCommand):
    help = "Two servers, a class writing and voting: count page reads that fail."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=10)
        parser.add_argument("--seconds", type=float, default=30.0)
        parser.add_argument("--size", type=int, default=2_000)
        parser.add_argument("--ports", type=int, nargs=2, default=[18031, 18032])

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", verbosity=0)
        slug = f"racecheck-{options['size']}"
        debate = Debate.objects.filter(slug=slug).first() or build_debate(
            options["size"], slug=slug
        )
        key = secrets.token_urlsafe(50)
        ports: list[int] = options["ports"]
        with tempfile.TemporaryDirectory() as static_root:
            env = os.environ | {
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": key,
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_STATIC_ROOT": static_root,
            }
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True)
            gunicorn = str(Path(sys.executable).with_name("gunicorn"))
            servers = [
                subprocess.Popen(
                    [
                        gunicorn,
                        "debate.wsgi",
                        "--workers",
                        "2",
                        "--threads",
                        "4",
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--log-level",
                        "warning",
                    ],
                    env=env,
                    cwd=settings.BASE_DIR,
                )
                for port in ports
            ]
            try:
                for port in ports:
                    _wait(f"http://127.0.0.1:{port}")
                # Sessions are signed, and their users' hashes made, with the servers' key.
                with override_settings(SECRET_KEY=key):
                    class_ = _Class(debate, ports)
                reads: Counter[int] = Counter()
                for run in range(options["runs"]):
                    answers = class_.run(run, options["seconds"])
                    reads.update(answers["read"])
                    self.stdout.write(json.dumps({"run": run} | answers))
            finally:
                for server in servers:
                    server.terminate()
                    server.wait(timeout=10)
        failed = sum(count for status, count in reads.items() if status >= 500 or status < 0)
        self.stdout.write(
            json.dumps({"runs": options["runs"], "page_reads": reads.total(), "failed": failed})
        )


def _wait(base: str) -> None:
    for _ in range(300):
        try:
            urlopen(base + "/static/css/app.css", timeout=1).read()
            return
        except OSError:
            time.sleep(0.2)
    raise CommandError("gunicorn did not start")


class _Class:
    """20 voters, 4 writers and 6 signed-in readers, each request to a server at random."""

    def __init__(self, debate: Debate, ports: list[int]) -> None:
        self.slug = debate.slug
        self.ports = ports
        self.voters = sessions_for(debate, 20, "racecheck-voter")
        self.writers = sessions_for(debate, 4, "racecheck-writer")
        self.readers = sessions_for(debate, 6, "racecheck-reader")
        theses = Claim.objects.filter(debate=debate, is_thesis=True).values_list("id", flat=True)
        self.first = list(
            Relation.objects.filter(parent_id__in=list(theses), is_link=False).values_list(
                "child_id", flat=True
            )
        )
        second = Relation.objects.filter(parent_id__in=self.first, is_link=False)
        self.points = self.first + list(second.values_list("child_id", flat=True))

    def run(self, run: int, seconds: float) -> dict[str, Counter[int]]:
        stop = threading.Event()
        answers: dict[str, Counter[int]] = {
            "read": Counter(),
            "vote": Counter(),
            "write": Counter(),
        }
        lock = threading.Lock()

        def loop(kind: str, session: Session, seed: int, step: Callable[[random.Random], tuple]):
            rng = random.Random(seed)
            while not stop.is_set():
                path, data, pause = step(rng)
                status = self._request(rng, session, path, data)
                with lock:
                    answers[kind][status] += 1
                stop.wait(pause)

        def vote(rng: random.Random) -> tuple:
            point = rng.choice(self.points)
            value = {"value": rng.randint(0, 4)}
            return f"/d/{self.slug}/claims/{point}/vote/", value, rng.uniform(0.2, 1.0)

        def write(rng: random.Random) -> tuple:
            text = " ".join(rng.choice(WORDS) for _ in range(12)).capitalize()
            data = {"text": f"{text} ({run}.{rng.random():.6f}).", "stance": "pro"}
            return (
                f"/d/{self.slug}/claims/{rng.choice(self.first)}/add/",
                data,
                rng.uniform(0.5, 1.5),
            )

        def read(rng: random.Random) -> tuple:
            return f"/d/{self.slug}/", None, 0.0

        threads = [
            threading.Thread(target=loop, args=(kind, session, run * 1000 + n, step))
            for n, (kind, session, step) in enumerate(
                [("vote", s, vote) for s in self.voters]
                + [("write", s, write) for s in self.writers]
                + [("read", s, read) for s in self.readers]
            )
        ]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        stop.set()
        for thread in threads:
            thread.join()
        return answers

    def _request(self, rng: random.Random, session: Session, path: str, data: dict | None) -> int:
        """The answer's status: -1 for none (refused, reset, timed out)."""
        headers = {"Cookie": session.cookie}
        body = None
        if data is not None:
            headers |= {
                "X-CSRFToken": session.csrf,
                "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded",
            }
            body = urlencode(data).encode()
        url = f"http://127.0.0.1:{rng.choice(self.ports)}{path}"
        try:
            with urlopen(Request(url, data=body, headers=headers), timeout=20) as response:
                response.read()
                return response.status
        except HTTPError as error:
            return error.code
        except (URLError, TimeoutError):
            return -1
