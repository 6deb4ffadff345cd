"""The API's documentation: the OpenAPI document, and the Swagger UI and ReDoc pages showing it.

The pages' JavaScript and CSS are served by the app itself, from the `fastapi-offline`
package (Swagger UI's and ReDoc's distribution files): nothing comes from a CDN, and ReDoc
loads no web font, so `/docs` works in a container without network.
"""

import re
from functools import cache
from importlib import resources
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from sandbox.espaces.access import SOFTWARE_HEADERS
from sandbox.scenarios import demo
from sandbox.server.openapi import restore_nulls

ASSETS = "/_docs"
ASSETS_PACKAGE = ("fastapi_offline", "static")
ADMIN_SCHEME = "jetonAdmin"
# No online validator: Swagger UI would send the document to validator.swagger.io. The
# token and the key, entered once (Authorize), are kept in the browser's localStorage.
SWAGGER_UI_PARAMETERS = {
    "validatorUrl": None,
    "displayRequestDuration": True,
    "persistAuthorization": True,
}
# ReDoc's side menu shows Redocly's logo from its CDN, whatever its options: the script is
# served with that address emptied (the menu then shows the text alone).
REDOC_JS = "redoc.standalone.js"
REDOC_LOGO = b'"https://cdn.redoc.ly/redoc/logo-mini.svg"'
# And the browser is told to load nothing from another host. The pages' own scripts are
# inline (FastAPI's HTML); ReDoc's search runs in a blob: worker.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
    )
)


def install(app: FastAPI) -> None:
    """Serve `/docs`, `/redoc` and their assets, and finish the OpenAPI document."""
    # Before the mount, which would otherwise serve the unpatched file.
    app.add_api_route(f"{ASSETS}/{REDOC_JS}", redoc_js, methods=["GET"], include_in_schema=False)
    app.mount(ASSETS, StaticFiles(packages=[ASSETS_PACKAGE]), name="docs-assets")
    app.add_api_route("/docs", swagger_ui, methods=["GET"], include_in_schema=False)
    app.add_api_route("/redoc", redoc, methods=["GET"], include_in_schema=False)
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        return finish(generate())

    app.openapi = openapi  # type: ignore[method-assign]


async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} – Swagger UI",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
        swagger_ui_parameters=SWAGGER_UI_PARAMETERS,
    )
    return _local_only(page)


async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    page = get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} – ReDoc",
        redoc_js_url=f"{root}{ASSETS}/{REDOC_JS}",
        redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
        with_google_fonts=False,
    )
    return _local_only(page)


async def redoc_js() -> Response:
    return Response(_patched_redoc(), media_type="text/javascript")


@cache
def _patched_redoc() -> bytes:
    package, folder = ASSETS_PACKAGE
    # Should a new ReDoc move its logo, the browser still blocks it, and the browser test
    # (tests/test_docs_browser.py) reports the attempt.
    original = resources.files(package).joinpath(folder, REDOC_JS).read_bytes()
    return original.replace(REDOC_LOGO, b'""')


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return page


def finish(document: dict[str, Any]) -> dict[str, Any]:
    """What FastAPI cannot say from the routes alone; idempotent (the document is cached)."""
    _drop_framework_validation_errors(document)
    _declare_path_segments(document)
    _require_software_headers(document)
    _prefill_required_parameters(document)
    _declare_admin_token(document)
    _combine_token_and_key(document)
    _describe_multipart_bodies(document)
    restore_nulls(document)
    return document


def _describe_multipart_bodies(document: dict[str, Any]) -> None:
    """FastAPI names the form of a multipart route (`Body_…`) without describing it."""
    schemas = document.get("components", {}).get("schemas", {})
    for _path, operation in _operations(document):
        content = operation.get("requestBody", {}).get("content", {})
        ref = content.get("multipart/form-data", {}).get("schema", {}).get("$ref", "")
        schema = schemas.get(ref.rsplit("/", 1)[-1])
        if schema is not None and not schema.get("description"):
            parts = ", ".join(f"`{name}`" for name in schema.get("properties", {}))
            schema["description"] = f"Les parties du corps multipart/form-data : {parts}."


def _combine_token_and_key(document: dict[str, Any]) -> None:
    """FastAPI lists each security dependency as an alternative; the contract wants the key
    always, and the OAuth2 token with it at the OPCOs that ask for one: (token and key) or
    (key alone)."""
    for _path, operation in _operations(document):
        if operation.get("security") in (
            [{"OAuth2": []}, {"X-API-KEY": []}],
            [{"OAuth2": ["api.read", "api.write"]}, {"X-API-KEY": []}],
        ):
            operation["security"] = [{"OAuth2": [], "X-API-KEY": []}, {"X-API-KEY": []}]


def _operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, op) for path, item in document["paths"].items() for op in item.values()]


def _drop_framework_validation_errors(document: dict[str, Any]) -> None:
    """FastAPI declares its own 422 shape wherever a route has a parameter; the sandbox
    answers schema errors 400 in its error shape, and each route declares them."""
    framework = {"$ref": "#/components/schemas/HTTPValidationError"}
    for _path, operation in _operations(document):
        answer = operation["responses"].get("422", {})
        if answer.get("content", {}).get("application/json", {}).get("schema") == framework:
            del operation["responses"]["422"]
    schemas = document.get("components", {}).get("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


# The segments the routes do not read themselves (the route classes do); their examples
# are the default espace and the OPCO where `demo`'s first CFA has its key.
SEGMENTS = {
    "espace": "Nom de l'espace (`default` existe toujours ; inconnu : 404 `ESPACE_INCONNU`).",
    "opco": "Code de l'OPCO : akto, atlas, opcoep… (inconnu : 404 `OPCO_INCONNU`).",
}
SEGMENT_EXAMPLES = {"espace": demo.ESPACE, "opco": demo.OPCO}


def _declare_path_segments(document: dict[str, Any]) -> None:
    """Every `{segment}` of a path is a parameter, described; FastAPI declares only those
    that a route function reads."""
    for path, operation in _operations(document):
        parameters = operation.setdefault("parameters", [])
        known = {p["name"]: p for p in parameters if p["in"] == "path"}
        for name in re.findall(r"{(\w+)}", path):
            if name not in known:
                known[name] = {"name": name, "in": "path", "required": True}
                known[name]["schema"] = {"type": "string"}
                parameters.append(known[name])
            if name in SEGMENTS and not known[name].get("description"):
                known[name]["description"] = SEGMENTS[name]
            if name in SEGMENT_EXAMPLES:
                known[name]["schema"].setdefault("examples", [SEGMENT_EXAMPLES[name]])


def _require_software_headers(document: dict[str, Any]) -> None:
    """The route class checks these headers (400 `ENTETE_LOGICIEL_MANQUANTE`, not FastAPI's
    422), so FastAPI sees them as optional: the document says that the API requires them."""
    for _path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "header" and parameter["name"] in SOFTWARE_HEADERS:
                parameter["required"] = True
                kept = parameter["schema"].get("examples", [])
                parameter["schema"] = {"type": "string", "pattern": r"\S", "examples": kept}


def _prefill_required_parameters(document: dict[str, Any]) -> None:
    """Swagger UI's Try it out starts from a parameter's `example`, not from its schema's
    `examples`: each required one (the path's segments, the software headers) gets the first
    of them, so that Execute works at once against `demo`. Optional ones are left empty
    (`GET /v1/dossiers` takes exactly one of its numbers)."""
    for _path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            examples = parameter.get("schema", {}).get("examples")
            if parameter.get("required") and examples and "example" not in parameter:
                parameter["example"] = examples[0]


def _declare_admin_token(document: dict[str, Any]) -> None:
    """The control API asks for a bearer token only when the server was started with one."""
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes[ADMIN_SCHEME] = {
        "type": "http",
        "scheme": "bearer",
        "description": "Jeton d'administration de l'API de contrôle, demandé seulement quand "
        "le serveur est lancé avec `--admin-token` (sinon 401 `JETON_ADMIN_INVALIDE`).",
    }
    for path, operation in _operations(document):
        if path.startswith("/_sandbox/"):
            operation["security"] = [{ADMIN_SCHEME: []}, {}]
