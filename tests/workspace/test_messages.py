"""checker/workspace/messages.py: the register's record of fetched messages."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from checker.workspace.messages import DUPLICATE, NO_SPREADSHEET, SAVED, FetchedMessage, Messages
from checker.workspace.register import Register

UTC = dt.timezone.utc
AT = dt.datetime(2023, 6, 25, 8, tzinfo=UTC)


def fetched(uid, verdict, *, folder="INBOX", message_id=None, sha="a" * 64, name=None):
    return FetchedMessage("vp@mail.vn", folder, 7, uid, message_id, dt.datetime(2023, 6, 19, 23, 30, tzinfo=UTC),
                          None, sha, name, verdict, AT)


def test_messages_are_recorded_once_and_found_by_message_id_or_bytes(tmp_path):
    messages = Messages(Register(tmp_path / "so.sqlite3"))
    messages.record(fetched(1, SAVED, message_id="m@x", name="thu_1.eml"))
    messages.record(fetched(1, SAVED, message_id="m@x", name="thu_1.eml"))  # the same UID again: ignored
    messages.record(fetched(2, NO_SPREADSHEET, sha="b" * 64))
    assert messages.known_uids("vp@mail.vn", "INBOX", 7) == {1, 2}
    assert messages.known_uids("vp@mail.vn", "INBOX", 8) == set()  # a new UIDVALIDITY: all are new
    assert messages.saved_copy("vp@mail.vn", "m@x", "c" * 64).saved_name == "thu_1.eml"
    assert messages.saved_copy("vp@mail.vn", None, "a" * 64).uid == 1
    assert messages.saved_copy("vp@mail.vn", None, "b" * 64) is None  # not saved: not a copy
    assert messages.saved_copy("khac@mail.vn", "m@x", "a" * 64) is None
    messages.record(fetched(3, DUPLICATE, folder="Khác", message_id="m@x", name="thu_1.eml"))
    assert [(m.uid, m.internaldate, m.date_header) for m in messages.saved()] == [
        (1, dt.datetime(2023, 6, 19, 23, 30, tzinfo=UTC), None)]


def test_a_naive_time_is_refused(tmp_path):
    messages = Messages(Register(tmp_path / "so.sqlite3"))
    with pytest.raises(ValueError):
        messages.record(FetchedMessage("a", "INBOX", 1, 1, None, dt.datetime(2023, 6, 1), None, "a", None, SAVED, AT))
    with sqlite3.connect(tmp_path / "so.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM mail_messages").fetchone() == (0,)
