"""The bad-input table's operations in nodenet: ``tools/badinput/runner.js`` in Python.

Every operation here does what its namesake in ``runner.js`` does in Node, with
the same listeners, the same settle times and the same way of describing what
happened, so that the two outcomes compare as they are. Keep the two in step.

An operation runs on the loop thread (``run_row`` runs one row to completion
with ``support.run``) and records into a :class:`Rec`: whether the call threw
(the error's kind and ``.code``), its return value, and the events that followed.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from typing import Any, Callable, Dict, List, Optional

import nodenet as net
from nodenet import dns, events, stream
from nodenet._defaults import (
    get_default_auto_select_family, get_default_auto_select_family_attempt_timeout,
    set_default_auto_select_family, set_default_auto_select_family_attempt_timeout,
)
from nodenet.errors import DOMException
from nodenet.events import EventEmitter
from support import run

SETTLE_MS = 15
ROW_TIMEOUT_MS = 3000
DNS_FAILURES = {"ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"}


class Thing:
    """A plain object that is no options object (JavaScript: ``new (class Thing {})()``)."""


def noop(*_: Any) -> None:
    """The table's function value."""


class Harness:
    """The server the connect rows connect to (unref'd, as in runner.js)."""

    def __init__(self) -> None:
        self.port = 0
        self.server: Optional[net.Server] = None
        self.bounds: List[net.BoundSocket] = []     # made by decode(), closed after the row

    def start(self) -> None:
        def main() -> None:
            def on_connection(c: net.Socket) -> None:
                c.on("error", noop)
                c.resume()
                c.unref()

            def listening() -> None:
                assert self.server is not None
                self.port = self.server.address()["port"]
                self.server.unref()

            self.server = net.create_server(on_connection)
            self.server.listen(0, listening)
        run(main, timeout=10)

    def stop(self) -> None:
        if self.server is not None:
            server = self.server

            def main() -> None:
                server.close_all_connections()
                server.close()
            run(main, timeout=10)


# ---------------------------------------------------------------- values


def decode(v: Any, harness: Harness) -> Any:
    """A Python value from the table's JSON encoding (badinput_table.encode)."""
    if not isinstance(v, dict):
        return v                                  # bool or str
    tag = v["$"]
    if tag in ("undef", "null"):
        return None
    if tag == "int":
        return int(v["v"])
    if tag == "float":
        return float(v["v"])                      # 'nan', 'inf', '-inf', '-0' included
    if tag == "bytes":
        return bytes.fromhex(v["hex"])
    if tag == "list":
        return [decode(x, harness) for x in v["v"]]
    if tag == "dict":
        return {k: decode(x, harness) for k, x in v["v"].items()}
    if tag == "object":
        return Thing()
    if tag == "fn":
        return noop
    if tag == "port":
        return harness.port
    if tag == "signal":
        return net.AbortSignal.abort() if v["aborted"] else net.AbortController().signal
    if tag == "blocklist":
        return net.BlockList()
    if tag == "sockaddr":
        return net.SocketAddress({"address": "1.2.3.4"})
    if tag == "ee":
        return EventEmitter()
    if tag == "abstract":
        return abstract_name()
    if tag == "bound":
        bound = net.BoundSocket({"host": "127.0.0.1"})
        if v.get("closed"):
            bound.close()
        else:
            harness.bounds.append(bound)
        return bound
    raise ValueError(f"unknown value tag {tag}")


# ---------------------------------------------------------------- outcomes


def err_kind(e: Any) -> str:
    """The JavaScript class a raised or emitted error stands for."""
    if isinstance(e, ValueError):
        return "RangeError"
    if isinstance(e, TypeError):
        return "TypeError"
    if isinstance(e, BaseException):
        return "Error"
    return "value"


def code(e: Any) -> str:
    """runner.js's ``code()``: an error's ``.code`` (DNS failures as EDNS)."""
    if e is None:
        return "null"
    if not isinstance(e, BaseException) and not hasattr(e, "code"):
        return "value"
    c = getattr(e, "code", None)
    if c is None:
        return "nocode"
    if c in DNS_FAILURES:
        return "EDNS"
    return str(c)


def plain(x: Any) -> Any:
    """A return value as JSON, as runner.js's ``plain()``."""
    if x is None or isinstance(x, (bool, str)):
        return x
    if isinstance(x, (int, float)):
        number = float(x) if not isinstance(x, int) or abs(x) < 2**1023 else math.inf
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        return x
    if isinstance(x, (list, tuple)):
        return [plain(i) for i in x]
    return "object"


def abstract_name() -> str:
    """The table's abstract Unix socket name, unique to the process."""
    return f"\0nodenet-bad-input-{os.getpid()}"


def bound_address(a: Any) -> Any:
    """A BoundSocket's address() as runner.js's ``boundAddress()`` gives it."""
    if isinstance(a, str):
        return "abstract" if a == abstract_name() else a
    return [a["address"], a["family"], a["port"] > 0]


def js_json(x: Any) -> str:
    """``JSON.stringify`` of a list of strings or numbers."""
    return json.dumps(x, separators=(",", ":"))


class Rec:
    """What one row did: a raised error, a return value, the events that followed."""

    def __init__(self) -> None:
        self.events: List[str] = []
        self.finished = False
        self.cleanups: List[Callable[[], Any]] = []
        self.throws: Optional[Dict[str, str]] = None
        self.raised: Optional[BaseException] = None
        self.has_ret = False
        self.ret: Any = None

    def ev(self, name: str) -> None:
        if not self.finished:
            self.events.append(name)

    def call(self, fn: Callable[[], Any], keep_return: bool = False) -> bool:
        """Run the call under test: True if it returned, False if it raised."""
        try:
            r = fn()
        except Exception as e:  # noqa: BLE001 - recording what the call raised
            self.throws = {"kind": err_kind(e), "code": code(e)}
            self.raised = e
            return False
        if keep_return:
            self.has_ret = True
            self.ret = plain(r)
        return True

    def finish(self) -> None:
        if self.finished:
            return
        self.finished = True
        for cleanup in self.cleanups:
            try:
                cleanup()
            except Exception:  # noqa: BLE001 - cleanup only
                pass

    def settle(self, ms: float = SETTLE_MS) -> None:
        self.cleanups.append(net.set_timeout(self.finish, ms).close)

    def deadline(self, ms: float = ROW_TIMEOUT_MS) -> None:
        def expire() -> None:
            self.ev("timeout")
            self.finish()
        self.cleanups.append(net.set_timeout(expire, ms).close)

    def outcome(self) -> Dict[str, Any]:
        if self.throws is not None:
            return {"t": "throws", **self.throws, "events": self.events}
        out: Dict[str, Any] = {"t": "ok", "events": self.events}
        if self.has_ret:
            out["ret"] = self.ret
        return out


# ---------------------------------------------------------------- helpers


def wrap_callbacks(r: Rec, args: List[Any]) -> List[Any]:
    """Callbacks in the arguments report their first argument as ``cb:<code>``."""
    def cb(err: Any = None, *_: Any) -> None:
        r.ev("cb:" + code(err))
    return [cb if a is noop else a for a in args]


def connected(harness: Harness, then: Callable[[net.Socket], None]) -> None:
    c = net.connect(harness.port, "127.0.0.1")
    c.once("connect", lambda: then(c))


_SOCKET_METHODS = {
    "write": "write", "end": "end", "setTimeout": "set_timeout",
    "setKeepAlive": "set_keep_alive", "setNoDelay": "set_no_delay",
    "setEncoding": "set_encoding", "setDefaultEncoding": "set_default_encoding",
    "read": "read", "destroy": "destroy", "pipe": "pipe", "unpipe": "unpipe",
    "setTypeOfService": "set_type_of_service", "getTypeOfService": "get_type_of_service",
}


def method_call(r: Rec, sock: net.Socket, method: str, args: List[Any],
                row: Dict[str, Any]) -> None:
    wrapped = wrap_callbacks(r, args)
    for name in ("error", "timeout", "finish", "drain"):
        sock.on(name, (lambda n: lambda x=None: r.ev(
            "error:" + code(x) if n == "error" else n))(name))
    if (r.call(lambda: getattr(sock, _SOCKET_METHODS[method])(*wrapped), bool(row.get("ret")))
            and row.get("after")):
        try:
            r.ev("after:" + js_json(plain(getattr(sock, _SOCKET_METHODS[row["after"]])())))
        except Exception as e:  # noqa: BLE001 - recording what it raised
            r.ev("after-throws:" + code(e))
    if r.ret == "object":
        r.ret = "this"
    r.settle()


# ---------------------------------------------------------------- operations


def op_create_server(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    box: List[net.Server] = []
    if r.call(lambda: box.append(net.create_server(*a))):
        r.cleanups.append(box[0].close)
    r.finish()


def op_serve(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    box: Dict[str, Any] = {}

    def cleanup() -> None:
        if "s" in box:
            box["s"].close()
        if "client" in box:
            box["client"].destroy()
    r.cleanups.append(cleanup)

    def on_connection(c: net.Socket) -> None:
        r.ev("connection")
        c.on("error", lambda e: r.ev("server-error:" + code(e)))
        c.end("x")

    if not r.call(lambda: box.__setitem__("s", net.create_server(a[0], on_connection))):
        r.finish()
        return

    def listening() -> None:
        client = box["client"] = net.connect(box["s"].address()["port"], "127.0.0.1")
        client.on("data", lambda _: r.ev("data"))
        client.on("error", lambda e: r.ev("client-error:" + code(e)))
        client.on("close", lambda *_: r.finish())

    box["s"].listen(0, "127.0.0.1", listening)

    def expire() -> None:
        r.ev("timeout")
        r.finish()
    r.cleanups.append(net.set_timeout(expire, 1000).close)


def op_listen(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    s = net.create_server()
    r.cleanups.append(s.close)
    s.on("listening", lambda: (r.ev("listening"), r.finish()))
    s.on("error", lambda e: (r.ev("error:" + code(e)), r.finish()))
    if not r.call(lambda: s.listen(*a)):
        r.finish()
        return
    r.deadline()


def op_server_method(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    s = net.create_server()
    method = {"close": "close", "getConnections": "get_connections"}[row["method"]]
    r.call(lambda: getattr(s, method)(*wrap_callbacks(r, a)))
    r.settle()


def op_max_connections(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    def on_connection(c: net.Socket) -> None:
        r.ev("connection")
        c.destroy()
    s = net.create_server(on_connection)
    box: List[net.Socket] = []
    r.cleanups.append(lambda: (s.close(), [c.destroy() for c in box]))
    s.max_connections = a[0]
    s.on("drop", lambda *_: r.ev("drop"))

    def listening() -> None:
        client = net.connect(s.address()["port"], "127.0.0.1")
        box.append(client)
        client.on("error", noop)
        client.on("close", lambda *_: r.settle())
    s.listen(0, "127.0.0.1", listening)


def op_socket(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    box: List[net.Socket] = []
    if not r.call(lambda: box.append(net.Socket(*a))):
        r.finish()
        return
    box[0].on("error", lambda e: r.ev("error:" + code(e)))
    r.cleanups.append(box[0].destroy)
    r.settle()


def op_connect(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    form = row.get("form", "net.connect")
    fn = {"net.connect": lambda: net.connect(*a),
          "net.createConnection": lambda: net.create_connection(*a),
          "socket.connect": lambda: net.Socket().connect(*a),
          "bound.connect": lambda: net.Socket(
              {"handle": net.BoundSocket({"host": "127.0.0.1"})}).connect(*a)}[form]
    box: List[net.Socket] = []
    if not r.call(lambda: box.append(fn())):
        r.finish()
        return
    s = box[0]
    r.cleanups.append(s.destroy)
    s.on("connect", lambda: (r.ev("connect"), s.destroy()))
    s.on("error", lambda e: r.ev("error:" + code(e)))
    s.on("close", lambda *_: r.finish())
    r.deadline()


def op_socket_method(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    def then(c: net.Socket) -> None:
        r.cleanups.append(c.destroy)
        method_call(r, c, row["method"], a, row)
    connected(h, then)


def op_fresh_method(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    c = net.Socket()
    r.cleanups.append(c.destroy)
    method_call(r, c, row["method"], a, row)


def op_lookup(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    def cb(err: Any = None, *_: Any) -> None:
        r.ev("cb:" + code(err))
        r.finish()
    args = [cb if x is noop else x for x in a]
    if not r.call(lambda: dns.lookup(*args)):
        r.finish()
        return
    r.deadline()


_CALLS: Dict[str, Callable[..., Any]] = {
    "net.isIP": net.is_ip,
    "net.isIPv4": net.is_ipv4,
    "net.isIPv6": net.is_ipv6,
    "net.SocketAddress": net.SocketAddress,
    "SocketAddress.parse": net.SocketAddress.parse,
    "BlockList.addAddress": lambda *a: net.BlockList().add_address(*a),
    "BlockList.addRange": lambda *a: net.BlockList().add_range(*a),
    "BlockList.addSubnet": lambda *a: net.BlockList().add_subnet(*a),
    "BlockList.check": lambda *a: net.BlockList().check(*a),
    "BlockList.fromJSON": lambda *a: net.BlockList().from_json(*a),
    "net.setDefaultAutoSelectFamily": set_default_auto_select_family,
    "net.setDefaultAutoSelectFamilyAttemptTimeout": set_default_auto_select_family_attempt_timeout,
    "dns.setDefaultResultOrder": dns.set_default_result_order,
    "AbortController.abort": lambda *a: net.AbortController().abort(*a),
    "AbortSignal.abort": lambda *a: net.AbortSignal.abort(*a).aborted,
    "AbortSignal.timeout": lambda *a: net.AbortSignal.timeout(*a).aborted,
    "AbortSignal.any": lambda *a: net.AbortSignal.any(*a).aborted,
    "events.setMaxListeners": events.set_max_listeners,
    "events.getEventListeners": events.get_event_listeners,
    "events.getMaxListeners": events.get_max_listeners,
    "new EventEmitter": EventEmitter,
    "signal.addEventListener": lambda *a: net.AbortController().signal.add_event_listener(*a),
    "clearTimeout": net.clear_timeout,
    "clearInterval": net.clear_interval,
    "clearImmediate": net.clear_immediate,
}


def op_call(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    target = _CALLS[row["fn"]]
    auto = get_default_auto_select_family()
    attempt = get_default_auto_select_family_attempt_timeout()
    order = dns.get_default_result_order()
    max_listeners = EventEmitter.default_max_listeners
    r.call(lambda: target(*a), True)
    if row["fn"] == "net.SocketAddress" and r.throws is None:
        r.ret = "object"
    set_default_auto_select_family(auto)
    set_default_auto_select_family_attempt_timeout(attempt)
    dns.set_default_result_order(order)
    EventEmitter.default_max_listeners = max_listeners
    r.settle(1)


def op_timer(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    box: List[Any] = []

    def fired(*_: Any) -> None:
        r.ev("fired")
        if box:
            net.clear_interval(box[0])
    args = [fired if x is noop else x for x in a]
    fn = {"setTimeout": lambda: box.append(net.set_timeout(*args)),
          "setInterval": lambda: box.append(net.set_interval(*args)),
          "setImmediate": lambda: box.append(net.set_immediate(*args)),
          "nextTick": lambda: net.next_tick(*args)}[row["fn"]]

    def cleanup() -> None:
        for t in box:
            net.clear_timeout(t)
            net.clear_immediate(t)
    r.cleanups.append(cleanup)
    if not r.call(fn):
        r.finish()
        return
    r.settle(30)


_EE_METHODS = {
    "on": "on", "once": "once", "prependListener": "prepend_listener",
    "prependOnceListener": "prepend_once_listener", "off": "off",
    "removeAllListeners": "remove_all_listeners", "emit": "emit", "listeners": "listeners",
    "rawListeners": "raw_listeners", "listenerCount": "listener_count",
    "setMaxListeners": "set_max_listeners",
}


def op_ee_method(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    ee = EventEmitter()
    args = [(lambda *_: r.ev("listener")) if x is noop else x for x in a]
    r.call(lambda: getattr(ee, _EE_METHODS[row["method"]])(*args), bool(row.get("ret")))
    if r.ret == "object":
        r.ret = "this"
    r.settle(1)


def op_bound_socket(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    box: List[net.BoundSocket] = []
    if r.call(lambda: box.append(net.BoundSocket(*a))):
        r.has_ret = True
        r.ret = [bound_address(box[0].address()), box[0].is_pipe]
        box[0].close()
    r.finish()


def op_bound_method(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    b = net.BoundSocket({"path": "b.sock"} if row["state"] == "pipe" else {"host": "127.0.0.1"})
    srv = net.create_server()
    box: List[net.Socket] = []

    def cleanup() -> None:
        srv.close()
        for sock in box:
            sock.destroy()
        b.__exit__()
    r.cleanups.append(cleanup)
    state = row["state"]
    if state == "closed":
        b.close()
    elif state == "listened":
        srv.listen(b)
    elif state == "listened-handle":
        srv.listen({"handle": b})
    elif state == "socket":
        box.append(net.Socket({"handle": b}))
    elif state == "connected":
        box.append(net.connect({"handle": b, "port": h.port, "host": "127.0.0.1"}))
        box[0].on("error", lambda e: r.ev("error:" + code(e)))
    member: Callable[[], Any] = {
        "address()": lambda: bound_address(b.address()),
        "fd()": lambda: "fd" if b.fd() >= 0 else b.fd(),
        "close()": b.close,
        "isPipe": lambda: b.is_pipe,
    }[row["member"]]
    r.call(member, True)
    r.settle()


_BLOCKLIST_METHODS = {
    "addAddresses": "add_addresses", "addCIDR": "add_cidr", "addCIDRs": "add_cidrs",
    "removeAddress": "remove_address", "removeRange": "remove_range",
    "removeSubnet": "remove_subnet", "removeCIDR": "remove_cidr", "clear": "clear",
}


def op_blocklist(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    bl = net.BlockList()
    bl.add_address("9.9.9.9")
    bl.add_subnet("9.0.0.0", 8)
    r.call(lambda: getattr(bl, _BLOCKLIST_METHODS[row["method"]])(*a), True)
    r.ev(f"size:{bl.size}")
    r.ev("rules:" + js_json(bl.rules))
    r.settle(1)


def op_stream_hwm(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    fn = {"setDefaultHighWaterMark": stream.set_default_high_water_mark,
          "getDefaultHighWaterMark": stream.get_default_high_water_mark}[row["fn"]]
    hwm_bytes = stream.get_default_high_water_mark(False)
    hwm_objects = stream.get_default_high_water_mark(True)
    r.call(lambda: fn(*a), True)
    r.ev(f"defaults:{stream.get_default_high_water_mark(False)},"
         f"{stream.get_default_high_water_mark(True)}")
    stream.set_default_high_water_mark(False, hwm_bytes)
    stream.set_default_high_water_mark(True, hwm_objects)
    r.settle(1)


def op_events_abort(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    args = [(lambda *_: r.ev("listener")) if x is noop else x for x in a]
    r.call(lambda: events.add_abort_listener(*args), True)
    r.settle(5)


def op_events_once(r: Rec, a: List[Any], row: Dict[str, Any], h: Harness) -> None:
    args, kwargs = list(a), {}
    if len(args) == 3:
        kwargs = {"signal": args.pop()["signal"]}
    box: List[Any] = []
    if not r.call(lambda: box.append(events.once(*args, **kwargs))):
        r.finish()
        return

    def done(future: Any) -> None:
        err = future.exception()
        if err is None:
            r.ev("resolved")
        else:
            r.throws = {"kind": err_kind(err), "code": code(err)}
    box[0].add_done_callback(done)
    r.settle(5)


OPS: Dict[str, Callable[[Rec, List[Any], Dict[str, Any], Harness], None]] = {
    "net.createServer": op_create_server,
    "server.serve": op_serve,
    "server.listen": op_listen,
    "server.method": op_server_method,
    "server.maxConnections": op_max_connections,
    "net.Socket": op_socket,
    "net.connect": op_connect,
    "socket.method": op_socket_method,
    "fresh.method": op_fresh_method,
    "dns.lookup": op_lookup,
    "call": op_call,
    "timer": op_timer,
    "ee.method": op_ee_method,
    "events.once": op_events_once,
    "BoundSocket": op_bound_socket,
    "BoundSocket.method": op_bound_method,
    "blocklist": op_blocklist,
    "stream.hwm": op_stream_hwm,
    "events.abort": op_events_abort,
}


def run_row(row: Dict[str, Any], harness: Harness) -> Rec:
    """Run one row on the loop until it is done; what it did."""
    r = Rec()

    def on_uncaught(err: Any, *_: Any) -> None:
        r.ev("uncaught:" + code(err))

    def show(message: Any, category: Any, *_: Any, **__: Any) -> None:
        r.ev("warning:" + category.__name__)

    def main() -> None:
        try:
            args = [decode(x, harness) for x in row["args"]]
        except Exception as exc:  # noqa: BLE001 - a broken table row
            r.throws = {"kind": "decode", "code": repr(exc)}
            return
        bounds, harness.bounds = harness.bounds, []    # closed after the row unless adopted
        r.cleanups.append(lambda: [b.__exit__() for b in bounds])
        OPS[row["op"]](r, args, row, harness)

    net.process.on("uncaughtException", on_uncaught)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = show
            run(main, timeout=15)
    finally:
        net.process.remove_listener("uncaughtException", on_uncaught)
    return r


__all__ = ("Harness", "Rec", "run_row", "DOMException")
