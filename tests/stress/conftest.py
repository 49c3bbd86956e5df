"""Fixtures of the stress tests."""

from __future__ import annotations

import resource
from typing import Iterator

import pytest


@pytest.fixture
def nofile() -> Iterator[int]:
    """RLIMIT_NOFILE raised to its hard limit for the test (restored after);
    yields the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1 << 20
    if soft != target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    try:
        yield target
    finally:
        if soft != target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
