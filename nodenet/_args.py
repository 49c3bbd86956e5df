"""Node's argument overloads for connect() and listen(), in one place.

Node: net.md § "socket.connect()" and § "server.listen()" (Node 26); the rules come
from ``normalizeArgs`` in ``lib/net.js``:

* an options mapping comes first if given (keys in snake_case or Node's camelCase);
* a string that is not a non-negative number is a pipe path (``'8080'`` is a
  port, ``'abc'`` and ``'-1'`` are paths);
* otherwise the first argument is the port and a following string the host;
* the last argument is the callback if it is callable.

Keyword arguments are options too: ``connect(port=80, host='example.org')``; a
keyword given ``None`` is not given (JavaScript's ``undefined``), while a key of
an options dict present with ``None`` is JavaScript's ``null``.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Tuple

from ._validators import js_to_number

__all__ = ("normalize_args", "options_dict", "snake", "is_pipe_name", "to_number",
           "is_js_object")

# a word starts at a capital after a lower-case letter or digit, or at the last
# capital of an acronym that a lower-case letter follows: ALPNProtocols -> alpn_protocols
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(key: str) -> str:
    """``'autoSelectFamily' -> 'auto_select_family'``, ``'SNICallback' -> 'sni_callback'``,
    ``'minDHSize' -> 'min_dh_size'``; snake_case keys pass through."""
    if "_" in key or key.islower():
        return key
    return _CAMEL.sub("_", key).lower()


def options_dict(options: Optional[Mapping[str, Any]], **kwargs: Any) -> Dict[str, Any]:
    """A fresh dict of ``options`` with snake_case keys, plus keyword options.

    A key of ``options`` present with ``None`` stays (JavaScript's ``null``); a
    keyword given ``None`` is left out (not given, ``undefined``).
    """
    result: Dict[str, Any] = {}
    if options:
        for key, value in options.items():
            result[snake(key) if isinstance(key, str) else key] = value
    for key, value in kwargs.items():
        if value is not None:     # a keyword given None is not given (a dict's None is null)
            result[snake(key)] = value
    return result


def to_number(value: Any) -> Any:
    """Node's ``toNumber``: ``Number(x)`` when it is >= 0, else False."""
    if callable(value) or isinstance(value, Mapping):
        return False                     # Number(function) and Number({}) are NaN
    number = js_to_number(value)
    return number if number >= 0 else False


def is_pipe_name(value: Any) -> bool:
    """Node's ``isPipeName``: a string that is not a non-negative number."""
    return isinstance(value, str) and to_number(value) is False


def is_js_object(value: Any) -> bool:
    """What ``typeof value === 'object'`` (and not null) is for a Python value."""
    return not (value is None or callable(value) or isinstance(value, (str, int, float)))


def normalize_args(args: Sequence[Any], kwargs: Mapping[str, Any]
                   ) -> Tuple[Dict[str, Any], Optional[Callable[..., Any]]]:
    """(options, callback) from positional Node-style arguments and keywords."""
    cb: Optional[Callable[..., Any]] = None
    if args and callable(args[-1]) and not isinstance(args[-1], type):
        cb = args[-1]
    if not args:
        options: Dict[str, Any] = {}
    else:
        first = args[0]
        if isinstance(first, Mapping):
            options = options_dict(first)
        elif is_js_object(first):
            # any other JavaScript object (an array, a Buffer, an instance) is the
            # options object too, one without port or path
            options = {}
        elif is_pipe_name(first):
            options = {"path": first}
        else:
            # Node keeps whatever came first as the port (a number, a function...):
            # connect() and listen() each decide what that means. None is
            # undefined, which connect() takes as no port at all.
            options = {} if first is None else {"port": first}
            if len(args) > 1 and isinstance(args[1], str):
                options["host"] = args[1]
    for key, value in kwargs.items():
        if value is not None:     # a keyword given None is not given
            options[snake(key)] = value
    return options, cb
