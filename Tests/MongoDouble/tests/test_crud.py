"""insert / find / update / delete with mongod's reply shapes."""

from __future__ import annotations

import datetime

import pymongo
import pytest
from bson import ObjectId
from pymongo import InsertOne, UpdateOne


def test_insert_find_roundtrip_keeps_types(db):
    when = datetime.datetime(2024, 3, 10, 10, 30, 0, 123000)
    doc = {'s': 'x', 'i': 1, 'f': 1.5, 'b': True, 'n': None, 'd': when,
           'a': [1, 'two', {'three': 3}], 'o': {'nested': {'deep': 1}}, 'bin': b'\x00\x01'}
    inserted = db.c.insert_one(dict(doc)).inserted_id
    found = db.c.find_one({'_id': inserted})
    assert list(found)[0] == '_id'
    assert {k: v for k, v in found.items() if k != '_id'} == doc


def test_server_puts_id_first(db):
    db.command({'insert': 'c', 'documents': [{'a': 1, '_id': 5}, {'b': 2}]})
    docs = list(db.c.find({}, sort=[('a', -1)]))
    assert [list(d)[0] for d in docs] == ['_id', '_id']
    assert isinstance(docs[1]['_id'], ObjectId)


def test_insert_reply_shape(db):
    reply = db.command({'insert': 'c', 'documents': [{'_id': 1}, {'_id': 2}]})
    assert reply == {'n': 2, 'ok': 1.0}


def test_ordered_insert_stops_at_first_error(db):
    reply = db.command({'insert': 'c', 'documents': [{'_id': 1}, {'_id': 1}, {'_id': 2}],
                        'ordered': True})
    assert reply['n'] == 1
    (error,) = reply['writeErrors']
    assert error['index'] == 1 and error['code'] == 11000
    assert error['errmsg'] == (f'E11000 duplicate key error collection: {db.name}.c index: _id_ '
                               f'dup key: {{ _id: 1 }}')
    assert error['keyPattern'] == {'_id': 1} and error['keyValue'] == {'_id': 1}
    assert db.c.count_documents({}) == 1


def test_unordered_insert_continues(db):
    reply = db.command({'insert': 'c', 'documents': [{'_id': 1}, {'_id': 1}, {'_id': 2},
                                                      {'_id': 2}, {'_id': 3}],
                        'ordered': False})
    assert reply['n'] == 3
    assert [e['index'] for e in reply['writeErrors']] == [1, 3]


def test_pymongo_bulk_write_error(db):
    with pytest.raises(pymongo.errors.BulkWriteError) as info:
        db.c.insert_many([{'_id': 1}, {'_id': 1}])
    assert info.value.details['nInserted'] == 1
    assert info.value.details['writeErrors'][0]['code'] == 11000


def test_find_filter_sort_projection_skip_limit(db):
    db.c.insert_many([{'_id': i, 'g': i % 3, 'v': i * 10, 'x': 'drop'} for i in range(10)])
    docs = list(db.c.find({'g': {'$in': [0, 1]}}, {'v': 1}, sort=[('v', -1)], skip=1,
                          limit=3))
    assert docs == [{'_id': 7, 'v': 70}, {'_id': 6, 'v': 60}, {'_id': 4, 'v': 40}]
    assert list(db.c.find({'g': 2}, {'x': 0, 'v': 0}).sort('_id', 1)) == [
        {'_id': 2, 'g': 2}, {'_id': 5, 'g': 2}, {'_id': 8, 'g': 2}]
    assert list(db.c.find({}, {'_id': 0, 'v': 1}).sort('v', 1).limit(2)) == [{'v': 0},
                                                                          {'v': 10}]


def test_find_on_missing_collection_is_empty(db):
    assert list(db.nothing.find()) == []
    assert db.nothing.find_one() is None


def test_dates_compare_in_ranges(db):
    base = datetime.datetime(2024, 1, 1)
    db.c.insert_many([{'t': base + datetime.timedelta(hours=h)} for h in range(48)])
    start, end = base + datetime.timedelta(days=1), base + datetime.timedelta(days=2)
    assert db.c.count_documents({'t': {'$gte': start, '$lt': end}}) == 24


def test_update_reply_shapes(db):
    db.c.insert_many([{'_id': i, 'v': 0} for i in range(3)])
    reply = db.command({'update': 'c', 'updates': [
        {'q': {}, 'u': {'$set': {'v': 1}}, 'multi': True},
        {'q': {'_id': 0}, 'u': {'$set': {'v': 1}}},
        {'q': {'_id': 'new'}, 'u': {'$set': {'v': 5}}, 'upsert': True},
        {'q': {'_id': 'none'}, 'u': {'$set': {'v': 5}}},
    ]})
    assert reply['n'] == 3 + 1 + 1 + 0
    assert reply['nModified'] == 3
    assert reply['upserted'] == [{'index': 2, '_id': 'new'}]
    assert db.c.find_one({'_id': 'new'}) == {'_id': 'new', 'v': 5}


def test_upsert_generates_object_id_and_uses_query_fields(db):
    result = db.c.update_one({'k': 'a', 'n': {'$gt': 1}}, {'$set': {'v': 1},
                                                          '$setOnInsert': {'created': True}},
                             upsert=True)
    assert isinstance(result.upserted_id, ObjectId)
    assert db.c.find_one({}, {'_id': 0}) == {'k': 'a', 'v': 1, 'created': True}
    db.c.update_one({'k': 'a'}, {'$set': {'v': 2}, '$setOnInsert': {'created': False}},
                    upsert=True)
    assert db.c.find_one({}, {'_id': 0}) == {'k': 'a', 'v': 2, 'created': True}


def test_replacement_update(db):
    db.c.insert_one({'_id': 1, 'a': 1, 'b': 2})
    db.c.replace_one({'_id': 1}, {'c': 3})
    assert db.c.find_one({'_id': 1}) == {'_id': 1, 'c': 3}


def test_replacement_with_multi_is_rejected(db):
    reply = db.command({'update': 'c', 'updates': [{'q': {}, 'u': {'a': 1}, 'multi': True}]})
    assert reply['writeErrors'][0]['code'] == 9


def test_unknown_update_operator(db):
    db.c.insert_one({'_id': 1})
    with pytest.raises(pymongo.errors.WriteError) as info:
        db.c.update_one({'_id': 1}, {'$foo': {'a': 1}})
    assert info.value.code == 9
    assert 'Unknown modifier: $foo' in str(info.value)


def test_pipeline_update(db):
    db.c.insert_one({'_id': 1, 'a': 2, 'b': 3})
    db.c.update_one({'_id': 1}, [{'$set': {'sum': {'$add': ['$a', '$b']}}},
                                 {'$unset': 'a'}])
    assert db.c.find_one({'_id': 1}) == {'_id': 1, 'b': 3, 'sum': 5}


def test_array_filters(db):
    db.c.insert_one({'_id': 1, 'grades': [{'g': 80, 'ok': False}, {'g': 95, 'ok': False}]})
    db.c.update_one({'_id': 1}, {'$set': {'grades.$[high].ok': True}},
                    array_filters=[{'high.g': {'$gte': 90}}])
    assert db.c.find_one({'_id': 1})['grades'] == [{'g': 80, 'ok': False},
                                                   {'g': 95, 'ok': True}]


def test_update_operators(db):
    db.c.insert_one({'_id': 1, 'n': 2, 'tags': ['a'], 'm': 5, 'old': 1})
    db.c.update_one({'_id': 1}, {'$inc': {'n': 3}, '$push': {'tags': 'b'},
                                 '$addToSet': {'set': 'x'}, '$mul': {'m': 2},
                                 '$rename': {'old': 'new'}, '$max': {'hi': 7},
                                 '$currentDate': {'at': True}})
    doc = db.c.find_one({'_id': 1})
    assert doc['n'] == 5 and doc['tags'] == ['a', 'b'] and doc['set'] == ['x']
    assert doc['m'] == 10 and doc['new'] == 1 and 'old' not in doc and doc['hi'] == 7
    assert isinstance(doc['at'], datetime.datetime)
    db.c.update_one({'_id': 1}, {'$mul': {'absent': 3}, '$min': {'hi': 2},
                                 '$pull': {'tags': 'a'}, '$unset': {'n': ''}})
    doc = db.c.find_one({'_id': 1})
    assert doc['absent'] == 0 and doc['hi'] == 2 and doc['tags'] == ['b'] and 'n' not in doc


def test_inc_rejects_non_numeric(db):
    db.c.insert_one({'_id': 1, 's': 'text'})
    with pytest.raises(pymongo.errors.WriteError) as info:
        db.c.update_one({'_id': 1}, {'$inc': {'s': 1}})
    assert info.value.code == 14
    with pytest.raises(pymongo.errors.WriteError) as info:
        db.c.update_one({'_id': 1}, {'$inc': {'n': 'one'}})
    assert info.value.code == 14


def test_delete_limit_and_reply(db):
    db.c.insert_many([{'g': 1}, {'g': 1}, {'g': 2}])
    reply = db.command({'delete': 'c', 'deletes': [{'q': {'g': 1}, 'limit': 1}]})
    assert reply == {'n': 1, 'ok': 1.0}
    assert db.c.delete_many({'g': {'$gte': 1}}).deleted_count == 2
    assert db.c.count_documents({}) == 0
    # The collection survives deleting its last document, as in mongod.
    assert 'c' in db.list_collection_names()


def test_delete_limit_must_be_0_or_1(db):
    reply = db.command({'delete': 'c', 'deletes': [{'q': {}, 'limit': 2}]})
    assert reply['writeErrors'][0]['code'] == 9


def test_bulk_write_mixed(db):
    result = db.c.bulk_write([InsertOne({'_id': 1, 'v': 1}),
                              UpdateOne({'_id': 1}, {'$inc': {'v': 1}}),
                              UpdateOne({'_id': 2}, {'$set': {'v': 9}}, upsert=True)])
    assert (result.inserted_count, result.modified_count, result.upserted_count) == (1, 1, 1)
    assert list(db.c.find().sort('_id', 1)) == [{'_id': 1, 'v': 2}, {'_id': 2, 'v': 9}]


def test_count_command_and_distinct(db):
    db.c.insert_many([{'g': i % 3, 'tags': ['x', 'y'] if i % 2 else ['z']} for i in range(9)])
    assert db.command({'count': 'c', 'query': {'g': 1}})['n'] == 3
    assert db.command({'count': 'c', 'skip': 2, 'limit': 5})['n'] == 5
    assert db.command({'count': 'c', 'skip': 8})['n'] == 1
    assert db.c.estimated_document_count() == 9
    assert sorted(db.c.distinct('g')) == [0, 1, 2]
    assert sorted(db.c.distinct('tags', {'g': 0})) == ['x', 'y', 'z']


def test_writes_to_missing_collection_names(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'insert': 'bad$name', 'documents': [{}]})
    assert info.value.code == 73
