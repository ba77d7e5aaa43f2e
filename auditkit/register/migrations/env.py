"""Alembic environment of the register: migrations run on the connection `Register.open` hands
over (in its transaction, under its lock), never on a URL read from a file."""

from __future__ import annotations

from alembic import context

from auditkit.register.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "the register's migrations run through auditkit.register.Register.open(url), "
        "which passes its connection; the alembic command line is not set up for them"
    )
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
