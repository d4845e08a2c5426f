"""Words people read that more than one stage uses, each said once: severities, statuses, receipt
evidence, deadline policies, cycle labels, where a campaign finding is. Codes are English; the words
are Vietnamese."""

# Severities (model.findings.Severity values) as people read them, in the middle of a sentence;
# a heading capitalises them (str.capitalize), a stamp shouts them (str.upper).
SEVERITY_WORDS = {"error": "lỗi", "warning": "cảnh báo", "info": "thông tin"}

# A monthly reporting cycle ("YYYY-MM") as people name it.
CYCLE_LABEL = "Tháng {month}/{year}"

# A unit's standing for one cycle (decide/deadlines.py), as the status matrix shows it.
ON_TIME = "Đúng hạn"
LATE = "Trễ hạn {days} ngày"
INVALID = "Nộp nhưng chưa hợp lệ"
MISSING = "Chưa nộp"
NOT_DUE = "Chưa đến hạn"

# A file's place in the consolidation (decide/record.py): the codes and their words. A file
# received after the day of reckoning (--as-of) is LATER: listed, not counted, its findings not in
# the exit code; it is not rejected. A file ntvt itself wrote (model/marks.py), left in the inbox,
# is GENERATED: listed, never read as a report.
USED, SUPERSEDED, REJECTED, LATER, GENERATED = "used", "superseded", "rejected", "later", "generated"
OWN_RECORD = "record"  # an entry that is ntvt's own register or receipt log (model/marks.is_own_record)
STATUS_WORDS = {USED: "Được dùng", SUPERSEDED: "Đã thay thế", REJECTED: "Bị loại", LATER: "Nhận sau ngày tính",
                GENERATED: "Tệp do ntvt tạo", OWN_RECORD: "Sổ của ntvt"}
GENERATED_REASON = ("tệp do ntvt tạo (bản sao có đánh dấu / bảng tổng hợp / thư phản hồi nháp): không phải báo cáo "
                    "của đơn vị; hãy để tệp này ngoài thư mục hồ sơ")

# A data row's place (decide/rows.py): in force, replaced by a later row for the same nominee (a
# correction), or not counted because of its file's status. {file} and {row}: the replacing row.
ROW_IN_FORCE = "Đang có hiệu lực"
ROW_REPLACED = "Được thay bằng dòng {row} của tệp {file}"
ROW_NOT_COUNTED = {SUPERSEDED: "Không tính: tệp đã được thay thế", REJECTED: "Không tính: tệp bị loại",
                   LATER: "Chưa tính: tệp nhận sau ngày tính", GENERATED: "Không tính: tệp do ntvt tạo"}

# What a receipt time rests on, strongest first: the codes the inbox records and, once, the words
# for each: a short form (where space is short: the submission matrix's cells) and the words that
# finish it. Every sheet and message names one evidence with the same words, the short ones
# being their beginning; the matrix's legend (evidence_legend) spells each short form out.
EVIDENCE_EMAIL, EVIDENCE_LOG, EVIDENCE_SENT, EVIDENCE_MTIME = "email_date", "receipt_log", "sent_cell", "file_time"
EVIDENCE_UPLOAD = "upload_time"  # a file received through the workspace's page (checker/workspace)
EVIDENCE = {
    EVIDENCE_EMAIL: ("thư", "điện tử"),
    EVIDENCE_LOG: ("sổ nhận", "văn bản"),
    EVIDENCE_UPLOAD: ("tải lên", "thời điểm tải lên"),  # (short form, the whole words): see below
    EVIDENCE_SENT: ("ô “{sent}”", "trong tệp"),  # {sent}: the label of the rules file's sent-date field
    EVIDENCE_MTIME: ("giờ sửa tệp", "(khi không có căn cứ nào khác)"),
}
EVIDENCE_WORDS = {code: f"{short} {rest}" for code, (short, rest) in EVIDENCE.items()}
EVIDENCE_WORDS[EVIDENCE_MTIME] = EVIDENCE[EVIDENCE_MTIME][0]  # its words say all; the rest is for the legend
EVIDENCE_WORDS[EVIDENCE_UPLOAD] = EVIDENCE[EVIDENCE_UPLOAD][1]  # "tải lên thời điểm tải lên" would say it twice


def evidence_words(code: str | None, sent_label: str, *, short: bool = False) -> str:
    """What a receipt time rests on, in words ("" for none); `short` where space is short."""
    if code not in EVIDENCE:
        return ""
    return (EVIDENCE[code][0] if short else EVIDENCE_WORDS[code]).format(sent=sent_label)


def evidence_legend(sent_label: str) -> str:
    """The matrix's legend of its short evidence words: "thư = thư điện tử; sổ nhận = …"."""
    parts = [f"{short} = {EVIDENCE_WORDS[code]}" if EVIDENCE_WORDS[code] != short else f"{short} {rest}"
             for code, (short, rest) in EVIDENCE.items()]
    return ("Căn cứ thời điểm nhận: " + "; ".join(parts) + ".").format(sent=sent_label)


# How "trước ngày 20" is read (the rules file's deadlines.policy).
POLICY_WORDS = {
    "strict_before": "“trước ngày” theo đúng chữ: nhận chậm nhất hết ngày liền trước ngày hạn",
    "inclusive": "tính cả ngày hạn",
    "inclusive_roll_forward": "tính cả ngày hạn; hạn rơi vào ngày nghỉ thì lùi đến hết ngày làm việc tiếp theo",
}

# The "file" column of a finding about a unit's standing in the campaign, not about one file.
CAMPAIGN_FILE = "(toàn đợt)"

def severity_counts(errors: int, warnings: int, infos: int) -> str:
    """"2 lỗi, 0 cảnh báo, 1 thông tin": how many findings of each severity, in words."""
    return ", ".join(f"{n} {SEVERITY_WORDS[s]}" for n, s in zip((errors, warnings, infos), SEVERITY_WORDS))


# The heading and signature block of an administrative document (Nghị định 30/2020/NĐ-CP, Phụ lục
# I). The Quốc hiệu and Tiêu ngữ are fixed by law for every document of every plan, so they live
# here, not in a rules file; the place and year filling PLACE_DATE are the plan's.
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
NATIONAL_MOTTO = "Độc lập - Tự do - Hạnh phúc"
PLACE_DATE = "{place}, ngày …… tháng …… năm {year}"
UNIT_TO_FILL = "TÊN ĐƠN VỊ: ……………………"
PREPARER, PREPARER_SIGNS = "NGƯỜI LẬP BIỂU", "(Ký, ghi rõ họ tên)"
HEAD, HEAD_SIGNS = "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"
HEAD_OF_AGENCY = "THỦ TRƯỞNG CƠ QUAN"  # who signs what the Sở sends to the City


# The consolidated workbook's claim, as `ntvt verify` reads it back: the files received ("Tệp đã nhận",
# its first three columns), an attachment's and a receipt-log row's kind there (not files of the
# inbox), and the line of "Quy tắc" naming the rules file.
MANIFEST_CLAIM = ("Tệp", "Loại", "SHA-256")
KIND_ATTACHMENT, KIND_LOG_ONLY = "Tệp đính kèm", "Sổ nhận văn bản"
RULES_LINE = "Tệp quy tắc: {name}; SHA-256: {sha256}"
