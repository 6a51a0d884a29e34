"""A deployment in miniature (issue 36, arguments/bench/cluster.py):

    python manage.py cluster               # `make cluster`: start it, seed the demo, wait
    python manage.py cluster --loadtest    # `make loadtest CLUSTER=1`: one server vs the cluster

`--loadtest` starts the cluster and a third gunicorn server reading the primary alone (as
before issue 36), with as many workers as the cluster's two servers together, then drives
both from a process inside the cluster (`--drive`, with the cluster's database and key): it
builds a synthetic debate of `--size` claims and runs wrk on the debate page, read by
visitors alone and then while a class votes and writes (loadtest_clients.ClassAtWork), first
on the one server, then on the cluster (two servers behind haproxy, reads on the replica),
sampling the replica's lag all along. It prints the figures and one JSON line.
"""

from __future__ import annotations

import json
import subprocess
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from arguments.bench.cluster import (
    Cluster,
    available,
    free_port,
    make_class,
    replica_lag,
    wait_http,
)
from arguments.bench.loadtest_clients import ClassAtWork, Session
from arguments.management.commands.loadtest import Command as LoadTest
from arguments.models import Debate


class Command(BaseCommand):
    help = "Start a primary, a streaming replica, two app servers, the worker and haproxy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loadtest", action="store_true")
        parser.add_argument("--size", type=int, default=2000)
        parser.add_argument("--seconds", type=int, default=10)
        parser.add_argument("--connections", type=int, default=16)
        parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")
        parser.add_argument("--votes-per-second", type=float, default=4.0)
        parser.add_argument("--write-every", type=float, default=2.0, help="seconds")
        parser.add_argument(
            "--schema-from", help="a migrated PostgreSQL database's URL to copy, not migrate"
        )
        # Inside the cluster (set by --loadtest): the servers to load and the ports to watch.
        parser.add_argument("--drive", nargs=4, metavar=("ONE", "CLUSTER", "PRIMARY", "REPLICA"))

    def handle(self, *args: Any, **options: Any) -> None:
        if options["drive"]:
            self._drive(options)
            return
        reason = available()
        if reason:
            raise CommandError(reason)
        cluster = Cluster(
            workers=options["workers"],
            seed=not options["loadtest"],
            schema_from=options["schema_from"],
        )
        self.stderr.write(f"starting a cluster in {cluster.root}…")
        with cluster:
            self.stderr.write(f"started (seconds from the start): {cluster.timings}")
            if options["loadtest"]:
                alone = free_port()
                # As many workers as the cluster's servers together: on a shared machine,
                # each process's share of the cores grows with the number of processes.
                cluster.start_server(
                    alone, replica=False, workers=cluster.servers * cluster.workers
                )
                wait_http(f"http://127.0.0.1:{alone}/healthz")
                ports = [f"http://127.0.0.1:{alone}", cluster.url]
                ports += [str(cluster.primary_port), str(cluster.replica_port)]
                passed = [
                    f"--{name.replace('_', '-')}={options[name]}"
                    for name in ("size", "seconds", "connections", "votes_per_second")
                ] + [f"--write-every={options['write_every']}"]
                subprocess.run(
                    [*cluster.manage_command, "cluster", "--drive", *ports, *passed],
                    env=cluster.env(),
                    check=True,
                )
                return
            self.stdout.write(
                f"primary   {cluster.primary_url}\nreplica   {cluster.replica_url}\n"
                f"servers   {' '.join(cluster.server_urls)}\nbalancer  {cluster.url}\n"
                "Ctrl-C stops everything."
            )
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                self.stderr.write("stopping…")

    def _drive(self, options: dict[str, Any]) -> None:
        one, many, primary, replica = options["drive"]
        made = make_class(slug="cluster-load", size=options["size"], voters=20, writers=1)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh statistics, as `loadtest` does
        debate = Debate.objects.get(slug=made["slug"])
        voters = [Session(**session) for session in made["voters"]]
        writer = Session(**made["writers"][0])
        wrk = LoadTest()  # its wrk runs, printing to this process's output
        page = f"/d/{debate.slug}/"
        results: dict[str, Any] = {}
        for name, base in (("one server", one), ("cluster", many)):
            lags: list[tuple[int, float]] = []
            stop = threading.Event()

            def watch(lags: list[tuple[int, float]] = lags, stop: threading.Event = stop) -> None:
                while not stop.wait(0.5):
                    lags.append(replica_lag(int(primary), int(replica)))

            watcher = threading.Thread(target=watch)
            watcher.start()
            try:
                read_only = wrk._run("wrk", base + page, [], options)
                work = ClassAtWork(
                    base,
                    debate,
                    voters,
                    writer,
                    votes_per_second=options["votes_per_second"],
                    write_every=options["write_every"],
                )
                with work:
                    mixed = wrk._run("wrk", base + page, [], options, warm=False)
            finally:
                stop.set()
                watcher.join()
            results[name] = {
                "read_only": read_only,
                "mixed": mixed,
                "writers": work.summary(),
                "replica_lag_max_bytes": max((b for b, _ in lags), default=0),
                "replica_lag_max_seconds": round(max((s for _, s in lags), default=0.0), 3),
            }
        for name, figures in results.items():
            for run in ("read_only", "mixed"):
                f = figures[run]
                self.stdout.write(
                    f"{name:10} {run:9} {f['rps']:8.1f} req/s  p50 {f['p50_ms']:6.1f} ms  "
                    f"p99 {f['p99_ms']:6.1f} ms  errors {f['errors']}"
                )
            self.stdout.write(
                f"{name:10} writers {figures['writers']}; replica lag at most "
                f"{figures['replica_lag_max_bytes']} bytes, {figures['replica_lag_max_seconds']} s"
            )
        self.stdout.write(json.dumps(results | {"claims": options["size"]}))
