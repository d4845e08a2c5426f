"""The mailbox settings in the register: saved, read back, changed; a register of the version before
gains the table and keeps what it held."""

from __future__ import annotations

import sqlite3

from checker.workspace.register import MIGRATIONS, Register
from checker.workspace.settings import MailSettings, Settings


def test_settings_are_read_back_as_saved_and_changed_in_place(tmp_path):
    store = Settings(Register(tmp_path / "r.sqlite3"))
    assert store.read() == MailSettings()  # nothing saved: the defaults, INBOX
    first = MailSettings("mail.coquan.gov.vn", "993", "vanphong", "Hộp thư đến", "", "smtp.coquan.gov.vn", "465",
                         "vanphong", "vanphong@coquan.gov.vn", "")
    store.save(first)
    assert Settings(Register(tmp_path / "r.sqlite3")).read() == first
    second = MailSettings(imap_host="127.0.0.1", imap_port="1143", imap_user="thu", imap_plain="1")
    store.save(second)
    assert store.read() == second
    rows = store.register.rows("SELECT key, value FROM mail_settings ORDER BY key")
    assert len(rows) == 10 and "password" not in " ".join(r["key"] for r in rows)


def test_a_register_of_the_version_before_gains_the_settings_table(tmp_path):
    path = tmp_path / "r.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:-1]:
        for statement in step:
            db.execute(statement)
    db.execute(f"PRAGMA user_version={len(MIGRATIONS) - 1}")
    db.execute("INSERT INTO mail_sendings (draft_sha256, recipient, subject, message_id, sent_at, server_reply) "
               "VALUES ('ab', 'a@b.vn', 's', '<m>', '2023-07-25T09:00:00+07:00', '250 OK')")
    db.close()
    register = Register(path)
    assert register.version() == len(MIGRATIONS)
    assert register.rows("SELECT recipient FROM mail_sendings")[0]["recipient"] == "a@b.vn"
    assert Settings(register).read() == MailSettings()
