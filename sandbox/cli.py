"""The `opco-sandbox` command: serve, validate scenario files, print the OpenAPI spec."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from sandbox.config import AdminTokenError, Settings
from sandbox.errors import SandboxError
from sandbox.scenarios.files import bundled_names

app = typer.Typer(help="A stateful sandbox of the CFA–OPCO exchange API.", no_args_is_help=True)


def build_app():  # type: ignore[no-untyped-def]
    """The ASGI app from the environment's settings (uvicorn's factory in each worker)."""
    from sandbox.core.database import Database
    from sandbox.scenarios.loader import resolve
    from sandbox.server.app import create_app

    settings = Settings()
    return create_app(
        Database(settings.database_url), resolve(settings.scenario), settings.admin_secret()
    )


DEFAULTS = Settings.model_construct()  # the defaults, shown by --help (no environment read)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="address to listen on", show_default=DEFAULTS.host)
    ] = None,
    port: Annotated[
        int | None, typer.Option(help="port to listen on", show_default=str(DEFAULTS.port))
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option(
            help=f"a bundled scenario ({', '.join(bundled_names())}) or a file path",
            show_default=DEFAULTS.scenario,
        ),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="SQLAlchemy URL", show_default=DEFAULTS.database_url)
    ] = None,
    workers: Annotated[
        int | None, typer.Option(help="worker processes", show_default=str(DEFAULTS.workers))
    ] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(
            help="protects /_sandbox (better: OPCO_SANDBOX_ADMIN_TOKEN, or --admin-token-file)",
            show_default="none",
        ),
    ] = None,
    admin_token_file: Annotated[
        Path | None,
        typer.Option(
            help="a file holding the admin token (a Docker secret): kept out of `ps` and "
            "of the environment",
            show_default="none",
        ),
    ] = None,
    reload_default: Annotated[
        bool,
        typer.Option(
            "--reload-default",
            help="load --scenario into the default espace even if its content did not change "
            "(by default a restart keeps the data, unless that content changed)",
        ),
    ] = False,
) -> None:
    """Start the sandbox. Each option also reads OPCO_SANDBOX_<NAME>."""
    import os

    import uvicorn

    from sandbox.core.opcos import OPCOS

    given = {
        "host": host,
        "port": port,
        "scenario": scenario,
        "database_url": database_url,
        "workers": workers,
        "admin_token": admin_token,
        "admin_token_file": admin_token_file,
        "reload_default": reload_default or None,
    }
    try:
        settings = Settings.model_validate({k: v for k, v in given.items() if v is not None})
        settings.admin_secret()  # a token file that gives none stops here
    except (ValidationError, AdminTokenError) as exc:
        typer.echo(f"opco-sandbox: {_settings_problem(exc)}", err=True)
        raise typer.Exit(2) from None
    try:
        _prepare_database(settings)
    except SandboxError as exc:
        _echo_problems(exc)
        raise typer.Exit(2) from None
    # Workers re-read the settings from the environment: pass the resolved ones on.
    for name, value in settings.model_dump().items():
        if value is not None:
            os.environ[f"OPCO_SANDBOX_{name.upper()}"] = str(value)
    base = f"http://{settings.host}:{settings.port}"
    typer.echo(f"opco-sandbox: Swagger UI {base}/docs  (scenario {settings.scenario})")
    for code in OPCOS:
        typer.echo(f"  {code:<13} {base}/{code}/v1")
    uvicorn.run(
        "sandbox.cli:build_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level="warning",
        log_config=masked_logging(),
    )


def masked_logging() -> dict[str, Any]:
    """uvicorn's logging, every line masked (its lines carry paths and queries)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"masked": {"()": "sandbox.journal.masking.LogFilter"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["masked"]
    # The sandbox's own lines (a schema made anew, a journal entry lost) go the same way.
    config["loggers"]["opco_sandbox"] = {"handlers": ["default"], "level": "INFO"}
    return config


def _prepare_database(settings: Settings) -> None:
    """The schema and the `default` espace, made once before the workers race to make them:
    a scenario that a load refuses (its schema or its domain rules) stops here."""
    from datetime import date

    from sandbox.core.database import Database
    from sandbox.scenarios.loader import resolve
    from sandbox.server.runtime import Runtime

    loaded = resolve(settings.scenario)
    database = Database(settings.database_url)
    try:
        database.create_schema()
        Runtime(database, loaded).ensure_default_espace(
            date.today(), reload=settings.reload_default
        )
    finally:
        database.dispose()


def _settings_problem(exc: ValidationError | AdminTokenError) -> str:
    """The sentence of a refused setting (pydantic's own error shape is for developers)."""
    if isinstance(exc, AdminTokenError):
        return str(exc)
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or 'settings'}: "
        f"{str(e['msg']).removeprefix('Value error, ')}"
        for e in exc.errors()
    )


def _echo_problems(exc: SandboxError) -> None:
    """One line a problem, `FILE[:LINE]: PATH: sentence` (the line for YAML files)."""
    from sandbox.scenarios.loader import ScenarioError

    if not isinstance(exc, ScenarioError):
        for problem in exc.problems:
            typer.echo(f"{problem.champ or '-'}: {problem.message}", err=True)
        return
    for fault in exc.faults:
        where = exc.source if fault.ligne is None else f"{exc.source}:{fault.ligne}"
        path = f" {fault.champ}:" if fault.champ else ""
        typer.echo(f"{where}:{path} {fault.probleme}", err=True)


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="scenario files")]) -> None:
    """Check scenario files as a load does (the schema, then the domain rules, by installing
    each in a throwaway in-memory database); one line per problem, non-zero exit on any."""
    from datetime import date

    from sandbox.core.database import Database
    from sandbox.scenarios.loader import install, load_path

    database = Database("sqlite://")
    database.create_schema()
    failed = False
    for path in files:
        try:
            loaded = load_path(path)
            with database.transaction() as session:
                install(session, "validation", loaded, date.today())
        except SandboxError as exc:
            failed = True
            _echo_problems(exc)
        else:
            typer.echo(f"{path}: ok ({loaded.scenario.nom})")
    if failed:
        raise typer.Exit(1)


@app.command()
def scenarios() -> None:
    """List the bundled scenarios with their descriptions."""
    from sandbox.scenarios.files import bundled_dir

    for name in bundled_names():
        description = " ".join(_description(bundled_dir() / f"{name}.yaml").split())
        typer.echo(f"{name:<22} {description}")


def _description(path: Path) -> str:
    """A scenario's top-level `description`, read from the parser's first events only
    (a scenario given by path may be a large file)."""
    import yaml

    depth, key = 0, None
    with path.open(encoding="utf-8") as file:
        for event in yaml.parse(file, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and depth == 1:
                if key == "description":
                    return str(event.value)
                key = event.value if key is None else None
            if depth > 1:
                key = None  # a nested value: the next top-level scalar is a key again
    return ""


@app.command()
def openapi() -> None:
    """Print the OpenAPI document the server serves."""
    from sandbox.server.app import openapi_document

    json.dump(openapi_document(), sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
    sys.stdout.write("\n")
