"""Where a ported ``test-net-*`` test listens and connects: loopback TCP or a Unix path.

Node's tests use ``server.listen(0)`` and ``common.PIPE``; here a test takes the
``endpoint`` fixture (parametrized over ``tcp`` and ``unix``) or builds an
:class:`Endpoint` itself, so one body covers both transports.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Optional

import pytest

import nodenet as net


class Endpoint:
    """A listen address (TCP 127.0.0.1 port 0, or a Unix path) and how to reach it."""

    def __init__(self, kind: str, path: Optional[str] = None) -> None:
        assert kind in ("tcp", "unix")
        self.kind = kind
        self.path = path

    @property
    def is_tcp(self) -> bool:
        return self.kind == "tcp"

    def listen(self, server: net.Server, cb: Optional[Callable[..., Any]] = None) -> net.Server:
        if self.kind == "tcp":
            return server.listen(0, "127.0.0.1", cb) if cb else server.listen(0, "127.0.0.1")
        return server.listen(self.path, cb) if cb else server.listen(self.path)

    def options(self, server: net.Server) -> Dict[str, Any]:
        """Connect options reaching ``server`` (which must be listening)."""
        if self.kind == "tcp":
            return {"port": server.address()["port"], "host": "127.0.0.1"}
        return {"path": self.path}

    def connect(self, server: net.Server, cb: Optional[Callable[..., Any]] = None,
                **options: Any) -> net.Socket:
        opts = dict(self.options(server), **options)
        return net.connect(opts, cb) if cb else net.connect(opts)

    def socket_connect(self, sock: net.Socket, server: net.Server,
                       cb: Optional[Callable[..., Any]] = None) -> net.Socket:
        """``sock.connect(...)`` to ``server`` (an existing, maybe reused, Socket)."""
        opts = self.options(server)
        return sock.connect(opts, cb) if cb else sock.connect(opts)

    def __repr__(self) -> str:
        return self.kind


def port_of(server: net.Server) -> int:
    return int(server.address()["port"])


@pytest.fixture(params=["tcp", "unix"])
def endpoint(request: pytest.FixtureRequest, ipc_path: str) -> Endpoint:
    """Both transports: import this fixture into a test module to use it."""
    return Endpoint(request.param, ipc_path)


@pytest.fixture
def tcp() -> Endpoint:
    return Endpoint("tcp")
