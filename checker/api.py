"""The library API: what each command does, from inputs to written outputs.

The CLI (`ntvt`) is a thin skin over these functions, and this is the only module that calls the
writers: reading, validating and deciding never write a file.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

# What `ntvt check` needs is imported here. The rest (deciding, the writers with xlsxwriter and
# python-docx, the mailbox, the workspace's register) is imported by the functions that use it,
# and the names this module passes on from there are imported on first use (__getattr__ below):
# a one-file check loads none of it (measured: benchmarks/README.md, start-up).
from .model.errors import CheckerError
from .model.findings import FileResult, Finding, Report, ordered
from .model.words import EVIDENCE_LOG, EVIDENCE_UPLOAD
from .ruleset.loader import load_rules
from .ruleset.spec import RuleSet
from .validate.pipeline import Progress, Validation, read_paths, validate

if TYPE_CHECKING:
    from .decide.consolidation import Consolidation
    from .decide.review import ReviewRow
    from .decide.verification import Verification
    from .mailbox.fetch import Fetch
    from .mailbox.imap import Account
    from .workspace import FileRecord, FindingRecord, Received, RunRecord, Workspace
    from .workspace.decisions import ReviewPage

# Names offered here for the CLI and the web page, by the module they come from.
_PASSED_ON = {
    "Account": ".mailbox.imap", "Fetch": ".mailbox.fetch", "MailSettings": ".workspace.settings",
    "Server": ".mailbox.smtp", "SendRun": ".mailbox.send", "ReviewRow": ".decide.review",
    "ReviewPage": ".workspace.decisions", "Verification": ".decide.verification",
    "fetch_summary": ".mailbox.summary", "is_loopback": ".model.addresses", "parse_server": ".model.addresses",
    "send_listing": ".mailbox.listing", "rule_checks": ".write.console",  # a rule's checks, for the web page
    "annotated_name": ".write.names", "own_name": ".write.names", "unit_slug": ".write.names",  # outputs' names
    "make_template": ".write.template", "make_unit_templates": ".write.template",
    "write_annotated_copies": ".write.annotated_copy",
    "write_documents": ".write.documents",  # the .docx drafts (`ntvt documents`, the web page)
    # What the mailbox commands and pages do (the office's mailbox: fetching, the replies).
    "fetch_mail": ".mailbox.office", "send_replies": ".mailbox.office", "mail_settings": ".mailbox.office",
    "save_mail_settings": ".mailbox.office",
}


def __getattr__(name: str) -> Any:
    module = _PASSED_ON.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __package__), name)
    globals()[name] = value  # imported once: later lookups do not come here
    return value


__all__ = ["Account", "Fetch", "MailSettings", "fetch_mail", "fetch_to_workspace", "mail_settings", "replies_folder", "save_mail_settings", "fetch_summary", "SendRun", "Server", "is_loopback", "parse_server", "send_listing", "send_replies", "annotated_name", "check_many", "check_workbook", "consolidate", "consolidate_workspace", "last_run",
           "ReviewPage", "ReviewRow", "import_decisions", "review_rows", "save_decisions", "workspace_documents",
           "load_rules", "make_template", "make_unit_templates", "open_workspace", "own_name", "receive_files",
           "rule_checks", "run_findings", "unit_slug", "validate_files", "workspace_files", "workspace_outputs",
           "write_annotated_copies", "Verification", "verify_workbook", "draft_documents", "write_documents"]


def check_workbook(path: Path | str, rules: RuleSet | None = None, *, as_of: dt.date) -> Report:
    """Check one workbook file; the report lists every finding with its cell, rule and clause."""
    return check_many([Path(path)], rules, as_of=as_of)


def check_many(paths: Iterable[Path], rules: RuleSet | None = None, *, as_of: dt.date,
               progress: Progress | None = None) -> Report:
    """Check several workbook files in one pass."""
    return validate_files(paths, rules, as_of=as_of, progress=progress).report()


def validate_files(paths: Iterable[Path], rules: RuleSet | None = None, *, as_of: dt.date,
                   progress: Progress | None = None) -> Validation:
    """Like check_many, but keeps everything (for annotated copies)."""
    return validate(read_paths(paths), rules or load_rules(), as_of=as_of, progress=progress)


def consolidate(inbox: Path, output: Path | None = None, rules: RuleSet | None = None, *, as_of: dt.date,
                receipt_log: Path | None = None, feedback: Path | None = None,
                progress: Progress | None = None, decisions: Path | None = None) -> Consolidation:
    """Consolidate every file under `inbox` as of the end of `as_of`; write `output` if given, and
    per-unit feedback (annotated copies and reply drafts) into `feedback` if given. `decisions`: a
    consolidated workbook whose "Xét duyệt" sheet the council filled (decide/review): its decisions
    shape the City's list, the reply letters and the next "Xét duyệt"; rows not applied are warnings."""
    from .decide.consolidation import decide  # lazy: start-up
    from .decide.review import apply_review  # lazy: start-up
    from .process.memory import release_free_memory  # lazy: start-up
    from .read.inbox import gather  # lazy: start-up
    from .read.receipt_log import read_receipt_log  # lazy: start-up
    from .write.feedback import write_feedback  # lazy: start-up
    from .write.files import refuse_overwrite  # lazy: start-up
    from .write.workbook import write_consolidated  # lazy: start-up
    from .write.workbook.words import REVIEW  # lazy: start-up
    rules = rules or load_rules()
    inbox, output = Path(inbox), Path(output) if output else None
    if output is not None:
        refuse_overwrite(output, [inbox] + [Path(p) for p in (receipt_log, decisions) if p])
    if feedback is not None:
        refuse_overwrite(Path(feedback), [inbox])
    log = read_receipt_log(receipt_log, rules) if receipt_log else None
    decided = _read_decisions(Path(decisions), rules) if decisions is not None else None
    gathered = gather(inbox, rules, log)
    validation = validate(gathered.submissions, rules, as_of=as_of, progress=progress)
    if feedback is None:
        # Attachments' bytes are needed again only to annotate copies for units: let them go.
        for sub in gathered.submissions:
            if sub.path is None:
                sub.data = b""
    result = decide(gathered, validation, rules, as_of)
    if decided is not None:
        found = apply_review(result, decided, Path(decisions).name, REVIEW)
        result.findings = ordered(result.findings + found)
    release_free_memory()  # what validation freed, before the output is written
    if output is not None:
        write_consolidated(result, output, inputs=[inbox])
        result.output = output
    if feedback is not None:
        result.feedback = write_feedback(result, Path(feedback), inputs=[inbox])
    return result


def draft_documents(inbox: Path, folder: Path, rules: RuleSet | None = None, *, as_of: dt.date,
                    decisions: Path | None = None, receipt_log: Path | None = None,
                    output: Path | None = None) -> tuple[Consolidation, list[Path]]:
    """`ntvt documents`: consolidate `inbox` as `consolidate` does (with the council's `decisions`, if
    given; the workbook only if `output`), then write the drafts into `folder` (write/documents): the
    báo cáo tổng kết, and the Tờ trình when the council proposed someone to the City. CheckerError
    before anything is read when the rules file has no `documents:` block."""
    from .write.documents import require_documents, write_documents  # lazy: start-up
    from .write.files import refuse_overwrite  # lazy: start-up
    rules = rules or load_rules()
    require_documents(rules)
    inputs = [Path(inbox)] + [Path(p) for p in (decisions, receipt_log) if p is not None]
    for target in [Path(folder)] + ([Path(output)] if output is not None else []):
        refuse_overwrite(target, inputs)  # the decisions the council filled are an input too
    result = consolidate(inbox, output, rules, as_of=as_of, receipt_log=receipt_log, decisions=decisions)
    return result, write_documents(result, Path(folder), inputs=inputs)


def _read_decisions(path: Path, rules: RuleSet):
    """The filled "Xét duyệt" rows; CheckerError when the rules file has no `review:` or the file is unusable."""
    from .read.decisions import read_decisions  # lazy: start-up
    from .write.workbook.words import REVIEW, review_labels  # lazy: start-up
    if rules.review is None:
        raise _no_review(rules)
    return read_decisions(path, REVIEW, review_labels(rules), rules.limits)


def _no_review(rules: RuleSet) -> CheckerError:
    return CheckerError("the rules file has no review block",
                        message=f"Tệp quy tắc “{rules.path.name}” không có khối “review:” (các quyết định của Hội "
                                f"đồng): hãy thêm khối này trước khi dùng --decisions hay trang “Xét duyệt”.")


# ---------------------------------------------------------------------------------------------
# The workspace (the office's folder with its register): what `ntvt serve` and
# `ntvt consolidate --workspace` do. The caller gives every time: nothing here reads the clock.


def open_workspace(root: Path, rules: RuleSet | None = None) -> Workspace:
    """Open (creating if needed) the workspace at root: ho_so/, ket_qua/ and the register."""
    from .workspace import Workspace  # lazy: start-up
    return Workspace.open(Path(root), rules or load_rules())


def receive_files(ws: Workspace, files: Iterable[tuple[str, bytes]], *, received_at: dt.datetime, as_of: dt.date,
                  rules: RuleSet | None = None, times: list[dt.datetime] | None = None,
                  evidence: str = EVIDENCE_UPLOAD) -> list[tuple[Received, Report]]:
    """Store and record each (name, bytes), and check it: a workbook itself, an email its attachments.
    A refused file (empty, over the reader's limit) is reported as rejected, with the reason. The files
    are checked in one pass (one pool of workers), each report holding its own file's findings. `times`:
    each file's own receipt time (a fetched message's INTERNALDATE), in the order of `files`; `evidence`:
    what those times are (an upload's time is a last resort; a mail server's receipt is a receipt log's
    entry, weighed against the email's own Date by the rules' mail settings)."""
    from .read.inbox import StoredFile, gather_stored  # lazy: start-up
    rules = rules or ws.rules
    files = list(files)
    times = times or [received_at] * len(files)
    received = [ws.receive(name, data, received_at=at, evidence=evidence)
                for (name, data), at in zip(files, times, strict=True)]
    at_of = {id(r): at for r, at in zip(received, times)}
    stored = [r for r in received if r.refused is None]
    gathered = gather_stored([StoredFile(r.path, r.name, at_of[id(r)], r.evidence) for r in stored], rules)
    report = validate(gathered.submissions, rules, as_of=as_of).report()
    reports = {}
    for r, entry in zip(stored, gathered.files):  # gather_stored lists one entry per stored file, in order
        names = {entry.name, *entry.attachments}
        listed = [f for f in report.files if f.name in names]
        if entry.status in ("rejected", "generated"):
            listed.append(FileResult(entry.name, entry.sha256, "rejected", entry.reason))
        reports[id(r)] = Report([f for f in report.findings if f.file in names], listed)
    return [(r, reports[id(r)] if r.refused is None else Report(files=[FileResult(r.name, "", "rejected", r.refused)]))
            for r in received]


def consolidate_workspace(ws: Workspace, *, as_of: dt.date, rules: RuleSet | None = None,
                          progress: Progress | None = None, run_at: dt.datetime,
                          output: Path | None = None) -> Consolidation:
    """Consolidate the workspace's files as of the end of as_of: write ket_qua/tong_hop_<as_of>.xlsx (or
    `output`) and the feedback folder ket_qua/tra_loi_<as_of>/, and record the run in the register."""
    from .decide.consolidation import decide  # lazy: start-up
    from .decide.nominees import earlier_findings  # lazy: start-up
    from .process.memory import release_free_memory  # lazy: start-up
    from .write.feedback import write_feedback  # lazy: start-up
    from .write.files import file_sha256, refuse_overwrite  # lazy: start-up
    from .write.workbook import write_consolidated  # lazy: start-up
    rules = rules or ws.rules
    started = time.monotonic()  # a duration only: the run's time is run_at, the caller's
    inputs = [ws.store.folder]
    output = Path(output) if output else ws.outputs_folder / f"tong_hop_{as_of:%Y-%m-%d}.xlsx"
    feedback = replies_folder(ws, as_of)
    refuse_overwrite(output, inputs)
    refuse_overwrite(feedback, inputs)
    gathered = ws.gather(rules)
    validation = validate(gathered.submissions, rules, as_of=as_of, progress=progress)
    result = decide(gathered, validation, rules, as_of)
    # Only the register knows the other plans' nominees (DN-NAMTRUOC): a folder's consolidation has none.
    result.findings = ordered(result.findings + earlier_findings(result, ws.nominees().of_other_plans(rules.plan.id))
                              + _register_review(ws, result, rules))
    release_free_memory()
    write_consolidated(result, output, inputs=inputs)
    result.output = output
    result.feedback = write_feedback(result, feedback, inputs=inputs)
    ws.record_run(result, run_at=run_at, seconds=time.monotonic() - started, output_sha256=file_sha256(output))
    return result


def _register_review(ws: Workspace, result: Consolidation, rules: RuleSet) -> list[Finding]:
    """Apply the council's decisions kept in the register (as --decisions applies a workbook's)."""
    from .decide.review import apply_review  # lazy: start-up
    from .write.workbook.words import REVIEW  # lazy: start-up
    if rules.review is None:
        return []
    kept = ws.decisions().of_plan(rules.plan.id)
    return apply_review(result, [d.decided(rules.plan.place) for d in kept], REVIEW, REVIEW) if kept else []


def workspace_documents(ws: Workspace, *, as_of: dt.date, run_at: dt.datetime, rules: RuleSet | None = None,
                        progress: Progress | None = None) -> tuple[Consolidation, list[Path]]:
    """The web page's "Soạn văn bản": consolidate the workspace as consolidate_workspace does (the
    register's decisions applied, the run recorded), then write the .docx drafts (write/documents)
    into ket_qua/van_ban_<as_of>/. CheckerError before anything is read when the rules file has no
    `documents:` block."""
    from .write.documents import write_documents  # lazy: start-up
    rules = rules or ws.rules
    if rules.documents is None:
        raise CheckerError("the rules file has no documents block",
                           message=f"Tệp quy tắc “{rules.path.name}” không có khối “documents:” (lời văn của Tờ trình "
                                   f"và báo cáo tổng kết): hãy thêm khối này (xem tệp quy tắc kèm theo) rồi bấm "
                                   f"“Soạn văn bản” lại.")
    result = consolidate_workspace(ws, as_of=as_of, rules=rules, progress=progress, run_at=run_at)
    return result, write_documents(result, ws.outputs_folder / f"van_ban_{as_of:%Y-%m-%d}", inputs=[ws.store.folder])


def import_decisions(ws: Workspace, path: Path, *, decided_at: dt.datetime, rules: RuleSet | None = None) -> int:
    """Keep the decisions of a filled "Xét duyệt" sheet (`path`) in the workspace's register, recorded
    with the file's name and cells; how many changed. The next consolidate_workspace applies them."""
    rules = rules or ws.rules
    rows = _read_decisions(Path(path), rules)
    return ws.decisions().save(rules.plan.id, rows, decided_at=decided_at, origin=Path(path).name,
                               pending=rules.review.pending)


def review_rows(ws: Workspace, rules: RuleSet | None = None) -> ReviewPage:
    """The last run's valid nominations in force (the workbook's "Xét duyệt" rows), each with its
    current decision; CheckerError when the rules file has no `review:`."""
    from .workspace.decisions import review_page  # lazy: start-up
    rules = rules or ws.rules
    info = rules.review
    if info is None:
        raise _no_review(rules)
    run = ws.last_run()
    return review_page(ws.decisions(), run, rules.plan.id, info)


def save_decisions(ws: Workspace, rows: Iterable[ReviewRow], *, decided_at: dt.datetime,
                   rules: RuleSet | None = None) -> int:
    """Keep the decisions of `rows` (from the web page's form) in the register; how many changed."""
    from .read.decisions import Decided  # lazy: start-up
    rules = rules or ws.rules
    given = [Decided(0, 0, r.unit, r.nominee, r.birth_year, r.decision, r.reason) for r in rows]
    return ws.decisions().save(rules.plan.id, given, decided_at=decided_at, pending=rules.review.pending)


def last_run(ws: Workspace) -> RunRecord | None:
    """The latest consolidation run recorded in the workspace, with its unit × cycle rows."""
    return ws.last_run()


def run_findings(ws: Workspace, run_id: int, **filters: str | None) -> list[FindingRecord]:
    """The findings of a run; filters: unit, cycle, rule, severity."""
    return ws.findings(run_id, **filters)


def workspace_files(ws: Workspace) -> list[FileRecord]:
    """Every distinct file received, with its unit, cycle and status in the last run."""
    return ws.files()


def workspace_outputs(ws: Workspace) -> list[Path]:
    """The files under ket_qua/ that may be offered for download (nothing else may be served)."""
    return ws.outputs()


def replies_folder(ws: Workspace, as_of: dt.date) -> Path:
    """The reply drafts folder consolidate_workspace writes for a run as of `as_of`."""
    return ws.outputs_folder / f"tra_loi_{as_of:%Y-%m-%d}"


# ---------------------------------------------------------------------------------------------
# The mailbox from the web page: its messages received into the workspace (checker/mailbox/office.py
# does the rest of the mailbox commands).


def fetch_to_workspace(account: Account, ws: Workspace, *, fetched_at: dt.datetime, folder: str = "INBOX",
                       progress: Progress | None = None) -> tuple[Fetch | None, list[tuple[Received, Report]],
                                                                  CheckerError | None]:
    """Fetch the new messages into the workspace's hop_thu/ and receive every saved message not received
    yet (this fetch's, or one an interrupted fetch saved) as an upload is received, at its INTERNALDATE.
    Returns the fetch (None if it failed), what was received, and the fetch's error (None if none):
    what a lost connection saved before is received all the same."""
    from .mailbox.office import FETCHED, fetch_mail  # lazy: start-up
    into = ws.root / FETCHED
    result, error = None, None
    try:
        result = fetch_mail(account, into, fetched_at=fetched_at, folder=folder, workspace=ws, progress=progress)
    except CheckerError as exc:
        error = exc
    known = {f.sha256 for f in ws.files()}
    pending = {}
    for m in ws.messages().saved():
        path = into / m.saved_name if m.saved_name else None
        if m.sha256 not in known and path is not None and path.is_file():
            pending.setdefault(m.sha256, (m.saved_name, path, m.internaldate))
    files = [(name, path.read_bytes()) for name, path, _ in pending.values()]
    received = receive_files(ws, files, received_at=fetched_at, as_of=fetched_at.date(), evidence=EVIDENCE_LOG,
                             times=[at for _, _, at in pending.values()]) if files else []
    return result, received, error


# ---------------------------------------------------------------------------------------------
# `ntvt verify`: a consolidated workbook against the inbox it claims (decide/verification).


def verify_workbook(workbook: Path, inbox: Path, rules: RuleSet | None = None) -> Verification:
    """Whether `workbook` (written by consolidate) still matches `inbox` and the rules file: every input
    hashed again (gather's walk, the same names), and the digests of its sheets recomputed from its cells.
    Raises CheckerError when the workbook cannot be read or is not ntvt's consolidated workbook."""
    from .decide.verification import verify  # lazy: start-up
    return verify(Path(workbook), Path(inbox), rules or load_rules())
