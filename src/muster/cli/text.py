"""Output for people: values as words, nested records as dotted fields, counts as tables."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def shown(value: Any) -> str:
    """A value as a person reads it: `-` for nothing, yes/no, lists joined by commas."""
    if value is None or value == [] or value == "":
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and not any(isinstance(v, (dict, list)) for v in value):
        return ", ".join(shown(v) for v in value)
    return str(value)


def flat_fields(obj: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(name, value) of every field of a nested record, names dotted: `subjects.count`."""
    for name, value in obj.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping) and value:
            yield from flat_fields(value, f"{key}.")
        elif isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            for i, item in enumerate(value, 1):
                if isinstance(item, Mapping):
                    yield from flat_fields(item, f"{key}.{i}.")
                else:
                    yield f"{key}.{i}", shown(item)
        else:
            yield key, shown(value)


def print_fields(fields: list[tuple[str, str]], indent: int = 0) -> None:
    """`name: value` lines, names aligned on the colon."""
    width = max((len(name) for name, _ in fields), default=0)
    for name, value in fields:
        print(f"{' ' * indent}{name:>{width}}: {value}")
