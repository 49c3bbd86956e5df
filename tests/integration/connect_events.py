"""Helpers of the multi-address connect tests (test_net_connect_errors.py,
test_net_connect_race.py): a lookup answering on a later turn, and every event
of a connecting socket recorded as a tuple.
"""

from __future__ import annotations

from typing import Any, Dict, List

import nodenet as net


def v4(ip: str) -> Dict[str, Any]:
    """One IPv4 answer of a lookup with ``all: True``."""
    return {"address": ip, "family": 4}


def later(answers: Any) -> Any:
    """A custom lookup answering on a later turn (setImmediate), with ``answers``."""
    def lookup(_host: str, options: Dict[str, Any], cb: Any) -> None:
        if options.get("all"):
            net.set_immediate(cb, None, answers)
        else:
            net.set_immediate(cb, None, answers[0]["address"], answers[0]["family"])
    return lookup


def record(sock: net.Socket, events: List[Any]) -> None:
    """Append each event of a connecting ``sock`` to ``events`` as a tuple."""
    sock.on("lookup", lambda err, address, family, host: events.append(("lookup", address)))
    sock.on("connectionAttempt", lambda a, p, f: events.append(("attempt", a)))
    sock.on("connectionAttemptFailed", lambda a, p, f, e: events.append(("failed", a, e.code)))
    sock.on("connectionAttemptTimeout", lambda a, p, f: events.append(("timeout", a)))
    sock.on("connect", lambda: events.append(("connect", sock.remote_address)))
    sock.on("error", lambda e: events.append(("error", e.code)))
    sock.on("close", lambda had_error: events.append(("close", had_error)))
