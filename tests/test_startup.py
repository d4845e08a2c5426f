"""Start-up: a short `ntvt` command imports only what it uses (issue 18, item 4).

Each case runs in a fresh interpreter and looks at sys.modules at the end; the time itself is
measured by benchmarks/startup.py, never here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "sample_workbooks" / "thang_05" / "BTHN_thang05.xlsx"

# What no short command needs: the annotated copies' reader and writer, the web layer, the letters.
NEVER = ["openpyxl", "starlette", "uvicorn", "jinja2"]
NOT_YET = ["docx", "xlsxwriter"]  # the letters' and the workbook's writers
# What checking a file does not do: decide, write a workbook or letters, use the mailbox or the register.
NOT_FOR_CHECK = NOT_YET + ["imaplib", "smtplib", "sqlite3", "checker.decide.consolidation", "checker.write.workbook",
                           "checker.write.template", "checker.write.documents", "checker.mailbox.fetch",
                           "checker.mailbox.send", "checker.workspace.register", "checker.read.inbox"]
# What --help and usage errors need none of besides: the data stack, the writers, the mailbox, the workspace.
NOT_FOR_HELP = NEVER + NOT_YET + ["pandas", "pandera", "numpy", "xlsxwriter", "imaplib", "smtplib", "sqlite3", "checker.api"]


def loaded_after(code: str) -> tuple[list[str], str]:
    """The top-level modules (and checker's own) loaded once `code` has run, and what it printed."""
    probe = (f"import sys, json\n{code}\n"
             "names = sorted({n.split('.')[0] for n in sys.modules} | {n for n in sys.modules if n.startswith('checker.')})\n"
             "print(json.dumps(names))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert done.returncode == 0, done.stderr
    *said, names = done.stdout.strip().splitlines()
    return json.loads(names), "\n".join(said)


def run_cli(args: list[str]) -> str:
    return ("from checker.cli import main\n"
            "try:\n"
            f"    main({args!r}, prog_name='ntvt')\n"
            "except SystemExit as exc:\n"
            "    print('exit', exc.code)\n")


def test_importing_the_commands_loads_neither_the_library_nor_its_heavy_parts():
    names, _ = loaded_after("import checker.cli.commands")
    assert "click" in names  # the probe sees imports at all
    assert [n for n in NOT_FOR_HELP if n in names] == []


def test_help_and_usage_errors_load_neither_the_library_nor_its_heavy_parts():
    names, said = loaded_after(run_cli(["--help"]))
    assert "ntvt LỆNH --help" in said and said.splitlines()[-1] == "exit 0"
    assert [n for n in NOT_FOR_HELP if n in names] == []
    names, said = loaded_after(run_cli(["check", "--as-of"]))  # the option lacks its value
    assert said.splitlines()[-1] == "exit 2"
    assert [n for n in NOT_FOR_HELP if n in names] == []


def checked() -> list[str]:
    names, said = loaded_after(run_cli(["check", str(SAMPLE), "--as-of", "2023-07-25"]))
    assert "Bảo tàng Hà Nội, kỳ tháng 05/2023" in said and said.splitlines()[-1] == "exit 0"
    assert {"checker.api", "pandas", "pandera"} <= set(names)  # the check did run
    return names


def test_checking_one_file_loads_no_openpyxl_web_or_hypothesis():
    names = checked()
    # pandera's backend would import hypothesis (the test extras) for strategies ntvt never uses
    assert [n for n in NEVER + ["hypothesis"] if n in names] == []


def test_checking_one_file_loads_no_writer_mailbox_register_or_deciding():
    names = checked()
    assert "checker.validate.pipeline" in names  # the probe sees checker's modules
    assert [n for n in NOT_FOR_CHECK if n in names] == []
