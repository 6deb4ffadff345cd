"""Requests per second of the sandbox beside Prism and a FastAPI "hello world", with wrk.

    python -m bench.throughput [--seconds 10] [--connections 16] [--only sqlite-1,prism]

Starts, one after the other, on this machine: the sandbox (`opco-sandbox serve`) with one and
two workers on SQLite and on PostgreSQL (a throwaway database on the server of
`OPCO_SANDBOX_TEST_POSTGRES`, default postgresql+psycopg://postgres@127.0.0.1:5432/test),
Prism (`@stoplight/prism-cli`, installed with npm into a cache folder when missing) mocking
the exported `openapi/opco-sandbox.json`, and a FastAPI hello world on uvicorn (the floor of
our stack). Each is driven by wrk (`apt-get install wrk` when missing) over four requests:
`GET /akto/v1/status`, a dossier read, a `v2` page of states, and distinct contract
transmissions (each stored, checked for duplicates, journaled). Prints req/s, p50 and p99
of each, the ratio to Prism, and for the sandbox's transmissions the dossiers it then
counts beside the 2xx answers. Asserts nothing: the figures are for reading.
"""

import argparse
import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.grand_volume import postgres_database
from sandbox.pytest_plugin import _free_port

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi" / "opco-sandbox.json"
PRISM_HOME = Path.home() / ".cache" / "opco-sandbox-bench" / "prism"
POSTGRES = os.environ.get(
    "OPCO_SANDBOX_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
HEADERS = {"EDITEUR": "bench", "LOGICIEL": "wrk", "VERSION": "1", "X-API-KEY": "demo-akto-key"}
# The transmission of contract N: a Lua script gives each request its own number and name.
TRANSMIT_LUA = """
-- Each of wrk's threads has its own Lua state: a thread number keeps their ids apart.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
counter = 0
request = function()
  counter = counter + 1
  local id = string.format("%s-%d-%d", prefix, tid, counter)
  local body = string.format(template, id, id)
  local headers = {["Content-Type"] = "application/json"}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", "/akto/v1/dossiers", headers, body)
end
"""
CONTRACT = (
    '{"numeroInterne": "%s", "cerfa": {'
    '"employeur": {"siret": "52345678800018", "denomination": "Boulangerie Martin"},'
    '"apprenti": {"nom": "N%s", "prenom": "Camille", "sexe": "F",'
    ' "dateNaissance": "2009-01-20", "nir": "209013306311175"},'
    '"maitre1": {"nom": "Martin", "prenom": "Paul", "dateNaissance": "1975-06-02"},'
    '"contrat": {"typeContratApp": 11, "dateConclusion": "2026-08-25",'
    ' "dateDebutContrat": "2026-09-01", "dateFinContrat": "2028-08-31",'
    ' "salaireEmbauche": 1200.0},'
    '"formation": {"rncp": "RNCP38580", "intituleQualification": "BTS CG",'
    ' "dateDebutFormation": "2026-09-01", "dateFinFormation": "2028-06-30"},'
    '"organismeFormation": {"siret": "79012345900014", "uaiCfa": "0751234A"}},'
    ' "mandatGestion": true}'
)
REQUESTS = {
    "status": ("GET", "/akto/v1/status"),
    "dossier": ("GET", "/akto/v1/dossiers?numeroInterne=DEMO-0001"),
    "page v2": ("GET", "/akto/v2/dossiers/etats?numeroPage=1"),
    "transmission": ("POST", "/akto/v1/dossiers"),
}
HELLO = """
from fastapi import FastAPI
app = FastAPI()

@app.get("/akto/v1/status")
def status():
    return {"status": "OK", "opco": "akto", "nom": "AKTO"}
"""


@dataclass
class Figures:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int
    requests: int = 0
    # The dossiers the sandbox counts after a transmission run: never fewer than the 2xx
    # wrk counted (an acknowledgement means a stored contract, whatever the speed), up to
    # `--connections` more (wrk stops with requests in flight, which are stored too).
    stored: int | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", help="comma-separated targets (sqlite-1, pg-2, prism, hello…)")
    args = parser.parse_args()
    wrk = ensure_wrk()
    targets = ["sqlite-1", "sqlite-2", "pg-1", "pg-2", "prism", "hello"]
    chosen = args.only.split(",") if args.only else targets
    # Prism first, so that every later line has its ratio.
    chosen.sort(key=lambda target: target != "prism")
    results: dict[str, dict[str, Figures]] = {}
    for target in chosen:
        with started(target) as (url, auth):
            results[target] = {
                name: drive_counting(wrk, url, auth, name, args, target)
                for name in REQUESTS
                if target != "hello" or name == "status"
            }
        print_table({target: results[target]}, results.get("prism"), header=len(results) == 1)


def drive_counting(
    wrk: str, url: str, headers: dict[str, str], name: str, args: argparse.Namespace, target: str
) -> Figures:
    """`drive`, and for the sandbox's transmissions the dossiers they stored."""
    counts = name == "transmission" and target not in ("prism", "hello")
    before = stored_dossiers(url, headers) if counts else 0
    figures = drive(wrk, url, headers, name, args.seconds, args.connections)
    if counts:
        figures.stored = stored_dossiers(url, headers) - before
    return figures


def stored_dossiers(url: str, headers: dict[str, str]) -> int:
    """How many dossiers the benchmark's CFA has at AKTO (a `v2` page's total)."""
    answer = httpx.get(f"{url}/akto/v2/dossiers/etats", params={"taillePage": 1}, headers=headers)
    answer.raise_for_status()
    return int(answer.json()["total"])


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
        found = shutil.which("wrk")
    assert found is not None, "wrk could not be installed"
    return found


def ensure_prism() -> Path:
    binary = PRISM_HOME / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        PRISM_HOME.mkdir(parents=True, exist_ok=True)
        print(f"installing Prism into {PRISM_HOME} (npm)…", flush=True)
        subprocess.run(
            ["npm", "install", "--silent", "--prefix", str(PRISM_HOME), "@stoplight/prism-cli"],
            check=True,
        )
    return binary


@contextlib.contextmanager
def started(target: str) -> Iterator[tuple[str, dict[str, str]]]:
    """The target running on a free port: its base URL and the headers a call needs."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    with contextlib.ExitStack() as stack:
        if target == "prism":
            command = [str(ensure_prism()), "mock", "-p", str(port), "-h", "127.0.0.1", str(SPEC)]
        elif target == "hello":
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
            (folder / "hello.py").write_text(textwrap.dedent(HELLO))
            command = [sys.executable, "-m", "uvicorn", "--app-dir", str(folder), "hello:app"]
            command += ["--port", str(port), "--log-level", "warning"]
        else:
            engine, workers = target.split("-")
            database = stack.enter_context(database_for(engine))
            command = [sys.executable, "-m", "sandbox", "serve", "--port", str(port)]
            command += ["--database-url", database, "--workers", workers]
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPCO_SANDBOX_")}
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        stack.callback(stop, process)
        wait_until_up(url, process)
        yield url, auth_headers(url) if target not in ("prism", "hello") else prism_headers()


@contextlib.contextmanager
def database_for(engine: str) -> Iterator[str]:
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
    else:
        with postgres_database(POSTGRES) as url:
            yield url


def auth_headers(url: str) -> dict[str, str]:
    """The demo vendor's token and the demo CFA's key, as a client sends them."""
    answer = httpx.post(
        f"{url}/akto/connect/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "acme-cfa",
            "client_secret": "acme-secret-demo",
        },
    )
    answer.raise_for_status()
    return HEADERS | {"Authorization": f"Bearer {answer.json()['access_token']}"}


def prism_headers() -> dict[str, str]:
    return HEADERS | {"Authorization": "Bearer bench"}


def drive(
    wrk: str, url: str, headers: dict[str, str], name: str, seconds: int, connections: int
) -> Figures:
    method, path = REQUESTS[name]
    command = [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for key, value in headers.items():
        command += ["-H", f"{key}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if method == "POST":
            prefix = uuid.uuid4().hex[:6]
            script.write(f'prefix = "B{prefix}"\ntemplate = [[{CONTRACT}]]\n{TRANSMIT_LUA}')
            script.flush()
            command += ["-s", script.name]
        output = subprocess.run(
            [*command, url + path], capture_output=True, text=True, check=True
        ).stdout
    return parse(output)


def parse(output: str) -> Figures:
    def latency(label: str) -> float:
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)\b", output)
        if match is None:
            return float("nan")
        factor = {"us": 0.001, "ms": 1.0, "s": 1000.0}[match[2]]
        return float(match[1]) * factor

    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    requests = re.search(r"(\d+) requests in", output)
    return Figures(
        float(rps[1]) if rps else 0.0,
        latency("50%"),
        latency("99%"),
        int(errors[1]) if errors else 0,
        int(requests[1]) if requests else 0,
    )


def print_table(
    results: dict[str, dict[str, Figures]], prism: dict[str, Figures] | None, header: bool
) -> None:
    if header:
        print(
            f"{'target':<10}{'request':<14}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            f"{'non-2xx':>9}{'× Prism':>9}  stored (2xx)"
        )
    for target, figures in results.items():
        for name, f in figures.items():
            base = prism.get(name) if prism else None
            ratio = f"{f.rps / base.rps:.2f}" if base and base.rps else "-"
            stored = "" if f.stored is None else f"  {f.stored} ({f.requests - f.errors})"
            print(
                f"{target:<10}{name:<14}{f.rps:>9.0f}{f.p50_ms:>9.1f}{f.p99_ms:>9.1f}"
                f"{f.errors:>9}{ratio:>9}{stored}",
                flush=True,
            )


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with status {process.returncode}")
        try:
            httpx.get(f"{url}/akto/v1/status", headers=prism_headers(), timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


if __name__ == "__main__":
    main()
