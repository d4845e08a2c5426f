"""The mark ntvt puts on every file it writes for people (consolidated workbooks, annotated copies,
reply drafts), so that one of them left in an inbox is listed as "tệp do ntvt tạo" and never read
as a unit's report. The blank template is not marked: units fill it and send it back as theirs."""

# A custom document property of the workbooks ntvt writes (docProps/custom.xml). Its value says
# what the file is (one of the kinds below); readers only test that the property is present.
WORKBOOK_PROPERTY = "ntvt-generated"
# A header of the reply drafts (.eml) ntvt writes; its value is the kind below.
EMAIL_HEADER = "X-NTVT-Generated"

CONSOLIDATED, ANNOTATED_COPY, REPLY_DRAFT = "consolidated", "annotated-copy", "reply-draft"
# Beside the mark, in a consolidated workbook: the digest of each sheet `ntvt verify` checks, one property
# per sheet named DIGEST_PROPERTY + " 1", " 2", …, its value "<sheet name>|<SHA-256>" (read/cell_digest).
# A custom property, not a hidden sheet: no sheet to show, print or count, and kept by Excel,
# LibreOffice and openpyxl when the workbook is saved again.
DIGEST_PROPERTY = "ntvt-sha256"

# The records ntvt keeps beside the files it fetched into a folder (`ntvt fetch`, `ntvt send`): the
# register of messages fetched, the receipt log (read by `consolidate --receipt-log`) and the register
# of replies sent. Listed by the inbox reader as ntvt's own records, never read as a report.
FETCH_REGISTER = "so_lay_thu.sqlite3"
RECEIPT_LOG = "so_nhan.csv"
SEND_REGISTER = "so_gui_thu.sqlite3"
# SQLite's own files beside a register while it is open or after a crash.
REGISTER_SIDECARS = ("-wal", "-shm", "-journal")


def is_own_record(name: str) -> bool:
    """Whether a file's base name is one of ntvt's records (or a register's SQLite side file)."""
    lowered = name.lower()
    if lowered == RECEIPT_LOG:
        return True
    return any(lowered in (register, *(register + side for side in REGISTER_SIDECARS))
               for register in (FETCH_REGISTER, SEND_REGISTER))
