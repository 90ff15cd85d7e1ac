"""mongo-double: a MongoDB 7 wire-protocol server for tests (see ../README.md).

Layout, one concern per module:

* ``__main__``     command line (port, --exit-on-stdin-eof), signal handling
* ``server``       asyncio TCP server; one command at a time
* ``wire``         OP_MSG / OP_QUERY / OP_REPLY framing
* ``commands``     command dispatch, generic-field stripping, transactions -> 20
  (``admin``, ``crud``, ``query``, ``ddl``: the handlers)
* ``cursors``      server-side cursors and batching
* ``command_log``  the log tests read through ``doubleCommandLog``
* ``engine``       the mongomock_ng store plus views and collection metadata
* ``engine_fixes`` patches that make mongomock_ng 7.11.1 behave like MongoDB 7
* ``indexes``      index specs, conflicts, unique enforcement, E11000 messages
* ``accumulators``, ``window``, ``operators/*``, ``numeric``, ``bsonvalues``:
  aggregation semantics the double implements itself
* ``errors``       mongod's error shapes
"""
