"""ntvt: compliance checker for the "Người tốt, việc tốt" emulation plan (KH 327/KH-SVHTT).

The public API mirrors the commands: load_rules, make_template, check_workbook, check_many,
validate_files, write_annotated_copies, consolidate. The CLI (`ntvt`) is a thin skin over these.
"""

from .annotate import write_annotated_copies
from .check import Submission, Validation, check_many, check_workbook, validate, validate_files
from .errors import CheckerError, OutputError, RuleFileError
from .report import FileResult, Finding, Report, Severity
from .rules import RuleSet, load_rules
from .template import make_template, make_unit_templates
from .consolidate import Consolidation, consolidate  # noqa: E402  (after check: it builds on it)


__all__ = [
    "CheckerError", "Consolidation", "FileResult", "Finding", "OutputError", "Report", "RuleFileError", "RuleSet", "Severity",
    "Submission", "Validation", "check_many", "check_workbook", "consolidate", "load_rules", "make_template",
    "make_unit_templates", "validate", "validate_files", "write_annotated_copies",
]
