"""Per-test overhead of the `opco_sandbox` fixture with `demo`.

    python bench/overhead.py [--runs 300] [--warmup 20] [--database-url URL]

Each run does what the fixture does around one test, through the same code: a fresh espace
(`OpcoSandbox`), `demo` loaded into it, one `GET /akto/v1/status` (standing for the test),
then the espace closed, to be dropped with others (`DeferredDrops`, every 100 closes). The
drops are spread evenly over the runs: "drop espace" is what closing and dropping cost per
test, on average, and each run's total counts that share instead of its own close. The
in-process server is started once, as the session-scoped fixture does; its start is
reported apart. Default database: a SQLite file in a temporary directory, as the plugin's
default.
"""

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sandbox.core.database import Database
from sandbox.pytest_plugin import DeferredDrops, OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer


@dataclass
class Timings:
    """Milliseconds per run, for each phase and in total."""

    phases: dict[str, list[float]] = field(default_factory=dict)

    def add(self, phase: str, seconds: float) -> None:
        self.phases.setdefault(phase, []).append(seconds * 1000)


def timed(timings: Timings, phase: str, action: Callable[[], object]) -> None:
    start = time.perf_counter()
    action()
    timings.add(phase, time.perf_counter() - start)


def one_test(server: InProcessServer, drops: DeferredDrops, timings: Timings) -> None:
    """The fixture's setup and teardown around a one-request test."""
    start = time.perf_counter()
    sandbox = OpcoSandbox(server, f"test-{uuid.uuid4().hex[:16]}", drops)
    timed(timings, "load demo", lambda: sandbox.load("demo"))
    client = sandbox.client("akto")
    timed(timings, "status call", lambda: client.get("/v1/status").raise_for_status())
    client.close()
    timed(timings, "drop espace", sandbox.close)
    timings.add("total", time.perf_counter() - start)


def amortise_drops(timings: Timings, last_drop: float) -> None:
    """Spread the bulk drops (those within a run's close, and `last_drop`, the session's
    end) evenly over the runs, each run's total with them."""
    closes = timings.phases["drop espace"]
    share = (sum(closes) + last_drop * 1000) / len(closes)
    timings.phases["total"] = [
        t - c + share for t, c in zip(timings.phases["total"], closes, strict=True)
    ]
    timings.phases["drop espace"] = [share] * len(closes)


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def report(timings: Timings, runs: int, database_url: str) -> None:
    print(f"opco_sandbox fixture overhead, {runs} runs on {database_url.split(':')[0]}")
    print(f"{'phase':<14}{'mean':>9}{'median':>9}{'p95':>9}{'max':>9}  (ms)")
    for phase, values in timings.phases.items():
        print(
            f"{phase:<14}{statistics.fmean(values):>9.1f}{statistics.median(values):>9.1f}"
            f"{p95(values):>9.1f}{max(values):>9.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="measured runs")
    parser.add_argument("--warmup", type=int, default=20, help="runs done first, not measured")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'sandbox.db'}"
        database = Database(url)
        start = time.perf_counter()
        with InProcessServer(create_app(database, resolve("demo"))) as server:
            print(f"server start (once per session): {(time.perf_counter() - start) * 1000:.0f} ms")
            drops = DeferredDrops(server)
            for _ in range(args.warmup):
                one_test(server, drops, Timings())
            drops.drop()  # the measured runs' drops hold only their own espaces
            timings = Timings()
            for _ in range(args.runs):
                one_test(server, drops, timings)
            start = time.perf_counter()
            drops.drop()
            amortise_drops(timings, time.perf_counter() - start)
        database.dispose()
    report(timings, args.runs, url)


if __name__ == "__main__":
    main()
