"""Happy Eyeballs on a virtual clock: the attempt state machine, table by table.

The tables are trio's test_highlevel_open_tcp_stream scenarios, replayed under
Node's sequential semantics and under nodenet's racing mode, with the expected
results of ../shared/reference/happy-eyeballs.md §4.3 (its he_model.py).
Sockets are fakes: each address connects ("ok"), fails ("err") after a delay,
fails synchronously ("sync", ENETUNREACH) or never answers ("hang"). A fake
completion is delivered in the pending phase, after timers — so on a tie the
attempt timeout wins, as libuv's timers-before-I/O order makes it in Node.
"""

from __future__ import annotations

import errno
import math
from typing import Any, Dict, List, Optional, Tuple

import pytest

import nodenet as net
from nodenet import _handle

Spec = Tuple[str, int, float, str]   # (ip, family, delay ms, kind)


class FakeHandle:
    """Just enough of StreamHandle for connect(): every call is scripted."""

    registry: List["FakeHandle"] = []
    table: Dict[str, Tuple[float, str]] = {}

    def __init__(self, loop: net.Loop, pipe: bool = False) -> None:
        self.loop = loop
        self.owner: Any = None
        self.closed = False
        self.reading = False
        self.is_tcp = True
        self.connect_cb: Any = None
        self.counted = False
        self.target: Optional[str] = None
        self.bytes_read = self.bytes_written = 0
        self.write_size = 0
        self.onread_buffer = None
        self.registry.append(self)

    def open(self, family: int) -> int:
        return 0

    def bind(self, address: Any) -> int:
        return 0

    def connect(self, address: Any, cb: Any) -> int:
        ip = address[0]
        self.target = ip
        delay, kind = self.table[ip]
        if kind == "sync":
            return errno.ENETUNREACH
        self.connect_cb = cb
        self.sync()                      # a pending connect keeps the loop alive
        if kind == "hang":
            return 0
        status = 0 if kind == "ok" else errno.ECONNREFUSED

        def complete() -> None:
            # I/O completion: after this turn's timers (the pending phase)
            self.loop.defer(self._finish, status)

        self.loop.add_timer(self.loop.now + delay / 1000.0, complete)
        return 0

    def sync(self) -> None:
        want = self.connect_cb is not None and not self.closed
        if want != self.counted:
            self.counted = want
            if want:
                self.loop.ref()
            else:
                self.loop.unref()

    def _finish(self, status: int) -> None:
        cb, self.connect_cb = self.connect_cb, None
        self.sync()
        if cb is not None and not self.closed:
            cb(status)

    def close(self, cb: Any = None, reset: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        pending, self.connect_cb = self.connect_cb, None
        self.sync()

        def finish() -> None:        # as StreamHandle: cancellation, then the callback
            if pending is not None:
                pending(errno.ECANCELED)
            if cb is not None:
                cb()

        self.loop.add_closing(finish)

    def read_start(self) -> int:
        self.reading = True
        return 0

    def read_stop(self) -> int:
        self.reading = False
        return 0

    def getsockname(self) -> Dict[str, Any]:
        return {"address": "0.0.0.0", "family": "IPv4", "port": 0}

    def getpeername(self) -> Dict[str, Any]:
        return {"address": self.target, "family": "IPv4", "port": 80}

    def set_no_delay(self, enable: bool) -> None:
        pass

    def set_keep_alive(self, enable: bool, delay: int) -> None:
        pass

    def fileno(self) -> int:
        return -1


@pytest.fixture
def fake_net(vloop: Any, monkeypatch: Any) -> Any:
    FakeHandle.registry = []
    monkeypatch.setattr(_handle, "new_stream_handle",
                        lambda loop, pipe=False: FakeHandle(loop, pipe))
    return vloop


def scenario(fake_net: Any, specs: List[Spec], delay: int, race: bool = False) -> Dict[str, Any]:
    """Connect to a name resolving to ``specs``; record events with virtual times."""
    loop, clock = fake_net
    FakeHandle.table = {ip: (d, kind) for ip, _fam, d, kind in specs}
    start = clock.time
    events: List[Tuple[int, str, Any]] = []
    result: Dict[str, Any] = {"events": events}

    def now() -> int:
        return round((clock.time - start) * 1000)

    def lookup(host: str, opts: Dict[str, Any], cb: Any) -> None:
        answers = [{"address": ip, "family": fam} for ip, fam, _d, _k in specs]
        net.next_tick(cb, None, answers)

    def main() -> None:
        sock = net.connect({"host": "example.org", "port": 80, "lookup": lookup,
                            "autoSelectFamily": True, "autoSelectFamilyAttemptTimeout": delay,
                            "auto_select_family_race": race})
        sock.on("connectionAttempt", lambda ip, port, fam: events.append((now(), "attempt", ip)))
        sock.on("connectionAttemptFailed",
                lambda ip, port, fam, err: events.append((now(), "failed", ip)))
        sock.on("connectionAttemptTimeout",
                lambda ip, port, fam: events.append((now(), "timeout", ip)))

        def on_connect() -> None:
            result["winner"] = sock.remote_address
            result["end"] = now()
            result["attempted"] = list(sock.auto_select_family_attempted_addresses or [])
            sock.destroy()

        def on_error(err: BaseException) -> None:
            result["error"] = err
            result["end"] = now()

        sock.on("connect", on_connect)
        sock.on("error", on_error)
        sock.on("close", lambda *a: result.setdefault("closed", now()))

    loop.call(main)
    loop.run_until_idle()
    result["open_handles"] = [h.target for h in FakeHandle.registry if not h.closed]
    return result


# ---------------------------------------------------------------- Node semantics

NODE_TABLE = [
    # name, specs, delay, expected winner, expected end (ms), expected events
    ("basic_fallthrough", [("1.1.1.1", 4, 1000, "ok"), ("2.2.2.2", 4, 1000, "ok"),
                           ("3.3.3.3", 4, 200, "ok")], 250, "3.3.3.3", 700,
     [(0, "attempt", "1.1.1.1"), (250, "timeout", "1.1.1.1"), (250, "attempt", "2.2.2.2"),
      (500, "timeout", "2.2.2.2"), (500, "attempt", "3.3.3.3")]),
    ("early_success", [("1.1.1.1", 4, 1000, "ok"), ("2.2.2.2", 4, 100, "ok"),
                       ("3.3.3.3", 4, 200, "ok")], 250, "2.2.2.2", 350,
     [(0, "attempt", "1.1.1.1"), (250, "timeout", "1.1.1.1"), (250, "attempt", "2.2.2.2")]),
    ("custom_delay", [("1.1.1.1", 4, 1000, "ok"), ("2.2.2.2", 4, 1000, "ok"),
                      ("3.3.3.3", 4, 200, "ok")], 450, "3.3.3.3", 1100,
     [(0, "attempt", "1.1.1.1"), (450, "timeout", "1.1.1.1"), (450, "attempt", "2.2.2.2"),
      (900, "timeout", "2.2.2.2"), (900, "attempt", "3.3.3.3")]),
    ("errors_expedite", [("1.1.1.1", 4, 100, "err"), ("2.2.2.2", 4, 200, "err"),
                         ("3.3.3.3", 4, 10000, "ok"), ("4.4.4.4", 4, 250, "ok")], 250,
     "4.4.4.4", 800,
     [(0, "attempt", "1.1.1.1"), (100, "failed", "1.1.1.1"), (100, "attempt", "2.2.2.2"),
      (300, "failed", "2.2.2.2"), (300, "attempt", "3.3.3.3"), (550, "timeout", "3.3.3.3"),
      (550, "attempt", "4.4.4.4")]),
    ("does_reorder", [("1.1.1.1", 4, 10000, "err"), ("2.2.2.2", 4, 1000, "ok"),
                      ("::3", 6, 500, "ok")], 1000, "::3", 1500,
     [(0, "attempt", "1.1.1.1"), (1000, "timeout", "1.1.1.1"), (1000, "attempt", "::3")]),
    ("handles_no_ipv6", [("::1", 6, 0, "sync"), ("2.2.2.2", 4, 10000, "ok"),
                         ("::3", 6, 0, "sync"), ("4.4.4.4", 4, 100, "ok")], 1000,
     "4.4.4.4", 1100,
     [(0, "attempt", "::1"), (0, "failed", "::1"), (0, "attempt", "2.2.2.2"),
      (1000, "timeout", "2.2.2.2"), (1000, "attempt", "::3"), (1000, "failed", "::3"),
      (1000, "attempt", "4.4.4.4")]),
]


@pytest.mark.parametrize("name, specs, delay, winner, end, events", NODE_TABLE,
                         ids=[row[0] for row in NODE_TABLE])
def test_node_sequential(fake_net: Any, name: str, specs: List[Spec], delay: int, winner: str,
                         end: int, events: List[Any]) -> None:
    """One attempt at a time; a timeout closes the attempt and starts the next."""
    result = scenario(fake_net, specs, delay)
    assert result["events"] == events
    assert result.get("winner") == winner and result["end"] == end
    assert result["open_handles"] == []          # losers closed, winner destroyed after


def test_node_all_fail_is_aggregate_error_in_failure_order(fake_net: Any) -> None:
    """all_fail: AggregateError at 800 ms, errors [err, err, ETIMEDOUT, err], code of the first."""
    specs = [("1.1.1.1", 4, 100, "err"), ("2.2.2.2", 4, 200, "err"),
             ("3.3.3.3", 4, 10000, "err"), ("4.4.4.4", 4, 250, "err")]
    result = scenario(fake_net, specs, 250)
    err = result["error"]
    assert isinstance(err, net.errors.AggregateError)
    assert [e.code for e in err.errors] == ["ECONNREFUSED", "ECONNREFUSED", "ETIMEDOUT",
                                            "ECONNREFUSED"]
    assert err.code == "ECONNREFUSED" and str(err) == ""
    assert str(err.errors[2]) == "connect ETIMEDOUT 3.3.3.3:80"
    assert result["end"] == 800


def test_node_multi_success_gives_up_at_4000(fake_net: Any) -> None:
    """multi_success: Node aborts slow-but-working addresses and fails at 4000 ms."""
    specs = [("1.1.1.1", 4, 500, "err"), ("2.2.2.2", 4, 10000, "ok"),
             ("3.3.3.3", 4, 9000, "ok"), ("4.4.4.4", 4, 8000, "ok"), ("5.5.5.5", 4, 500, "err")]
    result = scenario(fake_net, specs, 1000)
    assert [e.code for e in result["error"].errors] == [
        "ECONNREFUSED", "ETIMEDOUT", "ETIMEDOUT", "ETIMEDOUT", "ECONNREFUSED"]
    assert result["end"] == 4000


def test_timeout_wins_a_tie_with_completion(fake_net: Any) -> None:
    """An attempt completing exactly at its timeout loses: timers run before I/O."""
    specs = [("1.1.1.1", 4, 250, "ok"), ("2.2.2.2", 4, 50, "ok")]
    result = scenario(fake_net, specs, 250)
    assert result["winner"] == "2.2.2.2" and result["end"] == 300
    assert (250, "timeout", "1.1.1.1") in result["events"]


def test_last_attempt_has_no_timer(fake_net: Any) -> None:
    """The last address waits as long as the OS takes (here: 5 s, far past the timeout)."""
    specs = [("1.1.1.1", 4, 0, "sync"), ("2.2.2.2", 4, 5000, "ok")]
    result = scenario(fake_net, specs, 250)
    assert result["winner"] == "2.2.2.2" and result["end"] == 5000
    assert result["attempted"] == ["1.1.1.1:80", "2.2.2.2:80"]


def test_interleaving_starts_with_first_family(fake_net: Any) -> None:
    """Attempts alternate families, starting with the first answer's (test-net-autoselectfamily)."""
    specs = [("::a", 6, 0, "sync"), ("::b", 6, 0, "sync"), ("::1", 6, 0, "sync"),
             ("10.0.0.1", 4, 0, "sync"), ("10.0.0.2", 4, 0, "sync"), ("127.0.0.1", 4, 10, "ok")]
    result = scenario(fake_net, specs, 250)
    assert result["attempted"] == ["::a:80", "10.0.0.1:80", "::b:80", "10.0.0.2:80", "::1:80",
                                   "127.0.0.1:80"]


def _abort_scenario(fake_net: Any, action: str) -> List[Any]:
    """S19 of the reference: blackholed first address, T=300, then an abort of some kind."""
    loop, clock = fake_net
    FakeHandle.table = {"::ffff:127.0.0.2": (0, "hang"), "127.0.0.1": (0, "hang"),
                        "127.0.0.3": (0, "hang")}
    seen: List[Any] = []
    start = clock.time
    controller = net.AbortController()

    def lookup(host: str, opts: Any, cb: Any) -> None:
        answers = [{"address": "::ffff:127.0.0.2", "family": 6},
                   {"address": "127.0.0.1", "family": 4}]
        if action == "destroy-in-timeout":
            answers.append({"address": "127.0.0.3", "family": 4})
        net.next_tick(cb, None, answers)

    def main() -> None:
        timeout = 100 if action == "destroy-in-timeout" else 300
        opts = {"host": "x.test", "port": 80, "lookup": lookup,
                "autoSelectFamilyAttemptTimeout": timeout}
        if action == "abort":
            opts["signal"] = controller.signal
        sock = net.connect(opts)

        def on_attempt(ip: str, *a: Any) -> None:
            seen.append(("attempt", ip))
            if action == "destroy-in-attempt" and ip == "127.0.0.1":
                sock.destroy()

        def on_timeout(ip: str, *a: Any) -> None:
            seen.append(("timeout", ip))
            if action == "destroy-in-timeout":
                sock.destroy()

        sock.on("connectionAttempt", on_attempt)
        sock.on("connectionAttemptFailed", lambda ip, p, f, err: seen.append(("failed", err.code)))
        sock.on("connectionAttemptTimeout", on_timeout)
        sock.on("error", lambda err: seen.append(("error", err.code, str(err))))
        sock.on("close", lambda had_error: seen.append(
            ("close", had_error, list(sock.auto_select_family_attempted_addresses or []))))
        if action == "destroy-at-100":
            net.set_timeout(sock.destroy, 100)
        elif action == "abort":
            net.set_timeout(controller.abort, 100)
        net.set_timeout(lambda: seen.append(("checked", round((clock.time - start) * 1000))),
                        700)

    loop.call(main)
    loop.run_until_idle()
    assert all(h.closed for h in FakeHandle.registry)
    return seen


def test_destroy_during_pending_attempt(fake_net: Any) -> None:
    """S19(a): destroy at 100 ms: failed(ECANCELED), close(false), nothing later."""
    assert _abort_scenario(fake_net, "destroy-at-100") == [
        ("attempt", "::ffff:127.0.0.2"), ("failed", "ECANCELED"),
        ("close", False, ["::ffff:127.0.0.2:80"]), ("checked", 700)]


def test_abort_signal_during_pending_attempt(fake_net: Any) -> None:
    """S19(b): abort at 100 ms: 'error' AbortError, failed(ECANCELED), close(true)."""
    assert _abort_scenario(fake_net, "abort") == [
        ("attempt", "::ffff:127.0.0.2"), ("error", "ABORT_ERR", "The operation was aborted"),
        ("failed", "ECANCELED"), ("close", True, ["::ffff:127.0.0.2:80"]), ("checked", 700)]


def test_destroy_inside_attempt_timeout(fake_net: Any) -> None:
    """S19(c): destroy in the first 'connectionAttemptTimeout': no further attempts."""
    assert _abort_scenario(fake_net, "destroy-in-timeout") == [
        ("attempt", "::ffff:127.0.0.2"), ("timeout", "::ffff:127.0.0.2"),
        ("close", False, ["::ffff:127.0.0.2:80"]), ("checked", 700)]


def test_destroy_inside_connection_attempt_does_not_crash(fake_net: Any) -> None:
    """S19(d): Node crashes (null handle); nodenet stops: no connect, close(false)."""
    assert _abort_scenario(fake_net, "destroy-in-attempt") == [
        ("attempt", "::ffff:127.0.0.2"), ("timeout", "::ffff:127.0.0.2"),
        ("attempt", "127.0.0.1"), ("close", False, ["::ffff:127.0.0.2:80"]), ("checked", 700)]


# ---------------------------------------------------------------- racing mode

RACE_TABLE = [
    ("basic_fallthrough", [("1.1.1.1", 4, 1000, "ok"), ("2.2.2.2", 4, 1000, "ok"),
                           ("3.3.3.3", 4, 200, "ok")], 250, "3.3.3.3", 700),
    ("early_success", [("1.1.1.1", 4, 1000, "ok"), ("2.2.2.2", 4, 100, "ok"),
                       ("3.3.3.3", 4, 200, "ok")], 250, "2.2.2.2", 350),
    ("custom_delay", [("1.1.1.1", 4, 1000, "ok"), ("2.2.2.2", 4, 1000, "ok"),
                      ("3.3.3.3", 4, 200, "ok")], 450, "1.1.1.1", 1000),
    ("errors_expedite", [("1.1.1.1", 4, 100, "err"), ("2.2.2.2", 4, 200, "err"),
                         ("3.3.3.3", 4, 10000, "ok"), ("4.4.4.4", 4, 250, "ok")], 250,
     "4.4.4.4", 800),
    ("multi_success", [("1.1.1.1", 4, 500, "err"), ("2.2.2.2", 4, 10000, "ok"),
                       ("3.3.3.3", 4, 9000, "ok"), ("4.4.4.4", 4, 8000, "ok"),
                       ("5.5.5.5", 4, 500, "err")], 1000, "2.2.2.2", 10500),
    ("does_reorder", [("1.1.1.1", 4, 10000, "err"), ("2.2.2.2", 4, 1000, "ok"),
                      ("::3", 6, 500, "ok")], 1000, "::3", 1500),
]


@pytest.mark.parametrize("name, specs, delay, winner, end", RACE_TABLE,
                         ids=[row[0] for row in RACE_TABLE])
def test_race_mode(fake_net: Any, name: str, specs: List[Spec], delay: int, winner: str,
                   end: int) -> None:
    """auto_select_family_race: earlier attempts keep running; the first to connect wins."""
    result = scenario(fake_net, specs, delay, race=True)
    assert result.get("winner") == winner and result["end"] == end
    assert result["open_handles"] == []          # losers closed, winner destroyed after


def test_race_all_fail_waits_for_every_attempt(fake_net: Any) -> None:
    """Racing all_fail: the error comes when the last attempt fails (10300 ms)."""
    specs = [("1.1.1.1", 4, 100, "err"), ("2.2.2.2", 4, 200, "err"),
             ("3.3.3.3", 4, 10000, "err"), ("4.4.4.4", 4, 250, "err")]
    result = scenario(fake_net, specs, 250, race=True)
    assert isinstance(result["error"], net.errors.AggregateError)
    assert len(result["error"].errors) == 4
    assert result["end"] == 10300


def test_race_timeouts_still_emitted(fake_net: Any) -> None:
    """In race mode the events are Node's: a timeout is reported, the attempt goes on."""
    specs = [("1.1.1.1", 4, 400, "ok"), ("2.2.2.2", 4, 1000, "ok")]
    result = scenario(fake_net, specs, 250, race=True)
    assert (250, "timeout", "1.1.1.1") in result["events"]
    assert result["winner"] == "1.1.1.1" and result["end"] == 400
    assert not math.isinf(result["end"])
