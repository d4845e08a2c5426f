"""The register's record of reply drafts sent (`mail_sendings`): one row per (draft, recipient), so a
draft is never sent twice to the same address. Keyed by the draft's SHA-256: the drafts are
deterministic, so the same letter written again by a later consolidation is the same draft."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..model.marks import SEND_REGISTER
from .records import moment
from .register import Register

__all__ = ["Sending", "Sendings", "SENDINGS_FILE"]

# The register kept in a drafts folder when no workspace is given (`ntvt send DRAFTS_DIR`).
SENDINGS_FILE = SEND_REGISTER  # model/marks: the inbox reader lists it as ntvt's own


@dataclass(frozen=True)
class Sending:
    """A draft delivered to one recipient: when, with which Message-ID, and what the server replied."""

    draft_sha256: str
    recipient: str
    subject: str
    message_id: str
    sent_at: dt.datetime
    server_reply: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> "Sending":
        return cls(row["draft_sha256"], row["recipient"], row["subject"], row["message_id"],
                   dt.datetime.fromisoformat(row["sent_at"]), row["server_reply"])


class Sendings:
    """Look up and record sendings in a register."""

    def __init__(self, register: Register):
        self.register = register

    @classmethod
    def in_folder(cls, folder: Path) -> "Sendings":
        """The register kept in a drafts folder (created on first use)."""
        return cls(Register(Path(folder) / SENDINGS_FILE))

    def find(self, draft_sha256: str, recipient: str) -> Sending | None:
        """The sending of this draft to this recipient, if it was sent."""
        rows = self.register.rows("SELECT * FROM mail_sendings WHERE draft_sha256 = ? AND recipient = ?",
                                  (draft_sha256, recipient))
        return Sending.from_row(rows[0]) if rows else None

    def record(self, sending: Sending) -> None:
        """Record one delivered draft, at once (a later failure must not lose what was sent)."""
        if sending.sent_at.tzinfo is None:
            raise ValueError("sent_at must be aware")
        with self.register.transaction() as db:
            db.execute("INSERT OR IGNORE INTO mail_sendings (draft_sha256, recipient, subject, message_id, sent_at, "
                       "server_reply) VALUES (?, ?, ?, ?, ?, ?)",
                       (sending.draft_sha256, sending.recipient, sending.subject, sending.message_id,
                        moment(sending.sent_at), sending.server_reply))

    def all(self) -> list[Sending]:
        """Every sending, in the order recorded."""
        return [Sending.from_row(r) for r in self.register.rows("SELECT * FROM mail_sendings ORDER BY id")]
