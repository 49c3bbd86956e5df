"""nodenet: Node.js's ``net`` module for Python.

``import nodenet as net`` gives the names of ``node:net`` in snake_case
(``create_server``, ``connect``, ``Socket``, ``Server``, ``is_ip``, ``BlockList``...),
plus the loop entry point :func:`run`, the timers of ``node:timers``, and
``nodenet.process`` standing in for Node's ``process``. Event names are Node's
strings, durations are milliseconds. ``docs/api.md`` has the Node -> Python
name table; ``docs/compat.md`` lists the differences.

The package is flat; its modules form five layers, each importing only from
itself and the layers before it (``docs/design.md``; checked by ``make check``):

1. values and rules, pure: ``errors``, ``_validators``, ``_args``, ``_jscall``,
   ``_jstext``, ``_charsets``, ``_isip``, ``socketaddress``, ``blocklist``,
   ``_he_plan``, ``events`` (EventEmitter) ...
2. the loop (libuv's part, Node's process lifetime): ``_watcher``, ``_poller``,
   ``_sockopts``, ``_process``, ``_loop``, ``_threadpool``
3. Node's runtime on the loop: ``timers``, ``abort``, ``stream``, ``dns``
4. net: ``_handle``, ``boundsocket``, ``_happy_eyeballs``, ``_netsocket``,
   ``_netserver``
5. tls: ``_x509``, ``_tlsverify``, ``_tlshandle``, ``_tlssocket``, ``tls`` ...
"""

from __future__ import annotations

from . import dns as dns
from . import errors as errors
from . import events as events
from . import stream as stream
from . import timers as timers
from ._defaults import get_default_auto_select_family as get_default_auto_select_family
from ._defaults import (
    get_default_auto_select_family_attempt_timeout as get_default_auto_select_family_attempt_timeout,
)
from ._defaults import set_default_auto_select_family as set_default_auto_select_family
from ._defaults import (
    set_default_auto_select_family_attempt_timeout as set_default_auto_select_family_attempt_timeout,
)
from ._isip import is_ip as is_ip
from ._isip import is_ipv4 as is_ipv4
from ._isip import is_ipv6 as is_ipv6
from ._loop import Loop as Loop
from ._loop import LoopStopped as LoopStopped
from ._loop import get_loop as get_loop
from ._loop import run as run
from ._loop import set_loop as set_loop
from ._netserver import Server as Server
from ._netserver import create_server as create_server
from ._netsocket import Socket as Socket
from ._netsocket import connect as connect
from ._netsocket import create_connection as create_connection
from ._process import process as process
from .abort import AbortController as AbortController
from .abort import AbortSignal as AbortSignal
from .blocklist import BlockList as BlockList
from .boundsocket import BoundSocket as BoundSocket
from .events import EventEmitter as EventEmitter
from .socketaddress import SocketAddress as SocketAddress
from .timers import clear_immediate as clear_immediate
from .timers import clear_interval as clear_interval
from .timers import clear_timeout as clear_timeout
from .timers import next_tick as next_tick
from .timers import set_immediate as set_immediate
from .timers import set_interval as set_interval
from .timers import set_timeout as set_timeout

#: Node: ``net.Stream`` is a legacy name of ``net.Socket``.
Stream = Socket

__version__ = "0.2.0"

__all__ = (
    "AbortController",
    "AbortSignal",
    "BlockList",
    "BoundSocket",
    "EventEmitter",
    "Loop",
    "LoopStopped",
    "Server",
    "Socket",
    "SocketAddress",
    "Stream",
    "clear_immediate",
    "clear_interval",
    "clear_timeout",
    "connect",
    "create_connection",
    "create_server",
    "dns",
    "errors",
    "events",
    "get_default_auto_select_family",
    "get_default_auto_select_family_attempt_timeout",
    "get_loop",
    "is_ip",
    "is_ipv4",
    "is_ipv6",
    "next_tick",
    "process",
    "run",
    "set_default_auto_select_family",
    "set_default_auto_select_family_attempt_timeout",
    "set_immediate",
    "set_interval",
    "set_loop",
    "set_timeout",
    "stream",
    "timers",
)
