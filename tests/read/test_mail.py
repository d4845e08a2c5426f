"""Tests for checker.read.mail: reading saved .eml files and their attachments."""

from __future__ import annotations

import base64
import email
import email.policy
import unicodedata
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from checker.read.mail import (
    Attachment,
    Email,
    MailError,
    read_email,
    spreadsheet_attachments,
)

HANOI = timezone(timedelta(hours=7))
XLSX = b"PK\x03\x04fake-xlsx"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def make_message(date: str | None = "Fri, 19 May 2023 09:00:00 +0700") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "vanphong@quanhoankiem.hanoi.gov.vn"
    msg["To"] = "vanphong@svhtt.hanoi.gov.vn"
    msg["Subject"] = "Bao cao"
    if date is not None:
        msg["Date"] = date
    msg.set_content("Kính gửi Văn phòng Sở.")
    return msg


def add_xlsx(msg: EmailMessage, filename, data: bytes = XLSX) -> None:
    msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=filename)


def save(tmp_path: Path, msg: EmailMessage, name: str = "mail.eml") -> Path:
    path = tmp_path / name
    # policy.SMTP writes CRLF line endings, like .eml files saved by mail clients.
    path.write_bytes(msg.as_bytes(policy=email.policy.SMTP))
    return path


def save_raw(tmp_path: Path, text: str, name: str = "raw.eml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return path


def raw_attachment_mail(disposition: str, content_type: str = "application/octet-stream") -> str:
    return (
        "From: a@b.vn\n"
        "Date: Fri, 19 May 2023 09:00:00 +0700\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="XX"\n'
        "\n"
        "--XX\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        "body\n"
        "--XX\n"
        f"Content-Type: {content_type}\n"
        "Content-Transfer-Encoding: base64\n"
        f"{disposition}\n"
        "\n"
        f"{base64.b64encode(XLSX).decode()}\n"
        "--XX--\n"
    )


# --- Date header and receipt time -------------------------------------------


@pytest.mark.parametrize(
    ("header", "hanoi_wall_time"),
    [
        ("Fri, 19 May 2023 16:59:59 +0000", datetime(2023, 5, 19, 23, 59, 59)),
        ("Fri, 19 May 2023 17:00:00 +0000", datetime(2023, 5, 20, 0, 0, 0)),
        ("Fri, 19 May 2023 23:59:59 +0700", datetime(2023, 5, 19, 23, 59, 59)),
        ("Sat, 20 May 2023 00:00:00 +0700", datetime(2023, 5, 20, 0, 0, 0)),
        ("Fri, 19 May 2023 12:30:00 -0500", datetime(2023, 5, 20, 0, 30, 0)),
    ],
)
def test_date_header_converted_to_hanoi_wall_time(tmp_path, header, hanoi_wall_time):
    """The Date header, in any zone, gives the right Hanoi (UTC+7) wall time, on both sides of midnight."""
    mail = read_email(save(tmp_path, make_message(header)))
    assert mail.date_problem is None
    assert mail.sent_at is not None and mail.sent_at.utcoffset() is not None
    hanoi = mail.sent_at.astimezone(HANOI)
    assert hanoi == hanoi_wall_time.replace(tzinfo=HANOI)
    assert hanoi.replace(tzinfo=None) == hanoi_wall_time
    assert hanoi.utcoffset() == timedelta(hours=7)


def test_last_second_and_midnight_fall_on_different_hanoi_days(tmp_path):
    """16:59:59 UTC is still the 19th in Hanoi while 17:00:00 UTC is already the 20th."""
    before = read_email(save(tmp_path, make_message("Fri, 19 May 2023 16:59:59 +0000"), "a.eml"))
    after = read_email(save(tmp_path, make_message("Fri, 19 May 2023 17:00:00 +0000"), "b.eml"))
    assert before.sent_at == datetime(2023, 5, 19, 16, 59, 59, tzinfo=timezone.utc)
    assert before.sent_at.astimezone(HANOI).date().isoformat() == "2023-05-19"
    assert after.sent_at.astimezone(HANOI).date().isoformat() == "2023-05-20"


def test_minus_0500_afternoon_is_next_day_in_hanoi(tmp_path):
    """A -0500 header sent 19/05 12:30 local time is 20/05 00:30 in Hanoi."""
    mail = read_email(save(tmp_path, make_message("Fri, 19 May 2023 12:30:00 -0500")))
    assert mail.sent_at == datetime(2023, 5, 19, 17, 30, tzinfo=timezone.utc)
    assert mail.sent_at.astimezone(HANOI) == datetime(2023, 5, 20, 0, 30, tzinfo=HANOI)


@pytest.mark.parametrize(
    "header",
    [
        "Fri, 19 May 2023 16:59:59 -0000",
        "Fri, 19 May 2023 16:59:59",
        "Fri, 19 May 2023 16:59:59 ICT",
    ],
)
def test_date_without_known_zone_is_read_as_utc_and_flagged(tmp_path, header):
    """A Date with -0000, no zone or an unknown zone name is read as UTC and flagged naive_date."""
    mail = read_email(save(tmp_path, make_message(header)))
    assert mail.sent_at == datetime(2023, 5, 19, 16, 59, 59, tzinfo=timezone.utc)
    assert mail.sent_at.tzinfo is timezone.utc
    assert mail.date_problem == "naive_date"


def test_missing_date_header(tmp_path):
    """An email without a Date header has no sent_at and date_problem missing_date."""
    mail = read_email(save(tmp_path, make_message(date=None)))
    assert mail.sent_at is None
    assert mail.date_problem == "missing_date"


@pytest.mark.parametrize("header", ["hôm qua lúc 5 giờ", "Fri, 45 Foo 2023 99:99:99 +0700", "19/05/2023"])
def test_garbage_date_header(tmp_path, header):
    """An unparseable Date header gives no sent_at and date_problem bad_date, without raising."""
    text = f"From: a@b.vn\nDate: {header}\nSubject: x\n\nbody\n"
    mail = read_email(save_raw(tmp_path, text))
    assert mail.sent_at is None
    assert mail.date_problem == "bad_date"
    assert mail.sender == "a@b.vn"


# --- Attachment names ------------------------------------------------------


def test_plain_ascii_attachment_name(tmp_path):
    """A plain ASCII filename is kept as is, with the attachment's bytes."""
    msg = make_message()
    add_xlsx(msg, "bao_cao_thang_5.xlsx")
    mail = read_email(save(tmp_path, msg))
    assert mail.attachments == (Attachment(name="bao_cao_thang_5.xlsx", data=XLSX),)


def test_rfc2231_vietnamese_name(tmp_path):
    """A Vietnamese filename encoded with RFC 2231 (filename*=utf-8''...) is decoded."""
    msg = make_message()
    add_xlsx(msg, ("utf-8", "", "Báo cáo tháng 5.xlsx"))
    path = save(tmp_path, msg)
    assert b"filename*=utf-8''B%C3%A1o%20c%C3%A1o%20th%C3%A1ng%205.xlsx" in path.read_bytes()
    mail = read_email(path)
    assert [a.name for a in mail.attachments] == ["Báo cáo tháng 5.xlsx"]
    assert mail.attachments[0].data == XLSX


def test_rfc2047_encoded_word_name(tmp_path):
    """A quoted RFC 2047 encoded-word filename is decoded."""
    word = "=?utf-8?b?" + base64.b64encode("Báo cáo tháng 5.xlsx".encode()).decode() + "?="
    path = save_raw(tmp_path, raw_attachment_mail(f'Content-Disposition: attachment; filename="{word}"'))
    mail = read_email(path)
    assert mail.attachments == (Attachment(name="Báo cáo tháng 5.xlsx", data=XLSX),)


def test_unquoted_rfc2047_encoded_word_name(tmp_path):
    """An unquoted encoded-word filename, which the strict parser drops, is still decoded."""
    word = "=?utf-8?q?B=C3=A1o_c=C3=A1o.xlsx?="
    path = save_raw(tmp_path, raw_attachment_mail(f"Content-Disposition: attachment; filename={word}"))
    assert [a.name for a in read_email(path).attachments] == ["Báo cáo.xlsx"]


def test_content_type_name_used_without_disposition_filename(tmp_path):
    """The Content-Type name= parameter is used when Content-Disposition has no filename."""
    word = "=?utf-8?b?" + base64.b64encode("Danh sách.xlsx".encode()).decode() + "?="
    path = save_raw(
        tmp_path,
        raw_attachment_mail("Content-Disposition: attachment", f'application/vnd.ms-excel; name="{word}"'),
    )
    assert read_email(path).attachments == (Attachment(name="Danh sách.xlsx", data=XLSX),)


@pytest.mark.parametrize(
    "disposition",
    ['Content-Disposition: attachment; filename="Báo cáo.xlsx"', "Content-Disposition: attachment; filename=Báo_cáo.xlsx"],
)
def test_raw_utf8_name(tmp_path, disposition):
    """A filename sent as raw 8-bit UTF-8 (no encoding), quoted or not, is decoded."""
    path = save_raw(tmp_path, raw_attachment_mail(disposition))
    expected = "Báo cáo.xlsx" if '"' in disposition else "Báo_cáo.xlsx"
    assert [a.name for a in read_email(path).attachments] == [expected]


def test_nfd_name_becomes_nfc(tmp_path):
    """A decomposed (NFD) filename, as macOS Mail sends, is normalised to NFC."""
    nfc = "Báo cáo tháng 5 - Quận Hoàn Kiếm.xlsx"
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfd != nfc
    msg = make_message()
    add_xlsx(msg, nfd)
    path = save(tmp_path, msg)
    # Check the file really carries NFD so the test exercises normalisation.
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert [p.get_filename() for p in parsed.iter_attachments()] == [nfd]
    name = read_email(path).attachments[0].name
    assert name == nfc
    assert unicodedata.is_normalized("NFC", name)


@pytest.mark.parametrize(
    ("sent_name", "expected"),
    [
        ("C:\\Users\\x\\file.xlsx", "file.xlsx"),
        ("../../x.xlsx", "x.xlsx"),
        ("/etc/cron.d/bao cao.xlsx", "bao cao.xlsx"),
        ("..", ""),
    ],
)
def test_directory_part_of_name_is_stripped(tmp_path, sent_name, expected):
    """Any directory part of an attachment name is removed, keeping the base name only."""
    msg = make_message()
    add_xlsx(msg, sent_name)
    path = save(tmp_path, msg)
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert [p.get_filename() for p in parsed.iter_attachments()] == [sent_name]
    assert [a.name for a in read_email(path).attachments] == [expected]


# --- Which parts are attachments --------------------------------------------


def test_email_without_attachments(tmp_path):
    """An email with only a text body has no attachments and no spreadsheets."""
    mail = read_email(save(tmp_path, make_message()))
    assert mail.attachments == ()
    assert spreadsheet_attachments(mail) == []


def test_two_spreadsheets_and_a_pdf(tmp_path):
    """spreadsheet_attachments returns the two workbooks in order and skips the PDF."""
    msg = make_message()
    add_xlsx(msg, "Danh sach.xlsx", b"PK\x03\x04first")
    msg.add_attachment(b"%PDF-1.4 fake", maintype="application", subtype="pdf", filename="Cong van.pdf")
    msg.add_attachment(b"\xd0\xcf\x11\xe0old", maintype="application", subtype="vnd.ms-excel", filename="Bieu mau.XLS")
    mail = read_email(save(tmp_path, msg))
    assert [a.name for a in mail.attachments] == ["Danh sach.xlsx", "Cong van.pdf", "Bieu mau.XLS"]
    assert spreadsheet_attachments(mail) == [
        Attachment(name="Danh sach.xlsx", data=b"PK\x03\x04first"),
        Attachment(name="Bieu mau.XLS", data=b"\xd0\xcf\x11\xe0old"),
    ]
    assert spreadsheet_attachments(mail, extensions=(".PDF",)) == [mail.attachments[1]]


def test_inline_attachment_is_included(tmp_path):
    """A part with a filename but Content-Disposition inline still counts as an attachment."""
    path = save_raw(tmp_path, raw_attachment_mail('Content-Disposition: inline; filename="bao cao.xlsm"'))
    mail = read_email(path)
    assert mail.attachments == (Attachment(name="bao cao.xlsm", data=XLSX),)
    assert spreadsheet_attachments(mail) == list(mail.attachments)


def test_unnamed_attachment_has_empty_name(tmp_path):
    """A part marked as an attachment but without any name is kept with an empty name."""
    mail = read_email(save_raw(tmp_path, raw_attachment_mail("Content-Disposition: attachment")))
    assert mail.attachments == (Attachment(name="", data=XLSX),)
    assert spreadsheet_attachments(mail) == []


def test_forwarded_email_workbook_is_found(tmp_path):
    """A workbook inside a forwarded message/rfc822 part is returned."""
    inner = make_message("Thu, 18 May 2023 08:00:00 +0700")
    add_xlsx(inner, ("utf-8", "", "Báo cáo.xlsx"))
    outer = make_message("Fri, 19 May 2023 10:00:00 +0700")
    outer.replace_header("Subject", "Fwd: Bao cao")
    outer.add_attachment(inner)
    path = save(tmp_path, outer)
    assert b"Content-Type: message/rfc822" in path.read_bytes()
    mail = read_email(path)
    assert mail.attachments == (Attachment(name="Báo cáo.xlsx", data=XLSX),)
    assert spreadsheet_attachments(mail) == list(mail.attachments)
    # The outer email's Date is the receipt time, not the forwarded one's.
    assert mail.sent_at == datetime(2023, 5, 19, 10, 0, tzinfo=HANOI)


# --- Sender and subject -----------------------------------------------------


def test_sender_with_vietnamese_display_name(tmp_path):
    """From with a Vietnamese display name gives the bare, lower-cased address."""
    msg = make_message()
    msg.replace_header("From", "Nguyễn Văn A <VanA@Example.vn>")
    msg.replace_header("Subject", "Báo cáo tháng 5")
    path = save(tmp_path, msg)
    assert b"=?utf-8?" in path.read_bytes()
    mail = read_email(path)
    assert mail.sender == "vana@example.vn"
    assert mail.subject == "Báo cáo tháng 5"
    assert mail.path == path


def test_raw_utf8_headers(tmp_path):
    """From and Subject sent as raw 8-bit UTF-8, without encoded words, are read correctly."""
    text = "From: Nguyễn Văn A <VanA@Example.vn>\nSubject: Báo cáo tháng 5\nDate: Fri, 19 May 2023 09:00:00 +0700\n\nb\n"
    mail = read_email(save_raw(tmp_path, text))
    assert (mail.sender, mail.subject) == ("vana@example.vn", "Báo cáo tháng 5")


def test_nfd_subject_becomes_nfc(tmp_path):
    """A decomposed subject is normalised to NFC."""
    msg = make_message()
    msg.replace_header("Subject", unicodedata.normalize("NFD", "Báo cáo tháng 5"))
    assert read_email(save(tmp_path, msg)).subject == "Báo cáo tháng 5"


def test_missing_and_broken_from_and_subject(tmp_path):
    """A missing Subject and an unparseable From give None instead of raising."""
    path = save_raw(tmp_path, "From: <<<not an address\nDate: Fri, 19 May 2023 09:00:00 +0700\n\nbody\n")
    mail = read_email(path)
    assert mail.sender is None
    assert mail.subject is None
    assert mail.sent_at == datetime(2023, 5, 19, 9, 0, tzinfo=HANOI)


def test_read_email_returns_email_dataclass(tmp_path):
    """read_email returns a frozen Email with every field filled."""
    msg = make_message()
    add_xlsx(msg, "a.xlsx")
    path = save(tmp_path, msg)
    assert read_email(path) == Email(
        path=path,
        sender="vanphong@quanhoankiem.hanoi.gov.vn",
        subject="Bao cao",
        sent_at=datetime(2023, 5, 19, 9, 0, tzinfo=HANOI),
        date_problem=None,
        attachments=(Attachment(name="a.xlsx", data=XLSX),),
    )


# --- Files that are not usable emails ---------------------------------------


def test_msg_file_is_unsupported(tmp_path):
    """An Outlook .msg file raises MailError with reason msg_unsupported."""
    path = tmp_path / "Bao cao.MSG"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(MailError) as info:
        read_email(path)
    assert info.value.reason == "msg_unsupported"
    assert info.value.path == path
    assert str(info.value) == f"{path}: cannot read as an email (msg_unsupported)"


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00binary: junk\r\n",
        b"",
        b"Just some text, not an email at all.\n",
        b"Note: this looks like a header but is a plain text file.\n\nMore text.\n",
    ],
)
def test_non_email_file(tmp_path, content):
    """A file that is not an email raises MailError with reason not_an_email."""
    path = tmp_path / "junk.eml"
    path.write_bytes(content)
    with pytest.raises(MailError) as info:
        read_email(path)
    assert info.value.reason == "not_an_email"


def test_oversize_file(tmp_path):
    """A file larger than max_bytes raises MailError with reason too_large."""
    msg = make_message()
    add_xlsx(msg, "big.xlsx", b"x" * 2000)
    path = save(tmp_path, msg)
    with pytest.raises(MailError) as info:
        read_email(path, max_bytes=1000)
    assert info.value.reason == "too_large"
    # The same file within the limit is read normally.
    size = path.stat().st_size
    assert read_email(path, max_bytes=size).attachments[0].data == b"x" * 2000


def test_missing_file(tmp_path):
    """A path that cannot be opened raises MailError rather than a bare OSError."""
    with pytest.raises(MailError) as info:
        read_email(tmp_path / "nope.eml")
    assert info.value.reason.startswith("unreadable")
