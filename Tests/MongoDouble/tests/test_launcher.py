"""scripts/mongo-double: the listening line, port 0, stdin EOF, signals."""

from __future__ import annotations

import signal
import socket
import subprocess

import pymongo
import pytest

from conftest import LAUNCHER, start_double


def test_port_zero_prints_one_line_and_serves():
    running = start_double()
    try:
        with pymongo.MongoClient(running.uri) as client:
            assert client.admin.command('ping')['ok'] == 1.0
    finally:
        assert running.stop() == 0
    # Nothing else was printed to stdout.
    assert running.process.stdout.read() == ''


def test_exits_on_stdin_eof():
    running = start_double()
    running.process.stdin.close()
    assert running.process.wait(timeout=10) == 0


@pytest.mark.parametrize('sig', [signal.SIGTERM, signal.SIGINT])
def test_exits_cleanly_on_signals(sig):
    running = start_double()
    # The launcher execs python, so the pid is the server itself.
    running.process.send_signal(sig)
    assert running.process.wait(timeout=10) == 0


def test_explicit_port_and_port_in_use():
    blocker = socket.socket()
    blocker.bind(('127.0.0.1', 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        result = subprocess.run([str(LAUNCHER), str(port)], stdin=subprocess.DEVNULL,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 1
        assert result.stdout == ''
        assert f'cannot listen on 127.0.0.1:{port}' in result.stderr
    finally:
        blocker.close()
    running = start_double(port=str(port))
    try:
        assert running.port == port
    finally:
        running.stop()
