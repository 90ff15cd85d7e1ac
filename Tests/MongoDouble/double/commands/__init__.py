"""Command dispatch: from a decoded command document to a reply document.

Commands are registered by name (plus mongod's aliases) with the fields they accept. The
dispatcher

* rejects anything transactional with IllegalOperation (20), as a standalone mongod does;
* strips the generic fields every driver adds ($db, lsid, $clusterTime, writeConcern,
  readConcern, $readPreference, apiVersion, maxTimeMS, comment, ...);
* rejects fields the command does not know (40415, as mongod) and fields mongod knows but
  the double does not implement (NotImplemented, 238) - never ignoring them silently;
* runs the handler synchronously: the event loop executes one command at a time, which
  gives findAndModify and unique indexes MongoDB's atomicity under concurrency;
* turns every exception into mongod's ``{ok: 0, errmsg, code, codeName}``;
* records the command in the command log.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass, field
from typing import Callable

from ..command_log import CommandLog
from ..cursors import CursorManager
from ..engine import Engine
from ..errors import MongoError, not_implemented, translate
from ..operators import set_command_time

GENERIC_FIELDS = {
    '$db', 'lsid', '$clusterTime', '$readPreference', 'writeConcern', 'readConcern',
    'apiVersion', 'apiStrict', 'apiDeprecationErrors', 'maxTimeMS', 'comment', '$audit',
    '$client', 'mayBypassWriteBlocking', '$configTime', '$topologyTime', '$queryOptions',
}
TRANSACTION_FIELDS = {'txnNumber', 'startTransaction', 'autocommit', 'coordinator',
                      'stmtId', 'stmtIds'}
TRANSACTION_COMMANDS = {'commitTransaction', 'abortTransaction'}


@dataclass
class Server:
    """State shared by all connections."""
    engine: Engine = field(default_factory=Engine)
    cursors: CursorManager = field(default_factory=CursorManager)
    log: CommandLog = field(default_factory=CommandLog)
    started: float = field(default_factory=time.time)
    verbose: bool = False


@dataclass
class Context:
    """One command's view of the server and its connection."""
    server: Server
    connection_id: int
    peer: str = ''

    @property
    def engine(self) -> Engine:
        return self.server.engine

    @property
    def cursors(self) -> CursorManager:
        return self.server.cursors


@dataclass
class Command:
    name: str
    handler: Callable
    fields: frozenset
    unsupported: frozenset
    any_fields: bool
    collection_of: Callable


COMMANDS: dict[str, Command] = {}


def _first_value_collection(args):
    value = next(iter(args.values()), None)
    return value if isinstance(value, str) else None


def command(name: str, *aliases: str, fields=(), unsupported=(), any_fields=False,
            collection_of=_first_value_collection):
    """Register ``handler(ctx, db, args) -> reply`` for a command name and aliases."""

    def register(handler):
        spec = Command(name, handler, frozenset(fields), frozenset(unsupported), any_fields,
                       collection_of)
        for command_name in (name, *aliases):
            COMMANDS[command_name] = spec
        return handler

    return register


def check_fields(command_name: str, document: dict, allowed, unsupported=(),
                 where: str | None = None) -> None:
    """Reject unknown fields of a command or of a sub-document (e.g. update statements)."""
    prefix = where or command_name
    for key in document:
        if key in unsupported:
            raise not_implemented(f"'{key}' in {prefix}")
        if key not in allowed:
            raise MongoError(40415, f"BSON field '{prefix}.{key}' is an unknown field.")


def dispatch(ctx: Context, body: dict, default_db: str | None = None) -> dict:
    """Execute one command document; always returns a reply document."""
    name = next(iter(body), None) if body else None
    db = body.get('$db', default_db) if body else default_db
    spec = COMMANDS.get(name) if name is not None else None
    canonical = spec.name if spec else (name or '')
    collection = None
    set_command_time(datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))
    try:
        if name is None:
            raise MongoError(59, 'no such command: empty command document')
        if not isinstance(db, str):
            raise MongoError(40571, "OP_MSG requests require a $db argument")
        if name in TRANSACTION_COMMANDS or TRANSACTION_FIELDS & body.keys():
            raise MongoError(20, 'Transaction numbers are only allowed on a replica set member '
                                 'or mongos')
        if spec is None:
            raise MongoError(59, f"no such command: '{name}'")
        args = {k: v for k, v in body.items() if k not in GENERIC_FIELDS}
        try:
            collection = spec.collection_of(args)
        except Exception:  # noqa: BLE001 - logging must not fail a command
            collection = None
        if not spec.any_fields:
            check_fields(canonical, {k: v for k, v in args.items() if k != name},
                         spec.fields, spec.unsupported)
        reply = spec.handler(ctx, db, args)
        reply['ok'] = 1.0
    except BaseException as exc:  # noqa: BLE001 - every failure becomes a reply
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        reply = translate(exc).to_reply()
    ok = reply.get('ok') == 1.0
    ctx.server.log.record(connection=ctx.connection_id, db=db if isinstance(db, str) else '',
                          command=canonical, collection=collection, ok=ok)
    return reply


# Register the handlers.
from . import admin, crud, ddl, query  # noqa: E402,F401
