"""MongoDB error shapes.

Every failure the double reports must look like mongod's: ``{ok: 0, errmsg, code,
codeName}``. ``MongoError`` carries those fields through the engine; ``translate`` turns
whatever the engine (mongomock_ng, pymongo's bson, our own code) raised into one, so that
nothing unsupported ever passes silently and nothing reaches the client as a dropped
connection.
"""

from __future__ import annotations

import sys
import traceback

import bson.errors
import pymongo.errors

# The codes the double uses, with mongod's code names.
CODE_NAMES = {
    1: 'InternalError',
    2: 'BadValue',
    9: 'FailedToParse',
    11: 'UserNotFound',
    13: 'Unauthorized',
    14: 'TypeMismatch',
    16: 'InvalidLength',
    20: 'IllegalOperation',
    26: 'NamespaceNotFound',
    27: 'IndexNotFound',
    28: 'PathNotViable',
    40: 'ConflictingUpdateOperators',
    43: 'CursorNotFound',
    48: 'NamespaceExists',
    52: 'DollarPrefixedFieldName',
    53: 'InvalidIdField',
    59: 'CommandNotFound',
    66: 'ImmutableField',
    67: 'CannotCreateIndex',
    72: 'InvalidOptions',
    73: 'InvalidNamespace',
    85: 'IndexOptionsConflict',
    86: 'IndexKeySpecsConflict',
    96: 'OperationFailed',
    115: 'CommandNotSupported',
    121: 'DocumentValidationFailure',
    166: 'CommandNotSupportedOnView',
    168: 'InvalidPipelineOperator',
    238: 'NotImplemented',
    241: 'ConversionFailure',
    251: 'NoSuchTransaction',
    263: 'OperationNotSupportedInTransaction',
    352: 'UnsupportedOpQueryCommand',
    11000: 'DuplicateKey',
}


def code_name(code: int) -> str:
    # mongod names assertion-site codes that have no symbolic name "Location<code>".
    return CODE_NAMES.get(code, f'Location{code}')


class MongoError(Exception):
    """An error with mongod's code; becomes ``{ok: 0, errmsg, code, codeName}``."""

    def __init__(self, code: int, errmsg: str, **extra):
        super().__init__(errmsg)
        self.code = int(code)
        self.errmsg = errmsg
        self.extra = extra  # additional reply fields (e.g. keyPattern/keyValue)

    def to_reply(self) -> dict:
        reply = {'ok': 0.0, 'errmsg': self.errmsg, 'code': self.code,
                 'codeName': code_name(self.code)}
        reply.update(self.extra)
        return reply

    def to_write_error(self, index: int) -> dict:
        entry = {'index': index, 'code': self.code, 'errmsg': self.errmsg}
        entry.update(self.extra)
        return entry


def not_implemented(what: str) -> MongoError:
    return MongoError(238, f'mongo-double does not implement {what}')


def translate(exc: BaseException) -> MongoError:
    """Map any exception raised while executing a command to a MongoError.

    mongomock_ng reports user errors as pymongo exceptions (often without a code),
    unimplemented features as NotImplementedError and some validation as
    ValueError/TypeError. Anything else is a bug in the engine or the double: it is
    reported as InternalError with the exception text, and the traceback goes to stderr.
    """
    if isinstance(exc, MongoError):
        return exc
    if isinstance(exc, pymongo.errors.DuplicateKeyError):
        # Only reachable when a DuplicateKeyError escapes the formatting in indexes.py.
        details = exc.details or {}
        return MongoError(11000, str(exc), **{k: v for k, v in details.items()
                                               if k in ('keyPattern', 'keyValue')})
    if isinstance(exc, pymongo.errors.OperationFailure):
        code = exc.code if exc.code else 2
        message = str(exc)
        if 'Unrecognized pipeline stage name' in message:
            code = 40324
        elif 'Unrecognized expression' in message:
            code = 168
        return MongoError(code, message)
    if isinstance(exc, pymongo.errors.PyMongoError):
        return MongoError(2, str(exc))
    if isinstance(exc, bson.errors.InvalidDocument):
        return MongoError(2, str(exc))
    if isinstance(exc, bson.errors.BSONError):
        return MongoError(2, f'invalid BSON: {exc}')
    if isinstance(exc, NotImplementedError):
        return MongoError(238, f'mongo-double (mongomock_ng) does not implement this: {exc}')
    if isinstance(exc, ZeroDivisionError):
        return MongoError(2, f"can't divide by zero ({exc})")
    if isinstance(exc, (ValueError, TypeError, AssertionError)):
        return MongoError(2, f'{exc or type(exc).__name__}')
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    return MongoError(1, f'mongo-double internal error: {type(exc).__name__}: {exc}')
