"""A stand-in for one server worker, driven from another process: `bench` measures a serving
process's memory with it, and the tests prove that two processes on one database stay fresh.

    python -m arguments.bench.worker_probe      (DATABASE_URL and the Django settings from the env)

It reads one address per line on stdin, requests it as a visitor through Django's test client
(the whole stack but the network), and answers one JSON line: the status, the body, the
queries it cost, how many whole-debate loads this process has done, and its memory (resident
now and its peak, in MB, from /proc).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import django
from django.conf import settings
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

    def get(self, path: str, *, htmx: bool = False) -> dict[str, Any]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{path} htmx\n" if htmx else f"{path}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the probe process ended")
        return json.loads(line)

    def stop(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=60)


def main() -> None:
    django.setup()
    # The process's own settings are set up only now (it is started with `-m`).
    from arguments.structure import graph, loader  # noqa: PLC0415

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    loads: list[int] = []
    load_whole = loader._load_structure

    def counted(debate: Debate) -> graph.DebateStructure:
        loads.append(1)
        return load_whole(debate)

    loader._load_structure = counted
    visitor = Client()
    for line in sys.stdin:
        path, _, header = line.strip().partition(" ")
        headers = {"HX-Request": "true"} if header == "htmx" else {}
        with CaptureQueriesContext(connection) as queries:
            response = visitor.get(path, headers=headers)
        rss, peak = _memory_mb()
        answer = {
            "status": response.status_code,
            "body": response.content.decode(),
            "queries": len(queries),
            "sql": [q["sql"][:160] for q in queries.captured_queries],
            "loads": len(loads),
            "rss_mb": rss,
            "peak_mb": peak,
        }
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
