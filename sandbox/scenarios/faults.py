"""A scenario's problems as a person reads them: the path in the file
(`cfas[0].cles.akto`), a French sentence, and the line when the file is YAML."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import yaml
from pydantic import ValidationError

from sandbox.core.validation import TYPE_MISMATCHES, french_detail
from sandbox.errors import dotted_path
from sandbox.scenarios import bounds

# What a sentence says when pydantic's error type is not in the table.
INVALID = "la valeur est invalide."
_SEGMENT = re.compile(r"\[(\d+)\]|([^.\[\]]+)")

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Fault:
    champ: str | None  # the path in the file; None: the whole file
    probleme: str  # French
    ligne: int | None = None  # 1-based, in the YAML text


@dataclass(frozen=True)
class _Placed:
    """One pydantic error, its location stripped to the keys and indexes of the document,
    and the union it went through (its place, its branch), if any."""

    error: Any
    loc: Loc
    union: tuple[Loc, str | int] | None


def schema_faults(exc: ValidationError, document: Any, prefix: str = "") -> list[Fault]:
    """One fault per place in the document. pydantic names each branch of a union
    (`str | CleApi`) by a segment of its own (`constrained-str`, `CleApi`) that is no key
    of the file; a branch that failed only on its type is left out when another says more."""
    placed = _without_mismatched_branches([_place(e, document) for e in exc.errors()])
    by_path: dict[str | None, list[Any]] = {}
    for item in placed:
        by_path.setdefault(_joined(prefix, dotted_path(item.loc)), []).append(item.error)
    return [Fault(path, _sentence(errors)) for path, errors in by_path.items()]


def _place(error: Any, document: Any) -> _Placed:
    """Walk pydantic's location down the document: a segment that is no key nor index of
    the node reached is pydantic's own (a union branch, a validator), except the name of
    a missing field."""
    node, union = document, None
    kept: list[str | int] = []
    loc = tuple(error["loc"])
    for position, part in enumerate(loc):
        if part == "[key]":  # a refused dict key: the key itself is the place
            continue
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif error["type"] == "missing" and position == len(loc) - 1:
            pass  # the field that is not there
        else:
            union = union or (tuple(kept), part)
            continue
        kept.append(part)
    return _Placed(error, tuple(kept), union)


def _without_mismatched_branches(placed: list[_Placed]) -> list[_Placed]:
    """Drop the union branches whose only errors say the value is not of their type, where
    another branch of the same union says more."""
    branches: dict[Loc, dict[str | int, list[_Placed]]] = {}
    for item in placed:
        if item.union:
            site, branch = item.union
            branches.setdefault(site, {}).setdefault(branch, []).append(item)
    dropped: set[int] = set()
    for site, of_site in branches.items():
        mismatched = [
            items
            for items in of_site.values()
            if all(i.loc == site and i.error["type"] in TYPE_MISMATCHES for i in items)
        ]
        if len(mismatched) < len(of_site):
            dropped.update(id(i) for items in mismatched for i in items)
    return [item for item in placed if id(item) not in dropped]


def _sentence(errors: list[Any]) -> str:
    """The sentence of one place: its errors' (a union's types: "X est attendu ou Y")."""
    sentences = list(dict.fromkeys(french_detail(e) or INVALID for e in errors))
    if len(sentences) == 1:
        return sentences[0]
    joint = " ou " if all(e["type"] in TYPE_MISMATCHES for e in errors) else " ; "
    return joint.join(s.rstrip(".") for s in sentences) + "."


def _joined(prefix: str, path: str | None) -> str | None:
    if not prefix:
        return path
    return f"{prefix}.{path}" if path else prefix


def with_lines(faults: Sequence[Fault], yaml_text: str) -> list[Fault]:
    """The faults with the line of their path in the YAML text (composed once); a path
    that leads nowhere (a missing field) gets the line of its nearest node."""
    if not any(f.champ and f.ligne is None for f in faults):
        return list(faults)
    try:
        root = yaml.compose(yaml_text, Loader=bounds.LOADER)
    except yaml.YAMLError:
        return list(faults)
    return [
        replace(f, ligne=line_of(root, f.champ)) if f.champ and f.ligne is None else f
        for f in faults
    ]


def line_of(root: yaml.Node | None, champ: str) -> int | None:
    """The 1-based line of the deepest node of the path (`cfas[0].siret`) found in the
    tree: a mapping entry's key, a sequence's item; None when not even the first is."""
    parts: list[str | int] = [
        int(index) if index else key for index, key in _SEGMENT.findall(champ)
    ]
    node, line, position = root, None, 0
    while node is not None and position < len(parts):
        found = _child(node, parts, position)
        if found is None:
            break
        line, node, consumed = found
        position += consumed
    return line


def _child(
    node: yaml.Node, parts: list[str | int], position: int
) -> tuple[int, yaml.Node, int] | None:
    """The node the path's next segments lead to: (its line, it, segments consumed). A key
    may hold dots (`hotes: {api.example.fr: akto}`): the path's next segments joined."""
    part = parts[position]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int):
        if 0 <= part < len(node.value):
            item: yaml.Node = node.value[part]
            return item.start_mark.line + 1, item, 1
        return None
    if not isinstance(node, yaml.MappingNode):
        return None
    for end in range(position + 1, len(parts) + 1):
        key = ".".join(str(p) for p in parts[position:end])
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return key_node.start_mark.line + 1, value_node, end - position
    return None
