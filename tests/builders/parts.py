"""The real parts some tests need (LibreOffice, poppler, Chromium, Dovecot, aiosmtpd): one rule for
all of them. Missing on a developer's computer, the test is skipped with what to install; missing
under CI (the CI variable set, as .ci/run does), it fails: CI installs every part, so a missing one
there is a broken CI, not a reason to pass."""

from __future__ import annotations

import os

import pytest


def need(missing: str | None, install: str) -> None:
    """Skip (locally) or fail (under CI) when `missing` names a part that is not there."""
    if not missing:
        return
    if os.environ.get("CI"):
        pytest.fail(f"this test needs {missing}; .ci/run installs it ({install})", pytrace=False)
    pytest.skip(f"no {missing} on this computer ({install})")
