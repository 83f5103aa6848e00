"""Alembic environment: runs migrations on the connection Muster hands over."""

from __future__ import annotations

from alembic import context

from muster.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Muster runs its migrations through `muster init`, on its own connection")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
