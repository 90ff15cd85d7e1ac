"""Aggregation expression operators the double implements itself.

mongomock_ng evaluates expressions with ``mongomock_ng.aggregate._Parser.parse``. ``install``
wraps that method: an expression ``{$op: args}`` whose operator is registered here is
evaluated by our handler (which gets the parser, so it can evaluate its arguments with
``parser.parse``); a ``$``-name that is no MongoDB 7 operator at all fails with
InvalidPipelineOperator (168) as in mongod; everything else goes to mongomock_ng.

Handlers follow the MongoDB manual for each operator. They are registered from the
modules imported at the bottom of this file (one module per family).
"""

from __future__ import annotations

from typing import Any, Callable

from sentinels import NOTHING

from ..errors import MongoError

MISSING = NOTHING  # mongomock_ng's marker for "field does not exist"

Handler = Callable[[Any, Any], Any]
OPERATORS: dict[str, Handler] = {}

# Every expression operator of MongoDB 7.0 (the manual's aggregation operator list).
# Names here that neither mongomock_ng nor this package implements fail as NotImplemented
# (238); names outside this list fail as unrecognized (168), like mongod.
MONGODB_EXPRESSION_OPERATORS = frozenset('''
$abs $accumulator $acos $acosh $add $addToSet $allElementsTrue $and $anyElementTrue
$arrayElemAt $arrayToObject $asin $asinh $atan $atan2 $atanh $avg $binarySize $bitAnd
$bitNot $bitOr $bitXor $bottom $bottomN $bsonSize $ceil $cmp $concat $concatArrays $cond
$convert $cos $cosh $count $covariancePop $covarianceSamp $dateAdd $dateDiff
$dateFromParts $dateFromString $dateSubtract $dateToParts $dateToString $dateTrunc
$dayOfMonth $dayOfWeek $dayOfYear $degreesToRadians $denseRank $derivative $divide
$documentNumber $eq $exp $expMovingAvg $filter $first $firstN $floor $function
$getField $gt $gte $hour $ifNull $in $indexOfArray $indexOfBytes $indexOfCP $integral
$isArray $isNumber $isoDayOfWeek $isoWeek $isoWeekYear $last $lastN $let $linearFill
$literal $ln $locf $log $log10 $lt $lte $ltrim $map $max $maxN $median $mergeObjects
$meta $millisecond $min $minN $minute $mod $month $multiply $ne $not $objectToArray $or
$percentile $pow $push $radiansToDegrees $rand $range $rank $reduce $regexFind
$regexFindAll $regexMatch $replaceAll $replaceOne $reverseArray $round $rtrim
$sampleRate $second $setDifference $setEquals $setField $setIntersection $setIsSubset
$setUnion $shift $sin $sinh $size $slice $sortArray $split $sqrt $stdDevPop
$stdDevSamp $strLenBytes $strLenCP $strcasecmp $substr $substrBytes $substrCP
$subtract $sum $switch $tan $tanh $toBool $toDate $toDecimal $toDouble $toHashedIndexKey
$toInt $toLong $toLower $toObjectId $toString $toUpper $top $topN $trim $trunc
$tsIncrement $tsSecond $type $unsetField $week $year $zip
'''.split())


def operator(*names: str):
    """Register a handler for one or more expression operator names."""

    def register(handler: Handler) -> Handler:
        for name in names:
            OPERATORS[name] = handler
        return handler

    return register


def is_missing(value) -> bool:
    return value is MISSING


def is_nullish(value) -> bool:
    return value is None or value is MISSING


def evaluate(parser, expression):
    return parser.parse(expression)


def single_argument(name: str, args):
    """Operators like ``$year`` take ``x`` or ``[x]``."""
    if isinstance(args, list):
        if len(args) != 1:
            raise MongoError(16020, f'Expression {name} takes exactly 1 arguments. '
                                    f'{len(args)} were passed in.')
        return args[0]
    return args


def named_arguments(name: str, args, required=(), optional=()) -> dict:
    """Validate the ``{field: expr}`` argument object of a named-argument operator."""
    if not isinstance(args, dict):
        raise MongoError(40518 if name.startswith('$date') else 2,
                         f'{name} only supports an object as its argument')
    for key in args:
        if key not in required and key not in optional:
            raise MongoError(40535 if name.startswith('$date') else 2,
                             f'Unrecognized argument to {name}: {key}')
    for key in required:
        if key not in args:
            raise MongoError(40539 if name.startswith('$date') else 2,
                             f"Missing '{key}' parameter to {name}")
    return args


def type_name(value) -> str:
    from .conversions import bson_type_name  # local import: avoid a cycle
    return bson_type_name(value)


_command_time = None
SYSTEM_VARIABLES = {'ROOT', 'CURRENT', 'REMOVE', 'NOW', 'CLUSTER_TIME', 'DESCEND', 'PRUNE',
                    'KEEP', 'SEARCH_META', 'USER_ROLES'}


def set_command_time(now) -> None:
    """$$NOW is one value for a whole command: the dispatcher sets it before each command."""
    global _command_time
    _command_time = now.replace(microsecond=now.microsecond // 1000 * 1000)


def command_time():
    if _command_time is None:
        import datetime
        set_command_time(datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None))
    return _command_time


_installed = False


def install() -> None:
    """Hook the registry into mongomock_ng's expression parser (idempotent)."""
    global _installed
    if _installed:
        return
    from mongomock_ng import aggregate

    from . import arithmetic, arrays, conversions, dates  # noqa: F401  (registration)

    original_parse = aggregate._Parser.parse
    engine_known = set()
    for family in ('arithmetic_operators', 'project_operators', 'projection_operators',
                   'comparison_operators', 'date_operators', 'array_operators',
                   'conditional_operators', 'control_flow_operators', 'set_operators',
                   'string_operators', 'type_convertion_operators', 'type_operators',
                   'boolean_operators', 'object_operators', 'field_operators'):
        engine_known.update(getattr(aggregate, family))

    def parse(self, expression):
        if isinstance(expression, dict) and len(expression) == 1:
            key = next(iter(expression))
            if isinstance(key, str) and key.startswith('$'):
                handler = OPERATORS.get(key)
                if handler is not None:
                    return handler(self, expression[key])
                if key not in MONGODB_EXPRESSION_OPERATORS:
                    raise MongoError(168, f"Unrecognized expression '{key}'")
                if key not in engine_known:
                    raise MongoError(238, f'mongo-double does not implement the '
                                          f'expression operator {key}')
        return original_parse(self, expression)

    parse.__doc__ = original_parse.__doc__
    aggregate._Parser.parse = parse

    original_basic = aggregate._Parser._parse_basic_expression

    def parse_basic_expression(self, expression):
        # mongomock_ng knows only $$ROOT/$$CURRENT and yields "missing" for any other
        # unknown variable; mongod provides $$NOW and rejects undefined variables (17276).
        if isinstance(expression, str) and expression.startswith('$$'):
            variable = expression[2:].split('.', 1)[0]
            if variable not in self._user_vars:
                if variable == 'NOW':
                    return command_time() if '.' not in expression[2:] else MISSING
                if variable == 'CLUSTER_TIME':
                    raise MongoError(10071, "Builtin variable '$$CLUSTER_TIME' is not "
                                            "available")
                if variable not in SYSTEM_VARIABLES:
                    raise MongoError(17276, f'Use of undefined variable: {variable}')
        return original_basic(self, expression)

    aggregate._Parser._parse_basic_expression = parse_basic_expression
    _installed = True
