"""Server-side cursors: first batch, getMore, killCursors.

Query results are materialized when the cursor opens (the engine has no lazy plan), and
handed out in batches like mongod: 101 documents in a first batch unless ``batchSize``
says otherwise, getMore without ``batchSize`` returns everything left, and no batch exceeds
16 MiB of BSON. Each document is encoded once, to measure it, and passed to the reply as a
RawBSONDocument so it is not encoded again. A cursor that has nothing left reports id 0 and
is forgotten; ids are positive int64. Idle cursors are reaped after 10 minutes, as mongod's
default ``cursorTimeoutMillis``.
"""

from __future__ import annotations

import random
import time

import bson
from bson.int64 import Int64
from bson.raw_bson import RawBSONDocument

from .errors import MongoError

DEFAULT_FIRST_BATCH = 101
MAX_BATCH_BYTES = 16 * 1024 * 1024
IDLE_TIMEOUT_SECONDS = 600
CODEC_OPTIONS = bson.codec_options.CodecOptions(uuid_representation=bson.binary.UuidRepresentation.STANDARD)


def encode_document(doc) -> RawBSONDocument:
    return RawBSONDocument(bson.encode(doc, codec_options=CODEC_OPTIONS))


class Cursor:
    def __init__(self, cursor_id: int, namespace: str, documents: list):
        self.id = cursor_id
        self.namespace = namespace
        self.documents = documents
        self.position = 0
        self.last_used = time.monotonic()

    def next_batch(self, batch_size) -> list:
        """Up to ``batch_size`` documents (None: all that fit in 16 MiB)."""
        batch = []
        size = 0
        while self.position < len(self.documents):
            if batch_size is not None and len(batch) >= batch_size:
                break
            raw = encode_document(self.documents[self.position])
            if batch and size + len(raw.raw) > MAX_BATCH_BYTES:
                break
            batch.append(raw)
            size += len(raw.raw)
            self.documents[self.position] = None  # release memory as we go
            self.position += 1
        self.last_used = time.monotonic()
        return batch

    @property
    def exhausted(self) -> bool:
        return self.position >= len(self.documents)


class CursorManager:
    def __init__(self):
        self.cursors: dict[int, Cursor] = {}

    def _new_id(self) -> int:
        while True:
            cursor_id = random.randint(1, 2 ** 63 - 1)
            if cursor_id not in self.cursors:
                return cursor_id

    def _reap(self) -> None:
        deadline = time.monotonic() - IDLE_TIMEOUT_SECONDS
        for cursor_id in [c.id for c in self.cursors.values() if c.last_used < deadline]:
            del self.cursors[cursor_id]

    def open(self, namespace: str, documents: list, batch_size=None,
             single_batch: bool = False, first_batch_field: str = 'firstBatch') -> dict:
        """Create a cursor over ``documents`` and return the ``cursor`` reply document."""
        self._reap()
        if batch_size is None:
            batch_size = DEFAULT_FIRST_BATCH
        cursor = Cursor(0, namespace, documents)
        batch = cursor.next_batch(batch_size)
        if not cursor.exhausted and not single_batch:
            cursor.id = self._new_id()
            self.cursors[cursor.id] = cursor
        return {first_batch_field: batch, 'id': Int64(cursor.id), 'ns': namespace}

    def get_more(self, cursor_id: int, namespace: str, batch_size=None) -> dict:
        cursor = self.cursors.get(int(cursor_id))
        if cursor is None:
            raise MongoError(43, f'cursor id {int(cursor_id)} not found')
        if cursor.namespace != namespace:
            raise MongoError(13, f"Requested getMore on namespace '{namespace}', but cursor "
                                 f"belongs to a different namespace {cursor.namespace}")
        batch = cursor.next_batch(batch_size)
        if cursor.exhausted:
            del self.cursors[cursor.id]
            returned_id = 0
        else:
            returned_id = cursor.id
        return {'nextBatch': batch, 'id': Int64(returned_id), 'ns': namespace}

    def kill(self, cursor_ids) -> tuple[list, list]:
        killed, not_found = [], []
        for cursor_id in cursor_ids:
            if self.cursors.pop(int(cursor_id), None) is not None:
                killed.append(Int64(cursor_id))
            else:
                not_found.append(Int64(cursor_id))
        return killed, not_found

    def drop_namespace(self, namespace: str) -> None:
        for cursor_id in [c.id for c in self.cursors.values() if c.namespace == namespace]:
            del self.cursors[cursor_id]

    def drop_namespace_prefix(self, prefix: str) -> None:
        for cursor_id in [c.id for c in self.cursors.values()
                          if c.namespace.startswith(prefix)]:
            del self.cursors[cursor_id]
