"""Node's error classes and codes, with Node's exact messages.

Node: errors.md § "Node.js error codes" and § "Class: SystemError" (Node 26), and the
formatting helpers of ``lib/internal/errors.js`` (``exceptionWithHostPort``,
``uvExceptionWithHostPort``, ``dnsException``).

Mapping to Python (the project's rule for every error):

* every error has Node's ``.code`` and ``str(err)`` is Node's message;
* system errors (:class:`NodeSystemError`) subclass :class:`OSError` and carry
  ``.errno`` (the *Python*, positive errno; Node's is negative), ``.code``,
  ``.syscall``, ``.address`` and ``.port``;
* Node ``TypeError``\\ s subclass :class:`TypeError`, Node ``RangeError``\\ s subclass
  :class:`ValueError`, state errors subclass :class:`NodeError` only;
* :class:`AggregateError` carries ``.errors`` and the ``.code`` of the first.

Values in "Received ..." messages are described the way Node describes them, with
Python type names (``Received type int (1)`` where Node says ``type number (1)``).
"""

from __future__ import annotations

import errno as _errno
import re as _re
import socket as _socket
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

from ._jstext import js_string

__all__ = (
    "NodeError",
    "NodeTypeError",
    "NodeRangeError",
    "NodeSystemError",
    "AbortError",
    "DOMException",
    "AggregateError",
    "UnhandledError",
    "errno_code",
    "uv_message",
    "describe_received",
    "system_error",
    "connect_error",
    "listen_error",
    "dns_error",
    "ERR_INVALID_ARG_TYPE",
    "ERR_INVALID_ARG_VALUE",
    "ERR_OUT_OF_RANGE",
    "ERR_MISSING_ARGS",
    "ERR_SOCKET_BAD_PORT",
)


class NodeError(Exception):
    """Base of every nodenet error: an exception with Node's ``.code``.

    Node: errors.md § "error.code". ``str(err)`` is Node's ``err.message``.
    """

    code: str = "ERR_UNKNOWN"

    def __init__(self, message: str = "", code: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r})"


class NodeTypeError(NodeError, TypeError):
    """A Node ``TypeError`` (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE, ...)."""


class NodeRangeError(NodeError, ValueError):
    """A Node ``RangeError`` (ERR_SOCKET_BAD_PORT, ERR_OUT_OF_RANGE, ...)."""


class AbortError(NodeError):
    """Node: errors.md § "Class: AbortError" — ``code == 'ABORT_ERR'``.

    ``.cause`` holds the signal's reason, as Node sets ``{ cause: signal.reason }``.
    """

    code = "ABORT_ERR"

    def __init__(self, message: str = "The operation was aborted", cause: Any = None) -> None:
        super().__init__(message)
        self.cause = cause
        if isinstance(cause, BaseException):
            self.__cause__ = cause


class DOMException(Exception):
    """The web platform's ``DOMException`` (an AbortSignal's default reasons).

    ``name`` is ``'AbortError'`` or ``'TimeoutError'``; ``code`` is the legacy number.
    """

    _CODES = {"AbortError": 20, "TimeoutError": 23}

    def __init__(self, message: str = "", name: str = "Error") -> None:
        super().__init__(message)
        self.message = message
        self.name = name
        self.code = self._CODES.get(name, 0)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"DOMException({self.name!r}, {self.message!r})"


class UnhandledError(NodeError):
    """ERR_UNHANDLED_ERROR: an ``'error'`` event emitted with a non-exception and no listener."""

    code = "ERR_UNHANDLED_ERROR"

    def __init__(self, context: Any = None) -> None:
        # Node always shows the value: 'Unhandled error. (undefined)'.
        super().__init__(f"Unhandled error. ({context!r})")
        self.context = context


class NodeSystemError(NodeError, OSError):
    """A system call failure, as Node's errno/uv exceptions.

    Node: errors.md § "Class: SystemError". Attributes: ``errno`` (Python errno, or
    the ``socket.EAI_*`` value for DNS failures), ``code`` (``'ECONNREFUSED'``),
    ``syscall``, ``address``, ``port`` (``None`` when Node leaves them undefined),
    and for DNS errors ``hostname``. Connect errors made from a bound socket also
    carry ``local_address``/``local_port``.
    """

    def __init__(
        self,
        message: str,
        *,
        errno: Optional[int],
        code: str,
        syscall: str,
        address: Optional[str] = None,
        port: Optional[int] = None,
        hostname: Optional[str] = None,
    ) -> None:
        OSError.__init__(self, errno, message)
        self.message = message
        self.code = code
        self.syscall = syscall
        self.address = address
        self.port = port
        self.hostname = hostname
        self.local_address: Optional[str] = None
        self.local_port: Optional[int] = None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"NodeSystemError({self.code!r}, {self.message!r})"


class AggregateError(NodeError):
    """Several errors at once (Happy Eyeballs total failure).

    Node: ``NodeAggregateError`` — ``message`` is ``''``, ``code`` is the code of
    the first error, ``errors`` keeps failure-time order. Python 3.9 has no
    ``ExceptionGroup``, so this is a plain exception with ``.errors``.
    """

    def __init__(self, errors: Iterable[BaseException], message: str = "") -> None:
        self.errors: List[BaseException] = list(errors)
        first = self.errors[0] if self.errors else None
        super().__init__(message, getattr(first, "code", None) or "ERR_AGGREGATE")
        # Node's empty message says nothing; the traceback (and repr) say what failed.
        if self.errors:
            add_note(self, "every connection attempt failed:\n" + "\n".join(
                f"  {_attempt(e)}: {e}" for e in self.errors))

    def __repr__(self) -> str:
        return f"AggregateError({self.code!r}, [{', '.join(map(repr, self.errors))}])"


def _attempt(err: BaseException) -> str:
    address, port = getattr(err, "address", None), getattr(err, "port", None)
    if address is None:
        return "?"
    return f"[{address}]:{port}" if ":" in str(address) else f"{address}:{port}"


def add_note(err: BaseException, note: str) -> None:
    """``err.add_note(note)`` (Python 3.11+), or the same ``__notes__`` list on
    older interpreters, where nodenet's fatal-error report prints it. A note
    already there is not added twice."""
    notes = getattr(err, "__notes__", None)
    if notes is not None and note in notes:
        return
    adder = getattr(err, "add_note", None)
    if adder is not None:
        adder(note)
        return
    try:
        if notes is None:
            notes = []
            err.__notes__ = notes  # type: ignore[attr-defined]
        notes.append(note)
    except (AttributeError, TypeError):  # pragma: no cover - an exception without __dict__
        pass


# --------------------------------------------------------------------------------
# errno -> Node code, and libuv's message for each code.
# The messages are libuv's uv_strerror() texts, as node's util.getSystemErrorMap()
# reports them (recorded from Node v20.20).

_UV_MESSAGES: Dict[str, str] = {
    "E2BIG": "argument list too long",
    "EACCES": "permission denied",
    "EADDRINUSE": "address already in use",
    "EADDRNOTAVAIL": "address not available",
    "EAFNOSUPPORT": "address family not supported",
    "EAGAIN": "resource temporarily unavailable",
    "EAI_ADDRFAMILY": "address family not supported",
    "EAI_AGAIN": "temporary failure",
    "EAI_BADFLAGS": "bad ai_flags value",
    "EAI_BADHINTS": "invalid value for hints",
    "EAI_CANCELED": "request canceled",
    "EAI_FAIL": "permanent failure",
    "EAI_FAMILY": "ai_family not supported",
    "EAI_MEMORY": "out of memory",
    "EAI_NODATA": "no address",
    "EAI_NONAME": "unknown node or service",
    "EAI_OVERFLOW": "argument buffer overflow",
    "EAI_PROTOCOL": "resolved protocol is unknown",
    "EAI_SERVICE": "service not available for socket type",
    "EAI_SOCKTYPE": "socket type not supported",
    "EALREADY": "connection already in progress",
    "EBADF": "bad file descriptor",
    "EBUSY": "resource busy or locked",
    "ECANCELED": "operation canceled",
    "ECHARSET": "invalid Unicode character",
    "ECONNABORTED": "software caused connection abort",
    "ECONNREFUSED": "connection refused",
    "ECONNRESET": "connection reset by peer",
    "EDESTADDRREQ": "destination address required",
    "EEXIST": "file already exists",
    "EFAULT": "bad address in system call argument",
    "EFBIG": "file too large",
    "EHOSTDOWN": "host is down",
    "EHOSTUNREACH": "host is unreachable",
    "EILSEQ": "illegal byte sequence",
    "EINTR": "interrupted system call",
    "EINVAL": "invalid argument",
    "EIO": "i/o error",
    "EISCONN": "socket is already connected",
    "EISDIR": "illegal operation on a directory",
    "ELOOP": "too many symbolic links encountered",
    "EMFILE": "too many open files",
    "EMLINK": "too many links",
    "EMSGSIZE": "message too long",
    "ENAMETOOLONG": "name too long",
    "ENETDOWN": "network is down",
    "ENETUNREACH": "network is unreachable",
    "ENFILE": "file table overflow",
    "ENOBUFS": "no buffer space available",
    "ENODATA": "no data available",
    "ENODEV": "no such device",
    "ENOENT": "no such file or directory",
    "ENOMEM": "not enough memory",
    "ENONET": "machine is not on the network",
    "ENOPROTOOPT": "protocol not available",
    "ENOSPC": "no space left on device",
    "ENOSYS": "function not implemented",
    "ENOTCONN": "socket is not connected",
    "ENOTDIR": "not a directory",
    "ENOTEMPTY": "directory not empty",
    "ENOTSOCK": "socket operation on non-socket",
    "ENOTSUP": "operation not supported on socket",
    "ENOTTY": "inappropriate ioctl for device",
    "ENXIO": "no such device or address",
    "EOF": "end of file",
    "EOVERFLOW": "value too large for defined data type",
    "EPERM": "operation not permitted",
    "EPIPE": "broken pipe",
    "EPROTO": "protocol error",
    "EPROTONOSUPPORT": "protocol not supported",
    "EPROTOTYPE": "protocol wrong type for socket",
    "ERANGE": "result too large",
    "EREMOTEIO": "remote I/O error",
    "EROFS": "read-only file system",
    "ESHUTDOWN": "cannot send after transport endpoint shutdown",
    "ESOCKTNOSUPPORT": "socket type not supported",
    "ESPIPE": "invalid seek",
    "ESRCH": "no such process",
    "ETIMEDOUT": "connection timed out",
    "ETXTBSY": "text file is busy",
    "EUNATCH": "protocol driver not attached",
    "EXDEV": "cross-device link not permitted",
}

# Python's errno names that libuv spells differently.
_ALIASES = {"EWOULDBLOCK": "EAGAIN", "EOPNOTSUPP": "ENOTSUP", "EDEADLOCK": "EDEADLK"}


def errno_code(err: int) -> str:
    """Node's code for a Python errno (``111 -> 'ECONNREFUSED'``), ``'UNKNOWN'`` if none."""
    name = _errno.errorcode.get(err)
    if name is None:
        return "UNKNOWN"
    if name not in _UV_MESSAGES:
        # errno.errorcode keeps one name per number; prefer libuv's spelling.
        for alias, uv in _ALIASES.items():
            if getattr(_errno, alias, None) == err and uv in _UV_MESSAGES:
                return uv
    return name


def uv_message(code: str) -> str:
    """libuv's description of ``code`` (``'EADDRINUSE' -> 'address already in use'``)."""
    return _UV_MESSAGES.get(code, "unknown error")


# getaddrinfo failures: Python's socket.EAI_* numbers -> Node's codes.
_EAI_NAMES = (
    "EAI_ADDRFAMILY", "EAI_AGAIN", "EAI_BADFLAGS", "EAI_FAIL", "EAI_FAMILY",
    "EAI_MEMORY", "EAI_NODATA", "EAI_NONAME", "EAI_OVERFLOW", "EAI_SERVICE",
    "EAI_SOCKTYPE", "EAI_SYSTEM",
)
_EAI_CODES: Dict[int, str] = {
    getattr(_socket, name): name for name in _EAI_NAMES if hasattr(_socket, name)
}


def eai_code(err: int) -> str:
    """Node's code for a getaddrinfo error number (EAI_NONAME/EAI_NODATA -> ENOTFOUND)."""
    name = _EAI_CODES.get(err, "UNKNOWN")
    if name in ("EAI_NONAME", "EAI_NODATA"):
        return "ENOTFOUND"
    return name


# --------------------------------------------------------------------------------
# "Received ..." descriptions (Node: determineSpecificType in internal/errors.js).

def describe_received(value: Any) -> str:
    """Describe ``value`` as Node's messages do, using Python type names.

    ``None -> 'None'``, ``1 -> 'type int (1)'``, ``'abc' -> "type str ('abc')"``,
    functions by name, other objects as ``an instance of X``.
    """
    if value is None:
        return "None"
    if callable(value) and not isinstance(value, type):
        name = getattr(value, "__name__", "")
        return f"function {name}" if name else "function"
    if isinstance(value, (bool, int, float, str, bytes)):
        shown = repr(value)
        if isinstance(value, str) and len(value) > 28:
            shown = repr(value[:25]) + "..."
        return f"type {type(value).__name__} ({shown})"
    return f"an instance of {type(value).__name__}"


def _inspect(value: Any) -> str:
    """Node's util.inspect(value) in Python dress: the repr, shortened like Node."""
    text = repr(value)
    if len(text) > 128:
        text = text[:128] + "..."
    return text


_CLASS_NAME = _re.compile(r"^(?:[A-Z][a-z0-9]*)+$")
_TYPE_WORDS = {"string", "function", "number", "object", "boolean", "bigint", "symbol",
               "str", "int", "float", "bool", "bytes", "dict", "list", "callable"}


def _format_expected(expected: Union[str, Sequence[str]]) -> str:
    """Node's list formatting for ERR_INVALID_ARG_TYPE's expected types."""
    if isinstance(expected, str):
        expected = [expected]
    types = [e for e in expected if e in _TYPE_WORDS]
    instances = [e for e in expected if e not in _TYPE_WORDS and _CLASS_NAME.match(e)]
    other = [e for e in expected if e not in types and e not in instances]
    if instances and "object" in types:      # Node lists 'object' as an instance then
        types.remove("object")
        instances.append("Object")

    def join(items: List[str], word: str = "or") -> str:
        if len(items) == 1:
            return items[0]
        if len(items) == 2:
            return f"{items[0]} {word} {items[1]}"
        return ", ".join(items[:-1]) + f", {word} {items[-1]}"

    parts = []
    if types:
        parts.append(("one of type " if len(types) > 1 else "of type ") + join(types))
    if instances:
        parts.append("an instance of " + join(instances))
    if len(other) > 1:
        parts.append("one of " + join(other))
    elif other:
        parts.append(("an " if other[0].lower() != other[0] else "") + other[0])
    return " or ".join(parts)


# --------------------------------------------------------------------------------
# Factories for the codes used across nodenet.

def ERR_INVALID_ARG_TYPE(name: str, expected: Union[str, Sequence[str]], actual: Any) -> NodeTypeError:
    """``The "name" argument must be of type X. Received ...``."""
    if name.endswith(" argument"):
        head = f"The {name} "
    else:
        kind = "property" if "." in name else "argument"
        head = f'The "{name}" {kind} '
    msg = f"{head}must be {_format_expected(expected)}. Received {describe_received(actual)}"
    return NodeTypeError(msg, "ERR_INVALID_ARG_TYPE")


def ERR_INVALID_ARG_VALUE(name: str, value: Any, reason: str = "is invalid") -> NodeTypeError:
    """``The argument 'name' is invalid. Received ...``."""
    kind = "property" if "." in name else "argument"
    msg = f"The {kind} '{name}' {reason}. Received {_inspect(value)}"
    return NodeTypeError(msg, "ERR_INVALID_ARG_VALUE")


def ERR_OUT_OF_RANGE(name: str, range_text: str, received: Any) -> NodeRangeError:
    """``The value of "name" is out of range. It must be R. Received V``."""
    if isinstance(received, str):
        shown = _inspect(received)
    elif (isinstance(received, (int, float)) and not isinstance(received, bool)
          and (isinstance(received, int) or received.is_integer()) and abs(received) > 2**32):
        shown = f"{int(received):_}"           # Node's addNumericalSeparator
    else:
        shown = js_string(received)
    msg = f'The value of "{name}" is out of range. It must be {range_text}. Received {shown}'
    return NodeRangeError(msg, "ERR_OUT_OF_RANGE")


def ERR_MISSING_ARGS(*names: Union[str, Sequence[str]]) -> NodeTypeError:
    """``The "a" and "b" arguments must be specified``; a list means alternatives.

    ``ERR_MISSING_ARGS(['options', 'port', 'path'])`` gives Node's
    ``The "options" or "port" or "path" argument must be specified``.
    """
    parts = [" or ".join(f'"{n}"' for n in name) if not isinstance(name, str) else f'"{name}"'
             for name in names]
    if len(parts) == 1:
        text = f"{parts[0]} argument"
    elif len(parts) == 2:
        text = f"{parts[0]} and {parts[1]} arguments"
    else:
        text = ", ".join(parts[:-1]) + f", and {parts[-1]} arguments"
    return NodeTypeError(f"The {text} must be specified", "ERR_MISSING_ARGS")


def ERR_SOCKET_BAD_PORT(name: str, port: Any, allow_zero: bool = True) -> NodeRangeError:
    """``Port should be >= 0 and < 65536. Received type int (65536).``"""
    op = ">=" if allow_zero else ">"
    msg = f"{name} should be {op} 0 and < 65536. Received {describe_received(port)}."
    return NodeRangeError(msg, "ERR_SOCKET_BAD_PORT")


def state_error(code: str, message: str) -> NodeError:
    """A plain Node ``Error`` with a code (ERR_SERVER_NOT_RUNNING and friends)."""
    return NodeError(message, code)


# --------------------------------------------------------------------------------
# System error builders with Node's message formats.

def _details(address: Optional[str], port: Optional[int]) -> str:
    if port is not None and port > 0:
        return f" {address}:{port}"
    if address:
        return f" {address}"
    return ""


def system_error(err: int, syscall: str, original: Optional[str] = None) -> NodeSystemError:
    """Node's ``errnoException``: ``read ECONNRESET``."""
    code = errno_code(err)
    msg = f"{syscall} {code}" + (f" {original}" if original else "")
    return NodeSystemError(msg, errno=err, code=code, syscall=syscall)


def connect_error(
    err: int,
    address: Optional[str],
    port: Optional[int] = None,
    local: Optional[str] = None,
    syscall: str = "connect",
) -> NodeSystemError:
    """Node's ``exceptionWithHostPort``: ``connect ECONNREFUSED 127.0.0.1:8124``.

    ``local`` adds `` - Local (addr:port)`` as Node does for bound sockets.
    """
    code = errno_code(err)
    msg = f"{syscall} {code}{_details(address, port)}"
    if local:
        msg += f" - Local ({local})"
    return NodeSystemError(msg, errno=err, code=code, syscall=syscall, address=address,
                           port=port or None)


def listen_error(err: int, address: Optional[str], port: Optional[int] = None,
                 syscall: str = "listen") -> NodeSystemError:
    """Node's ``uvExceptionWithHostPort``: ``listen EADDRINUSE: address already in use :::80``."""
    code = errno_code(err)
    msg = f"{syscall} {code}: {uv_message(code)}{_details(address, port)}"
    # Node sets .port when it is truthy: -1 for a Unix path, absent for port 0
    return NodeSystemError(msg, errno=err, code=code, syscall=syscall, address=address,
                           port=port or None)


def dns_error(err: int, hostname: str, syscall: str = "getaddrinfo") -> NodeSystemError:
    """Node's ``dnsException``: ``getaddrinfo ENOTFOUND example.invalid``.

    ``errno`` is the getaddrinfo error number; no ``address``/``port`` (as Node).
    """
    code = eai_code(err)
    msg = f"{syscall} {code} {hostname}" if hostname else f"{syscall} {code}"
    return NodeSystemError(msg, errno=err, code=code, syscall=syscall, hostname=hostname)


# --------------------------------------------------------------------------------
# The codes net raises (messages from Node v20's lib/internal/errors.js).

def ERR_INVALID_IP_ADDRESS(ip: Any) -> NodeTypeError:
    """``Invalid IP address: x`` (a local address, or a lookup answer, that is no IP)."""
    return NodeTypeError(f"Invalid IP address: {js_string(ip)}", "ERR_INVALID_IP_ADDRESS")


def ERR_INVALID_ADDRESS_FAMILY(family: Any, host: Any, port: Any) -> NodeRangeError:
    """``Invalid address family: 100 localhost:0`` with ``.host`` and ``.port``."""
    err = NodeRangeError(
        f"Invalid address family: {js_string(family)} {js_string(host)}:{js_string(port)}",
        "ERR_INVALID_ADDRESS_FAMILY")
    err.host = host  # type: ignore[attr-defined]
    err.port = port  # type: ignore[attr-defined]
    return err


def ERR_INVALID_FD_TYPE(kind: str) -> NodeTypeError:
    """``Unsupported fd type: FILE``."""
    return NodeTypeError(f"Unsupported fd type: {kind}", "ERR_INVALID_FD_TYPE")


def ERR_INVALID_HANDLE_TYPE() -> NodeTypeError:
    """``This handle type cannot be sent`` (reset_and_destroy on a Unix socket)."""
    return NodeTypeError("This handle type cannot be sent", "ERR_INVALID_HANDLE_TYPE")


def ERR_IP_BLOCKED(ip: str) -> NodeError:
    """``IP(1.2.3.4) is blocked by net.BlockList``."""
    return NodeError(f"IP({ip}) is blocked by net.BlockList", "ERR_IP_BLOCKED")


def ERR_SOCKET_CLOSED() -> NodeError:
    """``Socket is closed`` (a write or reset with no connection)."""
    return NodeError("Socket is closed", "ERR_SOCKET_CLOSED")


def ERR_SOCKET_CLOSED_BEFORE_CONNECTION() -> NodeError:
    """A write queued while connecting, when the socket is destroyed first."""
    return NodeError("Socket closed before the connection was established",
                     "ERR_SOCKET_CLOSED_BEFORE_CONNECTION")


def ERR_SOCKET_CONNECTION_TIMEOUT() -> NodeError:
    """Happy Eyeballs ended without any recorded error."""
    return NodeError("Socket connection timeout", "ERR_SOCKET_CONNECTION_TIMEOUT")


def ERR_SOCKET_HANDLE_ADOPTED() -> NodeError:
    """A BoundSocket used after a server or socket adopted it (or after close())."""
    return state_error("ERR_SOCKET_HANDLE_ADOPTED",
                       "The bound socket has already been adopted by a server or socket")


def ERR_SERVER_ALREADY_LISTEN() -> NodeError:
    """``listen()`` on a server that is already listening."""
    return NodeError("Listen method has been called more than once without closing.",
                     "ERR_SERVER_ALREADY_LISTEN")


def ERR_SERVER_NOT_RUNNING() -> NodeError:
    """``close(cb)`` on a server that was not listening."""
    return NodeError("Server is not running.", "ERR_SERVER_NOT_RUNNING")


# Stream errors (Node: internal/streams).

def ERR_STREAM_DESTROYED(method: str) -> NodeError:
    """``Cannot call write after a stream was destroyed``."""
    return NodeError(f"Cannot call {method} after a stream was destroyed", "ERR_STREAM_DESTROYED")


def ERR_STREAM_WRITE_AFTER_END() -> NodeError:
    """``write after end``."""
    return NodeError("write after end", "ERR_STREAM_WRITE_AFTER_END")


def ERR_STREAM_ALREADY_FINISHED(method: str) -> NodeError:
    """``Cannot call end after a stream was finished``."""
    return NodeError(f"Cannot call {method} after a stream was finished",
                     "ERR_STREAM_ALREADY_FINISHED")


def ERR_MULTIPLE_CALLBACK() -> NodeError:
    """A ``_write``/``_final`` callback called twice."""
    return NodeError("Callback called multiple times", "ERR_MULTIPLE_CALLBACK")


def ERR_STREAM_PUSH_AFTER_EOF() -> NodeError:
    """``push()`` after ``push(None)``."""
    return NodeError("stream.push() after EOF", "ERR_STREAM_PUSH_AFTER_EOF")


def ERR_UNKNOWN_ENCODING(encoding: Any) -> NodeTypeError:
    """``Unknown encoding: x``."""
    return NodeTypeError(f"Unknown encoding: {encoding}", "ERR_UNKNOWN_ENCODING")


def ERR_STREAM_NULL_VALUES() -> NodeTypeError:
    """``May not write null values to stream`` (``write(None)``)."""
    return NodeTypeError("May not write null values to stream", "ERR_STREAM_NULL_VALUES")


def epipe_ended_by_peer() -> NodeError:
    """The plain ``Error`` with code EPIPE of a write after the peer's FIN."""
    return NodeError("This socket has been ended by the other party", "EPIPE")


