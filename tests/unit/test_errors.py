"""nodenet.errors: classes, codes and Node's exact messages.

Every expected message below was produced by Node v20 itself, from
``require('internal/errors')`` (run with ``--expose-internals``): the ``codes.*``
constructors, ``ErrnoException``, ``ExceptionWithHostPort``,
``UVExceptionWithHostPort`` and ``DNSException``. Values use Python type names
where Node's say ``type number`` (SPEC §2).
"""

from __future__ import annotations

import errno
import socket
from typing import Any, List

import pytest

from nodenet import errors as E
from nodenet.errors import (AggregateError, DOMException, NodeError, NodeRangeError,
                            NodeSystemError, NodeTypeError, UnhandledError)

# ------------------------------------------------------------------ classes


def test_domexception_fields() -> None:
    abort = DOMException("This operation was aborted", "AbortError")
    timeout = DOMException("The operation was aborted due to timeout", "TimeoutError")
    other = DOMException("x")
    assert (abort.code, timeout.code, other.code) == (20, 23, 0)
    assert other.name == "Error"
    assert str(timeout) == "The operation was aborted due to timeout"
    assert repr(timeout) == "DOMException('TimeoutError', 'The operation was aborted due to timeout')"


def test_node_error_repr_and_default_code() -> None:
    err = NodeError("boom")
    assert err.code == "ERR_UNKNOWN" and str(err) == "boom"
    assert repr(NodeError("m", "ERR_X")) == "NodeError('ERR_X', 'm')"
    assert isinstance(E.ERR_OUT_OF_RANGE("a", "x", 1), ValueError)
    assert isinstance(E.ERR_INVALID_ARG_VALUE("a", 1), TypeError)


def test_system_error_is_an_oserror() -> None:
    err = E.system_error(errno.ECONNRESET, "read")
    assert isinstance(err, OSError) and isinstance(err, NodeSystemError)
    assert err.errno == errno.ECONNRESET
    assert (err.code, err.syscall, err.address, err.port) == ("ECONNRESET", "read", None, None)
    assert repr(err) == "NodeSystemError('ECONNRESET', 'read ECONNRESET')"


def test_unhandled_error_message() -> None:
    # node: ee.emit('error', 42) -> 'Unhandled error. (42)'
    err = UnhandledError(42)
    assert (err.code, str(err), err.context) == ("ERR_UNHANDLED_ERROR", "Unhandled error. (42)", 42)


def test_aggregate_error_code_comes_from_the_first() -> None:
    first = E.connect_error(errno.ECONNREFUSED, "127.0.0.1", 1)
    second = E.connect_error(errno.ETIMEDOUT, "::1", 1)
    agg = AggregateError(iter([first, second]))
    assert agg.errors == [first, second]
    assert agg.code == "ECONNREFUSED" and str(agg) == ""
    assert AggregateError([]).code == "ERR_AGGREGATE"
    assert AggregateError([ValueError("no code")]).code == "ERR_AGGREGATE"


def test_abort_error_cause() -> None:
    reason = ValueError("r")
    err = E.AbortError(cause=reason)
    assert (err.code, str(err), err.cause) == ("ABORT_ERR", "The operation was aborted", reason)
    assert err.__cause__ is reason
    plain = E.AbortError(cause="why")
    assert plain.cause == "why" and plain.__cause__ is None


# ------------------------------------------------------------------ errno codes


def test_errno_code() -> None:
    # node: util.getSystemErrorName(-95) === 'ENOTSUP', (-11) === 'EAGAIN'
    assert E.errno_code(errno.ECONNREFUSED) == "ECONNREFUSED"
    assert E.errno_code(errno.EWOULDBLOCK) == "EAGAIN"
    assert E.errno_code(errno.EOPNOTSUPP) == "ENOTSUP"
    assert E.errno_code(99999) == "UNKNOWN"
    # a Python name libuv has no entry for stays as Python spells it
    assert E.errno_code(errno.EDEADLK) == errno.errorcode[errno.EDEADLK]
    assert E.uv_message("EADDRINUSE") == "address already in use"
    assert E.uv_message("ENOPE") == "unknown error"


def test_eai_codes() -> None:
    assert E.eai_code(socket.EAI_NONAME) == "ENOTFOUND"
    assert E.eai_code(socket.EAI_AGAIN) == "EAI_AGAIN"
    assert E.eai_code(123456) == "UNKNOWN"


# ------------------------------------------------------------------ system error formats


def test_system_error_messages_match_node() -> None:
    # node: new ErrnoException(-104, 'read') / (-104, 'read', 'extra')
    assert str(E.system_error(errno.ECONNRESET, "read")) == "read ECONNRESET"
    assert str(E.system_error(errno.ECONNRESET, "read", "extra")) == "read ECONNRESET extra"


def test_connect_error_messages_match_node() -> None:
    # node: new ExceptionWithHostPort(-111, 'connect', '127.0.0.1', 8124, '0.0.0.0:5000')
    err = E.connect_error(errno.ECONNREFUSED, "127.0.0.1", 8124, "0.0.0.0:5000")
    assert str(err) == "connect ECONNREFUSED 127.0.0.1:8124 - Local (0.0.0.0:5000)"
    assert (err.address, err.port) == ("127.0.0.1", 8124)
    # port 0 is left out of the message and of .port
    zero = E.connect_error(errno.ECONNREFUSED, "127.0.0.1", 0)
    assert str(zero) == "connect ECONNREFUSED 127.0.0.1" and zero.port is None
    bind = E.connect_error(errno.EADDRINUSE, "0.0.0.0", 5, syscall="bind")
    assert str(bind) == "bind EADDRINUSE 0.0.0.0:5" and bind.syscall == "bind"
    assert str(E.connect_error(errno.EADDRNOTAVAIL, None)) == "connect EADDRNOTAVAIL"


def test_listen_error_messages_match_node() -> None:
    # node: new UVExceptionWithHostPort(-98, 'listen', '::', 80) and friends
    assert str(E.listen_error(errno.EADDRINUSE, "::", 80)) == \
        "listen EADDRINUSE: address already in use :::80"
    pipe = E.listen_error(errno.EADDRINUSE, "/tmp/x", -1)
    assert str(pipe) == "listen EADDRINUSE: address already in use /tmp/x"
    assert pipe.port == -1
    bare = E.listen_error(errno.EINVAL, None)
    assert str(bare) == "listen EINVAL: invalid argument"
    assert (bare.port, bare.address) == (None, None)


def test_dns_error_messages_match_node() -> None:
    # node: new DNSException('ENOTFOUND', 'getaddrinfo', 'x.invalid'); without a hostname
    err = E.dns_error(socket.EAI_NONAME, "x.invalid")
    assert (str(err), err.code, err.hostname) == ("getaddrinfo ENOTFOUND x.invalid",
                                                  "ENOTFOUND", "x.invalid")
    assert str(E.dns_error(socket.EAI_AGAIN, "")) == "getaddrinfo EAI_AGAIN"


# ------------------------------------------------------------------ argument errors


@pytest.mark.parametrize("expected, text", [
    (["string", "Buffer", "null", "an integer"],
     "of type string or an instance of Buffer or one of null or an integer"),
    (["string", "Buffer", "null"], "of type string or an instance of Buffer or null"),
    (["object", "Buffer"], "an instance of Buffer or Object"),
    (["object", "string", "Buffer"], "of type string or an instance of Buffer or Object"),
    (["Buffer", "null", "an integer"], "an instance of Buffer or one of null or an integer"),
    (["string", "an integer"], "of type string or an integer"),
    (["number", "string"], "one of type number or string"),
    (["integer", "object"], "of type object or integer"),
    (["string", "string[]"], "of type string or string[]"),
    (["Buffer", "TypedArray", "DataView"], "an instance of Buffer, TypedArray, or DataView"),
    (["function", "AbortSignal", "x", "y", "z"],
     "of type function or an instance of AbortSignal or one of x, y, or z"),
    (["Foo-Bar"], "an Foo-Bar"),
    ("net.BlockList", "an net.BlockList"),
])
def test_invalid_arg_type_expected_lists(expected: Any, text: str) -> None:
    # node: new codes.ERR_INVALID_ARG_TYPE('a', expected, 1).message
    err = E.ERR_INVALID_ARG_TYPE("a", expected, 1)
    assert str(err) == f'The "a" argument must be {text}. Received type int (1)'
    assert err.code == "ERR_INVALID_ARG_TYPE"


def _named() -> None:
    pass


@pytest.mark.parametrize("name, actual, text", [
    ("first argument", 1, "The first argument must be of type string. Received type int (1)"),
    ("a.b", None, 'The "a.b" property must be of type string. Received None'),
    ("a", _named, 'The "a" argument must be of type string. Received function _named'),
    ("a", {}, 'The "a" argument must be of type string. Received an instance of dict'),
    ("a", "x" * 28, f"The \"a\" argument must be of type string. Received type str ('{'x' * 28}')"),
    ("a", "x" * 29, f"The \"a\" argument must be of type string. Received type str ('{'x' * 25}'...)"),
])
def test_invalid_arg_type_names_and_received(name: str, actual: Any, text: str) -> None:
    # node: 'first argument' is used as is; dotted names are properties;
    # strings longer than 28 characters are cut to 25 and '...'
    assert str(E.ERR_INVALID_ARG_TYPE(name, "string", actual)) == text


def test_invalid_arg_value() -> None:
    # node: ERR_INVALID_ARG_VALUE('a', 5, 'must be good'); inspected text cut at 128
    assert str(E.ERR_INVALID_ARG_VALUE("a", 5, "must be good")) == \
        "The argument 'a' must be good. Received 5"
    long = str(E.ERR_INVALID_ARG_VALUE("a.b", "x" * 200))
    assert long == "The property 'a.b' is invalid. Received '" + "x" * 127 + "..."


@pytest.mark.parametrize("received, shown", [
    (2**32, "4294967296"),
    (2**32 + 1, "4_294_967_297"),
    (-(2**40), "-1_099_511_627_776"),
    ("str", "'str'"),
    (1.5, "1.5"),
])
def test_out_of_range_received(received: Any, shown: str) -> None:
    # node: integers beyond 2**32 get numeric separators
    assert str(E.ERR_OUT_OF_RANGE("a", "x", received)) == \
        f'The value of "a" is out of range. It must be x. Received {shown}'


@pytest.mark.parametrize("names, text", [
    (("a",), 'The "a" argument must be specified'),
    (("a", "b"), 'The "a" and "b" arguments must be specified'),
    (("a", "b", "c"), 'The "a", "b", and "c" arguments must be specified'),
    ((["a", "b"], "c"), 'The "a" or "b" and "c" arguments must be specified'),
])
def test_missing_args(names: Any, text: str) -> None:
    err = E.ERR_MISSING_ARGS(*names)
    assert (str(err), err.code) == (text, "ERR_MISSING_ARGS")


def test_bad_port() -> None:
    assert str(E.ERR_SOCKET_BAD_PORT("Port", 0, False)) == \
        "Port should be > 0 and < 65536. Received type int (0)."
    assert str(E.ERR_SOCKET_BAD_PORT("options.port", 65536)) == \
        "options.port should be >= 0 and < 65536. Received type int (65536)."


def test_state_error() -> None:
    err = E.state_error("ERR_X", "msg")
    assert type(err) is NodeError and (err.code, str(err)) == ("ERR_X", "msg")


@pytest.mark.parametrize("factory, args, code, message, cls", [
    (E.ERR_INVALID_FD_TYPE, ("UDP",), "ERR_INVALID_FD_TYPE", "Unsupported fd type: UDP",
     NodeTypeError),
    (E.ERR_SOCKET_CONNECTION_TIMEOUT, (), "ERR_SOCKET_CONNECTION_TIMEOUT",
     "Socket connection timeout", NodeError),
    (E.ERR_MULTIPLE_CALLBACK, (), "ERR_MULTIPLE_CALLBACK", "Callback called multiple times",
     NodeError),
    (E.ERR_STREAM_PUSH_AFTER_EOF, (), "ERR_STREAM_PUSH_AFTER_EOF", "stream.push() after EOF",
     NodeError),
    (E.ERR_UNKNOWN_ENCODING, ("foo",), "ERR_UNKNOWN_ENCODING", "Unknown encoding: foo",
     NodeTypeError),
    (E.ERR_STREAM_NULL_VALUES, (), "ERR_STREAM_NULL_VALUES",
     "May not write null values to stream", NodeTypeError),
    (E.ERR_STREAM_DESTROYED, ("write",), "ERR_STREAM_DESTROYED",
     "Cannot call write after a stream was destroyed", NodeError),
    (E.ERR_STREAM_ALREADY_FINISHED, ("end",), "ERR_STREAM_ALREADY_FINISHED",
     "Cannot call end after a stream was finished", NodeError),
    (E.ERR_STREAM_WRITE_AFTER_END, (), "ERR_STREAM_WRITE_AFTER_END", "write after end",
     NodeError),
    (E.ERR_SERVER_NOT_RUNNING, (), "ERR_SERVER_NOT_RUNNING", "Server is not running.",
     NodeError),
    (E.ERR_SERVER_ALREADY_LISTEN, (), "ERR_SERVER_ALREADY_LISTEN",
     "Listen method has been called more than once without closing.", NodeError),
    (E.ERR_SOCKET_CLOSED, (), "ERR_SOCKET_CLOSED", "Socket is closed", NodeError),
    (E.ERR_SOCKET_CLOSED_BEFORE_CONNECTION, (), "ERR_SOCKET_CLOSED_BEFORE_CONNECTION",
     "Socket closed before the connection was established", NodeError),
    (E.ERR_INVALID_HANDLE_TYPE, (), "ERR_INVALID_HANDLE_TYPE",
     "This handle type cannot be sent", NodeTypeError),
    (E.ERR_INVALID_IP_ADDRESS, ("x",), "ERR_INVALID_IP_ADDRESS", "Invalid IP address: x",
     NodeTypeError),
    (E.ERR_INVALID_IP_ADDRESS, (None,), "ERR_INVALID_IP_ADDRESS",
     "Invalid IP address: undefined", NodeTypeError),
    (E.ERR_IP_BLOCKED, ("1.2.3.4",), "ERR_IP_BLOCKED", "IP(1.2.3.4) is blocked by net.BlockList",
     NodeError),
    (E.epipe_ended_by_peer, (), "EPIPE", "This socket has been ended by the other party",
     NodeError),
])
def test_coded_errors(factory: Any, args: Any, code: str, message: str, cls: type) -> None:
    # node v20: new codes[code](...args).message (ERR_IP_BLOCKED: Node >= 22's text)
    err = factory(*args)
    assert type(err) is cls
    assert (err.code, str(err)) == (code, message)


@pytest.mark.parametrize("family, text", [
    (6, "6"), (None, "undefined"), (True, "true"), (False, "false"), (4.5, "4.5"),
    (4.0, "4"), ("x", "x"),
])
def test_invalid_address_family_shows_values_as_javascript(family: Any, text: str) -> None:
    # node: new codes.ERR_INVALID_ADDRESS_FAMILY(family, 'h', 1); a lookup answering
    # family true/undefined/4.5 gives 'Invalid address family: true foo:80' etc.
    err = E.ERR_INVALID_ADDRESS_FAMILY(family, "h", 1)
    assert isinstance(err, NodeRangeError)
    assert str(err) == f"Invalid address family: {text} h:1"
    assert (err.host, err.port) == ("h", 1)  # type: ignore[attr-defined]


def test_all_names_are_exported() -> None:
    missing: List[str] = [name for name in E.__all__ if not hasattr(E, name)]
    assert missing == []


def test_aggregate_error_says_what_every_attempt_did() -> None:
    """Node's AggregateError has an empty message; nodenet's keeps it but its
    notes (printed with the traceback) and repr list each attempt."""
    from nodenet.errors import AggregateError, connect_error
    import errno as _errno
    err = AggregateError([connect_error(_errno.ECONNREFUSED, "::1", 80),
                          connect_error(_errno.ETIMEDOUT, "127.0.0.1", 80)])
    assert str(err) == "" and err.code == "ECONNREFUSED"
    notes = "\n".join(getattr(err, "__notes__", []))
    assert "[::1]:80: connect ECONNREFUSED ::1:80" in notes
    assert "127.0.0.1:80: connect ETIMEDOUT 127.0.0.1:80" in notes
    assert "ECONNREFUSED" in repr(err) and "ETIMEDOUT" in repr(err)


def test_unhandled_error_names_the_emitter_once() -> None:
    from nodenet.events import EventEmitter
    e = EventEmitter()
    err = RuntimeError("boom")
    for _ in range(2):
        try:
            e.emit("error", err)
        except RuntimeError:
            pass
    notes = getattr(err, "__notes__", [])
    assert len(notes) == 1 and "Emitted 'error' event on <EventEmitter>" in notes[0]
