"""Does the sandbox keep its pace with many dossiers? 1,000 against 100,000 in one espace.

    python -m bench.scale [--sizes 1000,100000] [--requests 50] [--database-url URL]

For each size, a live server (`opco-sandbox serve`, one worker; a SQLite file in a
temporary folder, or a database of its own created on the PostgreSQL server that
`--database-url` names, dropped after) loads `demo` plus that many generated dossiers
(`generer`) into an espace, and prints: the install's time, the median latency of a `v2`
states page, a dossier read, a contract transmission (its duplicate check) and an invoice
submission, and the server's resident memory (VmRSS) after them. Each read follows a write
(an OAuth2 token issued, not timed): its espace has a new revision, so the read runs its
queries instead of getting the answer kept from the one before (`server/answers.py`).
Asserts nothing: the figures are for reading (target: each latency within 1.5× of the
1,000-dossier one; RSS under 250 MB).
"""

import argparse
import contextlib
import copy
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.grand_volume import postgres_database
from bench.throughput import CONTRACT, auth_headers
from sandbox.pytest_plugin import live_server
from sandbox.scenarios.loader import resolve

ESPACE = "scale"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    args = parser.parse_args()
    print(
        f"{'dossiers':>9}{'install s':>11}{'page v2':>9}{'dossier':>9}{'transmit':>10}"
        f"{'facture':>9}{'RSS MB':>8}   (latencies: median ms)"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        with database(args.database_url) as url:
            measure(url, size, args.requests)


@contextlib.contextmanager
def database(asked: str | None) -> Iterator[str]:
    """A SQLite file in a temporary folder; on a PostgreSQL server, a database of its own,
    dropped after (a run leaves no 100,000 dossiers behind, nor meets an earlier run's)."""
    if asked is None:
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{Path(folder) / 'scale.db'}"
    elif asked.startswith("postgresql"):
        with postgres_database(asked) as own:
            yield own
    else:
        yield asked


def measure(database_url: str, size: int, requests: int) -> None:
    document = copy.deepcopy(resolve("demo").document)
    document["generer"] = {"dossiers": size, "graine": 1}
    server = live_server(database_url)
    with server as url:
        assert server.process is not None  # one worker: uvicorn serves in this process
        pid = server.process.pid
        control = httpx.Client(base_url=f"{url}/_sandbox/espaces/{ESPACE}", timeout=900)
        start = time.perf_counter()
        control.put("/scenario", json=document).raise_for_status()
        installed = time.perf_counter() - start
        api = httpx.Client(
            base_url=f"{url}/espaces/{ESPACE}/akto",
            headers=auth_headers(f"{url}/espaces/{ESPACE}"),
            timeout=60,
        )
        page = lambda: api.get("/v2/dossiers/etats", params={"numeroPage": 1})  # noqa: E731
        read = lambda: api.get("/v1/dossiers", params={"numeroInterne": "DEMO-0001"})  # noqa: E731
        figures = [
            median_ms(page, requests, before=token_issuer(api)),
            median_ms(read, requests, before=token_issuer(api)),
            median_ms(transmitter(api), requests),
            median_ms(invoicer(api), requests),
        ]
        rss = resident_mb(pid)
    print(
        f"{size:>9}{installed:>11.1f}"
        + "".join(f"{f:>9.1f}" for f in figures[:2])
        + f"{figures[2]:>10.1f}{figures[3]:>9.1f}{rss:>8.0f}",
        flush=True,
    )


def transmitter(api: httpx.Client) -> Callable[[], httpx.Response]:
    count = iter(range(10**9))

    def transmit() -> httpx.Response:
        number = f"SCALE-{next(count)}"
        return api.post(
            "/v1/dossiers",
            content=CONTRACT % (number, number.replace("-", "x")),
            headers={"Content-Type": "application/json"},
        )

    return transmit


def invoicer(api: httpx.Client) -> Callable[[], httpx.Response]:
    """Invoices of one 1 € meal each on E1 of demo's engaged dossier, each its own number."""
    count = iter(range(10**9))

    def submit() -> httpx.Response:
        facture: dict[str, Any] = {
            "numero": f"SCALE-F-{next(count)}",
            "dateEmission": "2026-09-01",
            "montantTotal": 1.0,
            "ibanEmetteur": "FR7630006000011234567890189",
            "siretEmetteur": "79012345900014",
            "estCertificatRealisation": False,
            "lignes": [
                {
                    "montant": 1.0,
                    "natureLigne": "RESTAURATION",
                    "quantite": 1,
                    "numeroEcheance": 1,
                    "numeroDossier": "AKTO-2026-000001",
                }
            ],
        }
        files: dict[str, Any] = {
            "facture": (None, json.dumps(facture), "application/json"),
            "fichier": ("facture.pdf", PDF, "application/pdf"),
        }
        return api.post("/v1/factures", files=files)

    return submit


def token_issuer(api: httpx.Client) -> Callable[[], httpx.Response]:
    """A write of the espace (a token), so that the next read finds a new revision."""
    form = {"grant_type": "client_credentials"}
    form |= {"client_id": "acme-cfa", "client_secret": "acme-secret-demo"}
    return lambda: api.post("/connect/token", data=form).raise_for_status()


def median_ms(
    call: Callable[[], httpx.Response],
    times: int,
    before: Callable[[], object] | None = None,
) -> float:
    durations = []
    for _ in range(times):
        if before is not None:
            before()
        start = time.perf_counter()
        answer = call()
        durations.append((time.perf_counter() - start) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{answer.request.url}: {answer.status_code} {answer.text[:300]}")
    return statistics.median(durations)


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    main()
