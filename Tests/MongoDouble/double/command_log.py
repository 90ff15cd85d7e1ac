"""The command log tests read to count database round trips.

Every command the double executes is recorded (name, database, collection, connection id,
time, success), except the connection chatter a test cannot control: hello/isMaster
(handshake and monitoring), ping, endSessions and the log commands themselves. Tests use
one database per test, so reading and clearing filter by database.

The log keeps the most recent 200,000 entries so a long-running double cannot grow without
bound.
"""

from __future__ import annotations

import collections
import datetime

NOT_LOGGED = {'hello', 'isMaster', 'ping', 'endSessions', 'doubleCommandLog',
              'doubleClearCommandLog'}
MAX_ENTRIES = 200_000


class CommandLog:
    def __init__(self):
        self.entries: collections.deque = collections.deque(maxlen=MAX_ENTRIES)

    def record(self, *, connection: int, db: str, command: str, collection, ok: bool) -> None:
        if command in NOT_LOGGED:
            return
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        self.entries.append({
            'connection': connection,
            'db': db,
            'command': command,
            'collection': collection,
            'ok': ok,
            'time': now.replace(microsecond=now.microsecond // 1000 * 1000),
        })

    def read(self, db=None) -> list:
        return [dict(e) for e in self.entries if db is None or e['db'] == db]

    def clear(self, db=None) -> int:
        if db is None:
            count = len(self.entries)
            self.entries.clear()
            return count
        kept = [e for e in self.entries if e['db'] != db]
        count = len(self.entries) - len(kept)
        self.entries.clear()
        self.entries.extend(kept)
        return count
