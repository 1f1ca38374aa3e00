"""One way to change state, for every service: a command, its handler, a context, a commit.

A command is a small frozen dataclass named in the imperative (``RegisterEntry``). Its handler
is a plain function ``handler(ctx, command)`` registered by command type in the service's
``HANDLERS`` dict. The :class:`Context` is built per request, per consumer batch and per job:
the transaction's session, the service's outbox (events staged in the same transaction), the
time the work acts at, the settings, the service's configuration and, where the service keeps
one, the PII cipher. Handlers never commit: ``shared.runtime.execute`` (a request) and
``unit_of_work`` (a job, the demo) do, once.
Consumer handlers receive the same context, ``handler(ctx, received)``, and the consumer
commits the batch.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from shared.clock import shanghai_date

if TYPE_CHECKING:
    from shared.outbox import Outbox
    from shared.pii import PiiCipher
    from shared.settings import Settings


@dataclass(frozen=True)
class Context:
    """What every handler is given: the transaction, the outbox, the time, the settings, and
    the service's own typed configuration (``ServiceDefinition.config``), read at start."""

    session: Session
    outbox: Outbox
    now: datetime
    settings: Settings
    cipher: PiiCipher | None = None
    config: Any = None

    @property
    def today(self) -> date:
        """Today in Asia/Shanghai, the calendar the union counts by."""
        return shanghai_date(self.now)


Handler = Callable[[Context, Any], Any]
Handlers = Mapping[type, Handler]
"""``{command type: handler}``, a service's ``HANDLERS``."""


def handle(handlers: Handlers, ctx: Context, command: object) -> Any:
    """Run the handler of ``command`` in ``ctx``; the caller commits."""
    try:
        handler = handlers[type(command)]
    except KeyError:
        raise TypeError(f"no handler for {type(command).__name__}") from None
    return handler(ctx, command)


C = TypeVar("C")


def command_from(body: Mapping[str, Any], command: Callable[..., C], **known: Any) -> C:
    """The one way from a request body to a command: each field the view's load schema checked
    goes to the command's field of the same name (a list as a tuple: a command is frozen), and
    what the view knows besides, the path's ids and who asks, is ``known``; a body never sets
    those (a name in both is a ``TypeError``). A field the body leaves out takes the command's
    default."""
    given = {name: tuple(v) if isinstance(v, list) else v for name, v in body.items()}
    return command(**given, **known)


RepositoryHandler = Callable[[Context, Any, Any], Any]
"""``handler(ctx, command, repository)``: a handler that reads and writes through a port."""


def with_repository(
    by_command: Mapping[type, RepositoryHandler], repository_of: Callable[[Session], Any]
) -> Handlers:
    """Handlers as the kernel calls them, ``handler(ctx, command)``, each given
    ``repository_of(ctx.session)``: the SQL repository in the service, a fake in a unit test."""
    return {command: _wired(handler, repository_of) for command, handler in by_command.items()}


def _wired(handler: RepositoryHandler, repository_of: Callable[[Session], Any]) -> Handler:
    def wired(ctx: Context, command: Any) -> Any:
        return handler(ctx, command, repository_of(ctx.session))

    wired.__name__ = wired.__qualname__ = handler.__name__
    return wired
