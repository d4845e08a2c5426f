"""The register's sendings (checker/workspace/sendings.py): one row per draft and recipient."""

from __future__ import annotations

import datetime as dt

import pytest

from checker.workspace.sendings import SENDINGS_FILE, Sending, Sendings

AT = dt.datetime(2023, 7, 26, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def test_a_sending_is_found_again_and_kept_once(tmp_path):
    """A recorded sending is found by (draft, recipient), kept once however often recorded; another
    recipient of the same draft is a sending of its own."""
    sendings = Sendings.in_folder(tmp_path)
    first = Sending("ab" * 32, "a@b.vn", "Tiêu đề", "<m1@c.vn>", AT, "250 OK")
    sendings.record(first)
    sendings.record(Sending("ab" * 32, "a@b.vn", "Tiêu đề", "<m2@c.vn>", AT, "250 OK"))
    assert (tmp_path / SENDINGS_FILE).exists()
    assert sendings.find("ab" * 32, "a@b.vn") == first
    assert sendings.find("ab" * 32, "x@b.vn") is None
    sendings.record(Sending("ab" * 32, "x@b.vn", "Tiêu đề", "<m3@c.vn>", AT, "250 OK"))
    assert [(s.recipient, s.message_id) for s in sendings.all()] == [("a@b.vn", "<m1@c.vn>"), ("x@b.vn", "<m3@c.vn>")]


def test_a_naive_time_is_refused(tmp_path):
    """A time without its offset cannot be recorded."""
    with pytest.raises(ValueError):
        Sendings.in_folder(tmp_path).record(Sending("cd" * 32, "a@b.vn", "", "<m@c.vn>", AT.replace(tzinfo=None), ""))
