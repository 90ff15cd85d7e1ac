"""Fault 2: int64 stays int64 (BSON 0x12); MongoDB's numeric promotion everywhere."""

from __future__ import annotations

import datetime
import struct

import bson
from bson.int64 import Int64
from bson.raw_bson import RawBSONDocument


def _bson_type(raw: RawBSONDocument, field: str) -> int:
    """The BSON element type byte of a top-level field, read from the raw bytes."""
    data = raw.raw
    offset = 4
    while data[offset] != 0:
        element_type = data[offset]
        end = data.index(b'\x00', offset + 1)
        name = data[offset + 1:end].decode()
        if name == field:
            return element_type
        value = end + 1
        sizes = {0x01: 8, 0x08: 1, 0x09: 8, 0x10: 4, 0x11: 8, 0x12: 8, 0x0A: 0, 0x07: 12}
        if element_type in sizes:
            offset = value + sizes[element_type]
        elif element_type in (0x02,):
            offset = value + 4 + struct.unpack_from('<i', data, value)[0]
        elif element_type in (0x03, 0x04):
            offset = value + struct.unpack_from('<i', data, value)[0]
        else:
            raise AssertionError(f'unhandled type {element_type:#x}')
    raise KeyError(field)


def _raw(db, name, filter_):
    raw_collection = db.get_collection(name, codec_options=bson.codec_options.CodecOptions(
        document_class=RawBSONDocument))
    return raw_collection.find_one(filter_)


def test_int64_round_trips_as_int64(db):
    db.c.insert_one({'_id': 1, 'small_long': Int64(5), 'int': 5, 'double': 5.0})
    raw = _raw(db, 'c', {'_id': 1})
    assert _bson_type(raw, 'small_long') == 0x12
    assert _bson_type(raw, 'int') == 0x10
    assert _bson_type(raw, 'double') == 0x01


def test_inc_keeps_int64(db):
    db.c.insert_one({'_id': 1, 'points': Int64(10), 'n': 1, 'f': 1.5})
    db.c.update_one({'_id': 1}, {'$inc': {'points': 5, 'n': 1, 'f': 1, 'new_long': Int64(3)}})
    doc = db.c.find_one({'_id': 1})
    assert type(doc['points']) is Int64 and doc['points'] == 15
    assert type(doc['n']) is int and doc['n'] == 2
    assert type(doc['f']) is float and doc['f'] == 2.5
    assert type(doc['new_long']) is Int64
    raw = _raw(db, 'c', {'_id': 1})
    assert _bson_type(raw, 'points') == 0x12 and _bson_type(raw, 'n') == 0x10


def test_int32_overflow_promotes_to_int64(db):
    db.c.insert_one({'_id': 1, 'n': 2**31 - 1})
    db.c.update_one({'_id': 1}, {'$inc': {'n': 1}})
    raw = _raw(db, 'c', {'_id': 1})
    assert _bson_type(raw, 'n') == 0x12


def test_inc_int_by_double_gives_double(db):
    db.c.insert_one({'_id': 1, 'n': 1})
    db.c.update_one({'_id': 1}, {'$inc': {'n': 1.0}})
    assert type(db.c.find_one({'_id': 1})['n']) is float


def test_sum_keeps_int64(db):
    db.ledger.insert_many([{'u': 'a', 'amount': Int64(100)}, {'u': 'a', 'amount': 5},
                           {'u': 'b', 'amount': 7}, {'u': 'b', 'amount': 8}])
    result = {d['_id']: d['total'] for d in db.ledger.aggregate(
        [{'$group': {'_id': '$u', 'total': {'$sum': '$amount'}}}])}
    assert result == {'a': 105, 'b': 15}
    assert type(result['a']) is Int64
    assert type(result['b']) is int
    total = next(db.ledger.aggregate([{'$group': {'_id': None, 'n': {'$sum': 1},
                                                  'avg': {'$avg': '$amount'}}}]))
    assert type(total['n']) is int and total['n'] == 4
    assert type(total['avg']) is float


def test_expression_arithmetic_types(db):
    db.c.insert_one({'_id': 1, 'l': Int64(10), 'i': 3, 'd': 2.5,
                     'start': datetime.datetime(2024, 1, 1),
                     'end': datetime.datetime(2024, 1, 1, 0, 0, 1, 500000)})
    doc = next(db.c.aggregate([{'$project': {
        'add_li': {'$add': ['$l', '$i']},
        'add_ii': {'$add': ['$i', '$i']},
        'mul_ld': {'$multiply': ['$l', '$d']},
        'sub_dates': {'$subtract': ['$end', '$start']},
        'date_minus_ms': {'$subtract': ['$end', 1500]},
        'div': {'$divide': ['$i', 3]},
        'mod': {'$mod': ['$i', 2]},
        'pow': {'$pow': ['$i', 2]},
        'to_long': {'$toLong': '$i'},
        'to_long_date': {'$toLong': '$start'},
        'to_int': {'$toInt': '$d'},
        'floor': {'$floor': '$d'},
        'round': {'$round': ['$d', 0]},
        'round_int': {'$round': ['$l', -1]},
        'trunc': {'$trunc': [2.789, 1]},
        'abs': {'$abs': {'$subtract': [0, '$l']}},
        'type_l': {'$type': '$l'},
        'type_i': {'$type': '$i'},
        'type_sum': {'$type': {'$add': ['$i', '$l']}},
    }}]))
    assert doc['add_li'] == 13 and type(doc['add_li']) is Int64
    assert doc['add_ii'] == 6 and type(doc['add_ii']) is int
    assert doc['mul_ld'] == 25.0 and type(doc['mul_ld']) is float
    assert doc['sub_dates'] == 1500 and type(doc['sub_dates']) is Int64
    assert doc['date_minus_ms'] == datetime.datetime(2024, 1, 1)
    assert doc['div'] == 1.0 and type(doc['div']) is float
    assert doc['mod'] == 1 and type(doc['mod']) is int
    assert doc['pow'] == 9 and type(doc['pow']) is int
    assert doc['to_long'] == 3 and type(doc['to_long']) is Int64
    assert doc['to_long_date'] == 1704067200000
    assert doc['to_int'] == 2 and type(doc['to_int']) is int
    assert doc['floor'] == 2.0 and type(doc['floor']) is float
    assert doc['round'] == 2.0 and type(doc['round']) is float  # half to even
    assert doc['round_int'] == 10 and type(doc['round_int']) is Int64
    assert doc['trunc'] == 2.7
    assert doc['abs'] == 10 and type(doc['abs']) is Int64
    assert (doc['type_l'], doc['type_i'], doc['type_sum']) == ('long', 'int', 'long')


def test_query_type_operator_uses_bson_types(db):
    db.c.insert_many([{'_id': 'long', 'v': Int64(1)}, {'_id': 'int', 'v': 1},
                      {'_id': 'double', 'v': 1.0}])
    assert [d['_id'] for d in db.c.find({'v': {'$type': 'long'}})] == ['long']
    assert [d['_id'] for d in db.c.find({'v': {'$type': 'int'}})] == ['int']
    assert [d['_id'] for d in db.c.find({'v': {'$type': 18}})] == ['long']
    assert db.c.count_documents({'v': 1}) == 3  # numbers compare by value


def test_divide_by_zero_is_an_error(db):
    import pymongo
    import pytest
    db.c.insert_one({'a': 1})
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        list(db.c.aggregate([{'$project': {'x': {'$divide': ['$a', 0]}}}]))
    assert info.value.code == 2
    assert "can't $divide by zero" in str(info.value)
