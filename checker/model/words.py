"""Words people read that more than one stage uses, each said once: statuses, receipt evidence,
deadline policies, where a campaign finding is. Codes are English; the words are Vietnamese."""

# A file's place in the consolidation (decide/consolidation.py): the codes and their words.
USED, SUPERSEDED, REJECTED = "used", "superseded", "rejected"
STATUS_WORDS = {USED: "Được dùng", SUPERSEDED: "Đã thay thế", REJECTED: "Bị loại"}

# What a receipt time rests on, strongest first: the codes the inbox records, the words the
# manifest shows, and the short words of the submission matrix.
EVIDENCE_EMAIL, EVIDENCE_LOG, EVIDENCE_SENT, EVIDENCE_MTIME = "email_date", "receipt_log", "sent_cell", "file_time"
EVIDENCE_WORDS = {
    EVIDENCE_EMAIL: "ngày gửi của thư điện tử",
    EVIDENCE_LOG: "sổ nhận văn bản",
    EVIDENCE_SENT: "ô “Ngày gửi”",
    EVIDENCE_MTIME: "thời gian sửa tệp",
}
EVIDENCE_SHORT = {EVIDENCE_EMAIL: "thư", EVIDENCE_LOG: "sổ nhận", EVIDENCE_SENT: "Ngày gửi",
                  EVIDENCE_MTIME: "giờ sửa tệp"}

# How "trước ngày 20" is read (the rules file's deadlines.policy).
POLICY_WORDS = {
    "strict_before": "“trước ngày” theo đúng chữ: nhận chậm nhất hết ngày liền trước ngày hạn",
    "inclusive": "tính cả ngày hạn",
    "inclusive_roll_forward": "tính cả ngày hạn; hạn rơi vào ngày nghỉ thì lùi đến hết ngày làm việc tiếp theo",
}

# The "file" column of a finding about a unit's standing in the campaign, not about one file.
CAMPAIGN_FILE = "(toàn đợt)"
