"""ntvt: compliance checker for the "Người tốt, việc tốt" emulation plan (KH 327/KH-SVHTT).

The public API mirrors the commands: load_rules, make_template, check_workbook, check_many,
validate_files, write_annotated_copies, consolidate. The CLI (`ntvt`) is a thin skin over these.
"""

from .check import Submission, Validation, check_many, check_workbook, validate, validate_files
from .errors import CheckerError, OutputError, RuleFileError
from .report import FileResult, Finding, Report, Severity
from .rules import RuleSet, load_rules


def make_template(*args, **kwargs):
    from .template import make_template as impl

    return impl(*args, **kwargs)


def make_unit_templates(*args, **kwargs):
    from .template import make_unit_templates as impl

    return impl(*args, **kwargs)


def write_annotated_copies(*args, **kwargs):
    from .annotate import write_annotated_copies as impl

    return impl(*args, **kwargs)


def consolidate(*args, **kwargs):
    from .consolidate import consolidate as impl

    return impl(*args, **kwargs)


__all__ = [
    "CheckerError", "FileResult", "Finding", "OutputError", "Report", "RuleFileError", "RuleSet", "Severity",
    "Submission", "Validation", "check_many", "check_workbook", "consolidate", "load_rules", "make_template",
    "make_unit_templates", "validate", "validate_files", "write_annotated_copies",
]
