"""The catalogue of errors is the one place of each code: every code declared is raised
somewhere, nothing raises a code the catalogue does not declare, no code is typed twice,
and the README's tables say what the catalogue says."""

import ast
import re
from pathlib import Path

import pytest

from sandbox.errors import CATALOGUE, ErrorKind

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE_FILE = ROOT / "sandbox" / "errors.py"
SOURCES = {
    path: ast.parse(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "sandbox").rglob("*.py"))
    if path != CATALOGUE_FILE
}


def names_used(tree: ast.AST) -> set[str]:
    """Every identifier read in a module: `NIR_INVALIDE`, `errors.NIR_INVALIDE`…"""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.ImportFrom):
            found.update(alias.name for alias in node.names)
    return found


def string_literals(tree: ast.AST) -> set[str]:
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def calls_to(tree: ast.AST, name: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name | ast.Attribute)
        and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == name
    ]


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_declared_code_is_used_outside_the_catalogue(code: str) -> None:
    used = set().union(*(names_used(tree) for tree in SOURCES.values()))
    assert code in used, f"{code} is declared in sandbox/errors.py and never raised"


def test_no_code_is_written_as_a_string_outside_the_catalogue() -> None:
    typed_again = {
        f"{path.relative_to(ROOT)}: {literal}"
        for path, tree in SOURCES.items()
        for literal in string_literals(tree)
        if literal in CATALOGUE
    }
    assert not typed_again, "codes must be named through the catalogue, not typed again"


def test_problems_are_only_made_by_the_catalogue() -> None:
    # A `Problem(...)` built by hand could carry a code the catalogue does not declare.
    by_hand = {
        f"{path.relative_to(ROOT)}:{line}"
        for path, tree in SOURCES.items()
        for line in calls_to(tree, "Problem")
    }
    assert not by_hand


def test_each_kind_is_declared_under_its_own_code() -> None:
    import sandbox.errors as errors

    for code, kind in CATALOGUE.items():
        assert getattr(errors, code) is kind
        assert re.fullmatch(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*", code)
        assert kind.example_message().strip(), code


def test_a_detail_precises_the_sentence() -> None:
    kind = ErrorKind("TEST_DETAIL", 400, "Le dossier est inconnu.")
    assert kind.message("aucun dossier X.") == "Le dossier est inconnu : aucun dossier X."
    assert kind.problem().champ is None
    assert kind.problem("a.b").champ == "a.b"


def readme_rows() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in text.splitlines()
        if line.startswith("| ") and "`" in line
    ]


def test_the_readme_error_table_gives_each_code_its_catalogue_status() -> None:
    checked = 0
    for cells in readme_rows():
        status = cells[0]
        if not status.isdigit():
            continue
        for code in re.findall(r"`([A-Z][A-Z0-9_]+)`", cells[1]):
            assert code in CATALOGUE, f"README names {code}, which the catalogue does not"
            assert CATALOGUE[code].status == int(status), code
            checked += 1
    assert checked >= 20  # the table is there and was read


def test_the_readme_invoice_table_quotes_the_catalogue_word_for_word() -> None:
    quoted = {
        cells[0].strip("`"): cells[1]
        for cells in readme_rows()
        if len(cells) == 3 and cells[0].strip("`") in CATALOGUE and not cells[0].isdigit()
    }
    invoice_codes = [c for c in quoted if CATALOGUE[c].sentence == quoted[c]]
    assert len(invoice_codes) >= 12, quoted
    for code, sentence in quoted.items():
        if re.fullmatch(r"[A-Z].*[a-z]", sentence) and " " in sentence:
            assert CATALOGUE[code].sentence == sentence, code
