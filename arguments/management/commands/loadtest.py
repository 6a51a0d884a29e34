"""Serve the app with gunicorn (production settings) and load it with wrk.

    python manage.py loadtest [--size 20000] [--seconds 15] [--connections 16]

Run it against its own database (`make loadtest` points DATABASE_URL at loadtest.sqlite3):
it adds a synthetic debate of `--size` claims there when missing. It then drives, one after
the other, the debate page (a visitor, then a signed-in member), a deep branch fragment
(htmx), a static file as the ceiling of what this server can do, and the visitor's page again
while signed-in voters vote through the real endpoint (`--votes-per-second`) and one writer
adds a claim every `--write-every` seconds. It prints requests per second, latency
percentiles and errors, the debate page's throughput as a share of the static file's, the
mixed run's as a share of the read-only one's, and how much the page's throughput drops while
`--idle-readers` readers with it open poll for news every `--poll-every` seconds (live.js).

A class at work, signed in (issue 35): `--class-size` students each with a session read the
debate page (wrk takes each request's cookie from the class in turn), first alone, then while
the same students vote (one vote every ten seconds each) and write (a claim every
`--class-write-every` seconds). It reports the readers' throughput while the class works as a
share of the read-only one's, the p99, and the workers' memory (RSS) after the run.
"""

from __future__ import annotations

import html
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.request import urlopen

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.test.utils import override_settings

from arguments.bench.loadtest_clients import ClassAtWork, IdleReaders, Session, sessions_for
from arguments.bench.synthetic import build_debate, deepest_branch
from arguments.models import Debate
from arguments.structure.loader import store_strengths_task

# wrk prints its own summary; this script adds the percentiles we report and the error count.
WRK_REPORT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format('RESULT {"requests": %d, "seconds": %f, "errors": %d, '
    .. '"p50": %f, "p95": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6, errors,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3))
end
"""


# Each request signed in as the next student of the class (wrk's Lua: `request` is called
# for every request of a connection).
CLASS_READERS = """
local cookies = {COOKIES}
local turn = 0
request = function()
  turn = turn % #cookies + 1
  wrk.headers["Cookie"] = cookies[turn]
  return wrk.format("GET")
end
"""


def _workers_files(server_pid: int, name: str) -> list[str]:
    """A /proc file (`status`, `stat`) of each of the server's worker processes, as read
    now (a worker gone meanwhile left out)."""
    try:
        children = Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()
    except OSError:
        return []
    texts = []
    for pid in children:
        try:
            texts.append(Path(f"/proc/{pid}/{name}").read_text())
        except OSError:
            continue
    return texts


def _workers_rss(server_pid: int) -> float:
    """The largest resident memory (MB) among the server's worker processes, from /proc."""
    largest = 0
    for status in _workers_files(server_pid, "status"):
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                largest = max(largest, int(line.split()[1]))
    return round(largest / 1024, 1)


def _workers_cpu(server_pid: int) -> float:
    """The CPU seconds (user and system) the server's worker processes have used, from
    /proc: what a run cost the server, apart from the load generator's share of the
    machine."""
    ticks = 0
    for stat in _workers_files(server_pid, "stat"):
        fields = stat.rpartition(")")[2].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime (the 14th and 15th fields)
    return ticks / os.sysconf("SC_CLK_TCK")


def _mean_rps(runs: list[dict[str, Any]]) -> float:
    return round(sum(run["rps"] for run in runs) / len(runs), 1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Command(BaseCommand):
    help = "Load-test the debate page, a branch fragment and a static file with wrk."
    server_pid = 0  # gunicorn's, once started (`cluster` drives servers of its own: none)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=20_000)
        parser.add_argument("--seconds", type=int, default=15)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--votes-per-second", type=float, default=2.0)
        parser.add_argument("--write-every", type=float, default=5.0, help="seconds")
        parser.add_argument("--port", type=int, default=0, help="0: any free port")
        parser.add_argument("--idle-readers", type=int, default=500, help="0: skip that run")
        parser.add_argument("--poll-every", type=float, default=5.0, help="seconds")
        parser.add_argument("--idle-rounds", type=int, default=2, help="alternated runs")
        parser.add_argument("--class-size", type=int, default=60, help="0: skip that run")
        parser.add_argument("--class-write-every", type=float, default=2.0, help="seconds")

    def handle(self, *args: Any, **options: Any) -> None:
        wrk = shutil.which("wrk")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        if not wrk:
            raise CommandError("wrk is not installed: apt-get install wrk")
        call_command("migrate", verbosity=0)
        slug = f"loadtest-{options['size']}"
        debate = Debate.objects.filter(slug=slug).first()
        if debate is None:
            self.stderr.write(f"building a debate of {options['size']} claims…")
            debate = build_debate(options["size"], slug=slug)
        # Its strengths stored, as the task worker stores them after an import: else every
        # worker's first read loads and scores the whole debate, which at 200,000 claims on a
        # busy machine outlasts gunicorn's timeout, so the workers are killed before serving.
        store_strengths_task.call(debate.pk)
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum gathers soon after a bulk insert in production
            # (as `bench` does): planned on an empty table's, a reader's votes were found by
            # scanning every vote without a perspective.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        branch = f"/d/{slug}/claims/{deepest_branch(debate)}/?part=branch"
        port = options["port"] or _free_port()
        with tempfile.TemporaryDirectory() as static_root:
            env = os.environ | {
                "DJANGO_DEBUG": "0",
                "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
                "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DJANGO_SECURE_SSL_REDIRECT": "0",
                "DJANGO_STATIC_ROOT": static_root,
            }
            manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
            subprocess.run([*manage, "collectstatic", "--no-input", "-v0"], env=env, check=True)
            server = subprocess.Popen(
                [str(gunicorn), "debate.wsgi", "--workers", str(options["workers"]),
                 "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
                env=env, cwd=settings.BASE_DIR,
            )  # fmt: skip
            try:
                base = f"http://127.0.0.1:{port}"
                self._wait(base)
                self.server_pid = server.pid
                # Sessions are signed, and their users' hashes made, with the server's key.
                with override_settings(SECRET_KEY=env["DJANGO_SECRET_KEY"]):
                    member = sessions_for(debate, 1, "loadtest-member")[0]
                    voters = sessions_for(debate, 20, "loadtest-voter")
                targets = {
                    "debate_page": (f"/d/{slug}/", []),
                    "member_page": (f"/d/{slug}/", ["-H", f"Cookie: {member.cookie}"]),
                    "branch_fragment": (branch, ["-H", "HX-Request: true"]),
                    "static_file": ("/static/css/app.css", []),
                }
                # Each run's figures by name, and the writers' and idle readers' summaries.
                results: dict[str, Any] = {
                    name: self._run(wrk, base + path, headers, options)
                    for name, (path, headers) in targets.items()
                }
                # A class at work: the same readers while signed-in voters vote through the
                # real endpoint and one writer adds a claim now and then.
                class_at_work = ClassAtWork(
                    base,
                    debate,
                    voters,
                    member,
                    votes_per_second=options["votes_per_second"],
                    write_every=options["write_every"],
                )
                with class_at_work:
                    results["mixed_reader"] = self._run(
                        wrk, base + f"/d/{slug}/", [], options, warm=False
                    )
                results["mixed_writers"] = class_at_work.summary()
                class_figures = None
                if options["class_size"]:
                    with override_settings(SECRET_KEY=env["DJANGO_SECRET_KEY"]):
                        students = sessions_for(debate, options["class_size"], "loadtest-student")
                    class_figures = self._class(wrk, base, debate, students, options, results)
                    class_figures["workers_rss_mb"] = _workers_rss(server.pid)
                if options["idle_readers"]:
                    polls = self._idle_readers(wrk, base, slug, options, results)
                    results["idle_reader_polls"] = polls
            finally:
                server.terminate()
                try:
                    server.wait(timeout=60)  # a loaded machine takes its time
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait(timeout=10)
        ratio = results["debate_page"]["rps"] / max(results["static_file"]["rps"], 1e-9)
        mixed = results["mixed_reader"]["rps"] / max(results["debate_page"]["rps"], 1e-9)
        writers = results.pop("mixed_writers")
        class_work = results.pop("class_work", None)
        polls = results.pop("idle_reader_polls", None)
        idle_drop = None
        if polls is not None:
            # Measured right after its own baseline: the machine's load drifts over a run.
            baseline = results.pop("idle_baseline")
            idle_drop = 1 - results["with_idle_readers"]["rps"] / max(baseline["rps"], 1e-9)
        for name, figures in results.items():
            self.stdout.write(
                f"{name:16} {figures['rps']:8.1f} req/s  p50 {figures['p50_ms']:6.1f} ms  "
                f"p95 {figures['p95_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
                f"errors {figures['errors']}  "
                f"workers' CPU {figures.get('worker_cpu_ms_per_request', 0):.3f} ms a request"
            )
        self.stdout.write(f"debate page / static file throughput: {ratio:.2f}")
        self.stdout.write(f"mixed readers / read-only readers: {mixed:.2f}; writers: {writers}")
        if class_figures is not None:
            self.stdout.write(
                f"class of {options['class_size']}: readers while voting and writing / read-only "
                f"{class_figures['class_ratio']:.2f}; member page / visitor page "
                f"{class_figures['member_to_visitor']:.2f}; workers' RSS "
                f"{class_figures['workers_rss_mb']} MB; the class's writes: {class_work}"
            )
        if polls is not None:
            self.stdout.write(f"active readers' throughput drop with idle readers: {idle_drop:.1%}")
            self.stdout.write(f"idle readers' polls: {polls}")
        summary = results | {
            "idle_readers_drop": None if idle_drop is None else round(idle_drop, 3),
            "idle_reader_polls": polls,
            "page_to_static_ratio": round(ratio, 3),
            "mixed_to_read_only_ratio": round(mixed, 3),
            "mixed_writers": writers,
            "class": None if class_figures is None else class_figures | {"work": class_work},
            "claims": options["size"],
        }
        self.stdout.write(json.dumps(summary))

    def _class(
        self,
        wrk: str,
        base: str,
        debate: Debate,
        students: list[Session],
        options: dict[str, Any],
        results: dict[str, Any],
    ) -> dict[str, Any]:
        """The debate page read by a class signed in, alone and while it votes and writes."""
        url = f"{base}/d/{debate.slug}/"
        cookies = ", ".join(json.dumps(student.cookie) for student in students)
        rotation = CLASS_READERS.replace("COOKIES", cookies)
        results["class_read_only"] = self._run(wrk, url, [], options, script=rotation)
        class_at_work = ClassAtWork(
            base,
            debate,
            students,
            students[0],
            votes_per_second=len(students) / 10,
            write_every=options["class_write_every"],
        )
        with class_at_work:
            results["class_mixed"] = self._run(wrk, url, [], options, script=rotation, warm=False)
        results["class_work"] = class_at_work.summary()
        return {
            "class_ratio": round(
                results["class_mixed"]["rps"] / max(results["class_read_only"]["rps"], 1e-9), 3
            ),
            "member_to_visitor": round(
                results["class_read_only"]["rps"] / max(results["debate_page"]["rps"], 1e-9), 3
            ),
        }

    def _idle_readers(
        self, wrk: str, base: str, slug: str, options: dict[str, Any], results: dict[str, Any]
    ) -> dict[str, Any]:
        """The debate page read by active readers (wrk) while `--idle-readers` readers with
        it open poll for news every `--poll-every` seconds, nothing changing meanwhile (every
        answer a 304). The page read alone is the baseline: `--idle-rounds` pairs of runs,
        each figure their mean. Returns the polls' own figures (the last round's)."""
        page = urlopen(f"{base}/d/{slug}/", timeout=30).read().decode()
        poll_found = re.search(r'data-live-url="([^"]+)"', page)
        etag_found = re.search(r'data-live-etag="([^"]+)"', page)
        assert poll_found and etag_found, "the debate page has no live poll"
        poll, etag = html.unescape(poll_found.group(1)), html.unescape(etag_found.group(1))
        url = f"{base}/d/{slug}/"
        host, port = base.removeprefix("http://").split(":")
        # Alternated, so that the machine's drifting load weighs on both sides alike.
        alone, beside, polls = [], [], []
        for _ in range(options["idle_rounds"]):
            alone.append(self._run(wrk, url, [], options))
            readers = IdleReaders(
                host, int(port), poll, etag, count=options["idle_readers"],
                every=options["poll_every"],
            )  # fmt: skip
            with readers:
                time.sleep(options["poll_every"])  # every reader has polled once
                beside.append(self._run(wrk, url, [], options, warm=False))
            polls.append(readers.summary())
        results["idle_baseline"] = alone[-1] | {"rps": _mean_rps(alone)}
        results["with_idle_readers"] = beside[-1] | {"rps": _mean_rps(beside)}
        return polls[-1] | {"rounds": [
            {"alone_rps": a["rps"], "with_idle_rps": b["rps"], "polls_done": p["done"]}
            for a, b, p in zip(alone, beside, polls, strict=True)
        ]}  # fmt: skip

    def _wait(self, base: str) -> None:
        for _ in range(100):
            try:
                urlopen(base + "/static/css/app.css", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise CommandError("gunicorn did not start")

    def _run(
        self,
        wrk: str,
        url: str,
        headers: list[str],
        options: dict[str, Any],
        *,
        warm: bool = True,
        script: str = "",
    ) -> dict:
        # Warm every worker first: its first requests of an address compile and fill what the
        # address reads (the debates that fit are held from the worker's start, gunicorn.conf.py),
        # which is start-up, not throughput.
        self.stderr.write(f"loading {url} for {options['seconds']} s…")
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
            lua.write(script + WRK_REPORT)
            lua.flush()
            if warm:
                subprocess.run(
                    [wrk, "-t1", "-c4", "-d2s", "-s", lua.name, *headers, url],
                    capture_output=True,
                    check=True,
                )
            cpu = _workers_cpu(self.server_pid)
            output = subprocess.run(
                [wrk, "-t2", f"-c{options['connections']}", f"-d{options['seconds']}s",
                 "-s", lua.name, *headers, url],
                capture_output=True, text=True, check=True,
            ).stdout  # fmt: skip
            cpu = _workers_cpu(self.server_pid) - cpu
        match = re.search(r"^RESULT (\{.*\})$", output, re.M)
        if not match:
            raise CommandError(f"could not read wrk's output:\n{output}")
        raw = json.loads(match.group(1))
        figures = {
            "rps": round(raw["requests"] / raw["seconds"], 1),
            "p50_ms": round(raw["p50"], 2),
            "p95_ms": round(raw["p95"], 2),
            "p99_ms": round(raw["p99"], 2),
            "errors": raw["errors"],
            "requests": raw["requests"],
        }
        if self.server_pid:
            # The workers' CPU for each reader's answer: in a mixed run it holds the
            # writers' requests and what they cost the readers (docs/PERFORMANCE.md).
            figures["worker_cpu_ms_per_request"] = round(cpu * 1000 / max(raw["requests"], 1), 3)
        return figures
