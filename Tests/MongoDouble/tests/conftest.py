"""Fixtures: one double per test session, started through scripts/mongo-double on a free
port, driven by pymongo as a real client; one fresh database per test."""

from __future__ import annotations

import os
import pathlib
import select
import subprocess
import tempfile
import uuid

import pymongo
import pytest

REPO_ROOT = pathlib.Path(__file__).resolve().parents[3]
LAUNCHER = REPO_ROOT / 'scripts' / 'mongo-double'


class RunningDouble:
    def __init__(self, process: subprocess.Popen, port: int, log_path: str):
        self.process = process
        self.port = port
        self.log_path = log_path

    @property
    def uri(self) -> str:
        return f'mongodb://127.0.0.1:{self.port}/?serverSelectionTimeoutMS=2000'

    def log(self) -> str:
        with open(self.log_path, encoding='utf-8', errors='replace') as handle:
            return handle.read()

    def stop(self, timeout: float = 10) -> int:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                return self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return self.process.wait()
        return self.process.returncode


def start_double(*extra_args: str, port: str = '0', timeout: float = 120) -> RunningDouble:
    """Start scripts/mongo-double PORT --exit-on-stdin-eof and wait for its one line."""
    log = tempfile.NamedTemporaryFile(prefix='mongo-double-', suffix='.log', delete=False)
    process = subprocess.Popen([str(LAUNCHER), port, '--exit-on-stdin-eof', *extra_args],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log,
                               text=True)
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    line = process.stdout.readline() if ready else ''
    prefix = 'mongo-double listening on 127.0.0.1:'
    if not line.startswith(prefix):
        process.kill()
        process.wait()
        with open(log.name, encoding='utf-8', errors='replace') as handle:
            raise RuntimeError(f'mongo-double did not start: {line!r}\n{handle.read()}')
    return RunningDouble(process, int(line[len(prefix):].strip()), log.name)


@pytest.fixture(scope='session')
def double():
    running = start_double()
    yield running
    code = running.stop()
    assert code == 0, running.log()
    os.unlink(running.log_path)


@pytest.fixture(scope='session')
def client(double):
    with pymongo.MongoClient(double.uri) as mongo_client:
        yield mongo_client


@pytest.fixture
def db(client):
    name = f't_{uuid.uuid4().hex[:16]}'
    database = client[name]
    yield database
    client.drop_database(name)


def command_log(client, db_name):
    return client.admin.command({'doubleCommandLog': 1, 'db': db_name})['entries']
