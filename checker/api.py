"""The library API: what each command does, from inputs to written outputs.

The CLI (`ntvt`) is a thin skin over these functions, and this is the only module that calls the
writers: reading, validating and deciding never write a file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Iterable

from .decide.consolidation import Consolidation, decide
from .model.findings import Report
from .process.memory import release_free_memory
from .read.inbox import gather
from .read.receipt_log import read_receipt_log
from .ruleset.loader import load_rules
from .ruleset.spec import RuleSet
from .validate.pipeline import Progress, Validation, read_paths, validate
from .write.annotated_copy import write_annotated_copies
from .write.feedback import write_feedback
from .write.files import refuse_overwrite
from .write.template import make_template, make_unit_templates
from .write.workbook import write_consolidated

__all__ = ["check_many", "check_workbook", "consolidate", "load_rules", "make_template", "make_unit_templates",
           "validate_files", "write_annotated_copies"]


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
                progress: Progress | None = None) -> Consolidation:
    """Consolidate every file under `inbox` as of the end of `as_of`; write `output` if given, and
    per-unit feedback (annotated copies and reply drafts) into `feedback` if given."""
    rules = rules or load_rules()
    inbox, output = Path(inbox), Path(output) if output else None
    if output is not None:
        refuse_overwrite(output, [inbox] + ([receipt_log] if receipt_log else []))
    if feedback is not None:
        refuse_overwrite(Path(feedback), [inbox])
    log = read_receipt_log(receipt_log, rules) if receipt_log else None
    gathered = gather(inbox, rules, log)
    validation = validate(gathered.submissions, rules, as_of=as_of, progress=progress)
    if feedback is None:
        # Attachments' bytes are needed again only to annotate copies for units: let them go.
        for sub in gathered.submissions:
            if sub.path is None:
                sub.data = b""
    result = decide(gathered, validation, rules, as_of)
    release_free_memory()  # what validation freed, before the output is written
    if output is not None:
        write_consolidated(result, output, inputs=[inbox])
        result.output = output
    if feedback is not None:
        result.feedback = write_feedback(result, Path(feedback), inputs=[inbox])
    return result

