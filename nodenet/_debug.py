"""Debug output like Node's ``NODE_DEBUG=net``.

``NODENET_DEBUG=net`` (or ``*``) prints ``NET <pid>: ...`` lines on stderr, as
``NODE_DEBUG=net`` does for Node. Otherwise messages go to
``logging.getLogger('nodenet')`` at DEBUG level (it has a NullHandler, so nothing
is printed unless the application configures logging). Call sites are on
connection-level events only, never per chunk of data.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

__all__ = ("debug", "logger", "ENABLED")

logger = logging.getLogger("nodenet")
logger.addHandler(logging.NullHandler())

_names = os.environ.get("NODENET_DEBUG", "").lower().replace(",", " ").split()
#: True when ``NODENET_DEBUG`` asks for net debug lines.
ENABLED = "net" in _names or "*" in _names


def debug(*args: Any) -> None:
    """Print a Node-style debug line, or hand it to the ``nodenet`` logger."""
    if ENABLED:
        sys.stderr.write(f"NET {os.getpid()}: {' '.join(str(a) for a in args)}\n")
    elif logger.isEnabledFor(logging.DEBUG):
        logger.debug(" ".join(str(a) for a in args))
