"""A stand-in for one server worker, driven from another process: `bench` measures a serving
process's memory with it, and the tests prove that two processes on one database stay fresh.

    python -m arguments.bench.worker_probe      (DATABASE_URL and the Django settings from the env)

It reads one address per line on stdin, requests it as a visitor through Django's test client
(the whole stack but the network), and answers one JSON line: the status, the body, the
queries it cost, how many whole-debate loads this process has done, the request's wall-clock
and CPU time (ms), and its memory (resident now and its peak, in MB, from /proc). After the
address, `htmx` sends it as htmx does, `as=<username>` signed in as that user, `quiet` leaves
the body and the SQL out of the answer (a bench reading a thousand pages). The line `!forget`
forgets every store of the process and the shared cache (`caches.forget_all`): the worker
then holds nothing of any debate, as a fresh one, with its templates compiled. The line
`!stores` answers each bounded store's entries, the bytes its sizer counted and the bytes
they really take (`store_bytes`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

if TYPE_CHECKING:
    from arguments.models import Debate


def _memory_mb() -> tuple[float, float]:
    """(resident now, peak resident) of this process, in MB; zeros where /proc is missing."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0, 0.0
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    kb = {name: int(fields.get(name, "0 kB").split()[0]) for name in ("VmRSS", "VmHWM")}
    return round(kb["VmRSS"] / 1024, 1), round(kb["VmHWM"] / 1024, 1)


def store_bytes() -> dict[str, dict[str, int]]:
    """Each bounded process store's entries, the bytes its sizer counted, and the bytes its
    entries really take (`caches.measured_size`); and the shared cache's when it is this
    process's memory (Django's local-memory cache: its pickled values' bytes)."""
    from django.core.cache import cache  # noqa: PLC0415

    from arguments import caches  # noqa: PLC0415

    figures = {
        store.name: {
            "entries": len(store),
            "counted": store.nbytes,
            "measured": sum(caches.measured_size(value) for value in list(store.values())),
            "budget": store.budget,
        }
        for store in caches.bounded_stores()
    }
    kept = getattr(cache, "_cache", None)
    if isinstance(kept, dict):
        figures["shared cache (this process)"] = {
            "entries": len(kept),
            "counted": 0,
            "measured": caches.measured_size(kept),
            "budget": 0,
        }
    return figures


def database_url(settings_dict: dict[str, Any]) -> str:
    """The DATABASE_URL of a connection's database (the test database, in tests and bench)."""
    name = settings_dict["NAME"]
    if "sqlite" in settings_dict["ENGINE"]:
        return f"sqlite:///{name}"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{settings_dict['USER']}{password}@{host}:{port}/{name}"


class Probe:
    """Another process serving the same database, asked one address at a time."""

    def __init__(self, url: str, *, env: dict[str, str] | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "arguments.bench.worker_probe"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=os.environ | {"DATABASE_URL": url} | (env or {}),
            cwd=Path(__file__).resolve().parents[2],  # the project, where `arguments` is
        )

    def get(
        self, path: str, *, htmx: bool = False, user: str = "", quiet: bool = False
    ) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        words = [path, *(["htmx"] if htmx else []), *([f"as={user}"] if user else [])]
        words += ["quiet"] if quiet else []
        self.process.stdin.write(" ".join(words) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the probe process ended")
        return json.loads(line)

    def forget(self) -> None:
        """Make the process hold nothing of any debate (every store forgotten)."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write("!forget\n")
        self.process.stdin.flush()
        self.process.stdout.readline()

    def stores(self) -> dict[str, dict[str, int]]:
        """Each bounded store of the process: entries, bytes counted, bytes measured."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write("!stores\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())["stores"]

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def main() -> None:
    django.setup()
    # The process's own settings are set up only now (it is started with `-m`).
    from arguments import caches  # noqa: PLC0415
    from arguments.structure import graph, loader  # noqa: PLC0415
    from arguments.views.warm_up import warm_up  # noqa: PLC0415

    warm_up()  # as a worker starts (debate/wsgi.py): its memory counts what that loads

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    loads: list[int] = []
    load_whole = loader._load_structure

    def counted(debate: Debate) -> graph.DebateStructure:
        loads.append(1)
        return load_whole(debate)

    loader._load_structure = counted
    visitor = Client()
    members: dict[str, Client] = {}
    for line in sys.stdin:
        path, *words = line.split()
        if path == "!forget":
            caches.forget_all()
            print(json.dumps({"status": 200}), flush=True)
            continue
        if path == "!stores":
            print(json.dumps({"status": 200, "stores": store_bytes()}), flush=True)
            continue
        headers = {"HX-Request": "true"} if "htmx" in words else {}
        client = visitor
        for word in words:
            if word.startswith("as="):
                name = word.removeprefix("as=")
                if name not in members:
                    members[name] = Client()
                    members[name].force_login(get_user_model().objects.get(username=name))
                client = members[name]
        with CaptureQueriesContext(connection) as queries:
            start, cpu = time.perf_counter(), time.process_time()
            response = client.get(path, headers=headers)
            ms = (time.perf_counter() - start) * 1000
            cpu_ms = (time.process_time() - cpu) * 1000
        rss, peak = _memory_mb()
        quiet = "quiet" in words
        answer = {
            "status": response.status_code,
            "body": "" if quiet else response.content.decode(),
            "queries": len(queries),
            "sql": [] if quiet else [q["sql"][:160] for q in queries.captured_queries],
            "loads": len(loads),
            "ms": round(ms, 2),
            "cpu_ms": round(cpu_ms, 2),
            "rss_mb": rss,
            "peak_mb": peak,
        }
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
