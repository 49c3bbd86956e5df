"""The bad-input table: every public function, method and option of nodenet, fed bad values.

Each row is an operation of ``runner.js`` (Node) and ``badinput_ops.py`` (nodenet),
its arguments, and an id that is the call as JavaScript would write it. Node's
outcome for every row is recorded by ``tools/record_bad_input.py`` into
``node26_outcomes.json``; ``test_bad_input_table.py`` replays the rows in nodenet.

How Python values stand for JavaScript ones (``encode``; ``runner.js`` and
``badinput_ops.py`` decode): ``None`` as an argument is ``undefined`` and as a dict
value ``null``; ``int`` and ``float`` are numbers (an int beyond the double range
is +-Infinity, as ``Number(10n ** 400n)``); ``bytes`` is a Buffer; a list an array;
a dict a plain object; ``object()`` an instance of an empty class; a function a
function. JavaScript has no value for a dict key present with ``undefined``, and
Python none for a positional ``null``: those rows are not in the table.

Node 26's newer API is in too: ``BoundSocket`` (its options, its methods in
every state, and adoption by a server or a socket), the BlockList methods of
v26.8 (each row also records the list's ``size`` and ``rules`` afterwards, so a
call that fails half-way shows), ``set_keep_alive``'s 4-argument and options
forms, ``type_of_service`` and ``set/get_type_of_service``, the stream default
high-water marks and ``events.add_abort_listener`` / ``get_max_listeners``.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple


class _Tag:
    """A JavaScript value with no plain Python counterpart in the table."""

    def __init__(self, tag: str, **fields: Any) -> None:
        self.tag = tag
        self.fields = fields

    def __repr__(self) -> str:
        return self.tag


UNDEF = _Tag("undef")            # an argument left undefined (Python: None)
OBJ = _Tag("object")             # new (class Thing {})() / Thing()
FN = _Tag("fn")                  # function noop() {} / lambda *a: None
PORT = _Tag("port")              # the harness server's port (a number)
SIGNAL = _Tag("signal", aborted=False)
ABORTED = _Tag("signal", aborted=True)
BLOCKLIST = _Tag("blocklist")
SOCKADDR = _Tag("sockaddr")
EE = _Tag("ee")
ABSTRACT = _Tag("abstract")      # a Linux abstract socket name unique to the process
BOUND = _Tag("bound")            # new net.BoundSocket({host: '127.0.0.1'}), port 0
BOUND_CLOSED = _Tag("bound", closed=True)   # the same, closed: an adopted handle


def encode(value: Any) -> Any:
    """A Python value of the table as JSON both runners decode (see runner.js)."""
    if isinstance(value, _Tag):
        return {"$": value.tag, **value.fields}
    if value is None:
        return {"$": "null"}
    if isinstance(value, bool) or isinstance(value, str):
        return value
    if isinstance(value, int):
        return {"$": "int", "v": str(value)}
    if isinstance(value, float):
        if math.isnan(value):
            text = "nan"
        elif math.isinf(value):
            text = "inf" if value > 0 else "-inf"
        elif value == 0 and math.copysign(1, value) < 0:
            text = "-0"
        else:
            text = repr(value)
        return {"$": "float", "v": text}
    if isinstance(value, bytes):
        return {"$": "bytes", "hex": value.hex()}
    if isinstance(value, list):
        return {"$": "list", "v": [encode(v) for v in value]}
    if isinstance(value, dict):
        return {"$": "dict", "v": {k: encode(v) for k, v in value.items()}}
    raise TypeError(f"no encoding for {value!r}")


# The bad values every position is fed (label, value). In a dict, undefined
# becomes null (None): a present key with an undefined value has no Python form.
BAD: List[Tuple[str, Any]] = [
    ("undefined", UNDEF), ("true", True), ("false", False), ("0", 0), ("-1", -1),
    ("1.5", 1.5), ("2**31", 2**31), ("2**64", 2**64), ("10**400", 10**400),
    ("-10**400", -10**400), ("nan", math.nan), ("inf", math.inf), ("-0.0", -0.0),
    ("''", ""), ("'x'", "x"), ("'0'", "0"), ("'a\\0b'", "a\0b"), ("'\\ud800'", "\ud800"),
    ("b'x'", b"x"), ("[]", []), ("[1]", [1]), ("{}", {}), ("object()", OBJ), ("fn", FN),
]


def values(exclude: Iterable[str] = (), in_dict: bool = False,
           replace: Optional[Dict[str, Tuple[str, Any]]] = None) -> List[Tuple[str, Any]]:
    """The bad values, minus ``exclude``; ``replace`` swaps a value for a safer one
    (a host name that needs no DNS server, say)."""
    out = []
    for label, value in BAD:
        if label in exclude:
            continue
        if replace and label in replace:
            label, value = replace[label]
        if in_dict and value is UNDEF:
            label, value = "None", None
        out.append((label, value))
    return out


# Integers that name real file descriptors differ between processes: never used as fds.
FD_UNSAFE = ("0", "-0.0", "false", "''", "'0'", "[]", "true", "[1]")
# A host name that fails without waiting on a DNS server (RFC 6761's .invalid).
HOSTS = {"'x'": ("'nodenet.invalid'", "nodenet.invalid")}


class Table:
    """The rows, built one position at a time."""

    def __init__(self) -> None:
        self.rows: List[Dict[str, Any]] = []

    def add(self, op: str, template: str, build: Any, vals: Sequence[Tuple[str, Any]],
            **extra: Any) -> None:
        """One row per value: ``template`` with ``@`` replaced by the value's label is
        the row's id (the call as JavaScript would write it, ``cb`` a fixed
        callback); ``build(v)`` gives its arguments."""
        for label, value in vals:
            row = {"id": template.replace("@", label), "op": op,
                   "args": [encode(a) for a in build(value)]}
            row.update(extra)
            self.rows.append(row)


def build_table() -> List[Dict[str, Any]]:
    t = Table()
    d = dict(in_dict=True)

    # ---- net.createServer and its options
    t.add("net.createServer", "net.createServer(@)", lambda v: [v], values())
    for opt in ("allowHalfOpen", "pauseOnConnect", "noDelay", "keepAlive",
                "keepAliveInitialDelay", "highWaterMark", "blockList"):
        t.add("net.createServer", f"net.createServer({{{opt}: @}})",
              lambda v, o=opt: [{o: v}], values(**d))
    for opt in ("allowHalfOpen", "pauseOnConnect", "noDelay", "keepAlive",
                "highWaterMark"):
        t.add("server.serve", f"serve(net.createServer({{{opt}: @}}))",
              lambda v, o=opt: [{o: v}], values(**d))
    t.add("server.serve", "serve(net.createServer({keepAlive: true, keepAliveInitialDelay: @}))",
          lambda v: [{"keepAlive": True, "keepAliveInitialDelay": v}], values(**d))

    # ---- server.listen in all its forms
    t.add("server.listen", "server.listen(@)", lambda v: [v], values(exclude=FD_UNSAFE[:1]))
    t.add("server.listen", "server.listen(@, cb)", lambda v: [v, FN],
          values(exclude=("fn",)))
    t.add("server.listen", "server.listen(0, @)", lambda v: [0, v],
          values(exclude=("'x'",)))
    t.add("server.listen", "server.listen(0, '127.0.0.1', @)",
          lambda v: [0, "127.0.0.1", v], values())
    t.add("server.listen", "server.listen(0, '127.0.0.1', @, cb)",
          lambda v: [0, "127.0.0.1", v, FN], values())
    t.add("server.listen", "server.listen('s.sock', @)", lambda v: ["s.sock", v], values())
    t.add("server.listen", "server.listen({port: @})", lambda v: [{"port": v}], values(**d))
    t.add("server.listen", "server.listen({port: 0, host: @})",
          lambda v: [{"port": 0, "host": v}], values(replace=HOSTS, **d))
    for opt in ("backlog", "exclusive", "ipv6Only", "reusePort", "signal"):
        t.add("server.listen", f"server.listen({{port: 0, host: '127.0.0.1', {opt}: @}})",
              lambda v, o=opt: [{"port": 0, "host": "127.0.0.1", o: v}], values(**d))
    t.add("server.listen", "server.listen({path: @})", lambda v: [{"path": v}], values(**d))
    for opt in ("readableAll", "writableAll", "backlog"):
        t.add("server.listen", f"server.listen({{path: 's.sock', {opt}: @}})",
              lambda v, o=opt: [{"path": "s.sock", o: v}], values(**d))
    for opt in ("readableAll", "writableAll"):       # an abstract name ('\0...', per process)
        t.add("server.listen", f"server.listen({{path: abstract, {opt}: @}})",
              lambda v, o=opt: [{"path": ABSTRACT, o: v}], values(**d))
    t.add("server.listen", "server.listen({fd: @})", lambda v: [{"fd": v}],
          values(exclude=FD_UNSAFE, **d))
    t.add("server.listen", "server.listen({handle: @})", lambda v: [{"handle": v}],
          values(exclude=FD_UNSAFE, **d))
    t.add("server.listen", "server.listen({port: 0, host: '127.0.0.1', handle: @})",
          lambda v: [{"port": 0, "host": "127.0.0.1", "handle": v}],
          values(exclude=FD_UNSAFE, **d))

    # ---- other Server methods and properties
    for method in ("close", "getConnections"):
        t.add("server.method", f"server.{method}(@)", lambda v: [v], values(), method=method)
    t.add("server.maxConnections", "server.maxConnections = @", lambda v: [v], values())

    # ---- net.Socket and its options
    t.add("net.Socket", "new net.Socket(@)", lambda v: [v], values(exclude=FD_UNSAFE))
    for opt in ("allowHalfOpen", "readable", "writable", "signal", "onread", "blockList",
                "noDelay", "keepAlive", "keepAliveInitialDelay", "highWaterMark",
                "readableHighWaterMark", "writableHighWaterMark", "objectMode",
                "readableObjectMode", "writableObjectMode"):
        t.add("net.Socket", f"new net.Socket({{{opt}: @}})", lambda v, o=opt: [{o: v}],
              values(**d))
    t.add("net.Socket", "new net.Socket({fd: @})", lambda v: [{"fd": v}],
          values(exclude=FD_UNSAFE, **d))
    t.add("net.Socket", "new net.Socket({onread: {buffer: @, callback: cb}})",
          lambda v: [{"onread": {"buffer": v, "callback": FN}}], values(**d))

    # ---- connect / createConnection / socket.connect
    no_dns = values(replace=HOSTS)
    t.add("net.connect", "net.connect(@)", lambda v: [v], values(exclude=("'x'",)))
    t.add("net.connect", "net.createConnection(@)", lambda v: [v], values(exclude=("'x'",)),
          form="net.createConnection")
    t.add("net.connect", "new net.Socket().connect(@)", lambda v: [v],
          values(exclude=("'x'",)), form="socket.connect")
    t.add("net.connect", "net.connect(port, @)", lambda v: [PORT, v], no_dns)
    t.add("net.connect", "net.connect(port, '127.0.0.1', @)", lambda v: [PORT, "127.0.0.1", v],
          values())
    t.add("net.connect", "net.connect({port: @})", lambda v: [{"port": v}], values(**d))
    t.add("net.connect", "net.connect({port, host: @})", lambda v: [{"port": PORT, "host": v}],
          values(replace=HOSTS, **d))
    t.add("net.connect", "net.connect({path: @})", lambda v: [{"path": v}], values(**d))
    t.add("net.connect", "net.connect({port, host: '127.0.0.1', localAddress: @})",
          lambda v: [{"port": PORT, "host": "127.0.0.1", "localAddress": v}], values(**d))
    # -1 and 1.5 bind ports 65535 and 1: whether that works depends on the machine
    t.add("net.connect", "net.connect({port, host: '127.0.0.1', localPort: @})",
          lambda v: [{"port": PORT, "host": "127.0.0.1", "localPort": v}],
          values(exclude=("-1", "1.5", "true", "[1]"), **d))
    for opt in ("family", "hints", "autoSelectFamily", "autoSelectFamilyAttemptTimeout"):
        t.add("net.connect", f"net.connect({{port, host: 'localhost', {opt}: @}})",
              lambda v, o=opt: [{"port": PORT, "host": "localhost", o: v}], values(**d))
    t.add("net.connect", "net.connect({port, host: 'localhost', lookup: @})",
          lambda v: [{"port": PORT, "host": "localhost", "lookup": v}],
          values(exclude=("fn",), **d))
    for opt in ("noDelay", "keepAlive", "keepAliveInitialDelay", "timeout", "signal",
                "blockList", "onread", "allowHalfOpen"):
        t.add("net.connect", f"net.connect({{port, host: '127.0.0.1', {opt}: @}})",
              lambda v, o=opt: [{"port": PORT, "host": "127.0.0.1", o: v}], values(**d))

    # ---- methods of a connected socket
    methods: List[Tuple[str, str, Any]] = [
        ("write", "write(@)", lambda v: [v]),
        ("write", "write('x', @)", lambda v: ["x", v]),
        ("write", "write('x', 'utf8', @)", lambda v: ["x", "utf8", v]),
        ("end", "end(@)", lambda v: [v]),
        ("end", "end('x', @)", lambda v: ["x", v]),
        ("end", "end('x', 'utf8', @)", lambda v: ["x", "utf8", v]),
        ("setTimeout", "setTimeout(@)", lambda v: [v]),
        ("setTimeout", "setTimeout(1000, @)", lambda v: [1000, v]),
        ("setTimeout", "setTimeout(0, @)", lambda v: [0, v]),
        ("setKeepAlive", "setKeepAlive(true, @)", lambda v: [True, v]),
        ("setKeepAlive", "setKeepAlive(@)", lambda v: [v]),
        ("setNoDelay", "setNoDelay(@)", lambda v: [v]),
        ("setEncoding", "setEncoding(@)", lambda v: [v]),
        ("setDefaultEncoding", "setDefaultEncoding(@)", lambda v: [v]),
        ("read", "read(@)", lambda v: [v]),
        ("destroy", "destroy(@)", lambda v: [v]),
        ("pipe", "pipe(@)", lambda v: [v]),
        ("unpipe", "unpipe(@)", lambda v: [v]),
    ]
    for method, call, build in methods:
        # setKeepAlive({...}) is Node 26's options form, built elsewhere: left out for now
        skip = ("{}", "object()") if call == "setKeepAlive(@)" else ()
        t.add("socket.method", f"socket.{call}", build, values(exclude=skip), method=method)
    for method, call, build in methods[:1] + methods[3:4] + methods[6:7] + methods[9:13]:
        t.add("fresh.method", f"new net.Socket().{call}", build, values(), method=method)

    # ---- dns.lookup
    ip = "127.0.0.1"
    t.add("dns.lookup", "dns.lookup(@, cb)", lambda v: [v, FN], values(replace=HOSTS))
    t.add("dns.lookup", f"dns.lookup('{ip}', @, cb)", lambda v: [ip, v, FN], values())
    t.add("dns.lookup", f"dns.lookup('{ip}', @)", lambda v: [ip, v], values())
    t.add("dns.lookup", f"dns.lookup('{ip}', {{}}, @)", lambda v: [ip, {}, v], values())
    for opt in ("family", "hints", "all", "verbatim", "order"):
        t.add("dns.lookup", f"dns.lookup('{ip}', {{{opt}: @}}, cb)",
              lambda v, o=opt: [ip, {o: v}, FN], values(**d))

    # ---- addresses: isIP, SocketAddress, BlockList
    # JavaScript tests the string form of what it is given: ['::1'] is an IPv6 address
    as_text = [("['127.0.0.1']", ["127.0.0.1"]), ("['::1']", ["::1"]),
               ("b'127.0.0.1'", b"127.0.0.1"), ("[[1, 2]]", [[1, 2]])]
    for fn in ("net.isIP", "net.isIPv4", "net.isIPv6", "SocketAddress.parse"):
        t.add("call", f"{fn}(@)", lambda v: [v], values() + as_text, fn=fn)
    # a positional string is the address in nodenet (a documented difference)
    t.add("call", "new net.SocketAddress(@)", lambda v: [v], values(), fn="net.SocketAddress")
    for opt in ("address", "family", "port", "flowlabel"):
        t.add("call", f"new net.SocketAddress({{{opt}: @}})", lambda v, o=opt: [{o: v}],
              values(**d), fn="net.SocketAddress")
    for fn, forms in (
            ("addAddress", [("@", lambda v: [v]), ("'1.2.3.4', @", lambda v: ["1.2.3.4", v])]),
            ("addRange", [("@, '1.2.3.5'", lambda v: [v, "1.2.3.5"]),
                          ("'1.2.3.4', @", lambda v: ["1.2.3.4", v]),
                          ("'1.2.3.4', '1.2.3.5', @", lambda v: ["1.2.3.4", "1.2.3.5", v])]),
            ("addSubnet", [("@, 8", lambda v: [v, 8]), ("'1.2.3.4', @", lambda v: ["1.2.3.4", v]),
                           ("'1.2.3.4', 8, @", lambda v: ["1.2.3.4", 8, v])]),
            ("check", [("@", lambda v: [v]), ("'1.2.3.4', @", lambda v: ["1.2.3.4", v])]),
            ("fromJSON", [("@", lambda v: [v])])):
        for args, build in forms:
            t.add("call", f"blockList.{fn}({args})", build, values(), fn=f"BlockList.{fn}")

    # ---- process-wide defaults
    for fn in ("net.setDefaultAutoSelectFamily", "net.setDefaultAutoSelectFamilyAttemptTimeout",
               "dns.setDefaultResultOrder", "events.setMaxListeners"):
        t.add("call", f"{fn}(@)", lambda v: [v], values(), fn=fn)

    # ---- timers
    for fn in ("setTimeout", "setInterval", "setImmediate", "nextTick"):
        t.add("timer", f"{fn}(@)", lambda v: [v], values(exclude=("fn",)), fn=fn)
    for fn in ("setTimeout", "setInterval"):
        # NaN and negative delays warn once per process: each row in a fresh one
        t.add("timer", f"{fn}(cb, @)", lambda v: [FN, v], values(), fn=fn, fresh=True)
    for fn in ("clearTimeout", "clearInterval", "clearImmediate"):
        t.add("call", f"{fn}(@)", lambda v: [v], values(), fn=fn)

    # ---- EventEmitter and node:events
    for method in ("on", "once", "prependListener", "prependOnceListener", "off"):
        t.add("ee.method", f"ee.{method}(@, cb)", lambda v: [v, FN], values(), method=method,
              ret=True)
        t.add("ee.method", f"ee.{method}('x', @)", lambda v: ["x", v], values(),
              method=method, ret=True)
    for method in ("removeAllListeners", "emit", "listeners", "rawListeners", "listenerCount",
                   "setMaxListeners"):
        t.add("ee.method", f"ee.{method}(@)", lambda v: [v], values(), method=method, ret=True)
    t.add("ee.method", "ee.emit('error', @)", lambda v: ["error", v], values(), method="emit",
          ret=True)
    t.add("ee.method", "ee.listenerCount('x', @)", lambda v: ["x", v], values(),
          method="listenerCount", ret=True)
    t.add("call", "new EventEmitter(@)", lambda v: [v], values(), fn="new EventEmitter")
    t.add("call", "new EventEmitter({captureRejections: @})",
          lambda v: [{"captureRejections": v}], values(**d), fn="new EventEmitter")
    t.add("call", "events.getEventListeners(@, 'x')", lambda v: [v, "x"], values(),
          fn="events.getEventListeners")
    t.add("call", "events.getEventListeners(ee, @)", lambda v: [EE, v],
          values(exclude=("[]", "[1]", "{}")), fn="events.getEventListeners")
    t.add("events.once", "events.once(@, 'x')", lambda v: [v, "x"], values())
    t.add("events.once", "events.once(ee, @)", lambda v: [EE, v], values())
    # signal=None is "no signal" in Python (JavaScript's null is an error there)
    t.add("events.once", "events.once(ee, 'x', {signal: @})",
          lambda v: [EE, "x", {"signal": v}], values(exclude=("undefined",), **d))

    # ---- AbortController / AbortSignal
    for fn in ("AbortController.abort", "AbortSignal.abort", "AbortSignal.timeout",
               "AbortSignal.any"):
        t.add("call", f"{fn}(@)", lambda v: [v], values(), fn=fn)
    t.add("call", "AbortSignal.any([@])", lambda v: [[v]], values(), fn="AbortSignal.any")
    # nodenet's AbortSignal is an EventEmitter: its listeners are functions
    t.add("call", "signal.addEventListener('abort', @)", lambda v: ["abort", v],
          values(exclude=("undefined",)), fn="signal.addEventListener")

    _node26_rows(t)

    ids = [r["id"] for r in t.rows]
    dups = sorted({i for i in ids if ids.count(i) > 1})
    assert not dups, f"row ids must be unique: {dups[:5]}"
    return t.rows


# CIDR strings beyond the plain bad values: a prefix that is out of range, not a
# plain integer, or missing; a bad address before a good prefix.
CIDRS = [("'1.2.3.4/33'", "1.2.3.4/33"), ("'::1/129'", "::1/129"), ("'1.2.3.4/'", "1.2.3.4/"),
         ("'/8'", "/8"), ("'1.2.3.4/08'", "1.2.3.4/08"), ("'1.2.3.4/-0'", "1.2.3.4/-0"),
         ("'1.2.3.4/-1'", "1.2.3.4/-1"), ("'1.2.3.4/8.0'", "1.2.3.4/8.0"),
         ("'1.2.3.4/ 8'", "1.2.3.4/ 8"), ("'1.2.3.4/8/8'", "1.2.3.4/8/8"),
         ("'1.2.3.4'", "1.2.3.4"), ("'x/8'", "x/8"), ("'::ffff:1.2.3.4/104'", "::ffff:1.2.3.4/104"),
         ("'10.0.0.0/8'", "10.0.0.0/8")]
# A BoundSocket's host beyond the plain bad values: not an address of this
# machine, an IPv6 address with a scope, a name (no DNS in BoundSocket).
BOUND_HOSTS = [("'1.2.3.4'", "1.2.3.4"), ("'127.0.0.1'", "127.0.0.1"),
               ("'localhost'", "localhost"), ("'0.0.0.0'", "0.0.0.0")]


def _node26_rows(t: Table) -> None:
    """Rows for the API Node 26 added (see the module docstring)."""
    d = dict(in_dict=True)

    # ---- net.BoundSocket: the constructor. Every row binds 127.0.0.1 (or a path in
    # the row's directory) with port 0 unless the value under test says otherwise,
    # and closes what it bound; the outcome records what address() gave.
    t.add("BoundSocket", "new net.BoundSocket(@)", lambda v: [v], values())
    t.add("BoundSocket", "new net.BoundSocket({port: @, host: '127.0.0.1'})",
          lambda v: [{"port": v, "host": "127.0.0.1"}], values(**d))
    t.add("BoundSocket", "new net.BoundSocket({host: @})", lambda v: [{"host": v}],
          values(**d) + BOUND_HOSTS)
    for opt in ("ipv6Only", "reusePort"):
        t.add("BoundSocket", f"new net.BoundSocket({{host: '127.0.0.1', {opt}: @}})",
              lambda v, o=opt: [{"host": "127.0.0.1", o: v}], values(**d))
    t.add("BoundSocket", "new net.BoundSocket({path: @})", lambda v: [{"path": v}],
          values(**d))
    t.add("BoundSocket", "new net.BoundSocket({path: abstract})", lambda v: [{"path": v}],
          [("", ABSTRACT)])
    for opt in ("host", "port", "ipv6Only", "reusePort"):
        t.add("BoundSocket", f"new net.BoundSocket({{path: 's.sock', {opt}: @}})",
              lambda v, o=opt: [{"path": "s.sock", o: v}],
              [("None", None), ("0", 0), ("false", False), ("'127.0.0.1'", "127.0.0.1")])

    # ---- its methods and isPipe, fresh, closed and after each kind of adoption
    states = [("bound", "fresh"), ("bound.close(); bound", "closed"),
              ("server.listen(bound); bound", "listened"),
              ("server.listen({handle: bound}); bound", "listened-handle"),
              ("new net.Socket({handle: bound}); bound", "socket"),
              ("net.connect({handle: bound, port, host: '127.0.0.1'}); bound", "connected")]
    for prefix, state in states:
        for member in ("address()", "fd()", "close()", "isPipe"):
            t.add("BoundSocket.method", f"{prefix}.{member}", lambda v: [], [("", None)],
                  state=state, member=member)
    t.add("BoundSocket.method", "boundPipe.address()", lambda v: [], [("", None)],
          state="pipe", member="address()")
    t.add("BoundSocket.method", "boundPipe.isPipe", lambda v: [], [("", None)],
          state="pipe", member="isPipe")

    # ---- adoption: server.listen(bound, ...) and listen({handle: bound, ...})
    t.add("server.listen", "server.listen(bound, @)", lambda v: [BOUND, v], values())
    t.add("server.listen", "server.listen(@) with a closed BoundSocket",
          lambda v: [v], [("", BOUND_CLOSED)])
    t.add("server.listen", "server.listen({handle: closedBound})",
          lambda v: [{"handle": v}], [("", BOUND_CLOSED)])
    for opt in ("port", "host", "backlog", "exclusive", "ipv6Only", "path"):
        t.add("server.listen", f"server.listen({{handle: bound, {opt}: @}})",
              lambda v, o=opt: [{"handle": BOUND, o: v}], values(**d))

    # ---- adoption by a socket: new net.Socket({handle: bound, ...}), connect
    t.add("net.Socket", "new net.Socket({handle: closedBound})",
          lambda v: [{"handle": v}], [("", BOUND_CLOSED)])
    for opt in ("allowHalfOpen", "readable", "writable", "fd"):
        t.add("net.Socket", f"new net.Socket({{handle: bound, {opt}: @}})",
              lambda v, o=opt: [{"handle": BOUND, o: v}],
              values(exclude=FD_UNSAFE if opt == "fd" else (), **d))
    t.add("net.connect", "net.connect({handle: bound, port: @, host: '127.0.0.1'})",
          lambda v: [{"handle": BOUND, "port": v, "host": "127.0.0.1"}], values(**d))
    t.add("net.connect", "net.connect({handle: bound, port, host: @})",
          lambda v: [{"handle": BOUND, "port": PORT, "host": v}],
          values(replace=HOSTS, **d))
    for opt in ("localAddress", "localPort", "family", "autoSelectFamily", "timeout",
                "keepAlive", "noDelay"):
        t.add("net.connect", f"net.connect({{handle: bound, port, host: '127.0.0.1', {opt}: @}})",
              lambda v, o=opt: [{"handle": BOUND, "port": PORT, "host": "127.0.0.1", o: v}],
              values(**d))
    t.add("net.connect", "net.connect({handle: closedBound, port, host: '127.0.0.1'})",
          lambda v: [{"handle": v, "port": PORT, "host": "127.0.0.1"}], [("", BOUND_CLOSED)])
    t.add("net.connect", "new net.Socket({handle: bound}).connect(@)",
          lambda v: [v], values(exclude=("'x'",)), form="bound.connect")

    # ---- BlockList, Node 26.8: the list starts with the address 9.9.9.9 and the
    # subnet 9.0.0.0/8, so that the remove* and clear() rows have something to remove
    sockaddr = [("sockaddr", SOCKADDR)]
    bl = [
        ("addAddresses", "@", lambda v: [v], values()),
        ("addAddresses", "[@]", lambda v: [[v]], values() + sockaddr),
        ("addAddresses", "['1.2.3.4', @]", lambda v: [["1.2.3.4", v]], values()),
        ("addAddresses", "['1.2.3.4'], @", lambda v: [["1.2.3.4"], v], values()),
        ("addCIDR", "@", lambda v: [v], values() + CIDRS),
        ("addCIDRs", "@", lambda v: [v], values()),
        ("addCIDRs", "[@]", lambda v: [[v]], values() + CIDRS),
        ("addCIDRs", "['10.0.0.0/8', @]", lambda v: [["10.0.0.0/8", v]], values() + CIDRS),
        ("removeAddress", "@", lambda v: [v], values() + sockaddr),
        ("removeAddress", "'9.9.9.9', @", lambda v: ["9.9.9.9", v], values()),
        ("removeRange", "@, '1.2.3.5'", lambda v: [v, "1.2.3.5"], values()),
        ("removeRange", "'1.2.3.4', @", lambda v: ["1.2.3.4", v], values()),
        ("removeRange", "'1.2.3.4', '1.2.3.5', @", lambda v: ["1.2.3.4", "1.2.3.5", v],
         values()),
        ("removeSubnet", "@, 8", lambda v: [v, 8], values()),
        ("removeSubnet", "'9.0.0.0', @", lambda v: ["9.0.0.0", v], values()),
        ("removeSubnet", "'9.0.0.0', 8, @", lambda v: ["9.0.0.0", 8, v], values()),
        ("removeCIDR", "@", lambda v: [v], values() + CIDRS + [("'9.0.0.0/8'", "9.0.0.0/8")]),
    ]
    for method, args, build, vals in bl:
        t.add("blocklist", f"blockList.{method}({args})", build, vals, method=method)
    t.add("blocklist", "blockList.clear()", lambda v: [], [("", None)], method="clear")

    # ---- setKeepAlive: the 4-argument form and the options form
    ka = [
        ("setKeepAlive(true, 1000, @)", lambda v: [True, 1000, v]),
        ("setKeepAlive(true, 1000, 1000, @)", lambda v: [True, 1000, 1000, v]),
        ("setKeepAlive(true, @, 1000, 3)", lambda v: [True, v, 1000, 3]),
        ("setKeepAlive(@, 1000, 1000, 3)", lambda v: [v, 1000, 1000, 3]),
    ]
    for call, build in ka:
        t.add("socket.method", f"socket.{call}", build, values(), method="setKeepAlive")
        t.add("fresh.method", f"new net.Socket().{call}", build, values(),
              method="setKeepAlive")
    t.add("socket.method", "socket.setKeepAlive(@) with an object",
          lambda v: [v], [("{}", {}), ("object()", OBJ)], method="setKeepAlive")
    for opt in ("enable", "initialDelay", "interval", "count"):
        base: Dict[str, Any] = {} if opt == "enable" else {"enable": True}
        call = "{" + ("" if opt == "enable" else "enable: true, ") + opt + ": @}"
        t.add("socket.method", f"socket.setKeepAlive({call})",
              lambda v, o=opt, b=base: [dict(b, **{o: v})], values(**d), method="setKeepAlive")
        t.add("fresh.method", f"new net.Socket().setKeepAlive({call})",
              lambda v, o=opt, b=base: [dict(b, **{o: v})], values(**d), method="setKeepAlive")

    # ---- type of service: the option, set (then what get reads back) and get
    t.add("net.Socket", "new net.Socket({typeOfService: @})",
          lambda v: [{"typeOfService": v}], values(**d))
    t.add("net.connect", "net.connect({port, host: '127.0.0.1', typeOfService: @})",
          lambda v: [{"port": PORT, "host": "127.0.0.1", "typeOfService": v}], values(**d))
    tos = values() + [("255", 255), ("256", 256), ("0x10", 0x10), ("0x03", 0x03)]
    t.add("socket.method", "socket.setTypeOfService(@)", lambda v: [v], tos,
          method="setTypeOfService", after="getTypeOfService")
    t.add("fresh.method", "new net.Socket().setTypeOfService(@)", lambda v: [v], tos,
          method="setTypeOfService", after="getTypeOfService")
    t.add("socket.method", "socket.getTypeOfService()", lambda v: [], [("", None)],
          method="getTypeOfService", ret=True)
    t.add("fresh.method", "new net.Socket().getTypeOfService()", lambda v: [], [("", None)],
          method="getTypeOfService", ret=True)

    # ---- stream: the default high-water marks (each row restores them)
    t.add("stream.hwm", "stream.setDefaultHighWaterMark(false, @)", lambda v: [False, v],
          values(), fn="setDefaultHighWaterMark")
    t.add("stream.hwm", "stream.setDefaultHighWaterMark(@, 1024)", lambda v: [v, 1024],
          values(), fn="setDefaultHighWaterMark")
    t.add("stream.hwm", "stream.getDefaultHighWaterMark(@)", lambda v: [v], values(),
          fn="getDefaultHighWaterMark")

    # ---- events: addAbortListener, getMaxListeners
    t.add("events.abort", "events.addAbortListener(@, cb)", lambda v: [v, FN],
          values() + [("signal", SIGNAL), ("abortedSignal", ABORTED)])
    t.add("events.abort", "events.addAbortListener(signal, @)", lambda v: [SIGNAL, v],
          values(exclude=("fn",)))
    t.add("events.abort", "events.addAbortListener(abortedSignal, @)", lambda v: [ABORTED, v],
          values())
    t.add("call", "events.getMaxListeners(@)", lambda v: [v],
          values() + [("ee", EE), ("signal", SIGNAL)], fn="events.getMaxListeners")
