"""How large a scenario may grow once read: YAML aliases expand, and a small file with
nested aliases ("billion laughs") expands past any memory. The size is counted on the
parser's events, before anything is built, and refused past the bound."""

from collections.abc import Iterator
from typing import Any

import yaml

# libyaml's parser when PyYAML was built with it: ten times faster on large scenarios.
_SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_SAFE_LOADER):  # type: ignore[misc]
    """The safe loader, but a date that does not exist (`2026-02-30`) stays the text
    written: the model then names it at its path, where the parser would refuse the file."""


def _timestamp_or_text(loader: Any, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)
LOADER: Any = _Loader
_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_ENDS = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class TooLarge(ValueError):
    pass


def check_expanded_size(text: str, max_nodes: int) -> int:
    """The number of nodes the document holds with its aliases expanded; `TooLarge` as
    soon as a node grows past `max_nodes`."""
    return _count(yaml.parse(text, Loader=LOADER), max_nodes)


def _count(events: Iterator[yaml.Event], max_nodes: int) -> int:
    anchored: dict[str, int] = {}  # an anchor's expanded size, for its aliases
    open_nodes: list[tuple[str | None, list[int]]] = []
    total = 0
    for event in events:
        if isinstance(event, _STARTS):
            open_nodes.append((event.anchor, [1]))
            continue
        if isinstance(event, yaml.AliasEvent):
            size = anchored.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor:
                anchored[event.anchor] = 1
        elif isinstance(event, _ENDS):
            anchor, (size,) = open_nodes.pop()
            if anchor:
                anchored[anchor] = size
        else:
            continue
        if open_nodes:
            open_nodes[-1][1][0] += size
            grown = open_nodes[-1][1][0]
        else:
            total += size
            grown = total
        if grown > max_nodes:
            raise TooLarge(f"plus de {max_nodes} nœuds une fois ses alias développés")
    return total
