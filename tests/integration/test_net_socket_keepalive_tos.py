"""Keep-alive and type-of-service options: constructors, servers, validation.

The per-call rules of ``set_keep_alive``/``set_type_of_service`` are checked
against Node 26 by tests/diff/test_diff_keepalive_tos.py; these tests cover the
option forms around them, with values and messages recorded from Node 26.12.
"""

from __future__ import annotations

import socket
from typing import Any, Dict, List

import pytest

import nodenet as net
import sockpeek
from net_endpoints import port_of
from support import run

pytestmark = pytest.mark.skipif(not hasattr(socket, "TCP_KEEPIDLE"), reason="Linux options")


def connected_options(client_opts: Dict[str, Any], server_opts: Dict[str, Any],
                      after: Any = None) -> Dict[str, Any]:
    """Options of the client and the accepted socket once both are connected."""
    out: Dict[str, Any] = {}

    def main() -> None:
        def on_conn(s: net.Socket) -> None:
            out["server"] = sockpeek.own_options(s.fileno())
            s.destroy()
            srv.close()
        srv = net.create_server(server_opts, on_conn)

        def listening() -> None:
            c = net.Socket(client_opts)

            def on_connect() -> None:
                if after is not None:
                    after(c, out)
                out["client"] = sockpeek.own_options(c.fileno())
                c.destroy()
            c.connect(port_of(srv), "127.0.0.1", on_connect)
        srv.listen(0, "127.0.0.1", listening)

    run(main, 10)
    return out


def test_keep_alive_options_of_socket_and_server() -> None:
    out = connected_options({"keepAlive": True, "keepAliveInitialDelay": 5000},
                            {"keep_alive": True, "keep_alive_initial_delay": 7999})
    assert out["client"] == {"keepalive": 1, "idle": 5, "interval": 1, "count": 10, "tos": 0}
    assert out["server"] == {"keepalive": 1, "idle": 7, "interval": 1, "count": 10, "tos": 0}


@pytest.mark.parametrize("delay", [1e30, float("inf"), 10**400, -1],
                         ids=["1e30", "inf", "10**400", "-1"])
def test_server_keep_alive_delay_node_accepts_is_harmless(delay: Any) -> None:
    """Issue #8: Node takes these (``~~(x / 1000)`` is 0 or clamps to 0); the
    accepted connections get keep-alive with the kernel's probe settings."""
    out = connected_options({}, {"keep_alive": True, "keep_alive_initial_delay": delay})
    assert out["server"]["keepalive"] == 1
    assert (out["server"]["idle"], out["server"]["count"]) == (7200, 9)   # untouched


def test_type_of_service_option_is_applied_at_connect() -> None:
    seen: List[Any] = []
    out = connected_options({"type_of_service": 0x20}, {},
                            after=lambda c, _o: seen.append(c.get_type_of_service()))
    assert out["client"]["tos"] == 0x20 and seen == [0x20]


def test_type_of_service_before_and_without_a_connection() -> None:
    s = net.Socket()
    assert s.get_type_of_service() == 0
    assert s.set_type_of_service(8) is s
    assert s.get_type_of_service() == 8
    assert net.Socket({"typeOfService": 16}).get_type_of_service() == 16


def test_type_of_service_while_connecting_is_ebadf() -> None:
    """Node 26: the handle exists but has no OS socket yet."""
    got: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: (s.destroy(), srv.close()))

        def listening() -> None:
            c = net.connect(port_of(srv), "127.0.0.1")
            for call in (lambda: c.set_type_of_service(0x28), c.get_type_of_service):
                try:
                    call()
                except OSError as err:
                    got.append((err.code, str(err)))

            def on_connect() -> None:
                got.append(c.get_type_of_service())   # the value set is applied anyway
                c.destroy()
            c.on("connect", on_connect)
        srv.listen(0, "127.0.0.1", listening)

    run(main, 10)
    assert got == [("EBADF", "setTypeOfService EBADF"), ("EBADF", "getTypeOfService EBADF"),
                   0x28]


def test_type_of_service_on_a_unix_socket_is_only_kept(ipc_path: str) -> None:
    got: List[Any] = []

    def main() -> None:
        srv = net.create_server(lambda s: (s.destroy(), srv.close()))

        def listening() -> None:
            c = net.connect(ipc_path)

            def on_connect() -> None:
                c.set_type_of_service(0x10)
                got.append(c.get_type_of_service())
                c.destroy()
            c.on("connect", on_connect)
        srv.listen(ipc_path, listening)

    run(main, 10)
    assert got == [0x10]


# Messages and codes recorded from Node 26.12 (names in Python spelling).
@pytest.mark.parametrize("value, code, message", [
    (256, "ERR_OUT_OF_RANGE",
     'The value of "tos" is out of range. It must be >= 0 && <= 255. Received 256'),
    (-1, "ERR_OUT_OF_RANGE",
     'The value of "tos" is out of range. It must be >= 0 && <= 255. Received -1'),
    (1.5, "ERR_OUT_OF_RANGE",
     'The value of "tos" is out of range. It must be an integer. Received 1.5'),
    (float("nan"), "ERR_INVALID_ARG_TYPE", None),
    ("16", "ERR_INVALID_ARG_TYPE", None),
    (None, "ERR_INVALID_ARG_TYPE", None),
    (True, "ERR_INVALID_ARG_TYPE", None),
    (float("inf"), "ERR_OUT_OF_RANGE", None),
])
def test_set_type_of_service_validation(value: Any, code: str, message: Any) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        net.Socket().set_type_of_service(value)
    assert getattr(info.value, "code", None) == code
    if message is not None:
        assert str(info.value) == message


@pytest.mark.parametrize("value, code", [
    (256, "ERR_OUT_OF_RANGE"), (-1, "ERR_OUT_OF_RANGE"), (1.5, "ERR_OUT_OF_RANGE"),
    (float("nan"), "ERR_OUT_OF_RANGE"), ("16", "ERR_INVALID_ARG_TYPE"),
    (True, "ERR_INVALID_ARG_TYPE"),
    (None, "ERR_INVALID_ARG_TYPE"),     # a key present with None is null (Node 26 refuses it)
])
def test_type_of_service_option_validation(value: Any, code: str) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        net.Socket({"type_of_service": value})
    assert getattr(info.value, "code", None) == code


def test_type_of_service_keyword_none_is_not_given() -> None:
    # a keyword given None is left out (undefined), as every nodenet option
    assert net.Socket(type_of_service=None).get_type_of_service() == 0


def test_set_keep_alive_returns_the_socket_and_never_raises() -> None:
    s = net.Socket()
    for args in [(True, float("nan")), (True, float("inf")), (True, 10**400),
                 (True, 5000, 10**400, 10**400), ({"enable": 1, "count": "x"},), ([], {}),
                 (object(), object(), object(), object())]:
        assert s.set_keep_alive(*args) is s
