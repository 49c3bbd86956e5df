"""The process-wide defaults Node keeps for ``net.connect`` (one place, on purpose).

Node: net.md § "net.getDefaultAutoSelectFamily()", § "net.setDefaultAutoSelectFamily(value)",
§ "net.getDefaultAutoSelectFamilyAttemptTimeout()", § "net.setDefaultAutoSelectFamilyAttemptTimeout(value)"
autoSelectFamily defaults to true, the attempt timeout to 500 ms (Node v25.2
raised it from 250, the value of Node 20), and timeouts below 10 ms become 10.
"""

from __future__ import annotations

from ._validators import validate_boolean, validate_int32

__all__ = (
    "get_default_auto_select_family", "set_default_auto_select_family",
    "get_default_auto_select_family_attempt_timeout",
    "set_default_auto_select_family_attempt_timeout",
)

_auto_select_family = True
_attempt_timeout = 500


def get_default_auto_select_family() -> bool:
    """Node: ``net.getDefaultAutoSelectFamily()`` — initially True."""
    return _auto_select_family


def set_default_auto_select_family(value: bool) -> None:
    """Node: ``net.setDefaultAutoSelectFamily(value)``; ``value`` must be a bool."""
    global _auto_select_family
    _auto_select_family = validate_boolean(value, "value")


def get_default_auto_select_family_attempt_timeout() -> int:
    """Node: ``net.getDefaultAutoSelectFamilyAttemptTimeout()`` — initially 500 (ms).

    Node 20 started at 250; v25.2 made it 500.
    """
    return _attempt_timeout


def set_default_auto_select_family_attempt_timeout(value: int) -> None:
    """Node: ``net.setDefaultAutoSelectFamilyAttemptTimeout(value)``.

    An int32 >= 1 (ERR_OUT_OF_RANGE otherwise); values below 10 become 10.
    """
    global _attempt_timeout
    _attempt_timeout = max(validate_int32(value, "value", 1), 10)
