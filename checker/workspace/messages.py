"""The register's record of mailbox messages fetched (`mail_messages`): one row per (account, folder,
UIDVALIDITY, UID), saved or not, so a second fetch looks at nothing twice; the same message found in
another folder (its Message-ID, or its bytes) is a duplicate of the one saved."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass

from ..model.marks import FETCH_REGISTER
from .records import moment
from .register import Register

__all__ = ["FetchedMessage", "Messages", "MESSAGES_FILE", "SAVED", "NO_SPREADSHEET", "DUPLICATE"]

# The register kept in the fetch folder when no workspace is given (`ntvt fetch --into DIR`).
MESSAGES_FILE = FETCH_REGISTER  # model/marks: the inbox reader lists it as ntvt's own
SAVED, NO_SPREADSHEET, DUPLICATE = "saved", "no_spreadsheet", "duplicate"


@dataclass(frozen=True)
class FetchedMessage:
    account: str
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None
    internaldate: dt.datetime
    date_header: dt.datetime | None
    sha256: str
    saved_name: str | None
    verdict: str
    fetched_at: dt.datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "FetchedMessage":
        date = row["date_header"]
        return cls(row["account"], row["folder"], row["uidvalidity"], row["uid"], row["message_id"],
                   dt.datetime.fromisoformat(row["internaldate"]), dt.datetime.fromisoformat(date) if date else None,
                   row["sha256"], row["saved_name"], row["verdict"], dt.datetime.fromisoformat(row["fetched_at"]))


class Messages:
    """Look up and record fetched messages in a register."""

    def __init__(self, register: Register):
        self.register = register

    def known_uids(self, account: str, folder: str, uidvalidity: int) -> set[int]:
        rows = self.register.rows("SELECT uid FROM mail_messages WHERE account = ? AND folder = ? AND uidvalidity = ?",
                                  (account, folder, uidvalidity))
        return {row["uid"] for row in rows}

    def saved_copy(self, account: str, message_id: str | None, sha256: str) -> FetchedMessage | None:
        """The message of this account already saved with this Message-ID or these bytes, if any."""
        rows = self.register.rows(
            "SELECT * FROM mail_messages WHERE account = ? AND verdict = ? AND (sha256 = ? OR message_id = ?) "
            "ORDER BY id LIMIT 1", (account, SAVED, sha256, message_id))
        return FetchedMessage.from_row(rows[0]) if rows else None

    def record(self, message: FetchedMessage) -> None:
        with self.register.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO mail_messages (account, folder, uidvalidity, uid, message_id, internaldate, "
                "date_header, sha256, saved_name, verdict, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (message.account, message.folder, message.uidvalidity, message.uid, message.message_id,
                 moment(message.internaldate), moment(message.date_header) if message.date_header else None,
                 message.sha256, message.saved_name, message.verdict, moment(message.fetched_at)))

    def saved(self) -> list[FetchedMessage]:
        """Every message saved, in the order fetched."""
        rows = self.register.rows("SELECT * FROM mail_messages WHERE verdict = ? ORDER BY id", (SAVED,))
        return [FetchedMessage.from_row(row) for row in rows]
