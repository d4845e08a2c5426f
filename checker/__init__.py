"""ntvt: a compliance checker for an emulation plan's unit workbooks, driven by a rules file.

The public API mirrors the commands: load_rules, make_template, check_workbook, check_many,
validate_files, write_annotated_copies, consolidate (all in checker.api). The CLI (`ntvt`) is a
thin skin over them.

The names are looked up on first use (PEP 562): a worker process that reads files imports
`checker.validate` and should not pay for the writers (openpyxl and xlsxwriter, ~20 MiB).
"""

import importlib
import logging

# A library's warnings (e.g. a reader process that died) are for the log, not for the office's
# terminal in English: without a handler Python would print them to stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())

_PUBLIC = {
    "check_many": "api", "check_workbook": "api", "consolidate": "api", "load_rules": "api",
    "make_template": "api", "make_unit_templates": "api", "validate_files": "api", "write_annotated_copies": "api",
    "Consolidation": "decide.consolidation", "CheckerError": "model.errors", "OutputError": "model.errors",
    "RuleFileError": "model.errors", "FileResult": "model.findings", "Finding": "model.findings",
    "Report": "model.findings", "Severity": "model.findings", "Submission": "read.submission",
    "RuleSet": "ruleset.spec", "Validation": "validate.pipeline", "validate": "validate.pipeline",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name: str):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    globals()[name] = value
    return value
