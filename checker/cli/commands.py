"""The `ntvt` command: a thin skin over the library (parse, call one function, render, exit code)."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

import click
import click._termui_impl  # noqa: F401  (imported now so that its messages get the catalogue too)
import click.shell_completion  # noqa: F401  (idem)

from . import api, cli_words as words
from .model.errors import CheckerError, OutputError, RuleFileError
from .write.console import consolidation_summary, copy_failures, findings_table, rules_table, summary_line
from .write.terminal import printable

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
# 128 + SIGINT, as shells report a command stopped by Ctrl+C: a script can tell "stopped" from
# "wrong arguments" (2), and the same number on Windows.
EXIT_INTERRUPTED = 130
AS_OF_YEARS = (2000, 2100)  # a sane span for a status date; far dates overflow date arithmetic


def _speak_vietnamese() -> None:
    """Put the Vietnamese catalogue in place of gettext in every click module that binds it: click
    looks `_` and `ngettext` up in its module globals each time it speaks. Done before any decorator
    below runs, since some words (the help option's) are taken when a command is built."""
    for module in [m for name, m in sys.modules.items() if name == "click" or name.startswith("click.")]:
        if hasattr(module, "_"):
            module._ = words.CATALOGUE.gettext
        if hasattr(module, "ngettext"):
            module.ngettext = words.CATALOGUE.ngettext


_speak_vietnamese()


def _quoted(names) -> str:
    return ", ".join(f"“{name}”" for name in names)


class Option(click.Option):
    def get_error_hint(self, ctx):  # “-o” / “--output”: click quotes with repr
        return " / ".join(f"“{name}”" for name in self.opts)


class Argument(click.Argument):
    def get_error_hint(self, ctx):
        return f"“{self.make_metavar(ctx)}”"


def _did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known))
    return words.DID_YOU_MEAN.format(names=_quoted(close)) if close else ""


class Speaks:
    """A command with Vietnamese usage pieces that names an unknown option in Vietnamese."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", words.OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            known = [opt for param in self.get_params(ctx) for opt in getattr(param, "opts", [])]
            message = words.NO_SUCH_OPTION.format(name=exc.option_name) + _did_you_mean(exc.option_name, known)
            raise click.NoSuchOption(exc.option_name, message=message, ctx=ctx) from None


class Command(Speaks, click.Command):
    pass


class Moment(click.ParamType):
    """A day (dd/mm/yyyy or yyyy-mm-dd) or a month (mm/yyyy or yyyy-mm, given on as yyyy-mm, as the
    rules file names its cycles), its year within AS_OF_YEARS."""

    name = "moment"

    def __init__(self, metavar: str, forms: tuple[str, ...], bad: str):
        self.metavar, self.forms, self.bad = metavar, forms, bad

    def get_metavar(self, param, ctx=None):
        return self.metavar

    def convert(self, value, param, ctx):
        if isinstance(value, dt.date):
            return value
        for form in self.forms:
            with contextlib.suppress(ValueError):
                moment = dt.datetime.strptime(value.strip(), form)
                break
        else:
            self.fail(printable(self.bad.format(value=value)), param, ctx)
        if not AS_OF_YEARS[0] <= moment.year <= AS_OF_YEARS[1]:
            self.fail(words.OUT_OF_RANGE.format(value=value, low=AS_OF_YEARS[0], high=AS_OF_YEARS[1]), param, ctx)
        return moment.date() if "%d" in self.forms[0] else moment.strftime("%Y-%m")


DAY = Moment("NGÀY", ("%d/%m/%Y", "%Y-%m-%d"), words.BAD_DAY)
MONTH = Moment("THÁNG", ("%m/%Y", "%Y-%m"), words.BAD_MONTH)


class Workbook(click.Path):
    """An existing file to check: a folder or a saved e-mail is what `consolidate` reads."""

    def __init__(self):
        super().__init__(exists=True, path_type=Path)

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        if path.is_dir() or path.suffix.lower() == ".eml":
            what = (words.A_FOLDER, words.A_FOLDER_SHORT) if path.is_dir() else (words.A_MAIL, words.A_MAIL_SHORT)
            self.fail(printable(words.NOT_A_WORKBOOK.format(name=value, what=what[0], what_short=what[1])), param, ctx)
        return path


FILE, FOLDER = "TỆP", "THƯ_MỤC"
rules_option = click.option("--rules", "rules_path", cls=Option, metavar=FILE, envvar="NTVT_RULES",
                            type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            help="Tệp quy tắc YAML (mặc định: tệp quy tắc đi kèm ntvt).")
as_of_option = click.option("--as-of", cls=Option, type=DAY,
                            help="Ngày tính trạng thái, dạng 25/07/2023 hoặc 2023-07-25 (mặc định: hôm nay, "
                                 "theo giờ của kế hoạch).")


def write_log(headline: str, exc: BaseException, args: list[str]) -> Path | None:
    """Write the English detail of exc (traceback included) to a new log file in the system temp
    folder (Windows: %TEMP%); return its path, or None if it cannot be written."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    lines = [headline, f"time: {dt.datetime.now().astimezone().isoformat()}", f"ntvt: {_version()}",
             f"python: {sys.version.split()[0]} on {platform.platform()}", f"arguments: {args!r}", "",
             *traceback.format_exception(type(exc), exc, exc.__traceback__)]
    try:
        fd, name = tempfile.mkstemp(prefix=f"ntvt-loi-{stamp}-{os.getpid()}-", suffix=".log")
        with open(fd, "w", encoding="utf-8", errors="backslashreplace") as log:
            log.write("\n".join(line.rstrip("\n") for line in lines) + "\n")
    except OSError:
        return None
    return Path(name)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # lazy: start-up cost, only for a log

    try:
        return version("ntvt")
    except PackageNotFoundError:
        return "unknown"


def _say(line: str) -> None:
    click.echo(printable(line), err=True)


class Group(Speaks, click.Group):
    """Every way a command can fail has its exit code and one Vietnamese line on stderr:
    2 for a configuration or usage problem (CheckerError), 3 for a bug (any other exception, its
    traceback written to a log file the line names), 130 for Ctrl+C. English details go to the log."""

    # What to say when a CheckerError carries no Vietnamese message of its own.
    WORDS = {OutputError: words.CANNOT_WRITE, CheckerError: words.CANNOT_PROCEED}
    args: list[str] = []
    command_class = Command

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("subcommand_metavar", words.SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx: click.Context, args):
        name = args[0] if args else ""  # looked up here: NoSuchCommand is click 8.4+, its hint in repr quotes
        if not name.startswith("-") and self.get_command(ctx, name) is None and not ctx.resilient_parsing:
            message = words.NO_SUCH_COMMAND.format(name=name, commands=", ".join(sorted(self.commands)))
            raise click.UsageError(printable(message + _did_you_mean(name, self.commands)), ctx)
        return super().resolve_command(ctx, args)

    def main(self, args=None, *rest, **kwargs):
        # Errors raised outside a command (while parsing arguments) end here, not in invoke.
        self.args = list(sys.argv[1:] if args is None else args)  # for the log only
        kwargs.setdefault("prog_name", "ntvt")  # the usage lines name the command, under `python -m checker` too
        try:
            # args passed as given: None lets click expand wildcards on Windows (cmd.exe does not).
            return super().main(args, *rest, **kwargs)
        except Exception as exc:
            sys.exit(self.internal_error(exc))

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except CheckerError as exc:
            self.cannot_proceed(exc)
            ctx.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            _say(words.INTERRUPTED)
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            ctx.exit(self.internal_error(exc))

    def cannot_proceed(self, exc: CheckerError) -> None:
        # The Vietnamese words only; the English detail (str(exc)) goes to the log.
        log = write_log(f"ntvt could not proceed: {type(exc).__name__}: {exc}", exc, self.args)
        where = f"Chi tiết kỹ thuật đã ghi vào {log}." if log else "Không ghi được tệp chi tiết kỹ thuật."
        if exc.message is None and isinstance(exc, RuleFileError):  # where, for whoever edits the rules file
            said = words.rules_file_at(exc.path, exc.line, exc.where)
        else:
            said = exc.message or next(w for kind, w in self.WORDS.items() if isinstance(exc, kind))
        _say(f"Lỗi: {said} {where}")

    def internal_error(self, exc: BaseException) -> int:
        log = write_log(f"ntvt internal error: {type(exc).__name__}: {exc}", exc, self.args)
        if log is None:  # no log file: the traceback is the only record, so it goes to stderr
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            _say(words.INTERNAL_NO_LOG)
        else:
            _say(words.INTERNAL.format(log=log))
        return EXIT_INTERNAL


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ntvt")
def main() -> None:
    """ntvt – kiểm tra và tổng hợp hồ sơ thi đua các đơn vị gửi theo mẫu biểu của kế hoạch, theo tệp quy tắc.

    Xem cách dùng từng lệnh: ntvt LỆNH --help (ví dụ ntvt check --help).
    """


def _as_of(value: dt.date | None, rules) -> dt.date:
    # The only place that reads the clock: the library always takes as_of.
    if value is not None:
        return value
    return dt.datetime.now(rules.deadlines.zone).date()


def _month(cycle: str) -> str:
    """2023-06 as people write it: 06/2023."""
    year, month = cycle.split("-")
    return f"{month}/{year}"


def _require_xlsx(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(printable(words.NOT_XLSX.format(name=path.name)))


@contextlib.contextmanager
def _progress(total: int, label: str):
    if total < 20 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@main.command()
@rules_option
@click.option("-o", "--output", cls=Option, metavar=FILE, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp mẫu sẽ ghi (mặc định: mau_<tên viết tắt của kế hoạch>.xlsx).")
@click.option("--unit", cls=Option, metavar="ĐƠN_VỊ", help="Điền sẵn đơn vị (mã hoặc tên đúng trong tệp quy tắc).")
@click.option("--month", "period", cls=Option, type=MONTH,
              help="Điền sẵn kỳ báo cáo, dạng 06/2023 hoặc 2023-06.")
@click.option("--all-units", "all_units", cls=Option, metavar=FOLDER,
              type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này một mẫu điền sẵn cho mỗi đơn vị.")
@as_of_option
def template(rules_path, output, unit, period, all_units, as_of):
    """Ghi mẫu biểu chuẩn (trống hoặc điền sẵn đơn vị, kỳ báo cáo).

    Mã thoát 0: đã ghi mẫu; 2: tùy chọn sai hoặc không ghi được.

    Ví dụ:

        ntvt template -o mau_NTVT.xlsx

        ntvt template --all-units mau_thang_05 --month 05/2023
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    output = output or Path(f"mau_{rules.plan.short_name}.xlsx")
    if all_units and unit:
        raise click.UsageError(words.UNIT_AND_ALL_UNITS)
    if period and period not in rules.deadlines.cycles:
        shown = ", ".join(_month(cycle) for cycle in rules.deadlines.cycles)
        raise click.UsageError(words.UNKNOWN_PERIOD.format(month=_month(period), periods=shown))
    _require_xlsx(output)
    try:
        if all_units:
            paths = api.make_unit_templates(rules, all_units, as_of=day, period=period)
            click.echo(printable(f"Đã ghi {len(paths)} mẫu vào {all_units}"))
        else:
            api.make_template(rules, output, as_of=day, unit=unit, period=period)
            click.echo(printable(f"Đã ghi mẫu: {output}"))
    except ValueError:  # the period is known (checked above): the unit is not
        raise click.UsageError(printable(words.UNKNOWN_UNIT.format(unit=unit))) from None


@main.command()
@rules_option
@click.argument("files", nargs=-1, required=True, cls=Argument, metavar=f"{FILE}...", type=Workbook())
@click.option("--json", "as_json", cls=Option, is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
@click.option("--annotate", cls=Option, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này bản sao có đánh dấu lỗi của từng tệp, để gửi lại đơn vị.")
@as_of_option
def check(rules_path, files, as_json, annotate, as_of):
    """Kiểm tra tệp báo cáo của đơn vị.

    Mã thoát 0: không có lỗi (có thể có cảnh báo); 1: có lỗi; 2: dùng sai lệnh hoặc có tệp không đọc được.

    Ví dụ:

        ntvt check sample_workbooks/thang_06/NH_Cheo_thang06_lan1.xlsx

        ntvt check *.xlsx --annotate tra_lai/ --json
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    with _progress(len(files), "Đang kiểm tra") as progress:
        validation = api.validate_files(files, rules, as_of=day, progress=progress)
    report = validation.report()
    if annotate:
        written = api.write_annotated_copies(validation, annotate, inputs=files, as_of=day)
        click.echo(printable(f"Đã ghi {len(written)} bản sao có đánh dấu vào {annotate}"), err=True)
        if written.failures:
            click.echo(copy_failures(written.failures), err=True)
    click.echo(report.to_json() if as_json else findings_table(report))
    click.echo(summary_line(report), err=True)
    # An unreadable file, or ntvt's own output given as a report: the input is the problem.
    if any(f.status in ("rejected", "generated") for f in report.files):
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_CLEAN if report.valid else EXIT_FINDINGS)


@main.command()
@rules_option
@click.option("--check", "check_path", cls=Option, metavar=FILE, type=click.Path(exists=True, dir_okay=False,
                                                                                 path_type=Path),
              help="Chỉ kiểm tra tệp quy tắc này có hợp lệ không.")
def rules(rules_path, check_path):
    """Liệt kê các quy tắc đang áp dụng, hoặc kiểm tra một tệp quy tắc.

    Mã thoát 0: tệp quy tắc hợp lệ; 2: tệp quy tắc không hợp lệ.

    Ví dụ:

        ntvt rules

        ntvt rules --check rules/kh327-2023.yaml
    """
    loaded = api.load_rules(check_path or rules_path)
    if check_path:
        click.echo(printable(f"Tệp quy tắc hợp lệ: {check_path} ({len(loaded.rules)} quy tắc, {len(loaded.units)} đơn vị)"))
        return
    click.echo(rules_table(loaded))


@main.command()
@rules_option
@click.argument("inbox", cls=Argument, metavar=FOLDER, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", cls=Option, metavar=FILE, type=click.Path(dir_okay=False, path_type=Path),
              required=True, help="Tệp tổng hợp (.xlsx) sẽ ghi; không được nằm trong THƯ_MỤC hộp thư.")
@click.option("--receipt-log", cls=Option, metavar=FILE, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sổ nhận văn bản (CSV lưu từ Excel, phân cách “,” hoặc “;”; cột “Tên tệp” và “Thời điểm nhận”, "
                   "hoặc file, received_at) làm căn cứ thời điểm nhận.")
@click.option("--feedback", cls=Option, metavar=FOLDER, type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này, cho mỗi đơn vị có lỗi: bản sao có đánh dấu và thư trả lời soạn sẵn (.eml).")
@as_of_option
def consolidate(rules_path, inbox, output, receipt_log, feedback, as_of):
    """Tổng hợp hằng tháng: đọc mọi tệp trong THƯ_MỤC hộp thư, ghi một bảng tổng hợp cho kiểm tra viên.

    Mã thoát 0: không có lỗi; 1: có lỗi (đơn vị nộp trễ hoặc chưa nộp, ô sai); 2: dùng sai lệnh.

    Ví dụ:

        ntvt consolidate sample_workbooks/ -o tong_hop.xlsx --as-of 2023-07-25

        ntvt consolidate hop_thu/ -o tong_hop.xlsx --feedback tra_loi/
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    _require_xlsx(output)
    # Only a size for the progress bar: links are not followed (gather lists, never reads, them).
    total = sum(len(names) for _, _, names in os.walk(inbox))
    with _progress(total, "Đang đọc hồ sơ") as progress:
        result = api.consolidate(inbox, output, rules, as_of=day, receipt_log=receipt_log, feedback=feedback,
                                 progress=progress)
    click.echo(consolidation_summary(result))
    sys.exit(EXIT_FINDINGS if result.counts["findings_error"] else EXIT_CLEAN)
