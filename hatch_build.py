"""Compile the web interface's gettext catalogs (`.po`, committed) into `.mo` files when
Muster is installed, editable installs included: the `.mo` files are built, never committed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogsHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        sys.path.insert(0, str(Path(self.root) / "src"))
        try:
            from muster.web import catalogs  # needs only Babel, a build requirement
        finally:
            sys.path.pop(0)
        catalogs.compile_all()
