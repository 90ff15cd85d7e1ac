"""MongoDB wire protocol messages: parsing requests and building replies.

Two request kinds matter (measured with libmongoc 1.23.1 and pymongo 4):

* OP_QUERY (2004): only the handshake and the monitor's ``isMaster``/``hello`` on
  ``admin.$cmd``; answered with OP_REPLY (1). mongod 5.1+ refuses every other OP_QUERY
  command, and so does the double (UnsupportedOpQueryCommand, 352).
* OP_MSG (2013): everything else. Section kind 0 is the command body; kind 1 sections are
  document sequences (insert ``documents``, update ``updates``, delete ``deletes``) that
  become arrays of the command. ``checksumPresent`` adds 4 trailing bytes (not verified);
  ``moreToCome`` on a request (w:0 writes) means: execute, do not reply.

All integers are little-endian. See the MongoDB Wire Protocol specification.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

import bson
from bson.codec_options import CodecOptions, DatetimeConversion

OP_REPLY = 1
OP_QUERY = 2004
OP_COMPRESSED = 2012
OP_MSG = 2013

HEADER = struct.Struct('<iiii')
CHECKSUM_PRESENT = 1 << 0
MORE_TO_COME = 1 << 1
EXHAUST_ALLOWED = 1 << 16
# Flag bits 0-15 are "required": an unknown one must be rejected.
KNOWN_REQUIRED_BITS = CHECKSUM_PRESENT | MORE_TO_COME

DECODE_OPTIONS = CodecOptions(document_class=dict, tz_aware=False,
                              datetime_conversion=DatetimeConversion.DATETIME_AUTO)
ENCODE_OPTIONS = CodecOptions(
    uuid_representation=bson.binary.UuidRepresentation.STANDARD)


class ProtocolError(Exception):
    """A message the double cannot parse; the connection is closed."""


@dataclass
class Request:
    opcode: int
    request_id: int
    flags: int
    document: dict
    namespace: str = ''  # OP_QUERY only

    @property
    def more_to_come(self) -> bool:
        return self.opcode == OP_MSG and bool(self.flags & MORE_TO_COME)


def _cstring(data: bytes, offset: int) -> tuple[str, int]:
    end = data.index(b'\x00', offset)
    return data[offset:end].decode('utf-8'), end + 1


def _document(data: bytes, offset: int) -> tuple[dict, int]:
    (length,) = struct.unpack_from('<i', data, offset)
    if length < 5 or offset + length > len(data):
        raise ProtocolError('invalid BSON document length')
    return bson.decode(data[offset:offset + length], codec_options=DECODE_OPTIONS), offset + length


def parse_op_msg(request_id: int, body: bytes) -> Request:
    (flags,) = struct.unpack_from('<I', body, 0)
    if flags & 0xFFFF & ~KNOWN_REQUIRED_BITS:
        raise ProtocolError(f'unknown required OP_MSG flag bits: {flags:#x}')
    end = len(body) - (4 if flags & CHECKSUM_PRESENT else 0)
    offset = 4
    command = None
    sequences = []
    while offset < end:
        kind = body[offset]
        offset += 1
        if kind == 0:
            if command is not None:
                raise ProtocolError('OP_MSG with more than one body section')
            command, offset = _document(body, offset)
        elif kind == 1:
            (size,) = struct.unpack_from('<i', body, offset)
            section_end = offset + size
            identifier, cursor = _cstring(body, offset + 4)
            documents = []
            while cursor < section_end:
                document, cursor = _document(body, cursor)
                documents.append(document)
            sequences.append((identifier, documents))
            offset = section_end
        else:
            raise ProtocolError(f'unknown OP_MSG section kind {kind}')
    if command is None:
        raise ProtocolError('OP_MSG without a body section')
    for identifier, documents in sequences:
        if identifier in command:
            raise ProtocolError(f"duplicate field '{identifier}' in OP_MSG")
        command[identifier] = documents
    return Request(OP_MSG, request_id, flags, command)


def parse_op_query(request_id: int, body: bytes) -> Request:
    (flags,) = struct.unpack_from('<i', body, 0)
    namespace, offset = _cstring(body, 4)
    offset += 8  # numberToSkip, numberToReturn
    query, offset = _document(body, offset)
    if '$query' in query:  # legacy wrapping used with $readPreference
        query = query['$query']
    return Request(OP_QUERY, request_id, flags, query, namespace)


def encode(document: dict) -> bytes:
    return bson.encode(document, codec_options=ENCODE_OPTIONS)


def build_op_msg(response_to: int, request_id: int, document: dict) -> bytes:
    payload = struct.pack('<I', 0) + b'\x00' + encode(document)
    return HEADER.pack(16 + len(payload), request_id, response_to, OP_MSG) + payload


def build_op_reply(response_to: int, request_id: int, document: dict) -> bytes:
    payload = struct.pack('<iqii', 0, 0, 0, 1) + encode(document)
    return HEADER.pack(16 + len(payload), request_id, response_to, OP_REPLY) + payload
