"""The kernel's migration branch: the outbox and the inbox, on Alembic's branch ``kernel``.

Every service's database holds the kernel's tables beside its own. Their revisions live once,
here (``versions/``, revision ids ``kernel_NNNN``), and each service's Alembic reads them beside
its own (:func:`with_kernel_branch`, Alembic's multiple version locations). A service revision
that needs a kernel table names the kernel revision that made it in ``depends_on``; upgrading to
``heads`` brings both branches to their latest. A change to the kernel's tables is a new
revision here, never one per service.

The services' former kernel revisions (their ``0001`` and the later-columns one) keep their
ids as no-op revisions depending on the kernel revision each stood for, so that a database
recording them counts the kernel's revisions as applied.
``tests/integration/kernel/migrations/test_upgrade.py`` upgrades snapshots of such databases.
"""

from __future__ import annotations

import os
from pathlib import Path

from alembic.config import Config

KERNEL_VERSIONS = Path(__file__).parent / "versions"


def with_kernel_branch(config: Config) -> Config:
    """``config`` (a service's, its ``script_location`` set) reading the service's revisions
    from its own ``versions/`` and the kernel's from :data:`KERNEL_VERSIONS`."""
    service = Path(str(config.get_main_option("script_location"))) / "versions"
    locations = os.pathsep.join(str(path) for path in (service, KERNEL_VERSIONS))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", locations.replace("%", "%%"))
    return config
