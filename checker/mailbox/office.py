"""What the office's mailbox commands and pages do, for checker.api (which passes these on): fetch
the messages carrying spreadsheets into a folder or the workspace (api.fetch_to_workspace then
receives them as uploads), keep the mailbox settings, and send the reply drafts.
The caller gives every time (fetched_at, sent_at): nothing here reads the clock."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from ..model.addresses import email_address
from ..model.errors import CheckerError
from ..ruleset.loader import load_rules
from ..ruleset.spec import RuleSet
from ..validate.batch import Progress
from ..workspace.messages import MESSAGES_FILE, Messages
from ..workspace.register import Register
from ..workspace.settings import Settings
from ..workspace.workspace import EMAIL_FACTOR
from ..write.feedback import office_name
from .fetch import fetch
from .listing import NO_SENDER
from .send import SendRun, plan_sending, read_drafts, send_drafts, sendings_for

if TYPE_CHECKING:
    from ..workspace import Workspace
    from ..workspace.settings import MailSettings
    from .fetch import Fetch
    from .imap import Account
    from .smtp import Server


def fetch_mail(account: Account, into: Path, *, fetched_at: dt.datetime, folder: str = "INBOX",
               since: dt.date | None = None, workspace: Workspace | None = None, rules: RuleSet | None = None,
               progress: Progress | None = None) -> Fetch:
    """Save into `into` every new message of the mailbox folder that carries a spreadsheet (.eml, original
    bytes), recording each message looked at in the workspace's register, or in one kept in `into`; write
    `into`/so_nhan.csv (the server's receipt times). Raises MailboxError (a CheckerError) when the mailbox
    cannot be used or the connection is lost; what was saved before stays saved and recorded."""
    rules = rules or (workspace.rules if workspace else load_rules())
    into = Path(into)
    into.mkdir(parents=True, exist_ok=True)
    messages = workspace.messages() if workspace else Messages(Register(into / MESSAGES_FILE))
    return fetch(account, into, messages, rules, fetched_at=fetched_at, folder=folder, since=since, progress=progress)


def send_replies(drafts: Path, server: Server, *, send: bool = False, sent_at: dt.datetime | None = None,
                 sender: str | None = None, workspace: Workspace | None = None,
                 rules: RuleSet | None = None, only: Iterable[str] | None = None) -> SendRun:
    """The reply drafts in `drafts` (written by consolidate --feedback): unless `send`, what would be
    sent (nothing is, nothing is written); if `send`, each draft not sent before goes to its recipient,
    each recorded in the workspace's register, or in one kept in `drafts`, as soon as the server accepts
    it. From is `sender`, else the rules file's office_email. Raises MailboxError (a CheckerError) when
    the server cannot be used or the connection is lost (what was sent before stays recorded)."""
    rules = rules or (workspace.rules if workspace else load_rules())
    given = sender
    sender = email_address(sender) if sender is not None else rules.plan.office_email
    if given is not None and sender is None:
        raise CheckerError(f"--from {given!r} is not an address",
                           message=f"“{given}” (--from) không phải một địa chỉ thư điện tử: hãy ghi dạng "
                                   f"vanphong@coquan.gov.vn.")
    name = office_name(rules.plan)
    found = read_drafts(Path(drafts), rules.limits.max_file_bytes * EMAIL_FACTOR)
    if only is not None:  # the drafts ticked on the web page, by file name
        chosen = set(only)
        found = [d for d in found if d.name in chosen]
    known = workspace.sendings() if workspace else None
    if not send:
        return SendRun(plan_sending(found, sendings_for(drafts, known, create=False)), sender, name, server, False)
    if sender is None:
        raise CheckerError("no sender address", message="Không gửi được: " + NO_SENDER[0].lower() + NO_SENDER[1:])
    if sent_at is None:
        raise ValueError("sending needs sent_at")
    outcomes = send_drafts(found, server, sendings_for(drafts, known, create=True), sender=sender, sender_name=name,
                           sent_at=sent_at)
    return SendRun(outcomes, sender, name, server, True)


# The mailbox from the web page: its settings in the workspace, and the folder the messages fetched
# into the workspace are kept in (api.fetch_to_workspace).

FETCHED = "hop_thu"  # (with their so_nhan.csv)


def mail_settings(ws: Workspace) -> MailSettings:
    """The workspace's mailbox settings (never a password)."""
    return Settings(ws.register).read()


def save_mail_settings(ws: Workspace, settings: MailSettings) -> None:
    Settings(ws.register).save(settings)
