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

from ._jstext import js_string
from .errors import (
    ERR_INVALID_ARG_TYPE,
    ERR_INVALID_ARG_VALUE,
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


def js_number(value: Any) -> float:
    """The JavaScript number a Python ``int``/``float`` stands for.

    An ``int`` is rounded to the nearest double, as ``Number(bigint)`` does, and
    one beyond the double range becomes ``Infinity`` instead of raising
    OverflowError (``10**400`` is ``Infinity``).
    """
    if isinstance(value, float):
        return value
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def js_to_number(value: Any) -> float:
    """JavaScript ``ToNumber`` (what ``+x``, ``x * 1`` and ``Number(x)`` give).

    Strings follow StringToNumber: trimmed, empty is 0, unsigned ``0x``/``0o``/``0b``
    literals, decimal with exponent, ``Infinity``; anything else is NaN. ``None``
    is ``undefined`` (NaN); lists and bytes go through their string form, as
    JavaScript arrays and Buffers do (``[5]`` is 5, ``[]`` is 0); any other
    object is NaN. Python ints beyond the double range are +-Infinity.
    """
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return js_number(value)
    if value is None:
        return NAN  # undefined -> NaN (null would be 0; Python has one None)
    if isinstance(value, (list, tuple, bytes, bytearray, memoryview)):
        value = js_string(value)
    if isinstance(value, str):
        text = value.strip(_JS_WS)
        if not text:
            return 0.0
        m = _RADIX.match(text)
        if m:
            digits, base = next((g, b) for g, b in zip(m.groups(), (16, 8, 2)) if g)
            return js_number(int(digits, base))
        if _DECIMAL.match(text):
            return float(text.replace("Infinity", "inf"))
        return NAN
    return NAN


_LEADING_INT = re.compile(r"[+-]?\d+")


def js_parse_int(value: Any) -> Optional[int]:
    """JavaScript ``parseInt(String(value), 10)``, with ``None`` for NaN: the
    leading decimal digits of the value's string form (``'12px'`` is 12, ``1.5``
    is 1, ``1e21`` is 1 as its string is ``'1e+21'``, ``'Infinity'`` is NaN)."""
    m = _LEADING_INT.match(js_string(value).lstrip(_JS_WS)) if value is not None else None
    return int(m.group()) if m else None


def js_to_int32(value: Any) -> int:
    """JavaScript ``ToInt32`` (``x | 0``, ``~~x``, and what Node's C++ bindings
    apply to integer arguments): NaN and the infinities are 0, the rest is
    truncated and wrapped into [-2**31, 2**31)."""
    number = js_to_number(value)
    if math.isnan(number) or math.isinf(number):
        return 0
    wrapped = int(number) & 0xFFFFFFFF
    return wrapped - 0x100000000 if wrapped & 0x80000000 else wrapped


def js_to_uint32(value: Any) -> int:
    """JavaScript ``ToUint32`` (``x >>> 0``)."""
    return js_to_int32(value) & 0xFFFFFFFF


def js_truthy(value: Any) -> bool:
    """JavaScript ``Boolean(value)``: only None, False, 0, NaN and '' are false.

    Unlike Python, empty lists, dicts and bytes (a Buffer is an object) are true,
    as Node's option coercion has it.
    """
    if value is None or value is False:
        return False
    if isinstance(value, (int, float)):
        return value != 0 and not (isinstance(value, float) and math.isnan(value))
    if isinstance(value, str):
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
            parts.append(f">= {js_string(minimum)}")
        if maximum is not None:
            parts.append(f"<= {js_string(maximum)}")
        raise ERR_OUT_OF_RANGE(name, " && ".join(parts), value)
    return js_number(value)


def validate_integer(value: Any, name: str, minimum: int, maximum: int) -> int:
    """Node ``validateInteger``/``validateInt32``: an integral number within bounds."""
    if not is_number(value):
        raise ERR_INVALID_ARG_TYPE(name, "number", value)
    if isinstance(value, float) and not value.is_integer():
        raise ERR_OUT_OF_RANGE(name, "an integer", value)
    if value < minimum or value > maximum:
        raise ERR_OUT_OF_RANGE(name, f">= {minimum} && <= {maximum}", value)
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


def validate_string_without_null_bytes(value: Any, name: str) -> str:
    """Node ``validateStringWithoutNullBytes`` (host names, Node >= 26.3.1):
    ERR_INVALID_ARG_TYPE unless a ``str``, ERR_INVALID_ARG_VALUE if it holds a NUL."""
    validate_string(value, name)
    if "\0" in value:
        raise ERR_INVALID_ARG_VALUE(name, value, "must be a string without null bytes")
    return value  # type: ignore[no-any-return]
