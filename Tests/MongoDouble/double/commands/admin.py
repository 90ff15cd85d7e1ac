"""Handshake, server-information and database-level commands, and the double's own
command-log commands.

hello deliberately has no ``topologyVersion``: advertising one switches libmongoc (and
pymongo) to streaming, exhaust-mode hellos. The double presents itself as a standalone
MongoDB 7.0 (maxWireVersion 21); libmongoc 1.23 supports older wire versions only, which is
fine because the ranges overlap (minWireVersion 0).
"""

from __future__ import annotations

import datetime
import os
import socket
import time

from bson.int64 import Int64

from ..errors import MongoError
from . import Context, command

MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024
MAX_MESSAGE_SIZE_BYTES = 48_000_000
MAX_WRITE_BATCH_SIZE = 100_000
MAX_WIRE_VERSION = 21  # MongoDB 7.0
VERSION = '7.0.0'


def _now():
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def hello_reply(ctx: Context, args: dict) -> dict:
    reply = {}
    if args.get('helloOk'):
        reply['helloOk'] = True
    reply.update({
        'ismaster': True,
        'isWritablePrimary': True,
        'maxBsonObjectSize': MAX_BSON_OBJECT_SIZE,
        'maxMessageSizeBytes': MAX_MESSAGE_SIZE_BYTES,
        'maxWriteBatchSize': MAX_WRITE_BATCH_SIZE,
        'localTime': _now(),
        'logicalSessionTimeoutMinutes': 30,
        'connectionId': ctx.connection_id,
        'minWireVersion': 0,
        'maxWireVersion': MAX_WIRE_VERSION,
        'readOnly': False,
    })
    return reply


@command('hello', 'isMaster', 'ismaster', any_fields=True, collection_of=lambda a: None)
def _hello(ctx: Context, db: str, args: dict) -> dict:
    if args.get('loadBalanced'):
        raise MongoError(354, 'The server is not configured for load balanced connections')
    return hello_reply(ctx, args)


@command('ping', collection_of=lambda a: None)
def _ping(ctx, db, args):
    return {}


@command('buildInfo', 'buildinfo', collection_of=lambda a: None)
def _build_info(ctx, db, args):
    return {
        'version': VERSION,
        'gitVersion': 'mongo-double',
        'versionArray': [7, 0, 0, 0],
        'bits': 64,
        'debug': False,
        'maxBsonObjectSize': MAX_BSON_OBJECT_SIZE,
        'storageEngines': ['mongo-double'],
        'javascriptEngine': 'none',
        'modules': [],
        'openssl': {'running': 'disabled', 'compiled': 'disabled'},
        'sysInfo': 'deprecated',
        'allocator': 'system',
    }


PARAMETERS = {
    'featureCompatibilityVersion': {'version': '7.0'},
    'authenticationMechanisms': [],
    'requireApiVersion': False,
    'transactionLifetimeLimitSeconds': 60,
    'cursorTimeoutMillis': Int64(600_000),
}


@command('getParameter', any_fields=True, collection_of=lambda a: None)
def _get_parameter(ctx, db, args):
    if db != 'admin':
        raise MongoError(13, 'getParameter may only be run against the admin database.')
    selector = args['getParameter']
    if selector == '*' or (isinstance(selector, dict) and selector.get('allParameters')):
        return dict(PARAMETERS)
    wanted = [k for k in args if k != 'getParameter']
    found = {k: PARAMETERS[k] for k in wanted if k in PARAMETERS}
    if not found:
        raise MongoError(72, 'no option found to get')
    return found


@command('getCmdLineOpts', collection_of=lambda a: None)
def _get_cmd_line_opts(ctx, db, args):
    return {'argv': ['mongo-double'], 'parsed': {}}


@command('serverStatus', any_fields=True, collection_of=lambda a: None)
def _server_status(ctx, db, args):
    return {
        'host': socket.gethostname(),
        'version': VERSION,
        'process': 'mongod',
        'pid': Int64(os.getpid()),
        'uptime': float(time.time() - ctx.server.started),
        'localTime': _now(),
        'storageEngine': {'name': 'mongo-double'},
    }


@command('hostInfo', collection_of=lambda a: None)
def _host_info(ctx, db, args):
    return {'system': {'currentTime': _now(), 'hostname': socket.gethostname(),
                       'numCores': os.cpu_count() or 1},
            'os': {'type': os.uname().sysname}, 'extra': {}}


@command('whatsmyuri', collection_of=lambda a: None)
def _whats_my_uri(ctx, db, args):
    return {'you': ctx.peer}


@command('connectionStatus', fields=('showPrivileges',), collection_of=lambda a: None)
def _connection_status(ctx, db, args):
    return {'authInfo': {'authenticatedUsers': [], 'authenticatedUserRoles': []}}


@command('endSessions', collection_of=lambda a: None)
def _end_sessions(ctx, db, args):
    return {}


@command('refreshSessions', collection_of=lambda a: None)
def _refresh_sessions(ctx, db, args):
    return {}


@command('listDatabases', fields=('filter', 'nameOnly', 'authorizedDatabases'),
         collection_of=lambda a: None)
def _list_databases(ctx, db, args):
    if db != 'admin':
        raise MongoError(13, 'listDatabases may only be run against the admin database.')
    from mongomock_ng import filtering

    names = sorted(set(ctx.engine.database_names()) | {'admin', 'config', 'local'})
    entries = []
    for name in names:
        empty = not ctx.engine.collection_names(name) and not ctx.engine.view_names(name)
        entry = {'name': name, 'sizeOnDisk': Int64(0 if empty else 8192), 'empty': empty}
        if args.get('filter') and not filtering.filter_applies(args['filter'], entry):
            continue
        entries.append({'name': name} if args.get('nameOnly') else entry)
    reply = {'databases': entries}
    if not args.get('nameOnly'):
        total = sum(int(e.get('sizeOnDisk', 0)) for e in entries)
        reply['totalSize'] = Int64(total)
        reply['totalSizeMb'] = Int64(total // (1024 * 1024))
    return reply


@command('dropDatabase', collection_of=lambda a: None)
def _drop_database(ctx, db, args):
    ctx.engine.drop_database(db)
    ctx.cursors.drop_namespace_prefix(db + '.')
    return {'dropped': db}


# -- the double's own commands ---------------------------------------------------------

@command('doubleCommandLog', fields=('db',), collection_of=lambda a: None)
def _double_command_log(ctx, db, args):
    """``{doubleCommandLog: 1, db: <name>}``: the commands run against that database
    (all databases without ``db``), oldest first."""
    wanted = args.get('db')
    if wanted is not None and not isinstance(wanted, str):
        raise MongoError(14, "doubleCommandLog: 'db' must be a string")
    return {'entries': ctx.server.log.read(wanted)}


@command('doubleClearCommandLog', fields=('db',), collection_of=lambda a: None)
def _double_clear_command_log(ctx, db, args):
    """``{doubleClearCommandLog: 1, db: <name>}``: forget that database's entries (all
    entries without ``db``)."""
    wanted = args.get('db')
    if wanted is not None and not isinstance(wanted, str):
        raise MongoError(14, "doubleClearCommandLog: 'db' must be a string")
    return {'cleared': ctx.server.log.clear(wanted)}
