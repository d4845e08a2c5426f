"""The `ntvt` command: a thin skin over the library (parse, call one function, render, exit code)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

import click

from . import api
from .model.errors import CheckerError, OutputError, RuleFileError
from .write.console import consolidation_summary, copy_failures, findings_table, rules_table, summary_line
from .write.terminal import printable

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
# 128 + SIGINT, as shells report a command stopped by Ctrl+C: a script can tell "stopped" from
# "wrong arguments" (2), and the same number on Windows.
EXIT_INTERRUPTED = 130
AS_OF_YEARS = (2000, 2100)  # a sane span for a status date; far dates overflow date arithmetic


def _valid_as_of(ctx: click.Context, param: click.Parameter, value: dt.datetime | None):
    if value is not None and not AS_OF_YEARS[0] <= value.year <= AS_OF_YEARS[1]:
        raise click.UsageError(f"Ngày --as-of {value.date().isoformat()} nằm ngoài khoảng cho phép (năm "
                               f"{AS_OF_YEARS[0]}–{AS_OF_YEARS[1]}): hãy nhập ngày tính trạng thái, dạng YYYY-MM-DD.", ctx)
    return value


rules_option = click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                            envvar="NTVT_RULES", help="Tệp quy tắc YAML (mặc định: tệp quy tắc đi kèm ntvt).")
as_of_option = click.option("--as-of", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]), callback=_valid_as_of,
                            help="Ngày tính trạng thái, YYYY-MM-DD (mặc định: hôm nay, theo giờ của kế hoạch).")


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


class Group(click.Group):
    """Every way a command can fail has its exit code and one Vietnamese line on stderr:
    2 for a configuration or usage problem (CheckerError), 3 for a bug (any other exception, its
    traceback written to a log file the line names), 130 for Ctrl+C. English details go to the log."""

    # What to say when a CheckerError carries no Vietnamese message of its own.
    WORDS = {RuleFileError: "Tệp quy tắc không hợp lệ.",
             OutputError: "Không ghi được kết quả: kiểm tra nơi ghi rồi chạy lại.",
             CheckerError: "Không thực hiện được lệnh: kiểm tra các tệp và tuỳ chọn đã nhập rồi chạy lại."}
    args: list[str] = []

    def main(self, args=None, *rest, **kwargs):
        # Errors raised outside a command (while parsing arguments) end here, not in invoke.
        self.args = list(sys.argv[1:] if args is None else args)  # for the log only
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
            _say("Đã dừng theo yêu cầu (Ctrl+C); kết quả cũ, nếu có, vẫn giữ nguyên.")
            ctx.exit(EXIT_INTERRUPTED)
        except Exception as exc:
            ctx.exit(self.internal_error(exc))

    def cannot_proceed(self, exc: CheckerError) -> None:
        if isinstance(exc, RuleFileError) and not exc.message:
            # Shown whole: whoever edits the rules file needs the place (file:line) and the problem.
            _say(f"Lỗi: {self.WORDS[RuleFileError]} ({exc})")
            return
        log = write_log(f"ntvt could not proceed: {type(exc).__name__}: {exc}", exc, self.args)
        where = f"Chi tiết kỹ thuật đã ghi vào {log}." if log else "Không ghi được tệp chi tiết kỹ thuật."
        words = exc.message or next(w for kind, w in self.WORDS.items() if isinstance(exc, kind))
        _say(f"Lỗi: {words} {where}")

    def internal_error(self, exc: BaseException) -> int:
        log = write_log(f"ntvt internal error: {type(exc).__name__}: {exc}", exc, self.args)
        if log is None:  # no log file: the traceback is the only record, so it goes to stderr
            traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
            _say("Lỗi chương trình (không phải do tệp của đơn vị), không ghi được tệp chi tiết: hãy gửi "
                 "nội dung trên cho người quản trị ntvt.")
        else:
            _say(f"Lỗi chương trình (không phải do tệp của đơn vị): chi tiết đã ghi vào {log}. Hãy gửi "
                 f"tệp này cho người quản trị ntvt.")
        return EXIT_INTERNAL


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ntvt")
def main() -> None:
    """ntvt – kiểm tra và tổng hợp hồ sơ thi đua các đơn vị gửi theo mẫu biểu của kế hoạch.

    Checks and consolidates the units' workbooks of an emulation plan, against its rules file.
    """


def _as_of(value: dt.datetime | None, rules) -> dt.date:
    # The only place that reads the clock: the library always takes as_of.
    if value is not None:
        return value.date()
    return dt.datetime.now(rules.deadlines.zone).date()


def _require_xlsx(path: Path) -> None:
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(printable(f"Tệp kết quả phải có đuôi .xlsx (nhận được “{path.name}”)."))


@contextlib.contextmanager
def _progress(total: int, label: str):
    if total < 20 or not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
        yield bar.update


@main.command()
@rules_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp mẫu sẽ ghi (mặc định: mau_<tên viết tắt của kế hoạch>.xlsx).")
@click.option("--unit", help="Điền sẵn đơn vị (mã hoặc tên đúng trong tệp quy tắc).")
@click.option("--month", "period", help="Điền sẵn kỳ báo cáo, dạng YYYY-MM (ví dụ 2023-05).")
@click.option("--all-units", "all_units", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này một mẫu điền sẵn cho mỗi đơn vị.")
@as_of_option
def template(rules_path, output, unit, period, all_units, as_of):
    """Ghi mẫu biểu chuẩn (trống hoặc điền sẵn đơn vị, kỳ báo cáo).

    Example:

        ntvt template -o mau_NTVT.xlsx

        ntvt template --all-units mau_thang_05 --month 2023-05
    """
    rules = api.load_rules(rules_path)
    day = _as_of(as_of, rules)
    output = output or Path(f"mau_{rules.plan.short_name}.xlsx")
    if all_units and unit:
        raise click.UsageError("--unit và --all-units không dùng cùng nhau (--all-units ghi mẫu cho mọi đơn vị).")
    _require_xlsx(output)
    try:
        if all_units:
            paths = api.make_unit_templates(rules, all_units, as_of=day, period=period)
            click.echo(printable(f"Đã ghi {len(paths)} mẫu vào {all_units}"))
        else:
            api.make_template(rules, output, as_of=day, unit=unit, period=period)
            click.echo(printable(f"Đã ghi mẫu: {output}"))
    except ValueError:
        given = ", ".join(f"{name} “{value}”" for name, value in (("--unit", unit), ("--month", period)) if value)
        raise click.UsageError(printable(f"Không nhận ra đơn vị hoặc kỳ báo cáo ({given or 'không có'}): xem mã "
                                         f"đơn vị và các kỳ bằng `ntvt rules`.")) from None


@main.command()
@rules_option
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="In kết quả dạng JSON (cho máy đọc).")
@click.option("--annotate", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này bản sao có đánh dấu lỗi của từng tệp, để gửi lại đơn vị.")
@as_of_option
def check(rules_path, files, as_json, annotate, as_of):
    """Kiểm tra tệp báo cáo của đơn vị.

    Exit code 0: no errors (warnings allowed); 1: errors found; 2: usage problem or unreadable file.

    Example:

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
@click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              envvar="NTVT_RULES", help="Tệp quy tắc YAML (mặc định: tệp quy tắc đi kèm ntvt).")
@click.option("--check", "check_path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Chỉ kiểm tra tệp quy tắc này có hợp lệ không.")
def rules(rules_path, check_path):
    """Liệt kê các quy tắc đang áp dụng, hoặc kiểm tra một tệp quy tắc.

    Example:

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
@click.argument("inbox", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Tệp tổng hợp (.xlsx) sẽ ghi; không được nằm trong thư mục INBOX.")
@click.option("--receipt-log", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sổ nhận văn bản (CSV lưu từ Excel, phân cách “,” hoặc “;”; cột “Tên tệp” và “Thời điểm nhận”, "
                   "hoặc file, received_at) làm căn cứ thời điểm nhận.")
@click.option("--feedback", type=click.Path(file_okay=False, path_type=Path),
              help="Ghi vào thư mục này, cho mỗi đơn vị có lỗi: bản sao có đánh dấu và thư trả lời soạn sẵn (.eml).")
@as_of_option
def consolidate(rules_path, inbox, output, receipt_log, feedback, as_of):
    """Tổng hợp hằng tháng: đọc mọi tệp trong INBOX, ghi một bảng tổng hợp cho kiểm tra viên.

    Exit code 0: no errors; 1: errors found (late or missing units, invalid cells); 2: usage problem.

    Example:

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
