"""Secondary indexes: specs, conflicts, listing, and unique-key enforcement.

Indexes live in mongomock_ng's ``CollectionStore.indexes`` (name -> config with ``key`` as
a list of (field, direction) pairs), which mongomock_ng's write paths consult through
``Collection._ensure_uniques``. This module replaces that method because mongomock_ng
7.11.1 enforced a *partial* unique index against documents outside its
``partialFilterExpression`` (fault 1: false E11000). MongoDB's rule: a document that does not
match the filter is not in the index at all. It also treats a sparse compound index as
skipping documents missing *any* key (mongod: missing *all*), and compares keys with
Python's ``==`` (``True == 1``). Error messages follow mongod's E11000 format.

TTL indexes (``expireAfterSeconds``) are accepted and listed but never delete anything:
MongoDB's TTL monitor deletes "some time after" expiry, so a test cannot rely on it either,
and mongomock_ng's own TTL support rescans the collection on every access.
"""

from __future__ import annotations

import datetime
import itertools

import bson
import pymongo.errors
from mongomock_ng import filtering
from sentinels import NOTHING

from . import bsonvalues
from .errors import MongoError, not_implemented

ID_INDEX = {'v': 2, 'key': {'_id': 1}, 'name': '_id_'}

SPEC_OPTIONS = {'key', 'name', 'unique', 'sparse', 'partialFilterExpression',
                'expireAfterSeconds', 'background', 'v', 'ns', 'hidden', 'storageEngine',
                '2dsphereIndexVersion', 'bits', 'min', 'max', 'weights', 'default_language',
                'language_override', 'textIndexVersion', 'wildcardProjection', 'collation',
                'bucketSize'}
UNSUPPORTED_OPTIONS = {'collation', 'wildcardProjection', 'weights', 'default_language',
                       'language_override', 'textIndexVersion'}
VALID_KEY_STRINGS = {'2dsphere', '2d', 'hashed', 'text'}


# -- formatting ------------------------------------------------------------------------

def format_value(value) -> str:
    """A value as mongod prints it in error messages (``{ a: "x", b: 1 }``)."""
    if value is None or value is NOTHING:
        return 'null'
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, str):
        escaped = value.replace('\\', '\\\\').replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, bson.ObjectId):
        return f"ObjectId('{value}')"
    if isinstance(value, datetime.datetime):
        millis = int((value.replace(tzinfo=None) - datetime.datetime(1970, 1, 1))
                     / datetime.timedelta(milliseconds=1))
        return f'new Date({millis})'
    if isinstance(value, dict):
        if not value:
            return '{}'
        return '{ ' + ', '.join(f'{k}: {format_value(v)}' for k, v in value.items()) + ' }'
    if isinstance(value, (list, tuple)):
        if not value:
            return '[]'
        return '[ ' + ', '.join(format_value(v) for v in value) + ' ]'
    if isinstance(value, bson.Decimal128):
        return f'NumberDecimal("{value}")'
    return str(value)


class DuplicateKey(pymongo.errors.DuplicateKeyError):
    """Raised inside the engine: a DuplicateKeyError so mongomock_ng's rollback paths run."""

    def __init__(self, namespace: str, index_name: str, key_pattern: dict, key_value: dict):
        self.mongo_message = (f'E11000 duplicate key error collection: {namespace} index: '
                              f'{index_name} dup key: {format_value(key_value)}')
        self.key_pattern = key_pattern
        self.key_value = key_value
        super().__init__(self.mongo_message, 11000,
                         {'keyPattern': key_pattern, 'keyValue': key_value})

    def to_mongo_error(self) -> MongoError:
        return MongoError(11000, self.mongo_message, keyPattern=self.key_pattern,
                          keyValue=self.key_value)


def duplicate_key_error(exc: pymongo.errors.DuplicateKeyError, namespace: str) -> MongoError:
    """Any DuplicateKeyError from the engine (ours, or mongomock_ng's _id check)."""
    if isinstance(exc, DuplicateKey):
        return exc.to_mongo_error()
    details = exc.details or {}
    pattern = details.get('keyPattern') or {'_id': 1}
    value = details.get('keyValue') or {}
    name = '_id_' if list(pattern) == ['_id'] else '_'.join(
        f'{k}_{v}' for k, v in pattern.items())
    return DuplicateKey(namespace, name, pattern, value).to_mongo_error()


# -- key extraction ----------------------------------------------------------------------

def _field_keys(doc, field):
    """All index keys of one field (arrays are multikey); ([None], True) when missing."""
    keys = []
    for candidate in filtering.iter_key_candidates(field, doc):
        if candidate is NOTHING:
            continue
        if isinstance(candidate, (list, tuple)):
            keys.extend(candidate if candidate else [None])
        else:
            keys.append(candidate)
    if not keys:
        return [None], True
    return keys, False


def index_entries(doc, config):
    """The set of hashable keys ``doc`` has in the index, or None if it is not indexed."""
    partial = config.get('partialFilterExpression')
    if partial is not None and not filtering.filter_applies(partial, doc):
        return None
    per_field = []
    all_missing = True
    for field, _direction in config['key']:
        keys, missing = _field_keys(doc, field)
        all_missing = all_missing and missing
        per_field.append(keys)
    if config.get('sparse') and all_missing:
        return None
    entries = {}
    for combination in itertools.product(*per_field):
        entries[tuple(bsonvalues.hashable(v) for v in combination)] = combination
    return entries


def _first_field_keys(doc, field):
    """Cheap pre-check: hashable keys of the index's first field (top-level fields only)."""
    value = doc.get(field, NOTHING)
    if value is NOTHING:
        return {bsonvalues.hashable(None)}
    if isinstance(value, list):
        return {bsonvalues.hashable(v) for v in value} or {bsonvalues.hashable(None)}
    return {bsonvalues.hashable(value)}


def ensure_uniques(collection, new_doc):
    """Replacement for mongomock_ng's Collection._ensure_uniques (see module docstring).

    Every unique index is checked by scanning the collection; a cheap comparison of the
    first key field skips most documents before their full index keys are computed.
    """
    store = collection._store
    for name, config in store.indexes.items():
        if not config.get('unique'):
            continue
        new_entries = index_entries(new_doc, config)
        if not new_entries:
            continue
        new_id = new_doc.get('_id')
        first_field = config['key'][0][0]
        prefilter = '.' not in first_field
        new_first = {key[0] for key in new_entries}
        for doc in store._documents.values():
            if doc is new_doc or doc.get('_id') == new_id:
                continue
            if prefilter and not (_first_field_keys(doc, first_field) & new_first):
                continue
            entries = index_entries(doc, config)
            if not entries:
                continue
            clash = next((k for k in new_entries if k in entries), None)
            if clash is not None:
                values = new_entries[clash]
                key_pattern = spec_key(config)
                key_value = {field: value for (field, _), value in zip(config['key'], values)}
                raise DuplicateKey(collection.full_name, name, key_pattern, key_value)


# -- specs -----------------------------------------------------------------------------

def spec_key(config) -> dict:
    return dict(config['spec']['key']) if 'spec' in config else dict(config['key'])


def listed_spec(name, config) -> dict:
    """The index document listIndexes returns."""
    if 'spec' not in config:  # created by mongomock_ng itself (not through the double)
        out = {'v': 2, 'key': dict(config['key']), 'name': name}
        for option in ('unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds'):
            if option in config:
                out[option] = config[option]
        return out
    spec = config['spec']
    out = {'v': 2, 'key': spec['key'], 'name': name}
    for option, value in spec.items():
        if option not in ('v', 'key', 'name', 'ns'):
            out[option] = value
    return out


PARTIAL_FILTER_OPERATORS = {'$eq', '$exists', '$gt', '$gte', '$lt', '$lte', '$type', '$in'}


def _validate_partial_filter(expression: dict, top_level: bool) -> None:
    """Only what mongod accepts in a partial index: equality, $exists: true, comparisons,
    $type, $in, and $and/$or. ``$exists: false``, ``$ne``, ``$not``, ``$regex``... are
    rejected (67) so that a filter the double accepts also works on MongoDB 7."""
    for key, value in expression.items():
        if key in ('$and', '$or'):
            if not isinstance(value, list) or not value:
                raise MongoError(67, f'{key} in a partial filter must be a non-empty array')
            for clause in value:
                if not isinstance(clause, dict):
                    raise MongoError(67, f'{key} clauses must be documents')
                _validate_partial_filter(clause, top_level=False)
            continue
        if key.startswith('$'):
            raise MongoError(67, f'Expression not supported in partial index: {key}')
        if isinstance(value, dict) and any(k.startswith('$') for k in value):
            for operator, argument in value.items():
                if operator not in PARTIAL_FILTER_OPERATORS:
                    raise MongoError(67, f'Expression not supported in partial index: '
                                         f'{{ {key}: {{ {operator}: ... }} }}')
                if operator == '$exists' and not argument:
                    raise MongoError(67, 'Expression not supported in partial index: '
                                         '$exists: false')


def _validate_spec(spec) -> None:
    if not isinstance(spec, dict):
        raise MongoError(14, 'Index specification must be an object')
    for option in spec:
        if option not in SPEC_OPTIONS:
            raise MongoError(197, f"The field '{option}' is not valid for an index "
                                  f"specification. Specification: {format_value(spec)}")
        if option in UNSUPPORTED_OPTIONS:
            raise not_implemented(f"the index option '{option}'")
    key = spec.get('key')
    if not isinstance(key, dict) or not key:
        raise MongoError(9, f"Error in specification {format_value(spec)} :: caused by :: "
                            f"The 'key' field must be a non-empty object")
    if not isinstance(spec.get('name'), str) or not spec['name']:
        raise MongoError(9, f"Error in specification {format_value(spec)} :: caused by :: "
                            f"The 'name' field is a required property of an index "
                            f"specification")
    for field, direction in key.items():
        if isinstance(direction, str):
            if direction not in VALID_KEY_STRINGS:
                raise MongoError(67, f"Unknown index plugin '{direction}'")
        elif not bsonvalues.is_number(direction) or direction == 0:
            raise MongoError(67, f"Values in the index key pattern can only be numbers or "
                                 f"strings, or they must be non-zero: {format_value(key)}")
    if 'partialFilterExpression' in spec:
        if not isinstance(spec['partialFilterExpression'], dict):
            raise MongoError(67, "'partialFilterExpression' for an index must be a document")
        _validate_partial_filter(spec['partialFilterExpression'], top_level=True)
    if 'expireAfterSeconds' in spec:
        ttl = spec['expireAfterSeconds']
        if not bsonvalues.is_number(ttl) or ttl < 0:
            raise MongoError(67, f"TTL index 'expireAfterSeconds' option must be a "
                                 f"non-negative number, found: {ttl!r}")
        if len(key) > 1:
            raise MongoError(67, 'TTL indexes are single-field indexes, compound indexes do '
                                 'not support TTL')
    if spec.get('unique') and any(d == 'hashed' for d in key.values()):
        raise MongoError(16764, 'Currently hashed indexes cannot guarantee uniqueness. Use a '
                                'regular index.')


def _options(spec_or_config) -> dict:
    spec = spec_or_config.get('spec', spec_or_config)
    return {
        'unique': bool(spec.get('unique', False)),
        'sparse': bool(spec.get('sparse', False)),
        'partialFilterExpression': spec.get('partialFilterExpression'),
        'expireAfterSeconds': spec.get('expireAfterSeconds'),
    }


def _same_options(a: dict, b: dict) -> bool:
    return all(bsonvalues.equal(a[k], b[k]) if a[k] is not None and b[k] is not None
               else a[k] is None and b[k] is None for k in a)


def _config_for(spec) -> dict:
    config = {'key': [(field, direction) for field, direction in spec['key'].items()],
              'spec': dict(spec)}
    for option in ('unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds'):
        if spec.get(option) not in (None, False):
            config[option] = spec[option]
    return config


def _describe(spec) -> str:
    shown = {'v': 2, 'key': spec['key'], 'name': spec['name']}
    shown.update({k: v for k, v in spec.items() if k not in ('v', 'key', 'name', 'ns')})
    return format_value(shown)


def plan_index(existing: dict, spec: dict):
    """Decide what creating ``spec`` does given ``existing`` (name -> index config).

    Returns 'exists' for an identical index (a no-op, as in mongod) or 'create'; raises
    mongod's IndexKeySpecsConflict (86) / IndexOptionsConflict (85) otherwise.
    """
    _validate_spec(spec)
    name = spec['name']
    requested = _options(spec)
    if name in existing:
        other = existing[name]
        if not bsonvalues.equal(spec_key(other), spec['key']):
            raise MongoError(86, f'An existing index has the same name as the requested index. '
                                 f'When index names are not specified, they are auto generated '
                                 f'and can cause conflicts. Please refer to our documentation. '
                                 f'Requested index: {_describe(spec)}, existing index: '
                                 f'{_describe(listed_spec(name, other))}')
        if not _same_options(requested, _options(other)):
            raise MongoError(85, f'An equivalent index already exists with the same name but '
                                 f'different options. Requested index: {_describe(spec)}, '
                                 f'existing index: {_describe(listed_spec(name, other))}')
        return 'exists'
    for other_name, other in existing.items():
        other_options = _options(other)
        if not bsonvalues.equal(spec_key(other), spec['key']):
            continue
        same_filter = (requested['partialFilterExpression'] is None
                       and other_options['partialFilterExpression'] is None) or (
            requested['partialFilterExpression'] is not None
            and other_options['partialFilterExpression'] is not None
            and bsonvalues.equal(requested['partialFilterExpression'],
                                 other_options['partialFilterExpression']))
        # An index's signature is its key, filter, `unique` and `sparse` (MongoDB 5.0+,
        # SERVER-47657; an absent flag is false): another signature is another index.
        if (not same_filter or requested['unique'] != other_options['unique']
                or requested['sparse'] != other_options['sparse']):
            continue
        if _same_options(requested, other_options):
            raise MongoError(85, f'Index already exists with a different name: {other_name}')
        raise MongoError(85, f'An equivalent index already exists with a different name and '
                             f'options. Requested index: {_describe(spec)}, existing index: '
                             f'{_describe(listed_spec(other_name, other))}')
    return 'create'


def check_existing_documents(collection, name, config) -> None:
    """A new unique index must hold for the documents already there."""
    if not config.get('unique'):
        return
    seen = {}
    for doc in collection._store._documents.values():
        entries = index_entries(doc, config)
        if not entries:
            continue
        for key, values in entries.items():
            if key in seen and seen[key] is not doc:
                key_value = {field: value for (field, _), value in zip(config['key'], values)}
                raise DuplicateKey(collection.full_name, name, spec_key(config),
                                   key_value).to_mongo_error()
            seen[key] = doc


def create_indexes(collection, specs: list) -> tuple[int, int]:
    """Validate all specs, then create them. Returns (numIndexesBefore, numIndexesAfter)."""
    store = collection._store
    existing = {'_id_': {'key': [('_id', 1)], 'spec': dict(ID_INDEX)}}
    existing.update(store.indexes)
    before = len(existing)
    to_create = []
    for spec in specs:
        if not isinstance(spec, dict):
            raise MongoError(14, 'Index specification must be an object')
        if plan_index(existing, spec) == 'create':
            config = _config_for(spec)
            existing[spec['name']] = config
            to_create.append((spec['name'], config))
    for name, config in to_create:
        check_existing_documents(collection, name, config)
    for name, config in to_create:
        store.indexes[name] = config
    return before, before + len(to_create)


def list_indexes(collection) -> list:
    out = [dict(ID_INDEX)]
    for name, config in collection._store.indexes.items():
        out.append(listed_spec(name, config))
    return out


def drop_indexes(collection, index) -> int:
    """Drop by name, '*', key pattern or list of names; returns nIndexesWas."""
    store = collection._store
    was = len(store.indexes) + 1
    if index == '*':
        store.indexes.clear()
        return was
    if isinstance(index, dict):
        matches = [name for name, config in store.indexes.items()
                   if bsonvalues.equal(spec_key(config), index)]
        if bsonvalues.equal(index, {'_id': 1}):
            raise MongoError(72, 'cannot drop _id index')
        if not matches:
            raise MongoError(27, f"can't find index with key: {format_value(index)}")
        if len(matches) > 1:
            raise MongoError(72, f'{len(matches)} indexes found for key: {format_value(index)}, '
                                 f'identify by name instead. Conflicting indexes: '
                                 f'{", ".join(matches)}')
        names = matches
    elif isinstance(index, str):
        names = [index]
    elif isinstance(index, list) and all(isinstance(n, str) for n in index):
        names = index
    else:
        raise MongoError(14, "BSON field 'dropIndexes.index' is the wrong type")
    for name in names:
        if name == '_id_':
            raise MongoError(72, 'cannot drop _id index')
        if name not in store.indexes:
            raise MongoError(27, f'index not found with name [{name}]')
    for name in names:
        del store.indexes[name]
    return was
