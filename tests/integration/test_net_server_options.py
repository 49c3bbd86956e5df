"""Server paths the Node ports elsewhere do not reach: listen(handle) corner cases,
accept failures (ECONNABORTED, ENOBUFS, EMFILE and libuv's reserve-fd trick),
backlog-limited accept batches, reuse_port, Unix path corner cases, fileno(),
close_all_connections() and the reserve fd's lifetime.

Node-visible behaviour was checked against node v20.20 with small scripts (quoted
in each test). Accept failures cannot be produced on demand from outside, so
those tests swap the listening socket for a proxy whose ``accept`` fails as
scripted (a private seam, as Node's own tests mock ``_handle`` methods); one test
runs out of fds for real, under a lowered RLIMIT_NOFILE in a child Python.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import nodenet as net
from nodenet import _netserver
from nodenet.errors import NodeSystemError, NodeTypeError
from support import Calls, on_loop, run

LINUX = sys.platform.startswith("linux")


def port_of(server: net.Server) -> int:
    return int(server.address()["port"])


class ScriptedAccept:
    """A listening socket whose next accepts raise the given exceptions."""

    def __init__(self, real: socket.socket, failures: List[BaseException]) -> None:
        self._real = real
        self.failures = list(failures)
        self.calls = 0

    def _next(self) -> None:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)

    def _accept(self) -> Any:
        self._next()
        return self._real._accept()  # type: ignore[attr-defined]

    def accept(self) -> Any:
        self._next()
        return self._real.accept()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


def _inject(server: net.Server, failures: List[BaseException]) -> ScriptedAccept:
    handle = server._handle
    assert handle is not None
    proxy = ScriptedAccept(handle.sock, failures)
    handle.sock = proxy  # type: ignore[assignment]
    return proxy


def _accept_run(failures: List[BaseException], clients: int = 1,
                prepare: Any = None) -> Dict[str, Any]:
    """A server whose accepts fail as scripted; ``clients`` connect one after another."""
    out: Dict[str, Any] = {"errors": [], "connections": 0, "client_events": []}

    def main() -> None:
        server = net.create_server()
        server.on("error", out["errors"].append)

        def on_connection(conn: net.Socket) -> None:
            out["connections"] += 1
            conn.end()

        server.on("connection", on_connection)

        def connect(n: int) -> None:
            client = net.connect(port_of(server), "127.0.0.1")
            tag = f"c{n}"
            client.on("error", lambda e: out["client_events"].append((tag, "error", e.code)))
            client.on("end", lambda: out["client_events"].append((tag, "end")))
            client.resume()

            def closed(*_: Any) -> None:
                out["client_events"].append((tag, "close"))
                if n + 1 < clients:
                    connect(n + 1)
                else:
                    out["listening"] = server.listening
                    out["reserve"] = net.get_loop().emfile_fd
                    server.close()

            client.on("close", closed)

        def listening() -> None:
            out["proxy"] = _inject(server, failures)
            if prepare is not None:
                prepare()
            connect(0)

        server.listen(0, "127.0.0.1", listening)

    run(main)
    return out


# ------------------------------------------------------------------ accept failures


def test_accept_econnaborted_is_ignored() -> None:
    # libuv's uv__server_io skips ECONNABORTED and accepts the next connection
    out = _accept_run([ConnectionAbortedError(errno.ECONNABORTED, "aborted")])
    assert out["errors"] == []
    assert out["connections"] == 1
    assert out["client_events"] == [("c0", "end"), ("c0", "close")]


def test_accept_error_is_emitted_and_the_server_keeps_listening() -> None:
    # node (onconnection): any other accept error -> server 'error' "accept ENOBUFS";
    # the waiting connection is accepted on the next turn
    out = _accept_run([OSError(errno.ENOBUFS, "no buffers")])
    assert [(e.code, e.syscall, str(e)) for e in out["errors"]] == \
        [("ENOBUFS", "accept", "accept ENOBUFS")]
    assert isinstance(out["errors"][0], NodeSystemError)
    assert out["connections"] == 1
    assert out["listening"] is True


def test_accept_emfile_drops_the_waiting_connection_and_serves_on() -> None:
    # libuv's uv__emfile_trick: out of fds, the reserve fd is freed, the waiting
    # connection accepted and closed at once (no 'error', no busy loop); the next
    # client is served normally and the reserve fd is taken again
    out = _accept_run([OSError(errno.EMFILE, "too many open files")], clients=2)
    assert out["errors"] == []
    assert out["connections"] == 1                        # only the second client
    assert ("c0", "close") in out["client_events"]
    assert out["client_events"][-2:] == [("c1", "end"), ("c1", "close")]
    assert isinstance(out["reserve"], int)


def test_accept_emfile_without_a_reserve_fd_is_an_error() -> None:
    # no reserve fd to give back (libuv's trick fails): the EMFILE goes to 'error'
    def drop_reserve() -> None:
        loop = net.get_loop()
        assert loop.emfile_fd is not None
        os.close(loop.emfile_fd)
        loop.emfile_fd = None

    out = _accept_run([OSError(errno.EMFILE, "too many open files")], prepare=drop_reserve)
    assert [(e.code, str(e)) for e in out["errors"]] == [("EMFILE", "accept EMFILE")]
    assert out["connections"] == 1


def test_accept_emfile_when_the_trick_itself_fails() -> None:
    # the trick's own accept fails with something other than EAGAIN: 'error' EMFILE
    out = _accept_run([OSError(errno.EMFILE, "too many"), OSError(errno.EMFILE, "still")])
    assert [(e.code, e.syscall) for e in out["errors"]] == [("EMFILE", "accept")]
    assert out["connections"] == 1
    assert isinstance(out["reserve"], int)                # re-taken after the trick


@pytest.mark.skipif(not LINUX, reason="RLIMIT_NOFILE and /proc/self/fd (Linux)")
def test_real_emfile_under_a_low_rlimit(tmp_path: Path) -> None:
    # SPEC §5: out of fds on accept, no busy spin, the server keeps serving once
    # fds free up. A child Python fills its fd table, lets a client in (the accept
    # fails with EMFILE: the trick drops it), frees the fds, and is served again.
    script = tmp_path / "emfile.py"
    script.write_text(textwrap.dedent("""
        import os, resource
        import nodenet as net

        resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
        events = []
        fillers = []

        def fill():
            while True:
                try:
                    fillers.append(os.open(os.devnull, os.O_RDONLY))
                except OSError:
                    break
            os.close(fillers.pop())            # one fd left: the client's own socket

        def free():
            while fillers:
                os.close(fillers.pop())

        def main():
            server = net.create_server(lambda c: (events.append("connection"), c.end()))
            server.on("error", lambda e: events.append(("error", e.code)))

            def second():
                free()
                c2 = net.connect(server.address()["port"], "127.0.0.1")
                c2.resume()
                c2.on("end", lambda: events.append("c2 end"))
                c2.on("close", lambda *_: server.close())

            def listening():
                fill()
                c1 = net.connect(server.address()["port"], "127.0.0.1")
                c1.on("error", lambda e: events.append(("c1 error", e.code)))
                c1.on("end", lambda: events.append("c1 end"))
                c1.resume()
                c1.on("close", lambda *_: (events.append("c1 close"), net.set_immediate(second)))

            server.listen(0, "127.0.0.1", listening)

        net.run(main)
        print(events)
    """))
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root))
    proc = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                          timeout=60, env=env)
    assert proc.returncode == 0, proc.stderr
    events = eval(proc.stdout.strip().splitlines()[-1])
    assert "connection" in events and ("error", "EMFILE") not in events
    assert events.count("connection") == 1               # c1 was dropped, c2 served
    assert events.index("c1 close") < events.index("connection")
    assert events[-1] == "c2 end"


def test_backlog_one_still_serves_every_queued_connection() -> None:
    # node: listen(0, host, 1) -> every connection is accepted eventually; nodenet
    # accepts at most `backlog` per readiness event (libuv accepts in a loop)
    n = 4
    accepted: List[int] = []
    closed = Calls()

    def main() -> None:
        server = net.create_server(lambda c: (accepted.append(c.remote_port), c.end()))

        def listening() -> None:
            for _ in range(n):
                client = net.connect(port_of(server), "127.0.0.1")
                client.resume()
                client.on("close", lambda *_: (closed(), closed.count == n and server.close()))

        server.listen(0, "127.0.0.1", 1, listening)

    run(main)
    assert len(accepted) == n and closed.count == n


# ------------------------------------------------------------------ listen(handle) corners


def test_listen_on_a_connected_socket_fd_is_einval() -> None:
    # node: server.listen({fd: connectedClient._handle.fd}) -> 'error'
    # "listen EINVAL: invalid argument", address null, port undefined
    errors: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: c.end())

        def listening() -> None:
            def connected() -> None:
                other = net.create_server()
                other.on("error", lambda e: (errors.append(e), client.destroy(),
                                             server.close()))
                other.listen(client)           # the connected socket as a handle

            client = net.connect(port_of(server), "127.0.0.1", connected)

        server.listen(0, "127.0.0.1", listening)

    run(main)
    [err] = errors
    assert (err.code, err.syscall, str(err)) == ("EINVAL", "listen",
                                                 "listen EINVAL: invalid argument")
    assert err.address is None and err.port is None


@pytest.mark.parametrize("form", ["fd", "socket"])
def test_listen_on_a_udp_socket_is_einval(form: str) -> None:
    # node: listen({fd: udpSocket._handle.fd}) -> 'error' "listen EINVAL: invalid argument"
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.bind(("127.0.0.1", 0))
    errors: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", errors.append)
        server.on("listening", lambda: server.close())
        server.listen({"fd": udp.fileno()} if form == "fd" else udp)

    try:
        run(main)
        os.fstat(udp.fileno())                  # an fd that is no stream is left open
    finally:
        udp.close()
    assert [(e.code, str(e)) for e in errors] == [("EINVAL", "listen EINVAL: invalid argument")]


def test_listen_on_another_listening_server_shares_its_port() -> None:
    # node: b.listen(a) listens on a's handle: same address; after a.close() b
    # still accepts on that port
    seen: List[Any] = []

    def main() -> None:
        first = net.create_server()

        def first_listening() -> None:
            second = net.create_server(lambda c: (seen.append("connection"), c.end()))

            def second_listening() -> None:
                seen.append(second.address() == first.address())
                first.close(lambda err: seen.append(("first closed", err)))
                client = net.connect(port_of(second), "127.0.0.1")
                client.resume()
                client.on("close", lambda *_: second.close())

            second.listen(first, second_listening)

        first.listen(0, "127.0.0.1", first_listening)

    run(main)
    assert seen == [True, ("first closed", None), "connection"]


@pytest.mark.parametrize("make", [net.Server, net.Socket, lambda: {"handle": net.Server()}],
                         ids=["server", "socket", "{handle: server}"])
def test_listen_on_an_object_without_a_handle_throws(make: Any) -> None:
    # node: b.listen(new net.Server()) / b.listen(new net.Socket()) throw
    # ERR_INVALID_ARG_VALUE 'must have the property "port" or "path"' (the object
    # is taken as the options); nodenet used to emit 'error' EBADF instead
    never = Calls()
    server = net.create_server()
    server.on("error", never)
    with pytest.raises(NodeTypeError) as info:
        server.listen(make())
    assert info.value.code == "ERR_INVALID_ARG_VALUE"
    assert str(info.value).startswith(
        "The argument 'options' must have the property \"port\" or \"path\". Received <")
    run()
    assert never.count == 0 and not server.listening


def test_listen_on_an_object_with_fileno() -> None:
    # SPEC §2: a handle may be any object with fileno() (its fd is duplicated)
    raw = socket.socket()
    raw.bind(("127.0.0.1", 0))
    port = raw.getsockname()[1]

    class Wrapper:
        def fileno(self) -> int:
            return raw.fileno()

    got: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.listen(Wrapper(), lambda: (got.append(port_of(server)), server.close()))

    try:
        run(main)
    finally:
        raw.close()
    assert got == [port]


# ------------------------------------------------------------------ TCP binding


@pytest.mark.skipif(not hasattr(socket, "SO_REUSEPORT"), reason="needs SO_REUSEPORT")
def test_reuse_port_lets_two_servers_share_a_port() -> None:
    # node >= 22.12 (listen({reusePort: true})): both listens succeed; without it
    # the second gets EADDRINUSE
    results: List[Any] = []

    def main() -> None:
        first = net.create_server()

        def first_listening() -> None:
            port = port_of(first)
            second = net.create_server()
            second.on("error", lambda e: results.append(("error", e.code)))

            def second_listening() -> None:
                results.append(("second", port_of(second) == port))
                third = net.create_server()
                third.on("error", lambda e: (results.append(("third", e.code)),
                                             first.close(), second.close()))
                third.listen({"port": port, "host": "127.0.0.1"})

            second.listen({"port": port, "host": "127.0.0.1", "reusePort": True},
                          second_listening)

        first.listen({"port": 0, "host": "127.0.0.1", "reuse_port": True}, first_listening)

    run(main)
    assert results == [("second", True), ("third", "EADDRINUSE")]


def test_no_ipv6_falls_back_to_ipv4_any(monkeypatch: Any) -> None:
    # node on a host without IPv6: listen() with no host binds 0.0.0.0
    real = socket.socket

    class NoIPv6(real):  # type: ignore[misc, valid-type]
        def __init__(self, family: int = -1, type: int = -1, proto: int = -1,
                     fileno: Optional[int] = None) -> None:
            if family == socket.AF_INET6 and fileno is None:
                raise OSError(errno.EAFNOSUPPORT, "Address family not supported")
            super().__init__(family, type, proto, fileno)

    class SocketModule:
        socket = NoIPv6

        def __getattr__(self, name: str) -> Any:
            return getattr(socket, name)

    monkeypatch.setattr(_netserver, "socket", SocketModule())
    addresses: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.listen(0, lambda: (addresses.append(server.address()), server.close()))

    run(main)
    assert addresses[0]["address"] == "0.0.0.0" and addresses[0]["family"] == "IPv4"


# ------------------------------------------------------------------ Unix paths


def test_listen_and_connect_path_with_a_nul_byte(ipc_path: str) -> None:
    # Node 26: a file path with a NUL inside is EINVAL for listen (an 'error' event) and
    # for connect (at once, so the message names no local address); Node 20 bound and
    # connected to the path up to the NUL
    path = ipc_path + "\0tail"
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", lambda err: seen.append(("listen", err.code, str(err))))
        server.listen(path, lambda: seen.append("listening"))
        client = net.connect(path)
        client.on("error", lambda err: seen.append(("connect", err.code, str(err),
                                                   err.address == path)))

    run(main)
    assert seen == [("listen", "EINVAL", f"listen EINVAL: invalid argument {path}"),
                    ("connect", "EINVAL",
                     f"connect EINVAL {path} - Local (undefined:undefined)", True)]
    assert not os.path.exists(ipc_path)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sun_path is 108 bytes on Linux")
@pytest.mark.parametrize("length, ok", [(107, True), (108, False), (109, False)])
def test_long_unix_path_is_einval(ipc_path: str, length: int, ok: bool) -> None:
    """Node 26 (since 23) refuses a path that does not fit sun_path with EINVAL, for
    listen and connect alike (Node 20 cut it short). Node takes 108 bytes, without a
    terminating NUL; Python's socket module needs the NUL, so nodenet's limit is 107
    (docs/compat.md)."""
    directory = os.path.dirname(ipc_path)
    path = os.path.join(directory, "y" * (length - len(directory) - 1))
    assert len(path) == length
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: c.end("hi"))
        server.on("error", lambda err: seen.append((err.code, err.syscall)))

        def listening() -> None:
            client = net.connect(path)
            client.on("data", seen.append)
            client.on("close", lambda _: server.close())

        server.listen(path, listening)
        if not ok:
            client = net.connect(path)
            client.on("error", lambda err: seen.append((err.code, err.syscall)))

    run(main)
    assert seen == ([b"hi"] if ok else [("EINVAL", "listen"), ("EINVAL", "connect")])
    assert os.listdir(directory) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="abstract names are Linux's")
def test_long_abstract_name_is_einval() -> None:
    name = "\0" + "n" * 108        # 109 bytes with the leading NUL: one too many
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("error", lambda err: seen.append((err.code, err.syscall)))
        server.listen(name)
        client = net.connect(name)
        client.on("error", lambda err: seen.append((err.code, err.syscall)))

    run(main)
    assert seen == [("EINVAL", "listen"), ("EINVAL", "connect")]


def test_unix_path_with_a_lone_surrogate(ipc_path: str) -> None:
    """A path string JavaScript cannot encode as UTF-8 as it is: Node writes U+FFFD
    for the lone surrogate, binds, connects to the same name and removes it on
    close (checked with node 20)."""
    directory = os.path.dirname(ipc_path)
    path = os.path.join(directory, "s\ud800")
    seen: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: c.end("ok"))

        def listening() -> None:
            seen.append(os.listdir(os.fsencode(directory)))
            client = net.connect(path)
            client.on("data", seen.append)
            client.on("close", lambda _: server.close(
                lambda *_: seen.append(os.listdir(directory))))

        server.listen(path, listening)

    run(main)
    assert seen == [["s\ufffd".encode()], b"ok", []]


@pytest.mark.parametrize("flag, bits", [
    ("readable_all", stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH),
    ("writable_all", stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH),
])
def test_listen_path_single_chmod_flag(ipc_path: str, flag: str, bits: int) -> None:
    # libuv uv_pipe_chmod: adds exactly the asked bits (nothing when already there)
    modes: List[int] = []
    old = os.umask(0o077)            # the socket file starts as rwx------

    def main() -> None:
        server = net.create_server()
        server.listen({"path": ipc_path, flag: True},
                      lambda: (modes.append(stat.S_IMODE(os.stat(ipc_path).st_mode)),
                               server.close()))

    try:
        run(main)
    finally:
        os.umask(old)
    assert modes == [0o700 | bits]


def test_listen_path_chmod_already_satisfied(ipc_path: str) -> None:
    modes: List[int] = []
    old = os.umask(0o022)            # rwxr-xr-x: readable by all already

    def main() -> None:
        server = net.create_server()
        server.listen({"path": ipc_path, "readableAll": True},
                      lambda: (modes.append(stat.S_IMODE(os.stat(ipc_path).st_mode)),
                               server.close()))

    try:
        run(main)
    finally:
        os.umask(old)
    assert modes == [0o755]


def test_listen_path_chmod_failure_throws(ipc_path: str, monkeypatch: Any) -> None:
    # node: a failing uv_pipe_chmod closes the handle and throws ErrnoException
    # (err, 'uv_pipe_chmod')
    def refuse(*_: Any) -> None:
        raise PermissionError(errno.EPERM, "not permitted")

    monkeypatch.setattr(_netserver.os, "chmod", refuse)
    old = os.umask(0o077)
    server = net.create_server()
    try:
        with pytest.raises(NodeSystemError) as info:
            server.listen({"path": ipc_path, "writable_all": True})
    finally:
        os.umask(old)
    assert (info.value.code, info.value.syscall, str(info.value)) == \
        ("EPERM", "uv_pipe_chmod", "uv_pipe_chmod EPERM")
    assert not server.listening
    run()


def test_close_leaves_a_replaced_socket_file_alone(ipc_path: str) -> None:
    # SPEC §5: never unlink a file the server did not create (libuv unlinks the
    # path unconditionally; nodenet checks it is still its own socket file)
    kept: List[bool] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            os.unlink(ipc_path)
            Path(ipc_path).write_text("someone else's")
            server.close(lambda err: kept.append(os.path.exists(ipc_path)))

        server.listen(ipc_path, listening)

    run(main)
    assert kept == [True]
    assert Path(ipc_path).read_text() == "someone else's"


def test_close_after_the_socket_file_was_removed(ipc_path: str) -> None:
    errors: List[Any] = []

    def main() -> None:
        server = net.create_server()

        def listening() -> None:
            os.unlink(ipc_path)
            server.close(errors.append)

        server.listen(ipc_path, listening)

    run(main)
    assert errors == [None] and not os.path.exists(ipc_path)


# ------------------------------------------------------------------ misc API


def test_fileno_and_repr() -> None:
    # SPEC §3: Server.fileno() is the listening fd, -1 when not listening
    server = net.create_server()
    seen: List[Any] = []
    assert server.fileno() == -1
    assert repr(server) == "<Server listening=False address=None>"

    def main() -> None:
        def listening() -> None:
            fd = server.fileno()
            seen.append(fd >= 0 and stat.S_ISSOCK(os.fstat(fd).st_mode))
            seen.append(repr(server) ==
                        f"<Server listening=True address={server.address()!r}>")
            server.close()

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert seen == [True, True]
    assert server.fileno() == -1


def test_close_all_connections() -> None:
    # SPEC §3 (beyond Node's net, like http.Server's): every accepted socket is
    # destroyed, so the server's 'close' can come
    events: List[Any] = []

    def main() -> None:
        server = net.create_server()
        server.on("close", lambda: events.append("server close"))
        accepted: List[net.Socket] = []

        def on_connection(conn: net.Socket) -> None:
            accepted.append(conn)
            if len(accepted) == 2:
                server.close()
                server.close_all_connections()

        server.on("connection", on_connection)

        def listening() -> None:
            for n in range(2):
                client = net.connect(port_of(server), "127.0.0.1")
                client.resume()
                client.on("end", lambda n=n: events.append(("end", n)))

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert sorted(e for e in events if e != "server close") == [("end", 0), ("end", 1)]
    assert events.count("server close") == 1


def test_block_list_option_must_be_a_block_list() -> None:
    # node >= 22: createServer({blockList: 1}) -> ERR_INVALID_ARG_TYPE
    # 'The "options.blockList" property must be an net.BlockList. Received ...'
    with pytest.raises(NodeTypeError) as info:
        net.create_server({"blockList": 1})
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    assert str(info.value) == ('The "options.block_list" property must be an net.BlockList. '
                               "Received type int (1)")


@pytest.mark.skipif(not LINUX, reason="/proc/self/fd")
def test_closing_a_loop_frees_the_reserve_fd() -> None:
    # SPEC §5: after everything closes the fd count is back where it started;
    # the EMFILE reserve fd (/dev/null) a listen takes belongs to its loop
    def devnull_fds() -> int:
        count = 0
        for name in os.listdir("/proc/self/fd"):
            try:
                count += os.readlink(f"/proc/self/fd/{name}") == os.devnull
            except OSError:
                pass
        return count

    before = devnull_fds()
    previous = net.get_loop()
    for _ in range(3):
        loop = net.Loop()
        net.set_loop(loop)
        try:
            server = net.create_server()
            run(lambda: server.listen(0, "127.0.0.1", lambda: server.close()))
            assert isinstance(on_loop(lambda: loop.emfile_fd), int)
        finally:
            loop.close()
            net.set_loop(previous)
        assert loop.emfile_fd is None
    assert devnull_fds() == before


@pytest.mark.parametrize("hwm, expected", [(1024, 1024), (0, 0), (-1, None)])
def test_high_water_mark_option_reaches_accepted_sockets(hwm: int,
                                                         expected: Optional[int]) -> None:
    # node v20: createServer({highWaterMark}) sets both marks of accepted sockets;
    # a negative value means the default (16 KiB in v20, 64 KiB here: SPEC §3)
    marks: List[Any] = []

    def main() -> None:
        server = net.create_server({"highWaterMark": hwm})

        def on_connection(conn: net.Socket) -> None:
            marks.append((conn.readable_high_water_mark, conn.writable_high_water_mark))
            conn.destroy()
            server.close()

        server.on("connection", on_connection)
        server.listen(0, "127.0.0.1", lambda: net.connect(port_of(server), "127.0.0.1")
                      .on("error", lambda e: None).resume())

    run(main)
    want = expected if expected is not None else 64 * 1024
    assert marks == [(want, want)]


def test_stopping_the_loop_closes_a_listening_server() -> None:
    # a loop torn down with a server still listening closes its socket (no fd leak)
    loop = net.Loop()
    previous = net.get_loop()
    net.set_loop(loop)
    fds: List[int] = []
    try:
        server = net.create_server()
        run(lambda: server.listen(0, "127.0.0.1", lambda: fds.append(server.fileno()))
            .unref())
        assert fds and stat.S_ISSOCK(os.fstat(fds[0]).st_mode)
    finally:
        loop.close()
        net.set_loop(previous)
    with pytest.raises(OSError):
        os.fstat(fds[0])
