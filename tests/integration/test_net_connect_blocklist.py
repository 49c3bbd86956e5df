"""The ``block_list`` option on connect (Node >= 22): a blocked address fails with
ERR_IP_BLOCKED, also behind a lookup and in a multi-address connect, where it
is one failed attempt and the next address is tried.

``block_list`` is newer than node v20, so these tests port Node's
test/parallel/test-net-blocklist.js and lib/net.js (internalConnectMultiple).
The racing mode's blocked attempt is in test_net_connect_race.py.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

import nodenet as net
from net_endpoints import port_of
from nodenet.errors import NodeTypeError
from support import run


def test_socket_block_list_option_must_be_a_block_list() -> None:
    with pytest.raises(NodeTypeError) as info:
        net.Socket(block_list="127.0.0.1")
    assert info.value.code == "ERR_INVALID_ARG_TYPE"
    assert str(info.value).startswith(
        'The "options.block_list" property must be an net.BlockList. Received ')


def _blocked() -> net.BlockList:
    block_list = net.BlockList()
    block_list.add_address("127.0.0.1")
    block_list.add_address("127.0.0.2")
    return block_list


@pytest.mark.parametrize("case", ["ip", "lookup-single", "autoselect-single",
                                  "autoselect-multiple"])
def test_connect_to_a_blocked_address(case: str) -> None:
    # ported from test/parallel/test-net-blocklist.js (Node >= 22): every way of
    # reaching a blocked address fails with code ERR_IP_BLOCKED
    options: Dict[str, Any] = {"port": 9999, "block_list": _blocked()}
    if case == "ip":
        options["host"] = "127.0.0.1"
    elif case == "lookup-single":
        options.update(host="localhost", auto_select_family=False,
                       lookup=lambda _h, _o, cb: cb(None, "127.0.0.1", 4))
    elif case == "autoselect-single":
        options.update(host="localhost", auto_select_family=True,
                       lookup=lambda _h, _o, cb: cb(None, [{"address": "127.0.0.1",
                                                             "family": 4}]))
    else:
        options.update(host="localhost", auto_select_family=True,
                       lookup=lambda _h, _o, cb: cb(None, [
                           {"address": "127.0.0.1", "family": 4},
                           {"address": "127.0.0.2", "family": 4}]))
    errors: List[Any] = []
    run(lambda: net.connect(options).on("error", errors.append))
    [err] = errors
    assert err.code == "ERR_IP_BLOCKED"
    if case == "autoselect-multiple":
        assert isinstance(err, net.errors.AggregateError)
        assert [str(e) for e in err.errors] == [
            "IP(127.0.0.1) is blocked by net.BlockList",
            "IP(127.0.0.2) is blocked by net.BlockList"]
    else:
        assert str(err) == "IP(127.0.0.1) is blocked by net.BlockList"


def test_blocked_first_address_falls_through_to_the_next() -> None:
    # Node >= 22 internalConnectMultiple: a blocked address is an attempt failure
    # ('connectionAttemptFailed' with ERR_IP_BLOCKED) and the next one is tried
    block_list = net.BlockList()
    block_list.add_address("127.0.0.2")
    failed: List[Any] = []
    result: List[Any] = []

    def main() -> None:
        server = net.create_server(lambda c: c.end())

        def listening() -> None:
            client = net.connect({
                "port": port_of(server), "host": "example.test", "block_list": block_list,
                "auto_select_family": True,
                "lookup": lambda _h, _o, cb: cb(None, [{"address": "127.0.0.2", "family": 4},
                                                        {"address": "127.0.0.1", "family": 4}]),
            })
            client.on("connectionAttemptFailed",
                      lambda addr, port, family, err: failed.append((addr, family, err.code)))
            client.on("connect", lambda: result.append(
                (client.remote_address, client.auto_select_family_attempted_addresses)))
            client.resume()
            client.on("close", lambda *_: server.close())

        server.listen(0, "127.0.0.1", listening)

    run(main)
    assert failed == [("127.0.0.2", 4, "ERR_IP_BLOCKED")]
    [(remote, attempted)] = result
    assert remote == "127.0.0.1"
    assert attempted[-1].startswith("127.0.0.1:")
