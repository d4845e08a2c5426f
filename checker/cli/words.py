"""The Vietnamese words of the `ntvt` command: a catalogue for click's own messages, and the lines
the command says around click (metavars, usage errors, failures). Data only, no click import; the
commands' help texts are their docstrings in commands.py.

Click 8 passes each of its messages through gettext (`_()` and `ngettext()` bound in its modules).
machinery.py installs `CATALOGUE` in their place, so the words do not depend on the machine's locale
settings (a Windows clerk has no LANGUAGE variable) and no compiled .mo file has to be kept in step.
A msgid missing here falls back to click's English: tests/cli/test_words.py lists click's msgids
and fails on any person-facing one not translated. Quoted names use “…”, never repr quotes.
"""

from __future__ import annotations

import gettext

# click's msgid -> Vietnamese. Placeholders keep click's names; `!r` is dropped for “…”.
CLICK_WORDS = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Tham số",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    "Show the version and exit.": "In số phiên bản rồi thoát.",
    "%(prog)s, version %(version)s": "%(prog)s, phiên bản %(version)s",
    "required": "bắt buộc",
    "default: {default}": "mặc định: {default}",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tính khi chạy)",
    "deprecated": "không còn dùng",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem cách dùng: “{command} {option}”.",
    "Aborted!": "Đã hủy.",
    "Missing command.": "Thiếu lệnh: xem các lệnh bằng “ntvt --help”.",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số {param_name}",
    "No such option {name!r}.": "Không có tùy chọn “{name}”.",
    "No such command {name!r}.": "Không có lệnh “{name}”.",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Invalid value for {param_hint}: {message}": "{param_hint}: {message}",
    "unknown error": "lỗi không rõ",
    "Could not open file {filename!r}: {message}": "Không mở được tệp “{filename}”: {message}",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Lưu ý: lệnh “{name}” không còn được dùng.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Lưu ý: “{name}” không còn được dùng.{extra_message}",
    "Do you want to continue?": "Tiếp tục?",
    "Confirm the action without prompting.": "Xác nhận mà không hỏi lại.",
    "Repeat for confirmation": "Nhập lại để xác nhận",
    "Error: The two entered values do not match.": "Lỗi: hai lần nhập không giống nhau.",
    "Error: invalid input": "Lỗi: giá trị nhập không hợp lệ",
    "Press any key to continue...": "Bấm phím bất kỳ để tiếp tục…",
    "Option {name!r} does not take a value.": "Tùy chọn “{name}” không nhận giá trị.",
    "Argument {name!r} takes {nargs} values.": "Tham số “{name}” cần {nargs} giá trị.",
    "Invalid start character for option ({option})": "Tùy chọn bắt đầu bằng ký tự không hợp lệ ({option})",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "{name} {filename!r} does not exist.": "Không có “{filename}”: kiểm tra lại tên và thư mục.",
    "{name} {filename!r} is a file.": "“{filename}” là một tệp, không phải thư mục.",
    "{name} {filename!r} is a directory.": "“{filename}” là một thư mục, không phải tệp.",
    "{name} {filename!r} is not readable.": "Không có quyền đọc “{filename}”.",
    "{name} {filename!r} is not writable.": "Không có quyền ghi “{filename}”.",
    "{name} {filename!r} is not executable.": "Không có quyền chạy “{filename}”.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "“{value}” không phải giá trị có/không. Các giá trị nhận: {states}",
    "{value!r} is not a valid {number_type}.": "“{value}” không phải một số.",
    "{value!r} is not a valid UUID.": "“{value}” không phải một UUID.",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Choice({choices})": "Một trong ({choices})",
    "Unknown color {colour!r}": "Không có màu “{colour}”",
    "Windows error: {error}": "Lỗi Windows: {error}",
    "{editor}: Editing failed": "{editor}: không sửa được",
    "{editor}: Editing failed: {e}": "{editor}: không sửa được: {e}",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Không hỗ trợ gợi ý lệnh cho Bash cũ hơn 4.4.",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Không nhận ra phiên bản Bash: không hỗ trợ gợi ý lệnh.",
}

# click's ngettext singular msgid -> Vietnamese (one form: Vietnamese nouns do not change with number).
CLICK_PLURALS = {
    "Got unexpected extra argument ({args})": "Thừa tham số ({args}): xem cách dùng ở trên.",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị (nhận được {len}).",
    "Option {name!r} requires an argument.": "Tùy chọn “{name}” cần một giá trị đi kèm.",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "{value!r} is not {choice}.": "“{value}” không phải một trong: {choices}.",
    "{value!r} does not match the format {format}.": "“{value}” không đúng dạng ({formats}).",
    "{len_type} values are required, but {len_value} was given.": "Cần {len_type} giá trị (nhận được {len_value}).",
}


class Catalogue(gettext.NullTranslations):
    """A gettext translation from two dicts; an unknown msgid stays as it is."""

    def __init__(self, words: dict[str, str], plurals: dict[str, str]):
        super().__init__()
        self.words, self.plurals = words, plurals

    def gettext(self, message: str) -> str:
        return self.words.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.plurals.get(singular, singular if n == 1 else plural)


CATALOGUE = Catalogue(CLICK_WORDS, CLICK_PLURALS)

# What the command itself says around click: metavars, usage pieces and usage errors.
OPTIONS_METAVAR = "[TÙY_CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [THAM_SỐ]..."
DAY_FORMS = "ngày/tháng/năm (25/07/2023) hoặc năm-tháng-ngày (2023-07-25)"
MONTH_FORMS = "tháng/năm (06/2023) hoặc năm-tháng (2023-06)"
BAD_DAY = "“{value}” không phải một ngày: hãy nhập " + DAY_FORMS + "."
WHOLE_RANGE = "từ {low} đến {high}"
OUT_OF_RANGE = "“{value}” nằm ngoài khoảng cho phép (năm {low}–{high}): hãy nhập lại."
BAD_MONTH = "“{value}” không phải một tháng: hãy nhập " + MONTH_FORMS + "."
UNKNOWN_PERIOD = "Kỳ báo cáo {month} không có trong tệp quy tắc: các kỳ là {periods}."
UNKNOWN_UNIT = "Không nhận ra đơn vị “{unit}”.{suggestion} Mã của mọi đơn vị có ở cuối `ntvt rules`."
UNIT_GUESSES = " Có phải ý bạn là {units}?"
UNIT_GUESS = "“{name}” (--unit {code})"
NOT_A_WORKBOOK = ("“{name}” là {what}: `ntvt check` kiểm tra từng tệp .xlsx; để đọc cả {what_short}, "
                  "dùng `ntvt consolidate {name} -o tong_hop.xlsx`.")
A_FOLDER, A_FOLDER_SHORT = "một thư mục", "thư mục"
A_MAIL, A_MAIL_SHORT = "một thư điện tử (.eml)", "thư điện tử"
NO_SUCH_OPTION = "Không có tùy chọn “{name}”."
DID_YOU_MEAN = " Có phải ý bạn là {names}?"
NOT_XLSX = "Tệp kết quả phải có đuôi .xlsx (nhận được “{name}”)."
UNIT_AND_ALL_UNITS = "--unit và --all-units không dùng cùng nhau (--all-units ghi mẫu cho mọi đơn vị)."
NO_SUCH_COMMAND = "Không có lệnh “{name}”: các lệnh là {commands} (xem “ntvt --help”)."
CANNOT_WRITE = "Không ghi được kết quả: kiểm tra nơi ghi rồi chạy lại."
CANNOT_PROCEED = "Không thực hiện được lệnh: kiểm tra các tệp và tùy chọn đã nhập rồi chạy lại."
INTERRUPTED = "Đã dừng theo yêu cầu (Ctrl+C); kết quả cũ, nếu có, vẫn giữ nguyên."
INTERNAL = ("Lỗi chương trình (không phải do tệp của đơn vị): chi tiết đã ghi vào {log}. Hãy gửi tệp này cho "
            "người quản trị ntvt.")
INTERNAL_NO_LOG = ("Lỗi chương trình (không phải do tệp của đơn vị), không ghi được tệp chi tiết: hãy gửi nội dung "
                   "trên cho người quản trị ntvt.")


def rules_file_at(path: object, line: int | None, where: str, said: str | None = None) -> str:
    """A malformed rules file, for whoever edits it: the place (file, line, key path) and, in `said`
    (the loader's Vietnamese words, when it has them), what was expected, what was found and what to
    do. The English detail goes to the log."""
    at = f"{path}" + (f", dòng {line}" if line else "") + (f", mục “{where}”" if where else "")
    again = f"kiểm tra lại bằng `ntvt rules --check {path}`."
    return f"Tệp quy tắc không hợp lệ ở {at}: " + (f"{said}. Sửa tệp rồi {again}" if said else f"sửa tệp rồi {again}")


# `consolidate`: one source of files, and the options that only a folder has.
INBOX_OR_WORKSPACE = ("Cần đúng một trong hai: THƯ_MỤC hộp thư (ntvt consolidate hop_thu/ -o tong_hop.xlsx) hoặc "
                      "--workspace THƯ_MỤC làm việc (ntvt consolidate --workspace D:/thi_dua).")
FOLDER_ONLY_OPTIONS = ("--receipt-log và --feedback chỉ dùng khi đọc THƯ_MỤC hộp thư: với --workspace, "
                       "thời điểm nhận lấy từ sổ nhận hồ sơ và thư trả lời ghi vào ket_qua/.")
# `consolidate --workspace --decisions`: the file's decisions kept in the register before the run.
DECISIONS_IMPORTED = ("Đã ghi {count} quyết định của Hội đồng từ tệp “{name}” vào sổ nhận hồ sơ (các quyết định "
                      "khác đã ghi trước đó được giữ); lần tổng hợp này áp dụng mọi quyết định trong sổ.")

# `send`: plain SMTP only to this machine; the password prompt (the password itself is never shown).
PLAIN_NOT_LOOPBACK = ("--plain (không mã hóa) chỉ dùng được với máy chủ thư trên chính máy này (127.0.0.1), không "
                      "dùng với “{host}”: bỏ --plain để gửi có mã hóa TLS.")
SMTP_PASSWORD_PROMPT = "Mật khẩu của “{user}” trên máy chủ thư {host}"

# `fetch`: plain IMAP only to this machine; the password prompt (the password itself is never shown).
PLAIN_NOT_LOOPBACK_IMAP = ("--plain (không mã hóa) chỉ dùng được với máy chủ thư trên chính máy này (127.0.0.1), "
                           "không dùng với “{host}”: bỏ --plain để lấy thư có mã hóa TLS.")
IMAP_PASSWORD_PROMPT = "Mật khẩu hộp thư của “{user}” trên máy chủ {host}"

# `documents`: why the Tờ trình was not written (the báo cáo tổng kết always is).
NO_PROPOSAL_WITHOUT_DECISIONS = (
    "Chưa ghi Tờ trình: Tờ trình đề nghị Thành phố khen thưởng các gương mà Hội đồng Thi đua - Khen thưởng Sở đã "
    "chọn “{propose}”, nhưng lệnh chưa có --decisions. Hãy để Hội đồng điền trang “Xét duyệt” của bảng tổng hợp, "
    "rồi chạy lại: ntvt documents THƯ_MỤC --decisions TỆP_ĐÃ_ĐIỀN.xlsx -o {folder}")
NO_PROPOSAL_CHOSEN = (
    "Chưa ghi Tờ trình: trong “{source}”, Hội đồng chưa chọn “{propose}” cho gương nào đang có trong hồ sơ (gương "
    "“{pending}” không được đưa vào Tờ trình). Hãy điền cột “{column}” của trang “Xét duyệt” rồi chạy lại.")
PENDING_LEFT_OUT = ("Lưu ý: {count} gương đề nghị cấp {level} chưa được Hội đồng xét (“{pending}”) nên không có trong "
                    "Tờ trình.")
DOCUMENT_WRITTEN = "Đã ghi {what}: {path}"
PROPOSAL_WORDS, REPORT_WORDS = "Tờ trình", "báo cáo tổng kết"
