"""Wire protocol and handshake, including raw messages shaped like libmongoc's."""

from __future__ import annotations

import socket
import struct

import bson
import pymongo
import pytest
from bson.int64 import Int64

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013


def _recv_exactly(sock, n):
    data = b''
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError('closed')
        data += chunk
    return data


def _read_message(sock):
    header = _recv_exactly(sock, 16)
    length, request_id, response_to, opcode = struct.unpack('<iiii', header)
    return opcode, response_to, _recv_exactly(sock, length - 16)


def _op_query(request_id, namespace, query):
    body = (struct.pack('<i', 0) + namespace.encode() + b'\x00' + struct.pack('<ii', 0, -1)
            + bson.encode(query))
    return struct.pack('<iiii', 16 + len(body), request_id, 0, OP_QUERY) + body


def _op_msg(request_id, body_doc, sequences=(), flags=0, checksum=False):
    payload = b'\x00' + bson.encode(body_doc)
    for identifier, documents in sequences:
        docs = b''.join(bson.encode(d) for d in documents)
        section = identifier.encode() + b'\x00' + docs
        payload += b'\x01' + struct.pack('<i', 4 + len(section)) + section
    if checksum:
        flags |= 1
    message = struct.pack('<I', flags) + payload + (b'\x00\x00\x00\x00' if checksum else b'')
    return struct.pack('<iiii', 16 + len(message), request_id, 0, OP_MSG) + message


def _msg_reply(body):
    assert struct.unpack_from('<I', body, 0)[0] == 0
    assert body[4] == 0
    return bson.decode(body[5:])


@pytest.fixture
def raw(double):
    sock = socket.create_connection(('127.0.0.1', double.port), timeout=5)
    yield sock
    sock.close()


def test_legacy_is_master_gets_op_reply(raw):
    raw.sendall(_op_query(7, 'admin.$cmd', {'isMaster': 1, 'helloOk': True,
                                            'client': {'driver': {'name': 'mongoc'}},
                                            'compression': []}))
    opcode, response_to, body = _read_message(raw)
    assert opcode == OP_REPLY and response_to == 7
    flags, cursor_id, starting_from, returned = struct.unpack_from('<iqii', body, 0)
    assert (flags, cursor_id, starting_from, returned) == (0, 0, 0, 1)
    reply = bson.decode(body[20:])
    assert reply['ok'] == 1.0
    assert reply['ismaster'] is True and reply['isWritablePrimary'] is True
    assert reply['helloOk'] is True
    assert reply['maxWireVersion'] == 21 and reply['minWireVersion'] == 0
    assert reply['maxBsonObjectSize'] == 16 * 1024 * 1024
    assert reply['maxMessageSizeBytes'] == 48_000_000
    assert reply['maxWriteBatchSize'] == 100_000
    assert reply['logicalSessionTimeoutMinutes'] == 30
    assert isinstance(reply['connectionId'], int)
    assert 'localTime' in reply
    # A topologyVersion would switch drivers to streaming (exhaust) hellos.
    assert 'topologyVersion' not in reply
    assert 'setName' not in reply and 'compression' not in reply


def test_legacy_query_with_dollar_query_wrapper(raw):
    raw.sendall(_op_query(8, 'admin.$cmd', {'$query': {'hello': 1},
                                            '$readPreference': {'mode': 'primary'}}))
    opcode, _, body = _read_message(raw)
    assert opcode == OP_REPLY
    assert bson.decode(body[20:])['isWritablePrimary'] is True


def test_other_op_query_commands_are_refused(raw):
    raw.sendall(_op_query(9, 'test.$cmd', {'find': 'c'}))
    opcode, _, body = _read_message(raw)
    assert opcode == OP_REPLY
    reply = bson.decode(body[20:])
    assert reply['ok'] == 0 and reply['code'] == 352


def test_op_msg_document_sequences_and_checksum(raw):
    raw.sendall(_op_msg(1, {'insert': 'seq', '$db': 'raw_protocol_db', 'ordered': True},
                        sequences=[('documents', [{'_id': 1}, {'_id': 2}])], checksum=True))
    opcode, response_to, body = _read_message(raw)
    assert opcode == OP_MSG and response_to == 1
    assert _msg_reply(body) == {'n': 2, 'ok': 1.0}
    raw.sendall(_op_msg(2, {'update': 'seq', '$db': 'raw_protocol_db'},
                        sequences=[('updates', [{'q': {'_id': 1}, 'u': {'$set': {'a': 1}}}])]))
    assert _msg_reply(_read_message(raw)[2]) == {'n': 1, 'nModified': 1, 'ok': 1.0}
    raw.sendall(_op_msg(3, {'delete': 'seq', '$db': 'raw_protocol_db'},
                        sequences=[('deletes', [{'q': {'_id': 2}, 'limit': 1}])]))
    assert _msg_reply(_read_message(raw)[2]) == {'n': 1, 'ok': 1.0}
    raw.sendall(_op_msg(4, {'dropDatabase': 1, '$db': 'raw_protocol_db'}))
    assert _msg_reply(_read_message(raw)[2])['ok'] == 1.0


def test_more_to_come_executes_without_reply(raw):
    raw.sendall(_op_msg(1, {'insert': 'w0', '$db': 'raw_w0_db', 'writeConcern': {'w': 0}},
                        sequences=[('documents', [{'_id': 'x'}])], flags=2))
    # The next reply on this socket must be the one for the count, not for the insert.
    raw.sendall(_op_msg(2, {'count': 'w0', '$db': 'raw_w0_db'}))
    opcode, response_to, body = _read_message(raw)
    assert response_to == 2
    assert _msg_reply(body) == {'n': 1, 'ok': 1.0}
    raw.sendall(_op_msg(3, {'dropDatabase': 1, '$db': 'raw_w0_db'}))
    _read_message(raw)


def test_cursor_ids_are_int64_on_the_wire(raw):
    raw.sendall(_op_msg(1, {'insert': 'c', '$db': 'raw_cursor_db'},
                        sequences=[('documents', [{'i': i} for i in range(5)])]))
    _read_message(raw)
    raw.sendall(_op_msg(2, {'find': 'c', '$db': 'raw_cursor_db', 'batchSize': 2}))
    reply = bson.decode(_read_message(raw)[2][5:],
                        codec_options=bson.codec_options.CodecOptions())
    assert isinstance(reply['cursor']['id'], Int64) and reply['cursor']['id'] > 0
    raw.sendall(_op_msg(3, {'getMore': reply['cursor']['id'], 'collection': 'c',
                            '$db': 'raw_cursor_db'}))
    more = bson.decode(_read_message(raw)[2][5:])
    assert isinstance(more['cursor']['id'], Int64) and more['cursor']['id'] == 0
    assert len(more['cursor']['nextBatch']) == 3
    raw.sendall(_op_msg(4, {'dropDatabase': 1, '$db': 'raw_cursor_db'}))
    _read_message(raw)


def test_hello_over_op_msg(client):
    reply = client.admin.command('hello')
    assert reply['isWritablePrimary'] is True and 'topologyVersion' not in reply
    assert client.admin.command('isMaster')['ismaster'] is True


def test_pymongo_sees_a_standalone(client):
    client.admin.command('ping')
    assert client.topology_description.topology_type_name == 'Single'
    description = client.topology_description.server_descriptions()
    (server,) = description.values()
    assert server.server_type_name == 'Standalone'


def test_unknown_command_is_command_not_found(client):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        client.admin.command('noSuchCommand')
    assert info.value.code == 59
    assert info.value.details['codeName'] == 'CommandNotFound'
    assert "no such command: 'noSuchCommand'" in info.value.details['errmsg']


def test_sasl_is_not_supported(client):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        client.admin.command('saslStart', 1, mechanism='SCRAM-SHA-256', payload=b'')
    assert info.value.code == 59


@pytest.mark.parametrize('extra', [
    {'txnNumber': Int64(1), 'autocommit': False, 'startTransaction': True},
    {'txnNumber': Int64(1)},
])
def test_transaction_fields_are_illegal_on_a_standalone(db, extra):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'insert': 'c', 'documents': [{'a': 1}], **extra})
    assert info.value.code == 20
    assert info.value.details['codeName'] == 'IllegalOperation'
    assert 'Transaction numbers are only allowed on a replica set member or mongos' in \
        info.value.details['errmsg']
    assert db.c.count_documents({}) == 0


@pytest.mark.parametrize('name', ['commitTransaction', 'abortTransaction'])
def test_commit_and_abort_are_illegal(client, name):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        client.admin.command({name: 1, 'txnNumber': Int64(1), 'autocommit': False})
    assert info.value.code == 20


def test_pymongo_transaction_fails_loudly(client, db):
    db.c.insert_one({'a': 1})
    with client.start_session() as session:
        with pytest.raises(pymongo.errors.OperationFailure) as info:
            with session.start_transaction():
                db.c.insert_one({'a': 2}, session=session)
    assert info.value.code == 20
    assert db.c.count_documents({}) == 1


def test_unknown_field_is_rejected(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'find': 'c', 'filtr': {}})
    assert info.value.code == 40415
    assert "BSON field 'find.filtr' is an unknown field." in info.value.details['errmsg']


def test_unsupported_field_fails_loudly(db):
    db.c.insert_one({'a': 'x'})
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        list(db.c.find({}, collation={'locale': 'en', 'strength': 2}))
    assert info.value.code == 238
    assert info.value.details['codeName'] == 'NotImplemented'


def test_generic_fields_are_accepted(db):
    db.command({'insert': 'c', 'documents': [{'a': 1}],
                'writeConcern': {'w': 'majority', 'j': True, 'wtimeout': 1000},
                'maxTimeMS': 1000, 'comment': 'hello', 'apiVersion': '1'})
    reply = db.command({'find': 'c', 'readConcern': {'level': 'majority'},
                        '$readPreference': {'mode': 'primaryPreferred'}})
    assert len(reply['cursor']['firstBatch']) == 1
