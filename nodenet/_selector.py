"""Choose the loop's selector, with a fallback when the best one cannot be built.

``selectors.DefaultSelector`` picks epoll/kqueue/devpoll by *attribute*, but a
container or seccomp profile can refuse the system call itself; asyncio's
``_can_use`` learnt the same lesson. So each candidate is actually built, and the
first that works is used: the platform default, then poll, then select.

Tests inject their own selector (an instance, or a zero-argument factory).
"""

from __future__ import annotations

import selectors
from typing import Callable, List, Optional, Union

SelectorSpec = Union[selectors.BaseSelector, Callable[[], selectors.BaseSelector], None]


def _candidates() -> List[Callable[[], selectors.BaseSelector]]:
    found: List[Callable[[], selectors.BaseSelector]] = [selectors.DefaultSelector]
    for name in ("PollSelector", "SelectSelector"):
        cls = getattr(selectors, name, None)
        if cls is not None and cls is not selectors.DefaultSelector:
            found.append(cls)
    return found


def make_selector(spec: SelectorSpec = None) -> selectors.BaseSelector:
    """Return a working selector: ``spec`` itself, built from ``spec``, or the best available."""
    if isinstance(spec, selectors.BaseSelector):
        return spec
    if spec is not None:
        return spec()
    error: Optional[OSError] = None
    for factory in _candidates():
        try:
            return factory()
        except OSError as exc:  # e.g. epoll_create1 refused by a sandbox
            error = exc
    raise OSError("no usable selector on this platform") from error
