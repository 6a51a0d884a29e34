"""A deployment in miniature on one machine (issue 36; `make cluster`, tests/test_cluster.py):
a primary PostgreSQL, a streaming replica of it (`pg_basebackup -R`), two gunicorn servers as
separate processes (as on two machines, each with its own per-process copies), the task
worker, and haproxy spreading requests over the servers round-robin.

Everything lives in one temporary directory and on free ports, and goes with `stop()`. The
PostgreSQL binaries are Debian's (`PG_BIN`); as root, PostgreSQL runs as the `postgres`
account (initdb refuses root). docs/DEPLOY.md shows the same on real machines.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.request import urlopen

import psycopg
from django.conf import settings

from arguments.bench.loadtest_clients import sessions_for
from arguments.bench.synthetic import build_debate
from arguments.models import Claim, Relation

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DATABASE = "debate"


def available() -> str | None:
    """Why a cluster cannot start here (None when it can)."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"{PG_BIN / tool} is missing (Debian: apt-get install postgresql-15)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "as root, PostgreSQL needs runuser to run as the postgres account"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL's tools refuse root: run them as the postgres account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def wait_http(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urlopen(url, timeout=2) as response:
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@dataclass
class Cluster:
    """Start with `start()` (or `with Cluster() as cluster:`), stop with `stop()`."""

    servers: int = 2
    workers: int = 2  # gunicorn workers per server
    balancer: bool = True  # haproxy in front, when installed
    seed: bool = False  # load the demo debates
    # A migrated database to copy (a test's own, by URL) instead of migrating from scratch:
    # on a busy two-core machine the migrations took most of a minute.
    schema_from: str | None = None
    quiet: bool = True
    logs: Path | None = None  # where the servers', worker's and balancer's output goes
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="debate-cluster-")))
    primary_port: int = field(default_factory=free_port)
    replica_port: int = field(default_factory=free_port)
    server_ports: list[int] = field(default_factory=list)
    balancer_port: int | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    timings: dict[str, float] = field(default_factory=dict)  # seconds from start to each step
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _clusters: list[Path] = field(default_factory=list)

    @property
    def primary_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.primary_port}/{DATABASE}"

    @property
    def replica_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.replica_port}/{DATABASE}"

    @property
    def server_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.server_ports]

    @property
    def url(self) -> str:
        """Where clients go: the balancer, else the first server."""
        port = self.balancer_port or self.server_ports[0]
        return f"http://127.0.0.1:{port}"

    def env(self, *, replica: bool = True) -> dict[str, str]:
        """The environment every web process and worker of the cluster gets."""
        env = {
            name: value
            for name, value in os.environ.items()
            if name not in {"REDIS_URL", "DATABASE_REPLICA_URL", "PYTEST_CURRENT_TEST"}
        }
        env |= {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_STATIC_ROOT": str(self.root / "static"),
            "DATABASE_URL": self.primary_url,
            "DJANGO_LTI_SCORES_SOON": "off",
        }
        if replica:
            env["DATABASE_REPLICA_URL"] = self.replica_url
        return env

    def __enter__(self) -> Cluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        try:
            # The static files (compressed, hashed: what production serves) are collected
            # while PostgreSQL starts: both take seconds, neither needs the other.
            began = time.monotonic()
            static = subprocess.Popen(
                [*self.manage_command, "collectstatic", "--no-input", "-v0"],
                env=self.env(),
                cwd=settings.BASE_DIR,
                stdout=subprocess.DEVNULL,
            )
            self._processes.append(static)
            self._start_databases()
            self.timings["databases"] = round(time.monotonic() - began, 1)
            if self.schema_from:
                self._copy_database(self.schema_from)
            else:
                self.manage("migrate", "--no-input", "-v0")
            if self.seed:
                self.manage("seed_demo")
            if static.wait() != 0:
                raise subprocess.CalledProcessError(static.returncode, "collectstatic")
            self.timings["schema and static"] = round(time.monotonic() - began, 1)
            self.start_servers()
            self.timings["servers"] = round(time.monotonic() - began, 1)
        except BaseException:
            self.stop()
            raise

    def _start_databases(self) -> None:
        os.chmod(self.root, 0o755)
        primary, replica = self.root / "primary", self.root / "replica"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._pg(
            ["initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
             "--no-sync"]
        )  # fmt: skip
        (primary / "postgresql.auto.conf").write_text(
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{self.root}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
            # A development cluster: durability is not what it is for.
            "fsync = off\nfull_page_writes = off\n"
        )
        with (primary / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        self._pg_ctl(primary, self.primary_port)
        self._pg(
            ["createdb", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
             DATABASE]
        )  # fmt: skip
        self._pg(
            ["pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
             "-D", str(replica), "-R", "-X", "stream", "-c", "fast"]
        )  # fmt: skip
        with (replica / "postgresql.auto.conf").open("a") as conf:
            # Long reads on the replica are not cancelled by the primary's vacuum.
            conf.write("hot_standby_feedback = on\n")
        self._pg_ctl(replica, self.replica_port)

    def _copy_database(self, source: str) -> None:
        dump = subprocess.run(
            [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", source],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", self.primary_url],
            input=dump,
            check=True,
            capture_output=True,
        )

    def _pg(self, command: list[str]) -> None:
        tool = [str(PG_BIN / command[0]), *command[1:]]
        subprocess.run(_as_postgres(tool), check=True, capture_output=self.quiet, cwd=self.root)

    def _pg_ctl(self, data: Path, port: int) -> None:
        self._pg(
            ["pg_ctl", "-D", str(data), "-l", str(data / "log"), "-w", "-t", "60",
             "-o", f"-p {port}", "start"]
        )  # fmt: skip
        self._clusters.append(data)

    @property
    def manage_command(self) -> list[str]:
        return [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]

    def manage(self, *args: str, replica: bool = False) -> str:
        """Run a management command against the cluster's primary; its standard output."""
        done = subprocess.run(
            [*self.manage_command, *args],
            env=self.env(replica=replica),
            cwd=settings.BASE_DIR,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def _spawn(self, command: list[str], *, replica: bool = True) -> None:
        output: Any = None
        if self.logs is not None:
            self.logs.mkdir(parents=True, exist_ok=True)
            name = f"{len(self._processes)}-{Path(command[0]).name}.log"
            output = (self.logs / name).open("wb")
        elif self.quiet:
            output = subprocess.DEVNULL
        self._processes.append(
            subprocess.Popen(
                command,
                env=self.env(replica=replica),
                cwd=settings.BASE_DIR,
                stdout=output,
                stderr=subprocess.STDOUT if self.logs is not None else output,
            )
        )

    def start_servers(self) -> None:
        self.server_ports = [free_port() for _ in range(self.servers)]
        for port in self.server_ports:
            self.start_server(port)
        self._spawn([sys.executable, "manage.py", "run_tasks"])
        haproxy = shutil.which("haproxy")
        if self.balancer and haproxy:
            self.balancer_port = free_port()
            config = self.root / "haproxy.cfg"
            config.write_text(self.haproxy_config())
            self._spawn([haproxy, "-f", str(config), "-db"])
        for url in [*self.server_urls, self.url]:
            wait_http(url + "/healthz")

    def start_server(self, port: int, *, replica: bool = True, workers: int = 0) -> None:
        """A gunicorn server on `port` (reading the replica, or the primary alone), with
        `workers` workers (0: the cluster's own number)."""
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self._spawn(
            [gunicorn, "debate.wsgi", "--workers", str(workers or self.workers), "--bind",
             f"127.0.0.1:{port}", "--timeout", "30", "--log-level", "warning"],
            replica=replica,
        )  # fmt: skip

    def haproxy_config(self) -> str:
        servers = "\n".join(
            f"    server web{n} 127.0.0.1:{port} check"
            for n, port in enumerate(self.server_ports, start=1)
        )
        # Lenient health checks: a sync worker busy with pages answers /healthz late on a
        # loaded machine, and a server marked down for that turned requests into 503s.
        return (
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n"
            "    timeout server 60s\n    timeout check 10s\n    retries 3\n"
            "    option redispatch\n"
            f"frontend web\n    bind 127.0.0.1:{self.balancer_port}\n    default_backend app\n"
            "backend app\n    balance roundrobin\n    option httpchk GET /healthz\n"
            "    default-server inter 2s fall 5 rise 1\n"
            f"{servers}\n"
        )

    def replica_lag(self) -> tuple[int, float]:
        return replica_lag(self.primary_port, self.replica_port)

    def stop(self) -> None:
        for process in reversed(self._processes):
            process.terminate()
        for process in reversed(self._processes):
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._processes.clear()
        for data in reversed(self._clusters):
            subprocess.run(
                _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                              "-w", "stop"]),
                capture_output=True, check=False,
            )  # fmt: skip
        self._clusters.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def replica_lag(primary_port: int, replica_port: int) -> tuple[int, float]:
    """The replica's lag behind the primary: WAL bytes not yet replayed, and seconds since
    the last transaction it replayed was committed (0 when it has replayed all it received)."""
    (primary,) = _one_row(primary_port, "SELECT pg_current_wal_lsn()::text")
    behind, seconds = _one_row(
        replica_port,
        "SELECT %s::pg_lsn - pg_last_wal_replay_lsn(), "
        "CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
        "ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END",
        primary,
    )
    return max(0, int(behind)), float(seconds or 0)


def _one_row(port: int, sql: str, *params: Any) -> tuple[Any, ...]:
    with psycopg.connect(
        f"postgresql://postgres@127.0.0.1:{port}/{DATABASE}", autocommit=True
    ) as conn:
        row = conn.execute(sql, params or None).fetchone()
    assert row is not None
    return tuple(row)


def make_class(*, slug: str, size: int, voters: int, writers: int) -> dict[str, Any]:
    """A public debate of `size` claims and signed-in voters and writers with sessions made
    in the store (run inside the cluster: `manage.py shell`, which signs with its key): what
    the scripted class of tests/test_cluster.py and the cluster's load test need."""
    debate = build_debate(size, slug=slug)
    thesis = Claim.objects.get(debate=debate, is_thesis=True)
    first = list(
        Relation.objects.filter(parent=thesis, is_link=False).values_list("child_id", "id")
    )
    return {
        "slug": debate.slug,
        "thesis": thesis.pk,
        "points": [{"claim": claim, "relation": relation} for claim, relation in first],
        "voters": [asdict(s) for s in sessions_for(debate, voters, f"{slug}-voter")],
        "writers": [asdict(s) for s in sessions_for(debate, writers, f"{slug}-writer")],
    }
