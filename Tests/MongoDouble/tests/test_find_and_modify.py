"""Fault 3: findAndModify's lastErrorObject; atomicity under concurrency."""

from __future__ import annotations

import threading

import pymongo
import pytest
from pymongo import ReturnDocument


def test_update_returns_old_or_new_with_last_error_object(db):
    db.c.insert_one({'_id': 1, 'stock': 3})
    reply = db.command({'findAndModify': 'c', 'query': {'_id': 1},
                        'update': {'$inc': {'stock': -1}}})
    assert reply['value'] == {'_id': 1, 'stock': 3}
    assert reply['lastErrorObject'] == {'n': 1, 'updatedExisting': True}
    reply = db.command({'findAndModify': 'c', 'query': {'_id': 1},
                        'update': {'$inc': {'stock': -1}}, 'new': True,
                        'fields': {'_id': 0}})
    assert reply['value'] == {'stock': 1}


def test_no_match(db):
    reply = db.command({'findAndModify': 'c', 'query': {'_id': 1},
                        'update': {'$set': {'a': 1}}})
    assert reply['value'] is None
    assert reply['lastErrorObject'] == {'n': 0, 'updatedExisting': False}


def test_upsert(db):
    reply = db.command({'findAndModify': 'c', 'query': {'k': 'x'},
                        'update': {'$set': {'v': 1}}, 'upsert': True, 'new': True})
    assert reply['lastErrorObject']['n'] == 1
    assert reply['lastErrorObject']['updatedExisting'] is False
    upserted = reply['lastErrorObject']['upserted']
    assert reply['value'] == {'_id': upserted, 'k': 'x', 'v': 1}
    reply = db.command({'findAndModify': 'c', 'query': {'k': 'y'},
                        'update': {'$set': {'v': 1}}, 'upsert': True})
    assert reply['value'] is None and 'upserted' in reply['lastErrorObject']


def test_remove(db):
    db.c.insert_many([{'_id': 1, 'p': 2}, {'_id': 2, 'p': 1}])
    reply = db.command({'findAndModify': 'c', 'query': {}, 'sort': {'p': 1}, 'remove': True})
    assert reply['value'] == {'_id': 2, 'p': 1}
    assert reply['lastErrorObject'] == {'n': 1}
    assert [d['_id'] for d in db.c.find()] == [1]


def test_sort_picks_the_document(db):
    db.c.insert_many([{'_id': i, 'prio': p, 'state': 'new'} for i, p in enumerate([5, 1, 3])])
    doc = db.c.find_one_and_update({'state': 'new'}, {'$set': {'state': 'taken'}},
                                   sort=[('prio', 1)], return_document=ReturnDocument.AFTER)
    assert doc == {'_id': 1, 'prio': 1, 'state': 'taken'}
    assert db.c.count_documents({'state': 'taken'}) == 1


def test_pymongo_helpers(db):
    db.c.insert_one({'_id': 1, 'n': 1})
    assert db.c.find_one_and_update({'_id': 1}, {'$inc': {'n': 1}},
                                    return_document=ReturnDocument.AFTER)['n'] == 2
    assert db.c.find_one_and_replace({'_id': 1}, {'m': 1})['n'] == 2
    assert db.c.find_one_and_delete({'_id': 1}) == {'_id': 1, 'm': 1}


def test_invalid_combinations(db):
    for bad in ({'remove': True, 'update': {'$set': {'a': 1}}},
                {},
                {'remove': True, 'upsert': True},
                {'remove': True, 'new': True}):
        with pytest.raises(pymongo.errors.OperationFailure) as info:
            db.command({'findAndModify': 'c', 'query': {}, **bad})
        assert info.value.code == 9


def test_duplicate_key_is_a_command_error(db):
    db.c.create_index('k', unique=True)
    db.c.insert_many([{'_id': 1, 'k': 1}, {'_id': 2, 'k': 2}])
    with pytest.raises(pymongo.errors.DuplicateKeyError) as info:
        db.c.find_one_and_update({'_id': 2}, {'$set': {'k': 1}})
    assert info.value.details['keyPattern'] == {'k': 1}
    assert db.c.find_one({'_id': 2})['k'] == 2


def test_concurrent_stock_decrements(double):
    """20 racing decrements of a stock of 7: exactly 7 succeed, stock ends at 0."""
    name = 'concurrent_stock'
    clients = [pymongo.MongoClient(double.uri) for _ in range(20)]
    try:
        rewards = clients[0][name].rewards
        rewards.drop()
        rewards.insert_one({'_id': 'r', 'stock': 7})
        for c in clients:
            c.admin.command('ping')
        barrier = threading.Barrier(len(clients))
        results = []

        def take(c):
            barrier.wait()
            doc = c[name].rewards.find_one_and_update({'_id': 'r', 'stock': {'$gt': 0}},
                                                      {'$inc': {'stock': -1}})
            results.append(doc is not None)

        threads = [threading.Thread(target=take, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results.count(True) == 7
        assert rewards.find_one({'_id': 'r'})['stock'] == 0
    finally:
        clients[0].drop_database(name)
        for c in clients:
            c.close()
