"""Server information, collections and views, databases, and the command log."""

from __future__ import annotations

import pymongo
import pytest

from conftest import command_log


def test_build_info(client):
    info = client.admin.command('buildInfo')
    assert info['version'] == '7.0.0'
    assert info['versionArray'] == [7, 0, 0, 0]
    assert client.server_info()['version'] == '7.0.0'


def test_get_parameter(client):
    reply = client.admin.command({'getParameter': 1, 'featureCompatibilityVersion': 1})
    assert reply['featureCompatibilityVersion'] == {'version': '7.0'}


def test_command_log_records_commands_per_database(client, db):
    other = client[db.name + '_other']
    try:
        client.admin.command('ping')
        db.c.insert_one({'a': 1})
        db.c.find_one({'a': 1})
        other.c.insert_one({'a': 1})
        db.c.update_one({'a': 1}, {'$set': {'b': 1}})
        entries = command_log(client, db.name)
        assert [e['command'] for e in entries] == ['insert', 'find', 'update']
        assert all(e['db'] == db.name and e['collection'] == 'c' for e in entries)
        assert all(isinstance(e['connection'], int) for e in entries)
        assert all(e['ok'] is True for e in entries)
        assert 'time' in entries[0]
        assert [e['command'] for e in command_log(client, other.name)] == ['insert']
    finally:
        client.drop_database(other.name)


def test_command_log_excludes_handshake_and_records_failures(client, db):
    client.admin.command('ping')
    client.admin.command('hello')
    db.command('ping')
    with pytest.raises(pymongo.errors.OperationFailure):
        db.command('noSuchCommand')
    entries = command_log(client, db.name)
    assert [(e['command'], e['ok']) for e in entries] == [('noSuchCommand', False)]
    all_entries = client.admin.command({'doubleCommandLog': 1})['entries']
    commands = {e['command'] for e in all_entries}
    assert not commands & {'hello', 'isMaster', 'ping', 'endSessions', 'doubleCommandLog',
                           'doubleClearCommandLog'}


def test_command_log_get_more_names_the_collection(client, db):
    db.c.insert_many([{'i': i} for i in range(5)])
    client.admin.command({'doubleClearCommandLog': 1, 'db': db.name})
    list(db.c.find().batch_size(2))
    entries = command_log(client, db.name)
    assert [e['command'] for e in entries] == ['find', 'getMore', 'getMore']
    assert {e['collection'] for e in entries} == {'c'}


def test_clear_command_log(client, db):
    db.c.insert_one({})
    reply = client.admin.command({'doubleClearCommandLog': 1, 'db': db.name})
    assert reply['cleared'] == 1
    assert command_log(client, db.name) == []


def test_list_collections(db):
    db.create_collection('plain')
    db.c2.insert_one({})
    db.command({'create': 'valid', 'validator': {'a': {'$exists': True}}})
    entries = {e['name']: e for e in db.list_collections()}
    assert set(entries) == {'plain', 'c2', 'valid'}
    assert entries['plain']['type'] == 'collection'
    assert entries['plain']['options'] == {}
    assert entries['plain']['info']['readOnly'] is False
    assert entries['plain']['idIndex'] == {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}
    assert entries['valid']['options']['validator'] == {'a': {'$exists': True}}
    assert db.list_collection_names(filter={'name': 'c2'}) == ['c2']
    reply = db.command({'listCollections': 1, 'nameOnly': True})
    assert reply['cursor']['ns'] == f'{db.name}.$cmd.listCollections'
    assert {'name': 'plain', 'type': 'collection'} in reply['cursor']['firstBatch']


def test_validator_rejects_documents(db):
    db.command({'create': 'valid', 'validator': {'a': {'$exists': True}}})
    with pytest.raises(pymongo.errors.WriteError) as info:
        db.valid.insert_one({'b': 1})
    assert info.value.code == 121


def test_create_existing_is_48_and_drop_missing_is_ok(db):
    db.create_collection('c')
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'create': 'c'})
    assert info.value.code == 48
    assert db.command({'drop': 'missing'})['ok'] == 1.0
    reply = db.command({'drop': 'c'})
    assert reply['nIndexesWas'] == 1 and reply['ns'] == f'{db.name}.c'
    assert db.list_collection_names() == []


def test_unsupported_collection_options_fail_loudly(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'create': 'ts', 'timeseries': {'timeField': 't'}})
    assert info.value.code == 238


def test_drop_database_and_list_databases(client, db):
    db.c.insert_one({})
    names = client.list_database_names()
    assert db.name in names and 'admin' in names
    listed = client.admin.command('listDatabases')
    entry = next(d for d in listed['databases'] if d['name'] == db.name)
    assert entry['empty'] is False
    client.drop_database(db.name)
    assert db.name not in client.list_database_names()
    assert db.c.count_documents({}) == 0


def test_views_are_read_only_pipelines(db):
    db.claims.insert_many([
        {'_id': 1, 'userId': 'u1', 'status': 'GRANTED', 'secret': 'x'},
        {'_id': 2, 'userId': 'u2', 'status': 'REJECTED', 'secret': 'y'},
        {'_id': 3, 'userId': 'u3', 'status': 'GRANTED', 'secret': 'z'},
    ])
    db.command({'create': 'grantedClaims', 'viewOn': 'claims',
                'pipeline': [{'$match': {'status': 'GRANTED'}}, {'$unset': 'secret'}]})
    db.command({'create': 'u1Granted', 'viewOn': 'grantedClaims',
                'pipeline': [{'$match': {'userId': 'u1'}}]})
    assert list(db.grantedClaims.find({}, sort=[('_id', -1)])) == [
        {'_id': 3, 'userId': 'u3', 'status': 'GRANTED'},
        {'_id': 1, 'userId': 'u1', 'status': 'GRANTED'}]
    assert list(db.grantedClaims.find({'userId': 'u3'}, {'_id': 0, 'userId': 1})) == [
        {'userId': 'u3'}]
    assert db.grantedClaims.count_documents({}) == 2
    assert db.command({'count': 'grantedClaims'})['n'] == 2
    assert list(db.u1Granted.find()) == [{'_id': 1, 'userId': 'u1', 'status': 'GRANTED'}]
    assert list(db.grantedClaims.aggregate([{'$group': {'_id': None, 'n': {'$sum': 1}}}])) == [
        {'_id': None, 'n': 2}]
    assert sorted(db.grantedClaims.distinct('userId')) == ['u1', 'u3']
    entry = next(db.list_collections(filter={'name': 'grantedClaims'}))
    assert entry['type'] == 'view'
    assert entry['options'] == {'viewOn': 'claims', 'pipeline': [
        {'$match': {'status': 'GRANTED'}}, {'$unset': 'secret'}]}
    assert entry['info'] == {'readOnly': True}
    for write in (lambda: db.grantedClaims.insert_one({'a': 1}),
                  lambda: db.grantedClaims.update_one({}, {'$set': {'a': 1}}),
                  lambda: db.grantedClaims.delete_one({}),
                  lambda: db.grantedClaims.find_one_and_update({}, {'$set': {'a': 1}}),
                  lambda: db.grantedClaims.create_index('a')):
        with pytest.raises(pymongo.errors.OperationFailure) as info:
            write()
        assert info.value.code == 166
    db.grantedClaims.drop()
    assert 'grantedClaims' not in db.list_collection_names()


def test_view_pipeline_is_validated(db):
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        db.command({'create': 'v', 'viewOn': 'c', 'pipeline': [{'$bogus': {}}]})
    assert info.value.code == 40324


def test_lookup_from_a_view_fails_loudly(db):
    db.claims.insert_one({'userId': 'u1'})
    db.users.insert_one({'_id': 'u1'})
    db.command({'create': 'claimsView', 'viewOn': 'claims', 'pipeline': []})
    with pytest.raises(pymongo.errors.OperationFailure) as info:
        list(db.users.aggregate([{'$lookup': {'from': 'claimsView', 'localField': '_id',
                                              'foreignField': 'userId', 'as': 'c'}}]))
    assert info.value.code == 238
