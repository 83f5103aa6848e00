"""The registry's fields as a command-line user gives them: by their options."""

from __future__ import annotations

from muster.domain.errors import InvalidInputError
from muster.errors import MusterError

# A field's option where it is not `--` and the field's name with dashes.
OPTIONS = {
    "subjects": "--subjects FILE",
    "rules": "--rules",
    "changes": "--set FIELD=VALUE",
    "posts": "--post CODE",
    "authority": "--authority CODE",
    "expires_in_days": "--expires-in",
}


def option_of(path: str) -> str:
    """The option that gives a field: `subjects` -> `--subjects FILE`, `valid_from` ->
    `--valid-from`, an amendment's `changes.sex` -> `--set sex`."""
    if path.startswith("changes."):
        return f"--set {path.removeprefix('changes.')}"
    return OPTIONS.get(path) or "--" + path.replace("_", "-")


def message_of(err: MusterError) -> str:
    """What an error says to a command-line user: fields named by their options."""
    return err.worded(option_of) if isinstance(err, InvalidInputError) else str(err)
