"""Argument validation with Node's rules and error codes.

Node: ``lib/internal/validators.js`` (validatePort, validateInt32, validateUint32,
validateNumber, validateFunction, validateBoolean, validateAbortSignal). JavaScript
coercions that Node relies on (``ToNumber`` of strings, ``Boolean()``) are
reproduced exactly, because Node's tests pin them: ``'0x1f90'`` is port 8080,
``' '`` is not a port, and ``Boolean([])`` is true.

"number" means ``int`` or ``float`` but not ``bool`` (JavaScript keeps them apart).
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Optional, Sequence

from .errors import (
    ERR_INVALID_ARG_TYPE,
    ERR_OUT_OF_RANGE,
    ERR_SOCKET_BAD_PORT,
)

NAN = float("nan")

# ECMAScript StrWhiteSpaceChar: WhiteSpace and LineTerminator code points.
_JS_WS = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
         "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_DECIMAL = re.compile(r"[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity)\Z")
_RADIX = re.compile(r"0(?:[xX]([0-9a-fA-F]+)|[oO]([0-7]+)|[bB]([01]+))\Z")


def is_number(value: Any) -> bool:
    """True for JavaScript numbers: ``int``/``float``, not ``bool``."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def js_to_number(value: Any) -> float:
    """JavaScript ``ToNumber`` for the values Node code applies ``+x`` to.

    Strings follow StringToNumber: trimmed, empty is 0, unsigned ``0x``/``0o``/``0b``
    literals, decimal with exponent, ``Infinity``; anything else is NaN.
    """
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, int):
        try:
            return float(value)
        except OverflowError:      # a JavaScript number literal this big is Infinity
            return math.inf if value > 0 else -math.inf
    if value is None:
        return NAN  # undefined -> NaN (null would be 0; Python has one None)
    if isinstance(value, (list, tuple)):   # an Array: ToPrimitive joins it with ','
        if len(value) > 1:
            return NAN
        item = value[0] if value else None     # [] and [undefined] join to ''
        if item is None:
            return 0.0
        if isinstance(item, bool) or not isinstance(item, (int, float, str, list, tuple)):
            return NAN                         # 'true', '[object Object]'
        return js_to_number(item)
    if isinstance(value, str):
        text = value.strip(_JS_WS)
        if not text:
            return 0.0
        m = _RADIX.match(text)
        if m:
            digits, base = next((g, b) for g, b in zip(m.groups(), (16, 8, 2)) if g)
            return float(int(digits, base))
        if _DECIMAL.match(text):
            return float(text.replace("Infinity", "inf"))
        return NAN
    return NAN


def js_to_int32(value: Any) -> int:
    """JavaScript ``ToInt32`` (``x | 0``, ``~~x``): NaN and infinities are 0, the
    rest is truncated and wrapped into [-2**31, 2**31)."""
    number = value if isinstance(value, float) else js_to_number(value)
    if math.isnan(number) or math.isinf(number):
        return 0
    wrapped = int(number) % 2**32
    return wrapped - 2**32 if wrapped >= 2**31 else wrapped


def js_truthy(value: Any) -> bool:
    """JavaScript ``Boolean(value)``: only None, False, 0, NaN and '' are false.

    Unlike Python, empty lists and dicts are true, as Node's option coercion has it.
    """
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, (str, bytes)):
        return len(value) > 0
    return True


def _is_uint32(number: float) -> bool:
    """The JavaScript test ``+port === (+port >>> 0)``."""
    return not math.isnan(number) and not math.isinf(number) and number == int(number) \
        and 0 <= number <= 0xFFFFFFFF


def validate_port(port: Any, name: str = "Port", allow_zero: bool = True) -> int:
    """Node ``validatePort``: a number or numeric string in [0, 65535].

    Raises ERR_SOCKET_BAD_PORT (a ValueError) otherwise. ``-0`` passes as 0.
    """
    if (not (is_number(port) or isinstance(port, str))
            or (isinstance(port, str) and not port.strip(_JS_WS))):
        raise ERR_SOCKET_BAD_PORT(name, port, allow_zero)
    number = js_to_number(port)
    if not _is_uint32(number) or number > 0xFFFF or (number == 0 and not allow_zero):
        raise ERR_SOCKET_BAD_PORT(name, port, allow_zero)
    return int(number)


def validate_number(value: Any, name: str, minimum: Optional[float] = None,
                    maximum: Optional[float] = None) -> float:
    """Node ``validateNumber``: a number, optionally within [minimum, maximum]."""
    if not is_number(value):
        raise ERR_INVALID_ARG_TYPE(name, "number", value)
    bounded = minimum is not None or maximum is not None
    if ((minimum is not None and value < minimum) or (maximum is not None and value > maximum)
            or (bounded and isinstance(value, float) and math.isnan(value))):
        parts = []
        if minimum is not None:
            parts.append(f">= {_num(minimum)}")
        if maximum is not None:
            parts.append(f"<= {_num(maximum)}")
        raise ERR_OUT_OF_RANGE(name, " && ".join(parts), _num(value))
    return js_to_number(value)


def _num(value: float) -> Any:
    """Show whole floats as ints, as JavaScript prints numbers."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def validate_integer(value: Any, name: str, minimum: int, maximum: int) -> int:
    """Node ``validateInteger``/``validateInt32``: an integral number within bounds."""
    if not is_number(value):
        raise ERR_INVALID_ARG_TYPE(name, "number", value)
    if isinstance(value, float) and not value.is_integer():
        raise ERR_OUT_OF_RANGE(name, "an integer", value)
    if value < minimum or value > maximum:
        raise ERR_OUT_OF_RANGE(name, f">= {minimum} && <= {maximum}", _num(value))
    return int(value)


def validate_int32(value: Any, name: str, minimum: int = -2147483648,
                   maximum: int = 2147483647) -> int:
    """Node ``validateInt32``."""
    return validate_integer(value, name, minimum, maximum)


def validate_uint32(value: Any, name: str, positive: bool = False) -> int:
    """Node ``validateUint32``."""
    return validate_integer(value, name, 1 if positive else 0, 4294967295)


def validate_function(value: Any, name: str) -> Callable[..., Any]:
    """Node ``validateFunction``: ERR_INVALID_ARG_TYPE unless callable."""
    if not callable(value):
        raise ERR_INVALID_ARG_TYPE(name, "function", value)
    return value  # type: ignore[no-any-return]


def validate_boolean(value: Any, name: str) -> bool:
    """Node ``validateBoolean``: ERR_INVALID_ARG_TYPE unless a bool."""
    if not isinstance(value, bool):
        raise ERR_INVALID_ARG_TYPE(name, "boolean", value)
    return value


def validate_array(value: Any, name: str) -> Sequence[Any]:
    """Node ``validateArray``: a list (or tuple), else ERR_INVALID_ARG_TYPE (Array)."""
    if not isinstance(value, (list, tuple)):
        raise ERR_INVALID_ARG_TYPE(name, "Array", value)
    return value


def validate_string(value: Any, name: str) -> str:
    """Node ``validateString``."""
    if not isinstance(value, str):
        raise ERR_INVALID_ARG_TYPE(name, "string", value)
    return value
