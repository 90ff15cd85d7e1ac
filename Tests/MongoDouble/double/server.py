"""The TCP server: asyncio connections speaking the MongoDB wire protocol.

Each connection reads one message at a time and answers it before reading the next (as a
driver expects). Commands run synchronously on the event loop thread, so exactly one
command executes at any moment across all connections: concurrent findAndModify or
inserts against a unique index are serialized exactly like MongoDB's document-level
atomicity requires, without locks in the engine (mongomock_ng is not thread-safe).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import time

from . import wire
from .commands import Context, Server, dispatch
from .errors import MongoError, translate

MAX_MESSAGE_BYTES = 48_000_000


def _abbreviate(document, limit: int = 600) -> str:
    text = repr(document)
    return text if len(text) <= limit else text[:limit] + f'... ({len(text)} chars)'


class DoubleServer:
    def __init__(self, host: str = '127.0.0.1', port: int = 27017, verbose: bool = False,
                 trace: bool = False):
        self.host = host
        self.port = port
        self.trace = trace
        self.state = Server(verbose=verbose or trace)
        self._connection_ids = itertools.count(1)
        self._request_ids = itertools.count(1)
        self._server: asyncio.AbstractServer | None = None
        self._writers: set = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        if self._server is not None:
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        peer = writer.get_extra_info('peername')
        ctx = Context(self.state, next(self._connection_ids),
                      f'{peer[0]}:{peer[1]}' if peer else '')
        self._writers.add(writer)
        try:
            while True:
                header = await reader.readexactly(16)
                length, request_id, _response_to, opcode = wire.HEADER.unpack(header)
                if not 16 <= length <= MAX_MESSAGE_BYTES:
                    raise wire.ProtocolError(f'invalid message length {length}')
                body = await reader.readexactly(length - 16)
                reply = self.handle(ctx, request_id, opcode, body)
                if reply is not None:
                    writer.write(reply)
                    await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except wire.ProtocolError as exc:
            print(f'mongo-double: closing connection {ctx.connection_id}: {exc}',
                  file=sys.stderr, flush=True)
        finally:
            self._writers.discard(writer)
            writer.close()

    def handle(self, ctx: Context, request_id: int, opcode: int, body: bytes):
        """Execute one message; returns the reply bytes, or None (moreToCome)."""
        if opcode == wire.OP_MSG:
            request = wire.parse_op_msg(request_id, body)
            reply = self._execute(ctx, request.document, None,
                                  'OP_MSG moreToCome' if request.more_to_come else 'OP_MSG')
            if request.more_to_come:
                return None
            return self._encode(wire.build_op_msg, request_id, reply)
        if opcode == wire.OP_QUERY:
            request = wire.parse_op_query(request_id, body)
            name = next(iter(request.document), '')
            db, _, collection = request.namespace.partition('.')
            if collection == '$cmd' and name in ('hello', 'isMaster', 'ismaster'):
                reply = self._execute(ctx, request.document, db, 'OP_QUERY')
            else:
                reply = MongoError(352, f'Unsupported OP_QUERY command: {name}. The client '
                                        f'driver may require an upgrade.').to_reply()
            return self._encode(wire.build_op_reply, request_id, reply)
        if opcode == wire.OP_COMPRESSED:
            raise wire.ProtocolError('OP_COMPRESSED received, but the double advertises no '
                                     'compressors')
        raise wire.ProtocolError(f'unsupported opcode {opcode}')

    def _execute(self, ctx: Context, document: dict, default_db, kind: str):
        started = time.perf_counter()
        reply = dispatch(ctx, document, default_db)
        if self.trace:
            print(f'mongo-double: conn {ctx.connection_id} <- {kind} {_abbreviate(document)}',
                  file=sys.stderr, flush=True)
            print(f'mongo-double: conn {ctx.connection_id} -> {_abbreviate(reply)}',
                  file=sys.stderr, flush=True)
        if self.state.verbose:
            name = next(iter(document), '?')
            elapsed = (time.perf_counter() - started) * 1000
            status = 'ok' if reply.get('ok') == 1.0 else f"error {reply.get('code')}"
            print(f'mongo-double: conn {ctx.connection_id} {kind} {document.get("$db", default_db)}'
                  f'.{name} {status} {elapsed:.1f}ms', file=sys.stderr, flush=True)
        return reply

    def _encode(self, build, request_id: int, reply: dict) -> bytes:
        response_id = next(self._request_ids)
        try:
            return build(request_id, response_id, reply)
        except Exception as exc:  # noqa: BLE001 - an unencodable reply becomes an error
            error = translate(exc).to_reply()
            error['errmsg'] = f'mongo-double could not encode the reply: {error["errmsg"]}'
            return build(request_id, response_id, error)
