"""pytest fixtures for testing a CFA application against the sandbox.

Installing the package registers them (entry point `pytest11`):

* `opco_sandbox`: the app in-process, a fresh espace per test loaded with `demo`, or with
  the scenario that `@pytest.mark.opco_scenario("name-or-path")` names.
* `opco_sandbox_url`: the base URL of a live server (one per test session), for code that
  needs a real socket; its `default` espace holds `demo`, or the marker's scenario for the
  test that has one, and is reset between tests.

Override `opco_sandbox_database_url` (session scope) to run on another database, and
`opco_sandbox_listen_address` (session scope, `("127.0.0.1", 0)`: port 0 is a free one) to
fix the live server's host and port:

    @pytest.fixture(scope="session")
    def opco_sandbox_listen_address():
        return ("127.0.0.1", 8123)
"""

import functools
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from sandbox.core.opcos import OPCOS
from sandbox.interception import PRODUCTION_HOSTS, intercept
from sandbox.testing import BASE_URL, BearerToken, InProcessServer

if TYPE_CHECKING:  # the plugin loads in every pytest session: the app only when used
    from sandbox.scenarios.loader import LoadedScenario
    from sandbox.server.runtime import Runtime

SOFTWARE_HEADERS = {"EDITEUR": "opco-sandbox", "LOGICIEL": "pytest", "VERSION": "1"}
# Headers of the production request that the in-process call sets itself.
_HOP_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "opco_scenario(name_or_path): the scenario the opco_sandbox espace starts with"
    )


class DeferredDrops:
    """The espaces of closed tests, dropped together every `every` of them and at the end
    of the session (`drop`): one transaction for a hundred espaces costs hardly more than
    one for each. Until then a closed espace's rows linger, unused: its name is random."""

    def __init__(self, server: InProcessServer, every: int = 100) -> None:
        self.server = server
        self.every = every
        self._closed: list[str] = []

    def add(self, espace: str) -> None:
        self._closed.append(espace)
        if len(self._closed) >= self.every:
            self.drop()

    def drop(self) -> None:
        """Drop every espace added since the last drop."""
        from sandbox.espaces.repository import drop_espaces

        if not self._closed:
            return
        runtime: Runtime = self.server.app.state.runtime
        # The journal's writer holds espace rows, one after the other, while it writes:
        # done first, it holds none of those the drop locks (on PostgreSQL, both waiting
        # for the other's would deadlock).
        runtime.journal.flush()
        with runtime.database.transaction() as session:
            drop_espaces(session, self._closed)
        self._closed.clear()


class OpcoSandbox:
    """One test's espace on the in-process sandbox. `drops`: where `close` leaves the
    espace to be dropped later, with others (the fixture's); None: `close` drops it."""

    def __init__(
        self, server: InProcessServer, espace: str, drops: DeferredDrops | None = None
    ) -> None:
        self.server = server
        self.espace = espace
        self.control = server.client(f"/_sandbox/espaces/{espace}")
        self._drops = drops
        self._scenario: dict[str, Any] = {}

    def load(self, scenario: str | Path | dict[str, Any]) -> dict[str, Any]:
        """Replace the espace's state by a scenario: a bundled name, a file path or a dict.
        Done as `PUT …/scenario` does it, but in-process, without HTTP: thousands of tests
        load one (its install is computed once, see `sandbox.scenarios.templates`)."""
        from sandbox.controle.schemas import Resume
        from sandbox.espaces.repository import EspaceRepository
        from sandbox.espaces.world import World
        from sandbox.scenarios.loader import ScenarioError, install

        runtime: Runtime = self.server.app.state.runtime
        runtime.journal.flush(self.espace)  # as the control API does: its old entries first
        try:
            loaded = _loaded(scenario)
            with runtime.database.transaction() as session:
                done = install(session, self.espace, loaded, date.today())
                generation = EspaceRepository(session, self.espace).generation()
            # Committed: its world is the scenario's, already validated (no need for its
            # first request to read the scenario back and validate it again).
            runtime.worlds.put(self.espace, generation, World(loaded.scenario))
        except ScenarioError as exc:
            refused = "; ".join(f"{p.champ}: {p.message}" for p in exc.problems)
            raise AssertionError(f"scenario refused: {refused}") from None
        self._scenario = scenario if isinstance(scenario, dict) else loaded.document
        return Resume.of(self.espace, loaded, done).model_dump(mode="json")

    def client(self, opco: str, cfa: str | None = None) -> httpx.Client:
        """A client of that OPCO's API, with the CFA's key (the first CFA's when None) and,
        where the OPCO asks for one, an OAuth2 token that it fetches and renews itself with
        the scenario's first software credentials (`logiciels`)."""
        headers = dict(SOFTWARE_HEADERS)
        if key := self.key(opco, cfa):
            headers["X-API-KEY"] = key
        base = f"/espaces/{self.espace}/{opco}"
        return self.server.client(base, headers, auth=self.token_auth(opco))

    def token_auth(self, opco: str) -> BearerToken | None:
        """How the client of that OPCO gets its OAuth2 token, or None where none is needed
        (or the scenario declares no software credentials)."""
        logiciels = self._scenario.get("logiciels") or []
        if not logiciels or not requires_token(self._scenario, opco):
            return None
        url = f"{BASE_URL}/espaces/{self.espace}/{opco}/connect/token"
        issue = functools.partial(self._issue_token, opco)
        return BearerToken(url, logiciels[0]["clientId"], logiciels[0]["clientSecret"], issue=issue)

    def _issue_token(self, opco: str, form: Mapping[str, str]) -> str | None:
        """A token issued as `POST …/connect/token` issues it, but in-process: a second
        HTTP request per test cost more than the test's own. The same checks that matter
        (the espace, the OPCO hooked up, the client's secret, the scope), the same row and
        lifetime; no journal entry. None where the endpoint refuses: the request then goes
        without one, and the API's own answer tells the test why."""
        from sandbox.core.opcos import opco_named
        from sandbox.errors import SandboxError
        from sandbox.espaces.access import check_hooked_up
        from sandbox.espaces.repository import Lock
        from sandbox.oauth import service as oauth

        runtime: Runtime = self.server.app.state.runtime
        asked = oauth.TokenRequest(
            form.get("grant_type"),
            form.get("client_id"),
            form.get("client_secret"),
            form.get("scope"),
        )
        try:
            issuer = opco_named(opco)
            with runtime.database.transaction() as session:
                # Its row held as the endpoint's POST holds it: shared.
                espace = runtime.open_espace(session, self.espace, Lock.SHARED)
                check_hooked_up(espace, issuer)
                return oauth.issue(espace, issuer, asked).access_token
        except (SandboxError, oauth.OAuthError):
            return None

    def key(self, opco: str, cfa: str | None = None) -> str | None:
        """The scenario's key of that CFA (SIRET; the first CFA when None) at that OPCO."""
        cfas = self._scenario.get("cfas", [])
        chosen = next((c for c in cfas if cfa is None or c["siret"] == cfa), None)
        if chosen is None:
            raise KeyError(f"no CFA {cfa} in the scenario")
        value = chosen.get("cles", {}).get(opco)
        return str(value["cle"]) if isinstance(value, dict) else value and str(value)

    @contextmanager
    def intercept(self) -> Iterator["OpcoSandbox"]:
        """Inside the block, every `requests` and `httpx` call to an OPCO's production host
        (`cfa-ws.akto.fr`, …, and the scenario's `hotes`) goes to this espace, in-process;
        any other host is left alone. Production client code then runs unchanged."""
        hosts = PRODUCTION_HOSTS | dict(self._scenario.get("hotes") or {})
        with self.server.client() as client:

            def forward(method: str, path: str, headers: Mapping[str, str], body: bytes) -> Any:
                sent = {k: v for k, v in headers.items() if k.lower() not in _HOP_HEADERS}
                return client.request(method, path, headers=sent, content=body)

            with intercept(self.espace, forward, hosts):
                yield self

    def advance(self, days: int) -> date:
        """Move the espace's clock forward; what falls due happens."""
        response = self.control.post("/horloge", json={"jours": days})
        response.raise_for_status()
        return date.fromisoformat(response.json()["date"])

    def journal(self, **filters: str | int) -> list[dict[str, Any]]:
        """The espace's journal entries, oldest first, every page (`opco=`, `statut=`,
        `depuis=` narrow them as the control API's query does)."""
        found: list[dict[str, Any]] = []
        params: dict[str, str | int] = {**filters, "limite": 1000}
        while True:
            response = self.control.get("/journal", params=params)
            response.raise_for_status()
            page = response.json()
            found += page["entrees"]
            if page["suivant"] is None:
                return found
            params["suivant"] = page["suivant"]

    @property
    def today(self) -> date:
        return date.fromisoformat(self.control.get("/horloge").json()["date"])

    def close(self) -> None:
        """Close the control client and drop the espace: later with others when `drops`
        was given, else now, in-process as `DELETE /_sandbox/espaces/{espace}` does (the
        test may have dropped it itself)."""
        from sandbox.espaces.repository import EspaceRepository

        self.control.close()
        if self._drops is not None:
            self._drops.add(self.espace)
            return
        runtime: Runtime = self.server.app.state.runtime
        # No flush: the writer finds no espace for the entries it still holds, and drops them.
        with runtime.database.transaction() as session:
            EspaceRepository(session, self.espace).drop()


def requires_token(scenario: dict[str, Any], opco: str) -> bool:
    """Whether the scenario's OPCO asks for OAuth2 tokens (its profile, else production's)."""
    chosen = (scenario.get("opcos") or {}).get(opco, {}).get("oauth")
    known = OPCOS.get(opco)
    return bool(chosen) if chosen is not None else known is not None and known.oauth


def _scenario_document(scenario: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(scenario, dict):
        return scenario
    return _resolved(str(scenario)).document


def _loaded(scenario: str | Path | dict[str, Any]) -> "LoadedScenario":
    """The scenario validated: a dict each time (a test may change it), a file once."""
    from sandbox.scenarios.loader import load_dict

    if isinstance(scenario, dict):
        return load_dict(scenario, "scénario du test")
    return _resolved(str(scenario))


@functools.lru_cache(maxsize=32)
def _resolved(name_or_path: str) -> "LoadedScenario":
    """A scenario file read and validated once per test session: thousands of tests load
    `demo`."""
    from sandbox.scenarios.loader import resolve

    return resolve(name_or_path)


@pytest.fixture(scope="session")
def opco_sandbox_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Where the sandbox keeps its data during the test session (a SQLite file)."""
    return f"sqlite:///{tmp_path_factory.mktemp('opco-sandbox') / 'sandbox.db'}"


@pytest.fixture(scope="session")
def opco_sandbox_server(opco_sandbox_database_url: str) -> Iterator[InProcessServer]:
    """The in-process app, started once per test session."""
    from sandbox.core.database import Database
    from sandbox.scenarios.loader import resolve
    from sandbox.server.app import create_app

    database = Database(opco_sandbox_database_url)
    with InProcessServer(create_app(database, resolve("demo"))) as server:
        yield server
    database.dispose()


@pytest.fixture(scope="session")
def _opco_sandbox_drops(opco_sandbox_server: InProcessServer) -> Iterator[DeferredDrops]:
    """The espaces of the session's closed tests, dropped by the hundred and, for the last
    ones, before the server stops."""
    drops = DeferredDrops(opco_sandbox_server)
    yield drops
    drops.drop()


@pytest.fixture
def opco_sandbox(
    opco_sandbox_server: InProcessServer,
    _opco_sandbox_drops: DeferredDrops,
    request: pytest.FixtureRequest,
) -> Iterator[OpcoSandbox]:
    """A fresh espace for this test, loaded with `demo` or the marker's scenario."""
    marker = request.node.get_closest_marker("opco_scenario")
    name = f"test-{uuid.uuid4().hex[:16]}"
    sandbox = OpcoSandbox(opco_sandbox_server, name, _opco_sandbox_drops)
    sandbox.load(marker.args[0] if marker else "demo")
    yield sandbox
    sandbox.close()


@pytest.fixture
def opco_sandbox_intercept(opco_sandbox: OpcoSandbox) -> Iterator[OpcoSandbox]:
    """`opco_sandbox` with the OPCOs' production URLs routed to it for the whole test."""
    with opco_sandbox.intercept():
        yield opco_sandbox


@pytest.fixture(scope="session")
def opco_sandbox_listen_address() -> tuple[str, int]:
    """Where the live server of `opco_sandbox_url` listens, `(host, port)`; port 0: a free
    one. Override it (session scope) to fix them."""
    return ("127.0.0.1", 0)


@pytest.fixture(scope="session")
def _opco_sandbox_live(
    opco_sandbox_database_url: str, opco_sandbox_listen_address: tuple[str, int]
) -> Iterator[str]:
    host, port = opco_sandbox_listen_address
    with live_server(opco_sandbox_database_url, host=host, port=port) as url:
        yield url


@pytest.fixture
def opco_sandbox_url(_opco_sandbox_live: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL of a live sandbox (`http://127.0.0.1:PORT`). Its `default` espace holds
    the scenario the test's `opco_sandbox` would (`demo`, or the marker's), and `demo`
    again after the test (whatever the test loaded)."""
    espace = f"{_opco_sandbox_live}/_sandbox/espaces/default"
    marker = request.node.get_closest_marker("opco_scenario")
    if marker:
        _put_scenario(espace, marker.args[0])
    yield _opco_sandbox_live
    _put_scenario(espace, "demo")


def _put_scenario(espace_url: str, scenario: str | Path | dict[str, Any]) -> None:
    """Load a scenario into a live server's espace (its install may take a while)."""
    document = _scenario_document(scenario)
    response = httpx.put(f"{espace_url}/scenario", json=document, timeout=600)
    if response.status_code != 200:
        raise AssertionError(f"scenario refused: {response.text}")


class live_server:
    """`opco-sandbox serve` in a subprocess (on a free port when `port` is 0), until the
    block ends."""

    def __init__(
        self,
        database_url: str,
        scenario: str = "demo",
        workers: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.args = ["--database-url", database_url, "--scenario", scenario]
        self.args += ["--workers", str(workers), "--host", host]
        self.host, self.port = host, port
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> str:
        port = self.port or _free_port(self.host)
        command = [sys.executable, "-m", "sandbox", "serve", "--port", str(port), *self.args]
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPCO_SANDBOX_")}
        self.process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 address
        url = f"http://{host}:{port}"
        _wait_until_up(url, self.process)
        return url

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the sandbox exited with status {process.returncode}")
        try:
            if httpx.get(f"{url}/akto/v1/status", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the sandbox did not answer on {url} within {timeout} s")
