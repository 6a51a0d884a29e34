"""Faults measured from outside: gunicorn workers killed mid-request, database connections
dropped, and a full disk under an SQLite site (issue 31).

    DATABASE_URL=… python manage.py faultcheck [--seconds 30] [--kill-every 5]
        [--drop-connections | --redis-outage 12 | --disk]

**Workers killed**: starts gunicorn (production settings, `--workers` sync workers) on the
database of DATABASE_URL (use one of its own: it adds users, claims and votes), drives 40
signed-in voters and 2 writers through the real endpoints, and SIGKILLs one busy worker every
`--kill-every` seconds. A client that gets no answer (its worker died under it) sends the
same request once more, as a browser's user would: a vote and a claim of the same text under
the same parent are idempotent. Afterwards it checks from the database that every
acknowledged vote is there (or a later unanswered one of the same voter on the same point),
that every tally equals its vote rows, that every acknowledged claim exists and that no claim
stands without its relation; and how long gunicorn took to have all its workers again.

**Connections dropped** (`--drop-connections`, PostgreSQL): the same load, but instead of
killing a worker every `--kill-every` seconds it ends every web worker's database connection
(`pg_terminate_backend`, as a restart or a failover does).

**Redis down** (`--redis-outage SECONDS`): the same load on gunicorn with a redis-server of
its own as `REDIS_URL`, killed mid-run for that long and started again; the answers to the
votes sent meanwhile are counted apart.

**A full disk** (`--disk`, as root): mounts a small tmpfs, migrates an SQLite database onto
it, serves it with gunicorn, queues a background import, fills the disk, then writes (claims
and votes through the site), imports a 20,000-claim file with `import_debate`, and runs the
queued import with `run_tasks --batch`; then frees the disk and writes again. It prints what
each answered: statuses, the command's exit status and last line, whether a traceback showed,
the job's message, SQLite's integrity check, and how soon a write succeeded once space was
back. Prints JSON lines; docs/DEPLOY.md records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings

from arguments.bench.loadtest_clients import Session, sessions_for
from arguments.bench.synthetic import build_debate
from arguments.models import Claim, Debate, Relation, Vote
from arguments.services import import_jobs

NO_ANSWER = -1  # the connection closed without an answer (its worker died under it)
TIMED_OUT = -2  # no answer within 30 s
WORDS = (
    "open", "weights", "models", "safety", "misuse", "research", "access", "audit", "cost",
    "compute", "law", "policy", "bio", "cyber", "risk", "benefit", "science", "education",
    "market", "power", "lab", "startup", "nation", "trust", "release", "license", "harm",
)  # fmt: skip
MANAGE = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]


class Command(BaseCommand):
    help = "Kill gunicorn workers under load, fill the disk under an SQLite site: what clients see."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seconds", type=float, default=30.0)
        parser.add_argument("--kill-every", type=float, default=5.0)
        parser.add_argument("--workers", type=int, default=4)
        parser.add_argument("--size", type=int, default=2_000)
        parser.add_argument("--port", type=int, default=18131)
        parser.add_argument("--disk", action="store_true", help="the full-disk check (root)")
        parser.add_argument(
            "--redis-outage",
            type=float,
            default=0.0,
            help="seconds: a Redis of its own, killed that long mid-run (no worker killed)",
        )
        parser.add_argument(
            "--drop-connections",
            action="store_true",
            help="PostgreSQL: end every app connection every --kill-every s, killing no worker",
        )
        parser.add_argument("--disk-inside", help=argparse.SUPPRESS)  # the tmpfs, from --disk

    def handle(self, *args: Any, **options: Any) -> None:
        if options["disk_inside"]:
            self.stdout.write(json.dumps(_full_disk(options["port"], Path(options["disk_inside"]))))
            return
        if options["disk"]:
            self._disk(options["port"])
            return
        call_command("migrate", verbosity=0)
        slug = f"faultcheck-{options['size']}"
        debate = Debate.objects.filter(slug=slug).first() or build_debate(
            options["size"], slug=slug
        )
        redis = None
        if options["redis_outage"]:
            redis = _Redis(options["port"] + 1000)
            os.environ["REDIS_URL"] = redis.url  # gunicorn's; this process keeps its cache
        try:
            with Gunicorn(options["port"], options["workers"]) as server:
                with override_settings(SECRET_KEY=server.key):
                    load = _Load(debate, server.base)
                load.drop_connections = options["drop_connections"]
                load.redis, load.outage = redis, options["redis_outage"]
                report = load.run(options["seconds"], server, options["kill_every"])
        finally:
            if redis is not None:
                redis.stop()
        report |= load.verify()
        self.stdout.write(json.dumps(report))

    def _disk(self, port: int) -> None:
        if os.geteuid() != 0:
            raise CommandError("--disk mounts a tmpfs: run it as root")
        mount = Path(tempfile.mkdtemp(prefix="faultcheck-disk-"))
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], check=True)
        try:
            env = os.environ | {"DATABASE_URL": f"sqlite:///{mount / 'site.sqlite3'}"}
            env.pop("REDIS_URL", None)
            inside = [*MANAGE, "faultcheck", "--port", str(port), "--disk-inside", str(mount)]
            subprocess.run(inside, env=env, check=True)
        finally:
            subprocess.run(["umount", str(mount)], check=False)
            mount.rmdir()


class Gunicorn:
    """gunicorn with production settings on this process's DATABASE_URL, for a `with`."""

    def __init__(self, port: int, workers: int) -> None:
        self.port, self.workers = port, workers
        self.base = f"http://127.0.0.1:{port}"
        self.key = secrets.token_urlsafe(50)
        self._static = tempfile.TemporaryDirectory()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        env = os.environ | {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": self.key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": self._static.name,
        }
        subprocess.run([*MANAGE, "collectstatic", "--no-input", "-v0"], env=env, check=True)
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "debate.wsgi", "--workers", str(self.workers), "--timeout", "30"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--log-level", "error"]
        self.process = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
        for _ in range(300):
            if len(self.worker_pids()) == self.workers:
                try:
                    urlopen(self.base + "/healthz", timeout=1).read()
                    return self
                except OSError:
                    pass
            time.sleep(0.2)
        raise CommandError("gunicorn did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self._static.cleanup()

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []


class _Load:
    """40 voters and 2 writers; what each was told, to compare with the database after."""

    def __init__(self, debate: Debate, base: str) -> None:
        self.debate, self.base = debate, base
        self.voters = sessions_for(debate, 40, "faultcheck-voter")
        self.writers = sessions_for(debate, 2, "faultcheck-writer")
        theses = list(
            Claim.objects.filter(debate=debate, is_thesis=True).values_list("id", flat=True)
        )
        first = Relation.objects.filter(parent_id__in=theses, is_link=False)
        self.first = list(first.values_list("child_id", flat=True))
        self.points = theses + self.first
        # (voter, point) -> [(value, acknowledged)] in the order sent.
        self.votes: dict[tuple[int, int], list[tuple[int, bool]]] = defaultdict(list)
        self.claims: list[tuple[str, bool]] = []
        self.answers: Counter[str] = Counter()
        self.said: dict[str, str] = {}  # an error's message, by status
        self.drop_connections = False  # instead of killing workers: PostgreSQL only
        self.redis: _Redis | None = None  # killed for `outage` seconds instead
        self.outage = 0.0
        self.window = (0.0, 0.0)  # the outage's start and end (monotonic)
        self.in_outage: Counter[str] = Counter()
        self.lock = threading.Lock()

    def _send(self, session: Session, path: str, data: dict) -> tuple[bool, int, int]:
        """(acknowledged, first status, last status): no answer is sent once more."""
        first, said = _post(self.base, session, path, data)
        last = first
        if first in (NO_ANSWER, TIMED_OUT):
            time.sleep(0.2)
            last, said = _post(self.base, session, path, data)
        if last >= 400:
            with self.lock:
                self.said.setdefault(str(last), said)
        return 200 <= last < 400, first, last

    def run(self, seconds: float, server: Gunicorn, kill_every: float) -> dict[str, Any]:
        stop = threading.Event()
        slug = self.debate.slug

        def voter(session: Session, seed: int) -> None:
            rng = random.Random(seed)
            while not stop.is_set():
                point, value = rng.choice(self.points), rng.randint(0, 4)
                sent_at = time.monotonic()
                acked, first, last = self._send(
                    session, f"/d/{slug}/claims/{point}/vote/", {"value": value}
                )
                with self.lock:
                    self.votes[session.user_id, point].append((value, acked))
                    if self.window[0] <= sent_at < self.window[1]:
                        self.in_outage[f"vote {last}"] += 1
                    self.answers[f"vote {first}" + (f" then {last}" if first != last else "")] += 1
                stop.wait(rng.uniform(0.05, 0.3))

        def writer(session: Session, seed: int) -> None:
            rng = random.Random(seed)
            n = 0
            while not stop.is_set():
                n += 1
                # Words at random: the near-duplicate check asks before a claim like another.
                words = " ".join(rng.choice(WORDS) for _ in range(10))
                text = f"Fault check claim {seed}.{n}: {words}."
                acked, first, last = self._send(
                    session,
                    f"/d/{slug}/claims/{rng.choice(self.first)}/add/",
                    {"text": text, "stance": rng.choice(["pro", "con"])},
                )
                with self.lock:
                    self.claims.append((text, acked))
                    self.answers[f"write {first}" + (f" then {last}" if first != last else "")] += 1
                stop.wait(rng.uniform(0.3, 0.8))

        threads = [threading.Thread(target=voter, args=(s, n)) for n, s in enumerate(self.voters)]
        threads += [
            threading.Thread(target=writer, args=(s, 100 + n)) for n, s in enumerate(self.writers)
        ]
        for thread in threads:
            thread.start()
        kills, back_after = 0, []
        started = time.monotonic()
        if self.redis is not None:
            time.sleep(max(0.0, (seconds - self.outage) / 2))
            self.window = (time.monotonic(), time.monotonic() + self.outage)
            self.redis.stop()
            time.sleep(self.outage)
            self.redis.start()
            time.sleep(max(0.0, (seconds - self.outage) / 2))
        while self.redis is None and time.monotonic() - started < seconds:
            time.sleep(kill_every)
            if self.drop_connections:
                kills += _drop_connections()
                continue
            pids = server.worker_pids()
            if not pids:
                continue
            victim = random.choice(pids)
            os.kill(victim, signal.SIGKILL)
            kills += 1
            killed_at = time.monotonic()
            while time.monotonic() - killed_at < 30:
                now = server.worker_pids()
                if victim not in now and len(now) == server.workers:
                    break  # reaped, and another started in its place
                time.sleep(0.01)
            back_after.append(round(time.monotonic() - killed_at, 2))
        stop.set()
        for thread in threads:
            thread.join()
        return {
            ("connections_dropped" if self.drop_connections else "kills"): kills,
            "workers_back_after_s": back_after,
            "answers": dict(sorted(self.answers.items())),
            "errors_said": self.said,
        } | ({"redis_outage_answers": dict(self.in_outage)} if self.redis else {})

    def verify(self) -> dict[str, Any]:
        """Compare what clients were told with what the database holds."""
        held: dict[tuple[int, int], int] = {}
        votes = Vote.objects.filter(user_id__in=[s.user_id for s in self.voters], perspective=None)
        for user_id, thesis_id, child_id, value in votes.values_list(
            "user_id", "thesis_id", "relation__child_id", "value"
        ):
            held[user_id, thesis_id or child_id] = value
        acknowledged = lost = 0
        for key, sent in self.votes.items():
            acks = [i for i, (_, acked) in enumerate(sent) if acked]
            acknowledged += len(acks)
            start = acks[-1] if acks else -1
            allowed = {value for value, _ in sent[start + 1 :]}
            allowed |= {sent[start][0]} if acks else {None}  # type: ignore[arg-type]
            if held.get(key) not in allowed:
                lost += 1
        wrong_tallies = 0
        for model, field in ((Relation, "relation"), (Claim, "thesis")):
            points = model.objects.filter(debate=self.debate)
            for point in points:
                counts = Counter(
                    Vote.objects.filter(**{field: point}, perspective=None).values_list(
                        "value", flat=True
                    )
                )
                if point.histogram != [counts[v] for v in range(5)]:
                    wrong_tallies += 1
        texts = set(
            Claim.objects.filter(debate=self.debate, text__startswith="Fault check").values_list(
                "text", flat=True
            )
        )
        claims_lost = sum(1 for text, acked in self.claims if acked and text not in texts)
        orphans = (
            Claim.objects.filter(debate=self.debate, is_thesis=False, parent_relations=None)
            .distinct()
            .count()
        )
        return {
            "votes_acknowledged": acknowledged,
            "votes_lost": lost,
            "tallies_wrong": wrong_tallies,
            "claims_acknowledged": sum(1 for _, acked in self.claims if acked),
            "claims_lost": claims_lost,
            "claims_without_relation": orphans,
        }


class _Redis:
    """A redis-server of this check's own (nothing kept on disk), to kill and start again."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        time.sleep(0.3)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def _drop_connections() -> int:
    """End every other connection to this database (the web workers'), as a PostgreSQL
    restart or a failover does; how many were ended."""
    if connection.vendor != "postgresql":
        raise CommandError("--drop-connections needs PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(cursor.fetchone()[0])


def _fill(mount: Path) -> Path:
    """Fill the filesystem at `mount` to its last byte; the filler's path."""
    filler = mount / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 16, 1):
            block = b"\0" * size
            try:
                while True:
                    os.write(descriptor, block)
            except OSError:
                pass
    finally:
        os.close(descriptor)
    return filler


def _kialo(path: Path, claims: int) -> Path:
    """A Kialo export of `claims` claims, four children each."""
    lines = ["Discussion Title: A large debate", "", "1. The thesis of a large debate."]
    numbers = ["1"]
    for i in range(1, claims):
        number = f"{numbers[(i - 1) // 4]}.{(i - 1) % 4 + 1}"
        numbers.append(number)
        lines.append(f"{number}. {'Pro' if i % 2 else 'Con'}: Claim number {i}, a few words more.")
    path.write_text("\n".join(lines) + "\n")
    return path


def _full_disk(port: int, mount: Path) -> dict[str, Any]:
    """Inside the tmpfs's database (DATABASE_URL): the full-disk check's steps."""
    with tempfile.TemporaryDirectory() as files:  # the files to import: off the full disk
        return _full_disk_steps(port, mount, Path(files))


def _full_disk_steps(port: int, mount: Path, files: Path) -> dict[str, Any]:
    call_command("migrate", verbosity=0)
    debate = build_debate(200, slug="full-disk")
    big = _kialo(files / "large.txt", 20_000)
    report: dict[str, Any] = {}
    with Gunicorn(port, 2) as server:
        with override_settings(SECRET_KEY=server.key):
            (session,) = sessions_for(debate, 1, "faultcheck-disk")
        thesis = Claim.objects.get(debate=debate, is_thesis=True)
        add = f"/d/{debate.slug}/claims/{thesis.pk}/add/"
        vote = f"/d/{debate.slug}/claims/{thesis.pk}/vote/"
        job = import_jobs.import_job_start(
            owner=debate.owner, text=_kialo(big.with_name("job.txt"), 6_000).read_text(),
            format_name="kialo", title="", filename="job.txt",
        )  # fmt: skip
        connection.close()
        debates_before = Debate.objects.count()
        filler = _fill(mount)
        # Small writes may still fit in the space SQLite's log already holds: write until
        # the disk shows (at most 300 claims and votes).
        statuses: Counter[str] = Counter()
        messages: set[str] = set()
        first_refused = None
        for n in range(300):
            text = f"Written on a full disk, number {n}, long enough to need pages. " * 7
            status, said = _post(server.base, session, add, {"text": text[:480], "stance": "pro"})
            statuses[f"write {status}"] += 1
            if status >= 400:
                messages.add(said)
                first_refused = n if first_refused is None else first_refused
            status, said = _post(server.base, session, vote, {"value": n % 5})
            statuses[f"vote {status}"] += 1
            if status >= 400:
                messages.add(said)
            if first_refused is not None and n >= first_refused + 5:
                break
        report["site_on_full_disk"] = dict(statuses) | {
            "writes_before_the_first_refused": first_refused,
            "messages": sorted(messages),
        }
        command = subprocess.run(
            [*MANAGE, "import_debate", str(big), "--owner", debate.owner.username],
            capture_output=True,
            text=True,
        )
        report["import_debate"] = {
            "exit": command.returncode,
            "last_line": (command.stderr.strip().splitlines() or [""])[-1],
            "traceback": "Traceback" in command.stderr,
        }
        batch = subprocess.run([*MANAGE, "run_tasks", "--batch"], capture_output=True, text=True)
        job.refresh_from_db()
        report["background_import"] = {
            "worker_exit": batch.returncode,
            "worker_said": (batch.stderr.strip().splitlines() or [""])[-1],
            "worker_traceback": "Traceback" in batch.stderr,
            "job_status": job.status,
            "job_error": job.error,
        }
        report["debates_added_on_full_disk"] = Debate.objects.count() - debates_before
        filler.unlink()
        freed = time.monotonic()
        status = NO_ANSWER
        while time.monotonic() - freed < 30:
            status, _ = _post(server.base, session, add, {"text": "Space again.", "stance": "con"})
            if 200 <= status < 400:
                break
            time.sleep(0.1)
        report["write_after_space_back"] = {
            "status": status,
            "after_s": round(time.monotonic() - freed, 2),
        }
        # The queued import, left waiting on the full disk, runs once there is room.
        subprocess.run([*MANAGE, "run_tasks", "--batch"], capture_output=True, check=True)
        job.refresh_from_db()
        report["background_import_after_space_back"] = {
            "job_status": job.status,
            "debates_added": Debate.objects.count() - debates_before,
        }
    check = sqlite3.connect(mount / "site.sqlite3").execute("PRAGMA integrity_check").fetchone()
    report["sqlite_integrity"] = check[0]
    return report


def _post(base: str, session: Session, path: str, data: dict) -> tuple[int, str]:
    """A POST's status and, for an error, its message (the page's text, tags stripped)."""
    headers = {
        "Cookie": session.cookie,
        "X-CSRFToken": session.csrf,
        "HX-Request": "true",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    request = Request(base + path, data=urlencode(data).encode(), headers=headers)
    try:
        with urlopen(request, timeout=30) as response:
            response.read()
            return response.status, ""
    except HTTPError as error:
        text = re.sub(r"<[^>]+>|\s+", " ", error.read().decode(errors="replace"))
        said = re.search(r"[^.>]*(disk|space|database)[^.]*\.", text, re.IGNORECASE)
        return error.code, (said.group(0) if said else text).strip()[:200]
    except TimeoutError:
        return TIMED_OUT, ""
    except (URLError, ConnectionError) as error:
        timed_out = isinstance(getattr(error, "reason", None), TimeoutError)
        return (TIMED_OUT if timed_out else NO_ANSWER), ""
