"""ntvt: compliance checker for the "Người tốt, việc tốt" emulation plan (KH 327/KH-SVHTT).

The public API mirrors the commands: load_rules, make_template, check_workbook, check_many,
validate_files, write_annotated_copies, consolidate. The CLI (`ntvt`) is a thin skin over these.
"""

import logging

# A library's warnings (e.g. a reader process that died) are for the log, not for the office's
# terminal in English: without a handler Python would print them to stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

from .check import Submission, Validation, check_many, check_workbook, validate, validate_files
from .errors import CheckerError, OutputError, RuleFileError
from .report import FileResult, Finding, Report, Severity
from .rules import RuleSet, load_rules
from .template import make_template, make_unit_templates
from .consolidate import Consolidation, consolidate  # noqa: E402  (after check: it builds on it)


def __getattr__(name: str):
    # Imported on first use: annotating needs openpyxl, whose import costs every run (and each
    # forked reader) ~0.2 s and ~6 MB when nothing is annotated.
    if name == "write_annotated_copies":
        from .annotate import write_annotated_copies

        return write_annotated_copies
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CheckerError", "Consolidation", "FileResult", "Finding", "OutputError", "Report", "RuleFileError", "RuleSet", "Severity",
    "Submission", "Validation", "check_many", "check_workbook", "consolidate", "load_rules", "make_template",
    "make_unit_templates", "validate", "validate_files", "write_annotated_copies",
]
