"""The web page's mailbox settings (`mail_settings`): where to fetch from (IMAP host, port, user,
folder) and send through (SMTP host, port, user, From), as key and value. Never a password: the
page keeps those in the computer's keyring or in memory for one session."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from .register import Register

__all__ = ["MailSettings", "Settings"]


@dataclass(frozen=True)
class MailSettings:
    """The mailbox settings as typed (texts; "" when not given). `*_plain`: "1" for a connection without
    TLS (only to this computer, for tests)."""

    imap_host: str = ""
    imap_port: str = ""
    imap_user: str = ""
    imap_folder: str = "INBOX"
    imap_plain: str = ""
    smtp_host: str = ""
    smtp_port: str = ""
    smtp_user: str = ""
    smtp_from: str = ""
    smtp_plain: str = ""


KEYS = tuple(f.name for f in fields(MailSettings))


class Settings:
    """Read and save the mailbox settings in a register."""

    def __init__(self, register: Register):
        self.register = register

    def read(self) -> MailSettings:
        rows = self.register.rows("SELECT key, value FROM mail_settings")
        found = {r["key"]: r["value"] or "" for r in rows if r["key"] in KEYS}
        return MailSettings(**found)

    def save(self, settings: MailSettings) -> None:
        with self.register.transaction() as db:
            db.executemany("INSERT INTO mail_settings (key, value) VALUES (?, ?) "
                           "ON CONFLICT (key) DO UPDATE SET value = excluded.value", list(asdict(settings).items()))
