"""An email whose Date header is far from the time the receipt log gives it (for a fetched email, the
server's INTERNALDATE): the unit's clock may be set wrong, and which of the two counts for the
deadline is the rules file's choice (mail.receipt_evidence). One warning on each of its attachments,
under the rule of kind `mail_clock`; none for a file received after the day of reckoning (listed,
not counted, like its other findings)."""

from __future__ import annotations

import datetime as dt

from ..model.findings import File, Finding
from ..model.words import EVIDENCE_WORDS
from ..read.inbox import MAIL_EVIDENCE, Inbox
from ..ruleset.spec import RuleSet
from ..validate.messages import check_of_kind, finding
from .record import FileDecision

__all__ = ["clock_findings", "local_words"]

KIND = "mail_clock"


def local_words(moment: dt.datetime, rules: RuleSet) -> str:
    """A local time as messages write it: "23:30 ngày 19/06/2023 giờ Hà Nội"."""
    local = rules.deadlines.to_local(moment)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y} giờ {rules.plan.place}"


def _hours(value: float) -> str:
    """Hours as people write them: "31", "30,5"."""
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def clock_findings(rules: RuleSet, inbox: Inbox, decisions: list[FileDecision], names: list[str]) -> list[Finding]:
    """The warnings of the emails of `inbox` whose two times disagree; `names`: the submissions' names,
    by decision index."""
    later = {names[d.index] for d in decisions if d.later}
    emails = [f for f in inbox.files if f.clock is not None]
    if not emails:
        return []
    rule, check = check_of_kind(rules, KIND)
    counted = EVIDENCE_WORDS[MAIL_EVIDENCE[rules.mail.receipt_evidence]]
    out = []
    for email in emails:
        sent, logged = email.clock
        values = {"email": email.name, "sent": local_words(sent, rules), "received": local_words(logged, rules),
                  "hours": _hours(abs((sent - logged).total_seconds()) / 3600),
                  "tolerance": _hours(rules.mail.date_tolerance_hours), "counted": counted}
        out += [finding(rules, rule, check, File(shown), values=values, value=values["sent"])
                for shown in email.attachments if shown not in later]
    return out
