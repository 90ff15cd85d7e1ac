"""The data the double serves: one in-memory mongomock_ng server plus what mongomock_ng
does not model.

* Views (``create`` with ``viewOn``/``pipeline``): mongomock_ng has none, so the double
  keeps a view catalog and answers reads on a view by running the view's pipeline on its
  source (recursively) followed by the query. Views are read-only (166 on writes).
* Collection existence: mongomock_ng forgets a collection once its last document is
  deleted; mongod keeps it. Writes mark collections created explicitly.
* Collection UUIDs for listCollections.
"""

from __future__ import annotations

import uuid

import bson
import mongomock_ng

from . import engine_fixes
from .errors import MongoError


def validate_collection_name(db: str, name) -> None:
    if not isinstance(name, str):
        raise MongoError(73, f'collection name has invalid type {type(name).__name__}')
    if (not name or '$' in name or '\x00' in name or name.startswith('.')
            or name.endswith('.') or '..' in name):
        raise MongoError(73, f'Invalid namespace specified \'{db}.{name}\'')


def validate_db_name(db) -> None:
    if not isinstance(db, str) or not db or any(c in db for c in '/\\. "$\x00'):
        raise MongoError(73, f'Invalid database name: \'{db}\'')


class Engine:
    def __init__(self):
        engine_fixes.install()
        self.client = mongomock_ng.MongoClient()
        self.views: dict[tuple[str, str], dict] = {}
        self.uuids: dict[tuple[str, str], uuid.UUID] = {}
        engine_fixes.view_lookup = self.is_view

    # -- access ----------------------------------------------------------------------
    def database(self, db: str):
        validate_db_name(db)
        return self.client[db]

    def collection(self, db: str, name: str):
        validate_collection_name(db, name)
        return self.database(db)[name]

    def _db_store(self, db: str):
        return self.client._store._databases.get(db)

    def collection_exists(self, db: str, name: str) -> bool:
        db_store = self._db_store(db)
        if db_store is None:
            return False
        store = db_store._collections.get(name)
        return bool(store is not None and store.is_created)

    def is_view(self, db: str, name: str) -> bool:
        return (db, name) in self.views

    def namespace_exists(self, db: str, name: str) -> bool:
        return self.is_view(db, name) or self.collection_exists(db, name)

    def mark_created(self, db: str, name: str) -> None:
        """Record an implicit or explicit collection creation."""
        self.collection(db, name)._store._is_force_created = True
        self.uuids.setdefault((db, name), uuid.uuid4())

    def collection_uuid(self, db: str, name: str) -> bson.Binary:
        value = self.uuids.setdefault((db, name), uuid.uuid4())
        return bson.Binary.from_uuid(value)

    def collection_names(self, db: str) -> list[str]:
        db_store = self._db_store(db)
        names = db_store.list_created_collection_names() if db_store is not None else []
        return [n for n in names if not self.is_view(db, n)]

    def view_names(self, db: str) -> list[str]:
        return [name for (view_db, name) in self.views if view_db == db]

    def database_names(self) -> list[str]:
        names = set(self.client._store.list_created_database_names())
        names.update(db for (db, _) in self.views)
        return sorted(names)

    # -- views -------------------------------------------------------------------------
    def resolve_view(self, db: str, name: str) -> tuple[str, list]:
        """(source collection, pipeline to apply) for a view; (name, []) for a collection."""
        pipeline: list = []
        seen = set()
        while self.is_view(db, name):
            if name in seen:
                raise MongoError(40255, f'View cycle detected: {name}')
            seen.add(name)
            view = self.views[(db, name)]
            pipeline = list(view['pipeline']) + pipeline
            name = view['viewOn']
        return name, pipeline

    def create_view(self, db: str, name: str, view_on: str, pipeline: list) -> None:
        validate_collection_name(db, name)
        validate_collection_name(db, view_on)
        self.views[(db, name)] = {'viewOn': view_on, 'pipeline': pipeline}
        self.uuids.setdefault((db, name), uuid.uuid4())

    # -- drops -----------------------------------------------------------------------
    def drop_collection(self, db: str, name: str):
        """Drop a collection or view; returns nIndexesWas, or None if it did not exist."""
        if self.is_view(db, name):
            del self.views[(db, name)]
            self.uuids.pop((db, name), None)
            return 0
        if not self.collection_exists(db, name):
            return None
        store = self.collection(db, name)._store
        was = len(store.indexes) + 1
        store.drop()
        self.uuids.pop((db, name), None)
        return was

    def drop_database(self, db: str) -> None:
        self.client._store._databases.pop(db, None)
        self.client._database_accesses.pop(db, None)
        for key in [k for k in self.views if k[0] == db]:
            del self.views[key]
        for key in [k for k in self.uuids if k[0] == db]:
            del self.uuids[key]
