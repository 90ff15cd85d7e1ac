"""Cursors: batching, getMore, limits, killCursors, cursor errors."""

from __future__ import annotations

import pymongo
import pytest
from bson.int64 import Int64

from conftest import command_log


def test_find_over_1000_documents_uses_get_more(client, db):
    db.c.insert_many([{'i': i} for i in range(1000)])
    client.admin.command({'doubleClearCommandLog': 1, 'db': db.name})
    values = [d['i'] for d in db.c.find({}, sort=[('i', 1)])]
    assert values == list(range(1000))
    commands = [e['command'] for e in command_log(client, db.name)]
    assert commands[0] == 'find' and commands.count('getMore') >= 1


def test_first_batch_is_101_by_default(db):
    db.c.insert_many([{'i': i} for i in range(150)])
    reply = db.command({'find': 'c'})
    assert len(reply['cursor']['firstBatch']) == 101
    assert reply['cursor']['ns'] == f'{db.name}.c'
    assert reply['cursor']['id'] != 0
    more = db.command({'getMore': reply['cursor']['id'], 'collection': 'c'})
    assert len(more['cursor']['nextBatch']) == 49
    assert more['cursor']['id'] == 0


def test_batch_size_and_exhaustion(db):
    db.c.insert_many([{'i': i} for i in range(10)])
    reply = db.command({'find': 'c', 'batchSize': 4})
    cursor_id = reply['cursor']['id']
    seen = len(reply['cursor']['firstBatch'])
    while cursor_id:
        more = db.command({'getMore': cursor_id, 'collection': 'c', 'batchSize': 4})
        seen += len(more['cursor']['nextBatch'])
        cursor_id = more['cursor']['id']
    assert seen == 10
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'getMore': reply['cursor']['id'], 'collection': 'c'})
    assert info.value.code == 43


def test_exact_batch_closes_cursor(db):
    db.c.insert_many([{'i': i} for i in range(4)])
    reply = db.command({'find': 'c', 'batchSize': 4})
    assert reply['cursor']['id'] == 0


def test_batch_size_zero_returns_open_cursor(db):
    db.c.insert_many([{'i': i} for i in range(3)])
    reply = db.command({'aggregate': 'c', 'pipeline': [], 'cursor': {'batchSize': 0}})
    assert reply['cursor']['firstBatch'] == [] and reply['cursor']['id'] != 0


def test_limit_and_single_batch(db):
    db.c.insert_many([{'i': i} for i in range(300)])
    reply = db.command({'find': 'c', 'limit': 5})
    assert len(reply['cursor']['firstBatch']) == 5 and reply['cursor']['id'] == 0
    reply = db.command({'find': 'c', 'batchSize': 10, 'singleBatch': True})
    assert len(reply['cursor']['firstBatch']) == 10 and reply['cursor']['id'] == 0
    assert len(list(db.c.find().limit(250).batch_size(50))) == 250
    assert len(list(db.c.find().limit(-7))) == 7


def test_negative_skip_is_rejected(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'find': 'c', 'skip': -1})
    assert info.value.code == 51024


def test_kill_cursors(db):
    db.c.insert_many([{'i': i} for i in range(10)])
    reply = db.command({'find': 'c', 'batchSize': 2})
    cursor_id = reply['cursor']['id']
    killed = db.command({'killCursors': 'c', 'cursors': [cursor_id, Int64(12345)]})
    assert killed['cursorsKilled'] == [cursor_id]
    assert killed['cursorsNotFound'] == [12345]
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'getMore': cursor_id, 'collection': 'c'})
    assert info.value.code == 43


def test_pymongo_closes_unfinished_cursors(client, db):
    db.c.insert_many([{'i': i} for i in range(20)])
    cursor = db.c.find().batch_size(5)
    next(cursor)
    cursor.close()
    assert 'killCursors' in [e['command'] for e in command_log(client, db.name)]


def test_get_more_on_other_namespace_is_refused(db):
    db.c.insert_many([{'i': i} for i in range(10)])
    reply = db.command({'find': 'c', 'batchSize': 2})
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'getMore': reply['cursor']['id'], 'collection': 'other'})
    assert info.value.code == 13


def test_aggregate_cursor(db):
    db.c.insert_many([{'i': i} for i in range(500)])
    results = list(db.c.aggregate([{'$match': {'i': {'$gte': 100}}}, {'$sort': {'i': -1}}],
                                  batchSize=50))
    assert len(results) == 400 and results[0]['i'] == 499
    reply = db.command({'aggregate': 'c', 'pipeline': [], 'cursor': {}})
    assert len(reply['cursor']['firstBatch']) == 101


def test_aggregate_requires_cursor_option(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'aggregate': 'c', 'pipeline': []})
    assert info.value.code == 9


def test_large_documents_are_split_across_batches(db):
    blob = 'x' * (4 * 1024 * 1024)
    db.c.insert_many([{'i': i, 'blob': blob} for i in range(6)])
    reply = db.command({'find': 'c', 'projection': {'i': 1, 'blob': 1}})
    assert 0 < len(reply['cursor']['firstBatch']) < 6
    assert len(list(db.c.find())) == 6
