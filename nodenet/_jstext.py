"""How JavaScript writes a value as text, for the Python values that stand for it.

``String(x)`` (and a template string's ``${x}``) decides what Node's messages
say and what text ``ToNumber``, ``parseInt`` and ``isIP`` look at. Python's
``str()`` differs on exactly the values that matter: ``None`` (JavaScript's
``undefined``), booleans, whole floats (``5.0`` is ``5``), NaN and the
infinities, bytes (a ``Buffer`` is its UTF-8 text), lists (an ``Array`` joins
its items with ``,``, an ``undefined`` item as nothing) and dicts (a plain
object is ``[object Object]``). Nothing else in nodenet is imported here.
"""

from __future__ import annotations

import math
from typing import Any

__all__ = ("js_number_text", "js_string")


def js_number_text(number: float) -> str:
    """``String(number)``: ``NaN``, ``Infinity``, whole numbers without ``.0``."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if number.is_integer() and abs(number) < 1e21:
        return str(int(number))
    return repr(number)          # shortest round-trip form, as JavaScript's


def js_string(value: Any) -> str:
    """JavaScript ``String(value)`` for the Python stand-in of a JavaScript value."""
    if isinstance(value, str):
        return value
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return js_number_text(value)
    if isinstance(value, int):
        try:
            return js_number_text(float(value))
        except OverflowError:    # an int beyond the double range is +-Infinity
            return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, (list, tuple)):
        return ",".join("" if item is None else js_string(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)            # an object's own toString()
