"""Watch Happy Eyeballs (``autoSelectFamily``) connect: every lookup answer,
attempt, failure and timeout, with the time it happened.

    python docs/examples/happy_eyeballs.py localhost 8080
    python docs/examples/happy_eyeballs.py example.test 8080 \\
        --answers 192.0.2.1,::1,127.0.0.1 --attempt-timeout 100

``--answers`` replaces DNS with a ``lookup`` function that returns those
addresses in that order, to see what happens when the first address is a
black hole (it times out after ``--attempt-timeout`` ms) or refuses (the next
attempt starts at once). Node's events, in Node's order: ``'lookup'``, then
``'connectionAttempt'`` / ``'connectionAttemptFailed'`` /
``'connectionAttemptTimeout'`` per address, then ``'connect'`` or ``'error'``
(an ``AggregateError`` listing every attempt when all fail).
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any, Callable, Dict, List, Optional

import nodenet as net


def fake_lookup(answers: List[str]) -> Callable[..., None]:
    """A ``lookup`` option that answers with fixed addresses (Node's signature)."""
    entries = [{"address": a, "family": 6 if ":" in a else 4} for a in answers]

    def lookup(hostname: str, options: Dict[str, Any], callback: Callable[..., None]) -> None:
        if options.get("all"):
            callback(None, entries)
        else:
            callback(None, entries[0]["address"], entries[0]["family"])

    return lookup


def trace(host: str, port: int, answers: Optional[List[str]], attempt_timeout: int) -> int:
    start = time.monotonic()
    status = [0]

    def log(text: str) -> None:
        print(f"{(time.monotonic() - start) * 1000:8.1f} ms  {text}", flush=True)

    def main() -> None:
        options: Dict[str, Any] = {"host": host, "port": port, "auto_select_family": True,
                                   "auto_select_family_attempt_timeout": attempt_timeout}
        if answers:
            options["lookup"] = fake_lookup(answers)
        log(f"connect {host} port {port}")
        sock = net.connect(options)
        sock.on("lookup", lambda err, address, family, host_: log(
            f"lookup {host_}: {err or address} (IPv{family})" if family else
            f"lookup {host_}: {err}"))
        sock.on("connectionAttempt", lambda ip, p, family: log(f"attempt  {ip} port {p} (IPv{family})"))
        sock.on("connectionAttemptFailed", lambda ip, p, family, err: log(
            f"failed   {ip} port {p}: {getattr(err, 'code', None) or err}"))
        sock.on("connectionAttemptTimeout", lambda ip, p, family: log(
            f"timeout  {ip} port {p} after {attempt_timeout} ms"))

        def on_connect() -> None:
            # None when there was a single address to try (Node: undefined).
            tried = sock.auto_select_family_attempted_addresses or []
            log(f"connected to {sock.remote_address} port {sock.remote_port} "
                f"(tried: {', '.join(tried) or 'one address'})")
            sock.destroy()                  # we only wanted to see how it connects

        def on_error(err: BaseException) -> None:
            log(f"error {getattr(err, 'code', '')}: {type(err).__name__}({str(err)!r})")
            for inner in getattr(err, "errors", []):
                log(f"   {inner}")
            status[0] = 1

        sock.on("connect", on_connect)
        sock.on("error", on_error)

    net.run(main)
    return status[0]


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("--answers", default="",
                        help="comma-separated addresses a fake DNS returns, in order")
    parser.add_argument("--attempt-timeout", type=int, default=250, metavar="MS",
                        help="autoSelectFamilyAttemptTimeout (default 250)")
    args = parser.parse_args(argv)
    answers = [a.strip() for a in args.answers.split(",") if a.strip()] or None
    return trace(args.host, args.port, answers, args.attempt_timeout)


if __name__ == "__main__":
    sys.exit(main())
