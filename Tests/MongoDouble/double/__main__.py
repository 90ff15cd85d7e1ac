"""Command line: ``python -m double [PORT] [--host H] [--exit-on-stdin-eof] [--verbose] [--trace]``.

Normally started through ``scripts/mongo-double``, which provides the virtualenv.
Port 0 picks a free port. Once listening, exactly one line goes to stdout:
``mongo-double listening on 127.0.0.1:<port>`` (flushed), so a harness can read the
port. The process exits cleanly on SIGTERM/SIGINT and, with ``--exit-on-stdin-eof``,
when its standard input reaches end-of-file (a test that spawned it with a pipe takes it
down just by exiting).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading

from .server import DoubleServer


def _parse_args(argv):
    parser = argparse.ArgumentParser(prog='mongo-double',
                                     description='MongoDB 7 wire-protocol test double')
    parser.add_argument('port', nargs='?', type=int, default=27017,
                        help='TCP port (default 27017; 0 picks a free port)')
    parser.add_argument('--host', default='127.0.0.1', help='address to bind (127.0.0.1)')
    parser.add_argument('--exit-on-stdin-eof', action='store_true',
                        help='exit when standard input reaches end-of-file')
    parser.add_argument('--verbose', action='store_true',
                        help='log every command to stderr')
    parser.add_argument('--trace', action='store_true',
                        help='log every command and reply document to stderr')
    return parser.parse_args(argv)


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    # os.read on the descriptor, not sys.stdin: a daemon thread blocked inside a buffered
    # reader holds its lock, and interpreter shutdown then aborts the process.
    def read_until_eof():
        try:
            while os.read(0, 65536):
                pass
        except OSError:
            pass
        try:
            loop.call_soon_threadsafe(stop.set)
        except RuntimeError:  # the loop already closed
            pass

    threading.Thread(target=read_until_eof, name='stdin-eof', daemon=True).start()


async def _main(args) -> int:
    server = DoubleServer(args.host, args.port, verbose=args.verbose, trace=args.trace)
    try:
        port = await server.start()
    except OSError as exc:
        print(f'mongo-double: cannot listen on {args.host}:{args.port}: {exc}',
              file=sys.stderr, flush=True)
        return 1
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.exit_on_stdin_eof:
        _watch_stdin(loop, stop)
    print(f'mongo-double listening on {args.host}:{port}', flush=True)
    await stop.wait()
    await server.close()
    return 0


def main(argv=None) -> int:
    return asyncio.run(_main(_parse_args(sys.argv[1:] if argv is None else argv)))


if __name__ == '__main__':
    sys.exit(main())
