"""The registry's database: its own extension, the kernel's outbox and inbox, and its tables."""

from shared.db import make_db
from shared.tables import kernel_tables

db = make_db()
kernel = kernel_tables(db.metadata)
