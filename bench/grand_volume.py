"""Load time of generated dossiers (the scenario key `generer`), memory, and request
latencies on the largest load.

    python bench/grand_volume.py [--dossiers 1000 10000 100000] [--postgres [URL]]
                                 [--requests 50]

The bundled `grand-volume` scenario (four CFAs with a key at every OPCO), its `generer`
count set to each `--dossiers` in turn, is PUT to the app in-process (as the pytest fixture
does) on a SQLite file in a temporary directory, or, with `--postgres`, on a database
created on that PostgreSQL server (default: the test server) and dropped after: one engine
a run, so that the peak RSS is that engine's. For each load: the seconds of the whole
`PUT …/scenario`, and the process's peak RSS so far. Then,
in milliseconds, the latency of a page of `/v2/dossiers/etats`, of one dossier's
`GET /v1/dossiers` and of a `POST /v1/dossiers` transmission, each `--requests` times, for
the first CFA at AKTO, on the largest load. Targets (issue 9): 10,000 dossiers in under
10 s and 100,000 in under 60 s on both engines, peak RSS under 250 MB.
"""

import argparse
import copy
import math
import resource
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from sandbox.core.database import Database
from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios.loader import resolve
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer

ESPACE = "grand-volume"
FIRST_CFA = {"siret": "81001111400016", "uaiCfa": "0750001A"}
EMPLOYEUR = {"siret": "60000100200010", "denomination": "Entreprise akto 01"}
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def scenario(dossiers: int) -> dict[str, Any]:
    """grand-volume with `dossiers` generated dossiers."""
    document = copy.deepcopy(resolve("grand-volume").document)
    document["generer"] = {"dossiers": dossiers, "graine": 1}
    return document


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def latencies(runs: int, request: Callable[[int], httpx.Response]) -> list[float]:
    """Milliseconds of each call of `request(i)`, which must succeed."""
    timings = []
    for i in range(runs):
        start = time.perf_counter()
        response = request(i)
        timings.append((time.perf_counter() - start) * 1000)
        if response.is_error:
            raise SystemExit(f"{response.request.url}: {response.status_code} {response.text}")
    return timings


def transmission(i: int) -> dict[str, Any]:
    """A new contract for the first CFA at AKTO; `i` makes the apprentice unique."""
    return {
        "numeroInterne": f"BENCH-{i:05d}",
        "mandatGestion": True,
        "cerfa": {
            "employeur": EMPLOYEUR,
            "apprenti": {
                "nom": "Banc",
                "prenom": f"Essai {i}",
                "sexe": "F",
                "dateNaissance": "2007-03-14",
                "nir": "205089205012341",
            },
            "maitre1": {"nom": "Martin", "prenom": "Paul", "dateNaissance": "1975-06-02"},
            "contrat": {
                "typeContratApp": 11,
                "dateConclusion": "2026-08-20",
                "dateDebutContrat": "2026-09-01",
                "dateFinContrat": "2028-08-31",
                "salaireEmbauche": 1000.00,
            },
            "formation": {
                "rncp": "RNCP35185",
                "intituleQualification": "CAP Boulanger",
                "dateDebutFormation": "2026-09-01",
                "dateFinFormation": "2028-06-30",
            },
            "organismeFormation": FIRST_CFA,
        },
    }


def print_latencies(name: str, values: list[float]) -> None:
    p95 = statistics.quantiles(values, n=20, method="inclusive")[-1]
    print(
        f"{name:<28}{statistics.fmean(values):>9.1f}{statistics.median(values):>9.1f}"
        f"{p95:>9.1f}{max(values):>9.1f}"
    )


def measure_loads(server: InProcessServer, counts: list[int]) -> OpcoSandbox:
    """PUT each count's scenario; the espace holds the last one."""
    sandbox = OpcoSandbox(server, ESPACE)
    for count in counts:
        document = scenario(count)
        start = time.perf_counter()
        summary = sandbox.load(document)
        elapsed = time.perf_counter() - start
        assert summary["dossiers"] == count, summary
        rss = peak_rss_mb()
        print(f"PUT /scenario, {count:>7,} dossiers: {elapsed:6.1f} s, peak RSS {rss:.0f} MB")
    return sandbox


def measure_requests(sandbox: OpcoSandbox, runs: int) -> None:
    akto = sandbox.client("akto", FIRST_CFA["siret"])
    pages = max(1, math.ceil(akto.get("/v2/dossiers/etats").json()["total"] / 50))
    first_page = akto.get("/v2/dossiers/etats", params={"taillePage": 500}).json()
    numeros = [d["numeroInterne"] for d in first_page["EtatDossierResult"]]
    print(f"{'request':<28}{'mean':>9}{'median':>9}{'p95':>9}{'max':>9}  (ms)")
    print_latencies(
        "GET etats (page of 50)",
        latencies(
            runs, lambda i: akto.get("/v2/dossiers/etats", params={"numeroPage": 1 + i % pages})
        ),
    )
    print_latencies(
        "GET one dossier",
        latencies(
            runs,
            lambda i: akto.get("/v1/dossiers", params={"numeroInterne": numeros[i % len(numeros)]}),
        ),
    )
    print_latencies(
        "POST a transmission",
        latencies(runs, lambda i: akto.post("/v1/dossiers", json=transmission(i))),
    )
    start = time.perf_counter()
    sandbox.close()
    print(f"DELETE the espace: {time.perf_counter() - start:.1f} s")


def run(url: str, counts: list[int], runs: int) -> None:
    print(f"--- {url.split(':')[0]}")
    database = Database(url)
    with InProcessServer(create_app(database, resolve("demo"))) as server:
        sandbox = measure_loads(server, counts)
        if runs:
            measure_requests(sandbox, runs)
    database.dispose()


@contextmanager
def postgres_database(admin_url: str) -> Iterator[str]:
    """A database of its own on that server, dropped at the end."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--dossiers", type=int, nargs="+", default=[1_000, 10_000, 100_000], help="loads"
    )
    parser.add_argument(
        "--postgres", nargs="?", const=POSTGRES, help=f"on PostgreSQL (default {POSTGRES})"
    )
    parser.add_argument("--requests", type=int, default=50, help="calls of each request")
    args = parser.parse_args()
    if args.postgres:
        with postgres_database(args.postgres) as url:
            run(url, args.dossiers, args.requests)
        return
    with tempfile.TemporaryDirectory() as directory:
        run(f"sqlite:///{Path(directory) / 'sandbox.db'}", args.dossiers, args.requests)


if __name__ == "__main__":
    main()
