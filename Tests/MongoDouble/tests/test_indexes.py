"""createIndexes / listIndexes / dropIndexes and unique-index semantics."""

from __future__ import annotations

import threading

import pymongo
import pytest
from pymongo import IndexModel


def test_duplicate_key_error_shape(db):
    db.users.create_index('email', unique=True, name='email_unique')
    db.users.insert_one({'email': 'a@example.com'})
    with pytest.raises(pymongo.errors.DuplicateKeyError) as info:
        db.users.insert_one({'email': 'a@example.com'})
    error = info.value
    assert error.code == 11000
    assert error.details['keyPattern'] == {'email': 1}
    assert error.details['keyValue'] == {'email': 'a@example.com'}
    assert error.details['errmsg'] == (
        f'E11000 duplicate key error collection: {db.name}.users index: email_unique '
        f'dup key: {{ email: "a@example.com" }}')


def test_compound_unique_message(db):
    db.claims.create_index([('userId', 1), ('eventId', 1)], unique=True)
    db.claims.insert_one({'userId': 'u1', 'eventId': 7})
    with pytest.raises(pymongo.errors.DuplicateKeyError) as info:
        db.claims.insert_one({'userId': 'u1', 'eventId': 7})
    assert info.value.details['errmsg'].endswith(
        'index: userId_1_eventId_1 dup key: { userId: "u1", eventId: 7 }')
    assert info.value.details['keyPattern'] == {'userId': 1, 'eventId': 1}


def test_partial_unique_index_only_covers_matching_documents(db):
    """Fault 1: mongomock_ng enforced a partial unique index on every document."""
    db.claims.create_index([('userId', 1), ('eventId', 1)], unique=True, name='one_live_claim',
                           partialFilterExpression={'live': {'$exists': True}})
    db.claims.insert_one({'userId': 'u', 'eventId': 'e', 'status': 'REJECTED'})
    db.claims.insert_one({'userId': 'u', 'eventId': 'e', 'status': 'REJECTED'})
    db.claims.insert_one({'userId': 'u', 'eventId': 'e', 'status': 'PENDING', 'live': True})
    with pytest.raises(pymongo.errors.DuplicateKeyError):
        db.claims.insert_one({'userId': 'u', 'eventId': 'e', 'status': 'PENDING', 'live': True})
    # Updating a document into the filter is checked too; out of it is always fine.
    rejected = db.claims.find_one({'status': 'REJECTED'})
    with pytest.raises(pymongo.errors.DuplicateKeyError):
        db.claims.update_one({'_id': rejected['_id']}, {'$set': {'live': True}})
    db.claims.update_many({'live': True}, {'$unset': {'live': ''}})
    db.claims.update_one({'_id': rejected['_id']}, {'$set': {'live': True}})
    assert db.claims.count_documents({'live': True}) == 1
    assert db.claims.count_documents({}) == 3


def test_partial_filter_with_equality(db):
    db.c.create_index('code', unique=True, partialFilterExpression={'kind': 'coupon'})
    db.c.insert_many([{'code': 'A', 'kind': 'item'}, {'code': 'A', 'kind': 'item'},
                      {'code': 'A', 'kind': 'coupon'}])
    with pytest.raises(pymongo.errors.DuplicateKeyError):
        db.c.insert_one({'code': 'A', 'kind': 'coupon'})


def test_unique_index_treats_missing_as_null_unless_sparse(db):
    db.c.create_index('k', unique=True)
    db.c.insert_one({'other': 1})
    with pytest.raises(pymongo.errors.DuplicateKeyError) as info:
        db.c.insert_one({'other': 2})
    assert info.value.details['keyValue'] == {'k': None}
    db.s.create_index('k', unique=True, sparse=True)
    db.s.insert_many([{'other': 1}, {'other': 2}, {'k': 1}])
    with pytest.raises(pymongo.errors.DuplicateKeyError):
        db.s.insert_one({'k': 1})


def test_unique_numbers_compare_by_value(db):
    db.c.create_index('n', unique=True)
    db.c.insert_one({'n': 1})
    with pytest.raises(pymongo.errors.DuplicateKeyError):
        db.c.insert_one({'n': 1.0})
    db.c.insert_one({'n': True})  # a bool is not the number 1


def test_unique_multikey(db):
    db.c.create_index('tags', unique=True)
    db.c.insert_one({'tags': ['a', 'b']})
    with pytest.raises(pymongo.errors.DuplicateKeyError):
        db.c.insert_one({'tags': ['c', 'b']})


def test_create_index_is_idempotent(db):
    first = db.command({'createIndexes': 'c', 'indexes': [{'key': {'a': 1}, 'name': 'a_1',
                                                           'unique': True}]})
    assert first['createdCollectionAutomatically'] is True
    assert (first['numIndexesBefore'], first['numIndexesAfter']) == (1, 2)
    again = db.command({'createIndexes': 'c', 'indexes': [{'key': {'a': 1}, 'name': 'a_1',
                                                           'unique': True}]})
    assert (again['numIndexesBefore'], again['numIndexesAfter']) == (2, 2)
    assert again['note'] == 'all indexes already exist'
    assert again['createdCollectionAutomatically'] is False
    db.c.create_index([('a', 1)], unique=True)  # pymongo, same generated name


def test_same_name_different_key_is_86(db):
    db.c.create_index('a', name='idx')
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.c.create_index('b', name='idx')
    assert info.value.code == 86
    assert info.value.details['codeName'] == 'IndexKeySpecsConflict'


def test_same_name_different_options_is_85(db):
    db.c.create_index('a', name='idx')
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.c.create_index('a', name='idx', unique=True)
    assert info.value.code == 85
    assert info.value.details['codeName'] == 'IndexOptionsConflict'


def test_same_key_different_name_is_85(db):
    db.c.create_index('a', name='first')
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.c.create_index('a', name='second')
    assert info.value.code == 85
    assert 'Index already exists with a different name: first' in str(info.value)


def test_same_key_different_partial_filter_is_allowed(db):
    db.c.create_index('a', name='p1', partialFilterExpression={'x': 1})
    db.c.create_index('a', name='p2', partialFilterExpression={'x': 2})
    assert {i['name'] for i in db.c.list_indexes()} == {'_id_', 'p1', 'p2'}


def test_same_key_and_filter_with_another_unique_or_sparse_is_allowed(db):
    # MongoDB 5.0+ (SERVER-47657): `unique` and `sparse` are part of an index's signature.
    db.c.create_index('a', name='u', unique=True, partialFilterExpression={'a': {'$exists': True}})
    db.c.create_index('a', name='n', partialFilterExpression={'a': {'$exists': True}})
    db.c.create_index('a', name='s', sparse=True, partialFilterExpression={'a': {'$exists': True}})
    assert {i['name'] for i in db.c.list_indexes()} == {'_id_', 'u', 'n', 's'}
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.c.create_index('a', name='u2', unique=True, partialFilterExpression={'a': {'$exists': True}})
    assert info.value.code == 85


def test_list_indexes_shape_and_ttl(db):
    db.c.create_indexes([
        IndexModel([('userId', 1), ('type', 1), ('occurredAt', 1)], name='activity'),
        IndexModel('sourceId', unique=True, name='source',
                   partialFilterExpression={'sourceId': {'$exists': True}}),
        IndexModel('leaseUntil', expireAfterSeconds=3600, name='ttl'),
        IndexModel('s', sparse=True, name='sparse'),
    ])
    indexes = {i['name']: dict(i) for i in db.c.list_indexes()}
    assert indexes['_id_'] == {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}
    assert indexes['activity']['key'] == {'userId': 1, 'type': 1, 'occurredAt': 1}
    assert list(indexes['activity']['key']) == ['userId', 'type', 'occurredAt']
    assert indexes['source']['unique'] is True
    assert indexes['source']['partialFilterExpression'] == {'sourceId': {'$exists': True}}
    assert indexes['ttl']['expireAfterSeconds'] == 3600
    assert indexes['sparse']['sparse'] is True
    info = db.c.index_information()
    assert set(info) == {'_id_', 'activity', 'source', 'ttl', 'sparse'}


def test_ttl_index_does_not_delete(db):
    import datetime
    db.c.create_index('at', expireAfterSeconds=0)
    db.c.insert_one({'at': datetime.datetime(2000, 1, 1)})
    assert db.c.count_documents({}) == 1


def test_unique_index_on_existing_duplicates_fails(db):
    db.c.insert_many([{'a': 1}, {'a': 1}])
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.c.create_index('a', unique=True)
    assert info.value.code == 11000
    assert [i['name'] for i in db.c.list_indexes()] == ['_id_']


def test_invalid_specs(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'createIndexes': 'c', 'indexes': [{'key': {'a': 1}}]})
    assert info.value.code == 9
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'createIndexes': 'c', 'indexes': [{'key': {'a': 1}, 'name': 'x',
                                                       'bogus': 1}]})
    assert info.value.code == 197
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'createIndexes': 'c', 'indexes': [{'key': {'a': 1, 'b': 1}, 'name': 'x',
                                                       'expireAfterSeconds': 5}]})
    assert info.value.code == 67


def test_drop_indexes(db):
    db.c.create_index('a')
    db.c.create_index('b')
    db.c.create_index('c')
    assert db.command({'dropIndexes': 'c', 'index': 'a_1'})['nIndexesWas'] == 4
    db.c.drop_index([('b', 1)])
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.c.drop_index('nope')
    assert info.value.code == 27
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.c.drop_index('_id_')
    assert info.value.code == 72
    db.c.drop_indexes()
    assert [i['name'] for i in db.c.list_indexes()] == ['_id_']


def test_index_commands_on_missing_collection(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'listIndexes': 'missing'})
    assert info.value.code == 26
    assert list(db.missing.list_indexes()) == []  # pymongo hides NamespaceNotFound
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'dropIndexes': 'missing', 'index': 'x'})
    assert info.value.code == 26


def test_concurrent_unique_inserts_exactly_one_wins(double):
    """32 threads, each with its own connection pool, race to insert the same key."""
    name = 'concurrent_unique'
    clients = [pymongo.MongoClient(double.uri) for _ in range(32)]
    try:
        clients[0][name].drop_collection('claims')
        clients[0][name].claims.create_index([('userId', 1), ('eventId', 1)], unique=True)
        for c in clients:
            c.admin.command('ping')
        barrier = threading.Barrier(len(clients))
        outcomes = []

        def claim(c):
            barrier.wait()
            try:
                c[name].claims.insert_one({'userId': 'u', 'eventId': 'e'})
                outcomes.append('ok')
            except pymongo.errors.DuplicateKeyError:
                outcomes.append('dup')

        threads = [threading.Thread(target=claim, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert outcomes.count('ok') == 1 and outcomes.count('dup') == 31
        assert clients[0][name].claims.count_documents({}) == 1
    finally:
        clients[0].drop_database(name)
        for c in clients:
            c.close()


@pytest.mark.parametrize('partial', [
    {'a': {'$exists': False}}, {'a': {'$ne': 1}}, {'a': {'$not': {'$eq': 1}}},
    {'$nor': [{'a': 1}]},
])
def test_partial_filters_mongod_rejects_are_rejected(db, partial):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.c.create_index('a', partialFilterExpression=partial)
    assert info.value.code == 67


def test_partial_filters_mongod_accepts(db):
    for i, partial in enumerate(({'a': 1}, {'a': {'$exists': True}}, {'a': {'$gt': 5}},
                                 {'$and': [{'a': {'$type': 'string'}}, {'b': True}]},
                                 {'status': {'$in': ['PENDING', 'GRANTED']}})):
        db.c.create_index('k', name=f'k{i}', partialFilterExpression=partial)
