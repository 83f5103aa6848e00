"""Creating and upgrading the schema with Alembic, on Muster's own connection.

Alembic is imported only when a migration is due: the revision a database is at is read
from Alembic's own `alembic_version` table, and the newest one this version of Muster ships
is `HEAD_REVISION` (a test checks it against the migrations themselves).
"""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

if TYPE_CHECKING:
    from alembic.config import Config

# The newest migration in `migrations/versions/`; a new migration raises it.
HEAD_REVISION = "0010"
VERSION_TABLE = "alembic_version"  # Alembic's default, which Muster keeps


def alembic_config() -> Config:
    """Alembic's configuration, pointing at the migrations shipped in the package."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("muster.store").joinpath("migrations")))
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of Muster."""
    return HEAD_REVISION


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(VERSION_TABLE):
            return None
        found = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return str(found[0]) if len(found) == 1 else None


def upgrade(engine: Engine, notes: list[str] | None = None, to: str = "head") -> bool:
    """Bring the schema to the newest migration (or `to`); True when anything changed.

    What a migration has to tell whoever runs it (data it kept as it was, say) is appended
    to `notes`.
    """
    if current_revision(engine) == (head_revision() if to == "head" else to):
        return False
    from alembic import command

    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, to)
    if notes is not None:
        notes.extend(config.attributes.get("notes", []))
    return True
