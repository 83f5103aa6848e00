"""Creating and upgrading the schema with Alembic, on Muster's own connection."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(files("muster.store").joinpath("migrations")))
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of Muster."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, notes: list[str] | None = None, to: str = "head") -> bool:
    """Bring the schema to the newest migration (or `to`); True when anything changed.

    What a migration has to tell whoever runs it (data it kept as it was, say) is appended
    to `notes`.
    """
    if current_revision(engine) == (head_revision() if to == "head" else to):
        return False
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, to)
    if notes is not None:
        notes.extend(config.attributes.get("notes", []))
    return True
