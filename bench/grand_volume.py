"""Load time of the `grand-volume` scenario (10,000 dossiers) and request latencies on it.

    python bench/grand_volume.py [--requests 50] [--database-url URL]

Runs the app in-process (as the pytest fixture does) on a SQLite file in a temporary
directory, or on the database given. Reports, in seconds: parsing and validating the file
(`load_str`, what `PUT …/scenario` does before installing), then the whole `PUT …/scenario`
with the YAML text; then, in milliseconds, the latency of a page of `/v1/dossiers/etats`,
of one dossier's `GET /v1/dossiers` and of a `POST /v1/dossiers` transmission, each
`--requests` times, for the first CFA at AKTO.
"""

import argparse
import math
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from sandbox.core.database import Database
from sandbox.pytest_plugin import SOFTWARE_HEADERS
from sandbox.scenarios.files import bundled_dir
from sandbox.scenarios.loader import load_str, resolve
from sandbox.server.app import create_app
from sandbox.testing import InProcessServer

ESPACE = "grand-volume"
FIRST_CFA = {"siret": "81001111400016", "uaiCfa": "0750001A"}
EMPLOYEUR = {"siret": "60000100200010", "denomination": "Entreprise akto 01"}


def scenario_text() -> str:
    path = bundled_dir() / "grand-volume.yaml"
    if not path.is_file():
        raise SystemExit(f"{path} is missing: run python bench/make_grand_volume.py")
    return path.read_text(encoding="utf-8")


def seconds(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


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


def measure(server: InProcessServer, text: str, runs: int) -> None:
    print(f"parse and validate (load_str): {seconds(lambda: load_str(text, ESPACE)):.1f} s")
    control = server.client(f"/_sandbox/espaces/{ESPACE}")
    start = time.perf_counter()
    control.put(
        "/scenario",
        content=text.encode(),
        headers={"Content-Type": "application/yaml"},
        timeout=3600,
    ).raise_for_status()
    print(f"PUT /scenario (10,000 dossiers): {time.perf_counter() - start:.1f} s")
    akto = server.client(
        f"/espaces/{ESPACE}/akto", SOFTWARE_HEADERS | {"X-API-KEY": "gv1-akto-key"}
    )
    pages = max(1, math.ceil(akto.get("/v1/dossiers/etats").json()["total"] / 50))
    first_page = akto.get("/v1/dossiers/etats", params={"taillePage": 500}).json()
    numeros = [d["numeroInterne"] for d in first_page["EtatDossierResult"]]
    print(f"{'request':<28}{'mean':>9}{'median':>9}{'p95':>9}{'max':>9}  (ms)")
    print_latencies(
        "GET etats (page of 50)",
        latencies(
            runs, lambda i: akto.get("/v1/dossiers/etats", params={"numeroPage": 1 + i % pages})
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
    server.client().delete(f"/_sandbox/espaces/{ESPACE}").raise_for_status()
    print(f"DELETE the espace: {time.perf_counter() - start:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="calls of each request")
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary directory")
    args = parser.parse_args()
    text = scenario_text()
    with tempfile.TemporaryDirectory() as directory:
        url = args.database_url or f"sqlite:///{Path(directory) / 'sandbox.db'}"
        print(f"grand-volume on {url.split(':')[0]}")
        database = Database(url)
        with InProcessServer(create_app(database, resolve("demo"))) as server:
            measure(server, text, args.requests)
        database.dispose()


if __name__ == "__main__":
    main()
