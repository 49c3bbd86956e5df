"""Print the stream layer's calls for one write and one read on a socket.

The transcripts of docs/streams.md (§13 and §14) are this program's output:
a server and a client on loopback; the client writes ``b"x"`` with a callback
and then ends; the server's connection reads the byte, then the end of input.
Every call into ``stream.py``, ``_netsocket.py`` and ``_handle.py`` (and the
``'data'``/``'end'`` emits and tick drains between them) is printed, indented
by nesting.

    python tools/trace_stream.py          # the general algorithm
    python tools/trace_stream.py --fast   # with nodenet's fast paths

The fast paths are switched off (``NODENET_FAST_PATHS=0``) unless ``--fast``
is given; the switch is read when nodenet is imported, so it is set first.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":
    os.environ["NODENET_FAST_PATHS"] = "1" if "--fast" in sys.argv[1:] else "0"
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from types import FrameType  # noqa: E402
from typing import Any, List, Optional  # noqa: E402

import nodenet as net  # noqa: E402
from nodenet._fastpath import ENABLED as FAST  # noqa: E402

WATCHED = ("stream.py", "_netsocket.py", "_handle.py")
# also shown, from elsewhere: where events go out and where ticks run
ALSO = {("events.py", "_emit"), ("_loop.py", "_drain_ticks")}
# handle plumbing that says nothing about the stream algorithm
SKIPPED = {"sync_ref", "_watch", "_unwatch", "_remaining", "_update_timer"}


class Tracer:
    """A ``sys.setprofile`` function printing the calls of interest, indented:
    between :meth:`start` and :meth:`stop`, and inside the next ``reads`` calls of
    ``StreamHandle.on_readable`` on the handle given to :meth:`watch_reads`."""

    def __init__(self) -> None:
        self.depth = 0
        self.inside = False
        self.after_read = False     # on_readable returned: its ticks may run next
        self.handle: Any = None
        self.titles: List[str] = []

    def start(self, title: str) -> None:
        """Print from here on."""
        print(f"== {title}" + (" (fast paths on)" if FAST else ""))
        self.inside = True

    def stop(self) -> None:
        """Stop printing."""
        self.inside = False
        self.depth = 0

    def watch_reads(self, handle: Any, titles: List[str]) -> None:
        """Print the next ``len(titles)`` reads of ``handle``, each under its title."""
        self.handle = handle
        self.titles = list(titles)

    def __call__(self, frame: FrameType, event: str, arg: Any) -> None:
        code = frame.f_code
        where = os.path.basename(code.co_filename)
        if (self.after_read and event == "call"
                and (where in WATCHED or (where, code.co_name) in ALSO)):
            # after a read the loop drains the ticks it queued (loop.md §6):
            # part of the read; anything else ends it
            self.after_read = False
            if code.co_name != "_drain_ticks":
                self.stop()
        if not self.inside:
            if (event == "call" and code.co_name == "on_readable" and self.titles
                    and frame.f_locals.get("self") is self.handle):
                self.start("read: " + self.titles.pop(0))
            else:
                return
        if where not in WATCHED and (where, code.co_name) not in ALSO:
            return
        if code.co_name in SKIPPED:
            return
        if event == "call":
            print("  " * self.depth + where[:-3] + "." + code.co_name)
            self.depth += 1
        elif event == "return":
            self.depth -= 1
            if self.depth == 0 and code.co_name == "on_readable":
                self.after_read = True
            elif self.depth == 0 and code.co_name == "_drain_ticks":
                self.stop()


def main() -> None:
    """The scenario: connect, write with a callback, end; the server reads both."""
    tracer = Tracer()
    sys.setprofile(tracer)      # on the loop thread, where main() runs

    def on_connection(conn: net.Socket) -> None:
        conn.on("data", lambda data: None)          # flowing mode
        conn.on("end", lambda: server.close())
        tracer.watch_reads(conn._handle, ["data", "end of input"])

    server = net.create_server(on_connection)

    def listening() -> None:
        sock = net.connect(server.address()["port"], "127.0.0.1")

        def on_connect() -> None:
            tracer.start("write")
            ret = sock.write(b"x", lambda err: print("callback, err =", err))
            tracer.stop()
            print("write() returned", ret)
            sock.end()

        sock.on("connect", on_connect)

    server.listen(0, "127.0.0.1", listening)


if __name__ == "__main__":
    net.run(main)
