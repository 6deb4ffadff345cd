"""The imports under sandbox/ obey ARCHITECTURE.md. The rules live only there, read by this test,
so changing the architecture means editing the document, never a copy of it here."""

import ast
import re
from collections.abc import Mapping, Set
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Who may import whom"
ROUTES_APART = "a feature's routes never import another feature's routes"


class Layer(NamedTuple):
    members: re.Pattern[str]
    excluded: re.Pattern[str]
    may_import: frozenset[str]


class Rules(NamedTuple):
    layers: Mapping[str, Layer]
    never_import: Mapping[str, tuple[str, ...]]  # layer -> forbidden third-party packages
    routes: re.Pattern[str]  # sandbox.<feature>.routes, capturing the feature; (?!) if no rule


def quoted(text: str) -> list[str]:
    # Anything but `names` is refused, so a typo cannot silently take a module out of a rule.
    if not re.fullmatch(r"\s*(`[^`]+`\s*)+", text):
        raise ValueError(f"expected `names` only, got {text!r}")
    return re.findall(r"`([^`]+)`", text)


def pattern(globs: list[str], feature: str, subtree: bool = False) -> re.Pattern[str]:
    # `x.*` is the package x itself (its __init__) and everything under it; (?!) matches nothing.
    tails = [r"(\..+)?" if subtree or g.endswith(".*") else "" for g in globs]
    heads = [re.escape(g.removesuffix(".*")).replace("<feature>", feature) for g in globs]
    return re.compile("|".join(h + t for h, t in zip(heads, tails, strict=True)) or "(?!)")


def parse_rules(markdown: str) -> Rules:
    """The section's table and bullets; ValueError if any of it is not in the expected form."""
    lines = markdown.splitlines()
    if SECTION not in lines:
        raise ValueError(f"no {SECTION!r} section")
    section = lines[lines.index(SECTION) + 1 :]
    section = section[: next((i for i, line in enumerate(section) if line[:1] == "#"), None)]
    rows = [[c.strip() for c in ln.strip(" |").split("|")] for ln in section if ln[:1] == "|"]
    if rows[:2] != [["layer", "modules", "may import"], ["---"] * 3] or len(rows) < 3:
        raise ValueError("the section needs a table headed | layer | modules | may import |")
    bullets = [line[2:].strip() for line in section if line.startswith("- ")]
    features = [quoted(b.removeprefix("features:")) for b in bullets if b.startswith("features:")]
    if len(features) != 1:
        raise ValueError("expected one '- features: `name` ...' bullet")
    feature = "(" + "|".join(map(re.escape, features[0])) + ")"
    layers: dict[str, Layer] = {}
    for row in rows[2:]:
        if len(row) != 3 or row[0] in layers:
            raise ValueError(f"bad table row {row}")
        members, _, exceptions = row[1].partition(" except ")
        globs = quoted(members)
        # A bare `routes` is that module in each of the row's packages: sandbox.<feature>.routes.
        # Excluded modules take their submodules along, so none of them lands in the wrong layer.
        names = quoted(exceptions) if exceptions else []
        excluded = [e if "." in e else g.removesuffix("*") + e for e in names for g in globs]
        may = [] if row[2] == "nothing of sandbox" else [a.strip() for a in row[2].split(",")]
        layers[row[0]] = Layer(
            pattern(globs, feature), pattern(excluded, feature, True), frozenset(may)
        )
    never: dict[str, tuple[str, ...]] = {}
    for bullet in bullets:
        if found := re.fullmatch(r"(.+) never import: (.+)", bullet):
            never[found[1]] = tuple(quoted(found[2]))
        elif bullet != ROUTES_APART and not bullet.startswith("features:"):
            raise ValueError(f"unknown rule {bullet!r}")
    if unknown := {*never}.union(*(layer.may_import for layer in layers.values())) - {*layers}:
        raise ValueError(f"not layers of the table: {sorted(unknown)}")
    routes = ["sandbox.<feature>.routes"] if ROUTES_APART in bullets else []
    return Rules(layers, never, pattern(routes, feature, True))


def layers_of(rules: Rules, module: str) -> list[str]:
    return [
        name
        for name, layer in rules.layers.items()
        if layer.members.fullmatch(module) and not layer.excluded.fullmatch(module)
    ]


def violations(rules: Rules, imports: Mapping[str, Set[str]]) -> dict[str, str]:
    """Pure: each broken rule, as 'module -> imported' (or 'module' alone) -> why."""
    found: dict[str, str] = {}
    for module, targets in sorted(imports.items()):
        if len(own := layers_of(rules, module)) != 1:  # so a new package cannot slip past
            found[module] = f"must be in exactly one layer, is in {own}"
            continue
        for target in sorted(targets):
            pair, top = f"{module} -> {target}", target.partition(".")[0]
            # Two elements exactly when both are routes, of different features.
            features = {m[1] for m in map(rules.routes.fullmatch, (module, target)) if m}
            if top in rules.never_import.get(own[0], ()):
                found[pair] = f"{own[0]} never import {top}"
            elif top != "sandbox":
                continue  # any other third-party import is free
            elif len(theirs := layers_of(rules, target)) != 1:
                found[pair] = f"{target} must be in exactly one layer, is in {theirs}"
            elif theirs[0] not in rules.layers[own[0]].may_import:
                found[pair] = f"{own[0]} may not import {theirs[0]}"
            elif len(features) == 2:
                found[pair] = ROUTES_APART
    return found


def sandbox_imports() -> dict[str, set[str]]:
    """Each module under sandbox/ -> all it imports, anywhere in the file (functions included)."""
    files = {p: p.relative_to(ROOT).with_suffix("").parts for p in (ROOT / "sandbox").rglob("*.py")}
    modules = {p: ".".join(n[: -1 if n[-1] == "__init__" else None]) for p, n in files.items()}
    imports: dict[str, set[str]] = {}
    for path, module in modules.items():
        package = module.split(".")[: None if path.name == "__init__.py" else -1]
        targets = imports.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_bytes(), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):  # `from ..x import y` climbs level - 1 packages
                parent = package[: len(package) + 1 - node.level] if node.level else []
                base = ".".join([*parent, *([node.module] if node.module else [])])
                for alias in node.names:  # `from x import y` imports the module x.y if there is one
                    sub = f"{base}.{alias.name}"
                    targets.add(sub if sub in modules.values() else base)
    return imports


def rules() -> Rules:
    try:
        return parse_rules((ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        pytest.fail(f"cannot read the rules of ARCHITECTURE.md: {error}")


def test_imports_follow_architecture_md() -> None:
    found = violations(rules(), sandbox_imports())
    assert not found, "\n".join(
        ["imports breaking ARCHITECTURE.md:", *map(": ".join, found.items())]
    )


def test_checker_reports_each_broken_rule() -> None:
    imports = {
        "sandbox.core.tables": {"sandbox.dossiers.service", "sqlalchemy"},
        "sandbox.factures.service": {"fastapi", "sandbox.errors"},
        "sandbox.factures.routes": {"sandbox.dossiers.routes", "sandbox.server.pipeline"},
        "sandbox.nouveau": set(),  # in no layer
    }
    assert set(violations(rules(), imports)) == {
        "sandbox.core.tables -> sandbox.dossiers.service",
        "sandbox.factures.service -> fastapi",
        "sandbox.factures.routes -> sandbox.dossiers.routes",
        "sandbox.nouveau",
    }
    # The routes bullet holds on its own, were the table to let routes import routes.
    strict = rules()
    lax = strict.layers["routes"]._replace(may_import=frozenset(strict.layers))
    found = violations(strict._replace(layers={**strict.layers, "routes": lax}), imports)
    assert found["sandbox.factures.routes -> sandbox.dossiers.routes"] == ROUTES_APART


def test_unreadable_rules_fail() -> None:
    with pytest.raises(ValueError, match="no '## Who may import whom' section"):
        parse_rules("# Architecture\n\nNo rules yet.\n")
