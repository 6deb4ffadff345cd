"""The `opco-sandbox` command: serve, validate scenario files, print the OpenAPI spec."""

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from sandbox.config import Settings

app = typer.Typer(help="A stateful sandbox of the CFA–OPCO exchange API.", no_args_is_help=True)


def build_app():  # type: ignore[no-untyped-def]
    """The ASGI app from the environment's settings (uvicorn's factory in each worker)."""
    from sandbox.core.database import Database
    from sandbox.scenarios.loader import resolve
    from sandbox.server.app import create_app

    settings = Settings()
    return create_app(
        Database(settings.database_url), resolve(settings.scenario), settings.admin_token
    )


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    scenario: Annotated[str | None, typer.Option(help="bundled name or file path")] = None,
    database_url: Annotated[str | None, typer.Option(help="SQLAlchemy URL")] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    admin_token: Annotated[str | None, typer.Option(help="protects /_sandbox")] = None,
) -> None:
    """Start the sandbox. Each option also reads OPCO_SANDBOX_<NAME>."""
    import os

    import uvicorn

    from sandbox.core.database import Database
    from sandbox.core.opcos import OPCOS
    from sandbox.scenarios.loader import ScenarioError, resolve

    given = {
        "host": host,
        "port": port,
        "scenario": scenario,
        "database_url": database_url,
        "workers": workers,
        "admin_token": admin_token,
    }
    settings = Settings.model_validate({k: v for k, v in given.items() if v is not None})
    try:
        resolve(settings.scenario)
    except ScenarioError as exc:
        for problem in exc.problems:
            typer.echo(f"{problem.champ or ''} {problem.message}", err=True)
        raise typer.Exit(2) from None
    # Workers re-read the settings from the environment: pass the resolved ones on.
    for name, value in settings.model_dump().items():
        if value is not None:
            os.environ[f"OPCO_SANDBOX_{name.upper()}"] = str(value)
    database = Database(settings.database_url)
    database.create_schema()  # once, before the workers race to do it
    database.dispose()
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
    )


@app.command()
def validate(files: Annotated[list[Path], typer.Argument(help="scenario files")]) -> None:
    """Check scenario files; exit non-zero when one is invalid."""
    from sandbox.scenarios.loader import ScenarioError, load_path

    failed = False
    for path in files:
        try:
            loaded = load_path(path)
        except ScenarioError as exc:
            failed = True
            for problem in exc.problems:
                typer.echo(f"{path}: {problem.champ or '-'}: {problem.message}", err=True)
        else:
            typer.echo(f"{path}: ok ({loaded.scenario.nom})")
    if failed:
        raise typer.Exit(1)


@app.command()
def openapi() -> None:
    """Print the OpenAPI document the server serves."""
    from sandbox.server.app import openapi_document

    json.dump(openapi_document(), sys.stdout, ensure_ascii=False, indent=2, sort_keys=True)
    sys.stdout.write("\n")
