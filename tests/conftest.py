"""Per-test isolation: a fresh default loop, closed and checked for leaks."""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import nodenet as net  # noqa: E402
import nodes  # noqa: E402
from nodenet.events import EventEmitter  # noqa: E402
from support import extra_threads, open_fds  # noqa: E402

# A suite started as a background job of a non-interactive shell (`make test &`)
# inherits SIGINT ignored, and an ignored signal stays ignored across exec, so
# the child processes the Ctrl-C tests interrupt would never see it. A handler
# here is reset to the default in every child instead.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A ``node``-marked test runs once per Node version (tests/nodes.py)."""
    if metafunc.definition.get_closest_marker("node") is not None:
        metafunc.parametrize("node_version", nodes.VERSIONS, indirect=True,
                             ids=[f"node{v}" for v in nodes.VERSIONS])


def pytest_collection_modifyitems(items: List[pytest.Item]) -> None:
    """Turn ``node20_differs`` / ``xfail_node`` into strict xfails of the matching runs,
    and skip the Node 20 run of a test of something Node 20 lacks (``not_in_node20``)."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        major = callspec.params.get("node_version") if callspec is not None else None
        if major is None:
            continue
        for mark in item.iter_markers("node20_differs"):
            if major == "20":
                item.add_marker(pytest.mark.xfail(
                    strict=True, raises=AssertionError,
                    reason=f"Node 20 differs (nodenet follows Node 26): {mark.args[0]}"))
        for mark in item.iter_markers("not_in_node20"):
            if major == "20":
                item.add_marker(pytest.mark.skip(reason=f"Node 20 has no {mark.args[0]}"))
        for mark in item.iter_markers("xfail_node"):
            if major in mark.kwargs.get("versions", nodes.VERSIONS):
                item.add_marker(pytest.mark.xfail(strict=True, raises=AssertionError,
                                                  reason=mark.args[0]))


@pytest.fixture(autouse=True)
def node_version(request: pytest.FixtureRequest) -> Iterator[Optional[str]]:
    """The Node version of a ``node``-marked test's run; None for other tests."""
    major = getattr(request, "param", None)
    if major is None:
        yield None
        return
    if nodes.BINARIES[major] is None:
        pytest.skip(nodes.missing_reason(major))
    with nodes.use(major):
        yield major


@pytest.fixture(autouse=True)
def fresh_loop(request: pytest.FixtureRequest) -> Iterator[net.Loop]:
    """Each test gets its own default loop; afterwards no fd or thread may remain."""
    fds_before = open_fds()
    threads_before = set(threading.enumerate())
    loop = net.Loop()
    previous = net.set_loop(loop)
    try:
        yield loop
    finally:
        loop.close()
        current = net.set_loop(previous)
        if current is not None and current is not loop:
            current.close()   # a default loop made after ours died
        net.process.remove_all_listeners()
        net.process._exit_code = None
        EventEmitter.default_max_listeners = 10
        from nodenet import _defaults, dns, stream
        _defaults._auto_select_family = True
        _defaults._attempt_timeout = 500
        dns._default_order = "verbatim"
        stream._default_hwm_bytes = stream.DEFAULT_HIGH_WATER_MARK
        stream._default_hwm_objects = 16
    if request.node.get_closest_marker("leaky") is None:
        deadline = time.monotonic() + 5.0
        while extra_threads(threads_before) and time.monotonic() < deadline:
            time.sleep(0.01)
        leaked_threads = extra_threads(threads_before)
        assert not leaked_threads, f"threads left running: {leaked_threads}"
        leaked = {fd: t for fd, t in open_fds().items() if fds_before.get(fd) != t}
        assert not leaked, f"fds left open: {leaked}"


@pytest.fixture
def vloop(fresh_loop: net.Loop) -> Iterator[tuple]:
    """A virtual-time default loop (fake clock), driven with ``loop.run_until_idle()``."""
    from support import virtual_loop
    loop, clock = virtual_loop()
    net.set_loop(loop)
    try:
        yield loop, clock
    finally:
        loop.close()
        net.set_loop(fresh_loop)


@pytest.fixture
def ipc_path() -> Iterator[str]:
    """A short Unix socket path in a fresh private directory (removed afterwards)."""
    import shutil
    import tempfile
    directory = tempfile.mkdtemp(prefix="nn-")
    try:
        yield f"{directory}/s.sock"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _has_ipv6() -> bool:
    import socket
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


HAS_IPV6 = _has_ipv6()


@pytest.fixture(scope="session")
def tls_certs(tmp_path_factory: pytest.TempPathFactory) -> object:
    """Test certificates made once per session with the ``openssl`` command
    (tests/tlscerts.py); tests that need them skip when openssl is absent."""
    from tlscerts import maybe_make_certs
    certs = maybe_make_certs(str(tmp_path_factory.mktemp("tls-certs")))
    if certs is None:
        pytest.skip("the openssl command is not installed")
    return certs
