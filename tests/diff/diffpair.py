"""Shared shapes for the differential scenarios: one server, one client.

``js_pair`` and ``py_pair`` build the same skeleton on both sides:

* a server (``createServer(opts, ...)``) whose accepted socket is watched as
  ``'server'`` and which closes the server once that socket has closed;
* a client connected to it (TCP on 127.0.0.1, or the Unix path ``path``),
  watched as ``'client'``;
* the scenario's own code for each side runs right after the watchers are
  installed (JS: ``c`` is the socket, ``srv`` the server; Python: the body is
  called as ``body(t, c, srv)``);
* the client is also ``pairClient`` (JS, a global) and ``t.pair_client``
  (Python), for a server body that waits on what the client has read.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, List, Optional

import nodenet as net
from difftrace import Trace, check, side_by_side  # noqa: F401  (re-exported)

EVENTS = ["connect", "ready", "data", "end", "finish", "close", "error", "timeout"]
SERVER_EVENTS = ["data", "end", "finish", "close", "error", "timeout"]

Body = Callable[[Trace, Any, Any], None]


def js_value(value: Any) -> str:
    """A Python value (dict, list, bool, None, str, int) as a JS literal."""
    return json.dumps(value)


def js_pair(server_body: str = "", client_body: str = "", *,
            server_opts: Optional[Dict[str, Any]] = None,
            client_opts: Optional[Dict[str, Any]] = None,
            path: Optional[str] = None,
            server_events: Optional[List[str]] = None,
            client_events: Optional[List[str]] = None,
            close_server: bool = True) -> str:
    sev = js_value(SERVER_EVENTS if server_events is None else server_events)
    cev = js_value(EVENTS if client_events is None else client_events)
    if path is None:
        listen = "0, '127.0.0.1'"
        target = "{port: port(srv.address().port), host: '127.0.0.1'}"
    else:
        listen = js_value(path)
        target = "{path: %s}" % js_value(path)
    closer = "c.on('close', () => srv.close());" if close_server else ""
    return """
    const srv = net.createServer(%(sopts)s, (c) => {
      watch(c, 'server', %(sev)s);
      %(closer)s
      %(server_body)s
    });
    srv.listen(%(listen)s, () => {
      const c = net.connect(Object.assign(%(target)s, %(copts)s));
      globalThis.pairClient = c;
      watch(c, 'client', %(cev)s);
      %(client_body)s
    });
    """ % {"sopts": js_value(server_opts or {}), "copts": js_value(client_opts or {}),
           "sev": sev, "cev": cev, "listen": listen, "target": target,
           "closer": closer, "server_body": server_body, "client_body": client_body}


def py_pair(server_body: Optional[Body] = None, client_body: Optional[Body] = None, *,
            server_opts: Optional[Dict[str, Any]] = None,
            client_opts: Optional[Dict[str, Any]] = None,
            path: Optional[str] = None,
            server_events: Optional[List[str]] = None,
            client_events: Optional[List[str]] = None,
            close_server: bool = True) -> Callable[[Trace], None]:
    sev = SERVER_EVENTS if server_events is None else server_events
    cev = EVENTS if client_events is None else client_events

    def scenario(t: Trace) -> None:
        def on_conn(c: net.Socket) -> None:
            t.watch(c, "server", sev)
            if close_server:
                c.on("close", lambda *a: srv.close())
            if server_body is not None:
                server_body(t, c, srv)

        srv = net.create_server(dict(server_opts or {}), on_conn)

        def listening() -> None:
            if path is None:
                target: Dict[str, Any] = {"port": t.port(srv.address()["port"]),
                                          "host": "127.0.0.1"}
            else:
                target = {"path": path}
            target.update(client_opts or {})
            c = net.connect(target)
            t.pair_client = c
            t.watch(c, "client", cev)
            if client_body is not None:
                client_body(t, c, srv)

        if path is None:
            srv.listen(0, "127.0.0.1", listening)
        else:
            srv.listen(path, listening)

    return scenario
