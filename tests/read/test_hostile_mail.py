"""Hostile emails (issue 11, family 4): each one is a clean parse or that email's rejection, never a crash.

Every email is built here as raw bytes (tests/builders/hostile_mail.py). Rejections assert the MailError reason
code; parses assert the exact attachments (name, byte size), sender, subject or date.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import unicodedata
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from checker import consolidate
from checker.read.mail import MAX_DEPTH, MAX_PARTS, MailError, read_email, spreadsheet_attachments

from ..builders import hostile_mail as hm
from ..conftest import good_row

N = len(hm.XLSX)
BOOK = [("bao_cao.xlsx", N)]
UTC = timezone.utc


def read(tmp_path: Path, data: bytes, **limits):
    path = tmp_path / "thu.eml"
    path.write_bytes(data)
    return read_email(path, **limits)


def assert_clean(mail) -> None:
    """No surrogate, control or invisible character leaves mail.py, and all text is NFC."""
    texts = [mail.sender, mail.subject] + [a.name for a in mail.attachments]
    for text in filter(None, texts):
        assert unicodedata.is_normalized("NFC", text), text
        for char in text:
            assert unicodedata.category(char) not in ("Cs", "Cc", "Cf", "Zl", "Zp"), (text, char)


def with_name(disposition: str, content_type: str = "application/vnd.ms-excel") -> bytes:
    return hm.with_attachment(disposition, content_type)


# --- Limits: depth, part count, header size ----------------------------------------------------

REFUSED = [
    pytest.param(lambda: hm.unclosed_nesting(2000), "too_deep", id="multipart-2000-deep-unclosed"),
    pytest.param(lambda: hm.nested_multipart(2000), "too_deep", id="multipart-2000-deep"),
    pytest.param(lambda: hm.bare_rfc822(2000), "too_deep", id="rfc822-2000-deep"),
    pytest.param(lambda: hm.nested_rfc822(1000), "too_deep", id="forwarded-1000-times"),
    pytest.param(lambda: hm.nested_rfc822(7, cte="base64"), "too_large",
                 id="forwarded-base64-7-times-decodes-too-much"),
    pytest.param(lambda: hm.nested_multipart(MAX_DEPTH + 1), "too_deep", id="multipart-one-past-the-limit"),
    pytest.param(lambda: hm.nested_rfc822(10), "too_deep", id="forwarded-10-times"),
    pytest.param(lambda: hm.many_attachments(MAX_PARTS), "too_many_parts", id="one-part-past-the-limit"),
    pytest.param(lambda: hm.many_attachments(2000), "too_many_parts", id="attachments-2000"),
    pytest.param(lambda: hm.many_attachments(20000), "too_many_parts", id="attachments-20000"),
    pytest.param(lambda: hm.email(hm.multipart(*[hm.multipart(hm.attachment(), boundary=f"i{i}") for i in range(300)])),
                 "too_many_parts", id="parts-spread-over-300-multiparts"),
    pytest.param(lambda: hm.crlf(hm.TOP + "Received: from a by b\n" * 14000 + "\nbody\n"), "header_too_large",
                 id="top-header-block-300k"),
    pytest.param(lambda: hm.crlf(hm.TOP + "X-Long: " + "a" * 300_000 + "\n\nbody\n"), "header_too_large",
                 id="one-header-line-300k"),
    pytest.param(lambda: hm.email(hm.multipart(hm.part("X-A: b\r\n" * 40000 + "Content-Type: text/plain", "b"))),
                 "header_too_large", id="part-header-block-280k"),
    pytest.param(lambda: with_name("attachment" + ";" * 100_000 + '; filename="bao_cao.xlsx"'), "header_too_large",
                 id="content-disposition-100k-semicolons"),
    pytest.param(lambda: hm.email(hm.multipart(hm.attachment(), headers="X-A: a\r\n" + " a\r\n" * 70_000)),
                 "header_too_large", id="folded-field-300k"),
    pytest.param(lambda: hm.email(hm.multipart(hm.part("Subject: x\r\n" * 1000 + "Content-Type: text/plain", "b"))),
                 "header_too_large", id="1000-subject-fields-in-a-part"),
    pytest.param(lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "not_an_email", id="png"),
    pytest.param(lambda: b"A" * 400_000, "not_an_email", id="one-400k-line"),
    pytest.param(lambda: b"\r\nFrom: a@cheo.vn\r\n\r\nbody", "not_an_email", id="blank-line-before-headers"),
]


@pytest.mark.parametrize(("build", "reason"), REFUSED)
def test_refused(tmp_path, build, reason):
    """An email past a limit is refused with its reason code, before the parser goes deep."""
    with pytest.raises(MailError) as info:
        read(tmp_path, build())
    assert info.value.reason == reason


@pytest.mark.parametrize(("build", "limits", "reason"), [
    (lambda: hm.nested_multipart(4), {"max_depth": 3}, "too_deep"),
    (lambda: hm.many_attachments(10), {"max_parts": 10}, "too_many_parts"),
    (lambda: hm.many_attachments(10), {"max_bytes": 1000}, "too_large"),
])
def test_limits_are_parameters(tmp_path, build, limits, reason):
    """read_email takes its limits as keyword arguments."""
    with pytest.raises(MailError) as info:
        read(tmp_path, build(), **limits)
    assert info.value.reason == reason


# --- Attachments: structure, names and payloads -------------------------------------------------

LOOKALIKES = "PK\r\n--XXY\r\n--XX-x\r\n --XX\r\n--XX--more\r\n-XX"

ATTACHMENTS = [
    # Structure at the limits and beyond the stdlib's habits.
    pytest.param(lambda: hm.nested_multipart(MAX_DEPTH), BOOK, id="multipart-at-the-depth-limit"),
    pytest.param(lambda: hm.nested_rfc822(9), BOOK, id="forwarded-9-times"),
    pytest.param(lambda: hm.nested_rfc822(3, cte="base64"), BOOK, id="forwarded-as-base64"),
    pytest.param(lambda: hm.many_attachments(MAX_PARTS - 1), BOOK * (MAX_PARTS - 1), id="parts-at-the-limit"),
    pytest.param(lambda: hm.email(hm.attachment()), BOOK, id="the-email-is-the-attachment"),
    pytest.param(lambda: hm.email(hm.multipart(hm.attachment(), headers="Received: x\r\n" * 990)), BOOK,
                 id="990-received-fields"),
    pytest.param(lambda: hm.email(hm.multipart(hm.attachment(), headers="X-A: b\r\n" * 30_000)), BOOK,
                 id="30000-other-fields"),
    pytest.param(lambda: hm.email(hm.multipart(hm.attachment(), close=False)), BOOK, id="no-close-delimiter"),
    pytest.param(lambda: hm.email(hm.multipart(hm.attachment(), boundary="(.*+?)[]|^$")), BOOK,
                 id="boundary-with-regex-characters"),
    pytest.param(lambda: hm.email(hm.multipart(hm.attachment(), boundary="")), BOOK, id="empty-boundary"),
    pytest.param(lambda: hm.email(hm.multipart(hm.attachment()) + "--XX\r\n" + hm.attachment() + "\r\n"), BOOK,
                 id="delimiter-in-the-epilogue"),
    pytest.param(lambda: hm.email(hm.multipart(hm.attachment(cte="binary", body=LOOKALIKES))),
                 [("bao_cao.xlsx", len(LOOKALIKES))], id="delimiter-lookalikes-in-a-body"),
    pytest.param(lambda: hm.crlf(hm.TOP + 'Content-Type: multipart/mixed; boundary="XX"\n\npreamble\n--XX \t\n'
                                 + hm.attachment() + "\n--XX--  \nepilogue\n"), BOOK, id="delimiters-with-padding"),
    pytest.param(lambda: hm.email("Content-Type: multipart/mixed\r\n\r\n--XX\r\n" + hm.attachment() + "\r\n--XX--\r\n"),
                 [], id="multipart-without-boundary-is-one-body"),
    pytest.param(lambda: hm.email(hm.multipart("\r\n" + hm.TOP + hm.multipart(hm.attachment(), boundary="in"),
                                               subtype="digest")), BOOK, id="digest-parts-are-emails"),
    pytest.param(lambda: hm.crlf(hm.TOP + 'Content-Type: multipart/mixed; boundary="XX" (' + "(" * 3000
                                 + "\n\n--XX\n" + hm.attachment() + "\n--XX--\n"), BOOK,
                 id="boundary-followed-by-3000-parentheses"),
    # Names that do not decode (RFC 2231 and RFC 2047).
    pytest.param(lambda: with_name("attachment; filename*=utf-16''%00"), [("", N)], id="utf16-nul"),
    pytest.param(lambda: with_name("attachment; filename*=utf-16''%00%D8"), [("", N)], id="utf16-truncated"),
    pytest.param(lambda: with_name("attachment; filename*=iso-2022-jp''%1B%24B%30"), [("", N)],
                 id="iso2022jp-truncated"),
    pytest.param(lambda: with_name("attachment; filename=\"bao_cao.xlsx\"; filename*=iso-2022-jp''%1B%24B%30"),
                 BOOK, id="undecodable-extended-name-gives-way-to-plain"),
    pytest.param(lambda: with_name("attachment; filename*=utf-16''%00", 'application/x; name="bao_cao.xlsx"'), BOOK,
                 id="undecodable-filename-gives-way-to-content-type-name"),
    pytest.param(lambda: with_name("attachment; filename*=x-nope''bao%20cao.xlsx"), [("bao cao.xlsx", N)],
                 id="unknown-charset"),
    pytest.param(lambda: with_name("attachment; filename*=idna''bao.xlsx"), [("bao.xlsx", N)],
                 id="codec-refusing-error-handlers"),
    pytest.param(lambda: with_name("attachment; filename*=rot13''bao.xlsx"), [("bao.xlsx", N)],
                 id="non-text-codec"),
    pytest.param(lambda: with_name("attachment; filename*0*=utf-8''B%C3%A1o%20c; filename*1*=%C3%A1o.xlsx"),
                 [("Báo cáo.xlsx", N)], id="rfc2231-continuations"),
    pytest.param(lambda: with_name("attachment; filename*0=abc; filename*2=def.xlsx"), [("abc", N)],
                 id="rfc2231-continuation-gap"),
    pytest.param(lambda: with_name('attachment; filename*99999=x.xlsx; filename="bao_cao.xlsx"'), BOOK,
                 id="rfc2231-absurd-section-number"),
    pytest.param(lambda: with_name("attachment; filename*=utf-8''%ZZ.xlsx"), [("%ZZ.xlsx", N)], id="bad-percent"),
    pytest.param(lambda: with_name('attachment; filename="=?utf-16?b?AA==?="'), [("", N)],
                 id="encoded-word-truncated-utf16"),
    pytest.param(lambda: with_name('attachment; filename="=?utf-8?b?!!!?=.xlsx"'), [(".xlsx", N)],
                 id="encoded-word-bad-base64"),
    pytest.param(lambda: with_name('attachment; filename="b\udcffo.xlsx"'), [("b\ufffdo.xlsx", N)],
                 id="raw-8bit-not-utf8"),
    pytest.param(lambda: with_name('attachment; filename="\udcff\udcfe"'), [("", N)], id="nothing-but-bad-bytes"),
    # Characters that must not reach a screen or the workbook.
    pytest.param(lambda: with_name("attachment; filename*=utf-8''a%00b.xlsx"), [("ab.xlsx", N)], id="nul-encoded"),
    pytest.param(lambda: with_name('attachment; filename="a\x00b.xlsx"'), [("ab.xlsx", N)], id="nul-raw"),
    pytest.param(lambda: with_name("attachment; filename*=utf-8''a.xlsx%0D%0ABcc%3A%20x%40y.vn"),
                 [("a.xlsx Bcc: x@y.vn", N)], id="header-injection"),
    pytest.param(lambda: with_name("attachment; filename*=utf-8''%1B%5D0%3Bpwned%07bao.xlsx%1B%5B2J"),
                 [("]0;pwnedbao.xlsx[2J", N)], id="terminal-escapes"),
    pytest.param(lambda: with_name("attachment; filename*=utf-8''hoa_don%E2%80%AEslx.exe"), [("hoa_donslx.exe", N)],
                 id="bidi-override"),
    pytest.param(lambda: with_name("attachment; filename*=utf-8''%EF%BB%BFbao%E2%80%8B%C2%AD.xlsx"),
                 [("bao.xlsx", N)], id="bom-zero-width-soft-hyphen"),
    pytest.param(lambda: with_name('attachment; filename="bao\tcao\r\n .xlsx"'), [("bao cao .xlsx", N)],
                 id="tab-and-folding"),
    pytest.param(lambda: with_name("attachment; filename*=utf-8''a%E2%80%A8b%C2%85c.xlsx"), [("a b c.xlsx", N)],
                 id="unicode-line-separators"),
    pytest.param(lambda: with_name('attachment; filename="' + "a" * 1000 + '.xlsx"'), [("a" * 249 + "….xlsx", N)],
                 id="1000-characters-keeps-extension"),
    pytest.param(lambda: with_name('attachment; filename="' + "a" * 1000 + '"'), [("a" * 254 + "…", N)],
                 id="1000-characters-no-extension"),
    pytest.param(lambda: with_name('attachment; filename="..\\\\..\\\\C:\\\\x\\\\bao_cao.xlsx"'), BOOK,
                 id="windows-path"),
    # Parameter lists the stdlib parses in quadratic time.
    pytest.param(lambda: with_name("attachment" + ";" * 16_000 + '; filename="bao_cao.xlsx"'), BOOK,
                 id="16k-semicolons"),
    pytest.param(lambda: with_name("attachment; x=" + '";' * 8_000 + '; filename="bao_cao.xlsx"'), BOOK,
                 id="8k-quote-semicolons"),
    pytest.param(lambda: with_name("attachment; filename=bao_cao.xlsx",
                                   "application/vnd.ms-excel" + "(" * 3000), BOOK, id="content-type-3000-parentheses"),
    # Payloads.
    pytest.param(lambda: hm.with_attachment(cte="x-garbage\x00"), [("bao_cao.xlsx", len(hm.B64_XLSX))],
                 id="unknown-transfer-encoding-kept-as-sent"),
    pytest.param(lambda: hm.with_attachment(body="!!!!"), [("bao_cao.xlsx", 0)], id="base64-no-valid-character"),
    pytest.param(lambda: hm.with_attachment(body="QUJD="), [("bao_cao.xlsx", 3)], id="base64-bad-padding"),
    pytest.param(lambda: hm.with_attachment(body="QUJDR"), [("bao_cao.xlsx", 5)], id="base64-impossible-length"),
    pytest.param(lambda: hm.with_attachment('attachment; filename="bao_cao.zip"', "application/zip"),
                 [("bao_cao.zip", N)], id="zip-is-listed"),
    pytest.param(lambda: hm.with_attachment('attachment; filename="winmail.dat"', "application/ms-tnef"),
                 [("winmail.dat", N)], id="tnef-is-listed"),
    pytest.param(lambda: hm.with_attachment("attachment"), [("", N)], id="nameless"),
]


@pytest.mark.parametrize(("build", "expected"), ATTACHMENTS)
def test_attachments(tmp_path, build, expected):
    """The email is read, with exactly these attachments (name, bytes) and clean text."""
    mail = read(tmp_path, build())
    assert [(a.name, len(a.data)) for a in mail.attachments] == expected
    assert mail.sender == "vanthu@cheo.vn"
    assert mail.sent_at == datetime(2023, 5, 19, 2, 0, tzinfo=UTC)
    assert_clean(mail)


def uuencoded(data: bytes) -> str:
    return "begin 644 bao_cao.xlsx\r\n" + binascii.b2a_uu(data).decode().replace("\n", "\r\n") + "`\r\nend\r\n"


@pytest.mark.parametrize(("cte", "body", "data"), [
    ("base64", hm.B64_XLSX, hm.XLSX),
    ("BASE64  ", hm.B64_XLSX, hm.XLSX),
    ("base64", "UEsDBC\r\nBhIHdvcmtib29r\r\n", hm.XLSX),
    ("quoted-printable", "PK=03=04 a=\r\n workbook", hm.XLSX),
    ("x-uuencode", uuencoded(hm.XLSX), hm.XLSX),
    ("binary", "PK\x03\x04\r\nline\r\n", b"PK\x03\x04\r\nline\r\n"),
    ("8bit", "PK\x03\x04\udcff\udcfe", b"PK\x03\x04\xff\xfe"),
])
def test_payload_bytes(tmp_path, cte, body, data):
    """Each transfer encoding gives the exact bytes; the line break before a delimiter is not data."""
    mail = read(tmp_path, hm.with_attachment(cte=cte, body=body))
    assert mail.attachments[0].data == data


def test_forwarded_spreadsheets_are_found_and_archives_are_not(tmp_path):
    """Workbooks inside forwarded emails (plain or base64) are spreadsheets; a zip or winmail.dat is not."""
    forwarded = hm.part("Content-Type: message/rfc822", hm.TOP + hm.multipart(hm.attachment(), boundary="in"))
    encoded = hm.part("Content-Type: message/rfc822\r\nContent-Transfer-Encoding: base64",
                      base64.encodebytes(hm.crlf(hm.TOP + hm.attachment('attachment; filename="b.ods"'))).decode())
    data = hm.email(hm.multipart(forwarded, encoded,
                                 hm.attachment('attachment; filename="c.zip"', "application/zip"),
                                 hm.attachment('attachment; filename="winmail.dat"', "application/ms-tnef")))
    mail = read(tmp_path, data)
    assert [a.name for a in mail.attachments] == ["bao_cao.xlsx", "b.ods", "c.zip", "winmail.dat"]
    assert [a.name for a in spreadsheet_attachments(mail)] == ["bao_cao.xlsx", "b.ods"]
    assert all(a.data == hm.XLSX for a in mail.attachments)


# --- Sender and subject ---------------------------------------------------------------------------

D = "Date: Fri, 19 May 2023 09:00:00 +0700\n"

SENDERS = [
    ("From: Nguyễn Văn A <Nguyễn@Cheo.vn>", "nguyễn@cheo.vn"),
    ("From: \udcff\udcfe@cheo.vn", "\ufffd\ufffd@cheo.vn"),
    ("From: " + "(" * 2000 + "a@cheo.vn", None),
    ("From: a@cheo.vn " + "x" * 3000, None),
    ("From: " + "," * 1000 + "a@cheo.vn", "a@cheo.vn"),
    ("From: " + "x" * 250 + "@cheo.vn", None),
    ('From: "a\x01b"@cheo.vn', "ab@cheo.vn"),
    ("From: a@cheo.vn\x1b[2J", "a@cheo.vn"),
    ("From: =?utf-16?b?AA==?= <VanThu@Cheo.vn>", "vanthu@cheo.vn"),
    ("From: <<<", None),
]


@pytest.mark.parametrize(("header", "sender"), SENDERS)
def test_sender(tmp_path, header, sender):
    """The sender is the clean, lower-cased address, or None when From is absurd."""
    mail = read(tmp_path, hm.simple(header + "\n" + D))
    assert mail.sender == sender
    assert_clean(mail)


SUBJECTS = [
    ("B\udcffo c\udcffo", "B\ufffdo c\ufffdo"),
    ("a\x1b]0;x\x07b\x1b[2Jc", "a]0;xb[2Jc"),
    ("=?x-bad?q?abc?=", "abc"),
    ("=?utf-16?b?AA==?=", "\ufffd"),
    ("=?utf-16-le?b?ANg=?=", "\ufffd"),
    ("=?utf-8?q?B=C3=A1o?= =?utf-8?q?_c=C3=A1o?=", "Báo cáo"),
    ("=?utf-8?b?QsOh?= =?utf-8?b?byBjw6Fv?=", "Báo cáo"),
    ("a\n\tb\n c", "a b c"),
    ("\u202ecod.exe\u200b", "cod.exe"),
    ("x" * 100_000, "x" * 999 + "…"),
]


@pytest.mark.parametrize(("header", "subject"), SUBJECTS)
def test_subject(tmp_path, header, subject):
    """The subject is decoded, clean and at most 1,000 characters."""
    mail = read(tmp_path, hm.simple(f"From: a@cheo.vn\nSubject: {header}\n{D}"))
    assert mail.subject == subject
    assert_clean(mail)


# --- Date -----------------------------------------------------------------------------------------

DATES = [
    ("Fri, 31 Dec 9999 23:59:59 -1200", None, "bad_date"),  # converting it to +07:00 overflows
    ("Fri, 31 Dec 9999 23:59:59 +0000", None, "bad_date"),
    ("Fri, 31 Dec 9999 23:59:59 -0000", None, "bad_date"),
    ("Mon, 1 Jan 0001 00:00:00 +0700", None, "bad_date"),  # the stdlib reads "0001" as 2001
    ("Fri, 19 May 0 09:00:00 +0700", None, "bad_date"),  # … and "0" as 2000
    ("Fri, 19 May 0000 09:00:00 +0700", None, "bad_date"),
    ("Fri, 19 May 023 09:00:00 +0700", None, "bad_date"),
    ("Fri, 19 May 99999999999999999999 09:00:00 +0700", None, "bad_date"),
    ("Fri, 19 May 23 09:00:00 +0700", datetime(2023, 5, 19, 2, 0, tzinfo=UTC), None),
    ("Wed, 19 May 99 09:00:00 +0700", datetime(1999, 5, 19, 2, 0, tzinfo=UTC), None),
    ("Fri, 19 May 2023 09:00:00 +9999", None, "bad_date"),
    ("Fri, 19 May 2023 09:00:00 +2359", None, "bad_date"),
    ("Fri, 19 May 2023 09:00:00 +1400", datetime(2023, 5, 18, 19, 0, tzinfo=UTC), None),
    ("Fri, 19 May 2023 09:00:00 -1200", datetime(2023, 5, 19, 21, 0, tzinfo=UTC), None),
    ("Thu, 01 Jan 1970 00:00:00 +0000", None, "bad_date"),  # a machine whose clock was reset
    ("Sun, 31 Dec 1989 23:59:59 +0000", None, "bad_date"),
    ("Mon, 01 Jan 1990 00:00:00 +0000", datetime(1990, 1, 1, tzinfo=UTC), None),
    ("Fri, 31 Dec 2100 23:59:59 +0000", datetime(2100, 12, 31, 23, 59, 59, tzinfo=UTC), None),
    ("Sat, 01 Jan 2101 00:00:00 +0000", None, "bad_date"),
    ("Fri, 19 May 2023 09:00:60 +0700", None, "bad_date"),
    ("Fri, 19 May 2023 25:00:00 +0700", None, "bad_date"),
    ("Thứ Sáu, 19 Tháng 5 2023", None, "bad_date"),
    ("Fri, 19 May 2023\x00 09:00:00 +0700", None, "bad_date"),
    ("Fri, 19 May 2023 09:00:00 +0700" + " " * 300 + "x", None, "bad_date"),
    ("Fri, 19 May\n 2023 09:00:00 +0700", datetime(2023, 5, 19, 2, 0, tzinfo=UTC), None),
    ("Fri, 19 May 2023 09:00:00 -0000", datetime(2023, 5, 19, 9, 0, tzinfo=UTC), "naive_date"),
    ("", None, "missing_date"),
]


@pytest.mark.parametrize(("header", "sent_at", "problem"), DATES)
def test_date(tmp_path, header, sent_at, problem):
    """An absurd Date is bad_date, never an exception; a kept one converts to any zone on Earth."""
    mail = read(tmp_path, hm.simple(f"From: a@cheo.vn\nDate: {header}\n"))
    assert (mail.sent_at, mail.date_problem) == (sent_at, problem)
    if mail.sent_at is not None:
        assert mail.sent_at.astimezone(timezone(timedelta(hours=14))).tzinfo is not None
        assert mail.sent_at.astimezone(timezone(timedelta(hours=-12))).tzinfo is not None


# --- Robustness and the pipeline ------------------------------------------------------------------

def test_any_truncation_or_damage_is_a_parse_or_a_mail_error(tmp_path):
    """A forwarded email cut at every 37th byte, or with a byte overwritten, is read or refused, never crashes."""
    forwarded = hm.part("Content-Type: message/rfc822", hm.TOP + hm.multipart(
        hm.attachment("attachment; filename*=utf-8''B%C3%A1o%20c%C3%A1o.xlsx"), boundary="in"))
    whole = hm.email(hm.multipart(hm.part("Content-Type: text/plain", "Kính gửi"), forwarded))
    outcomes = set()
    for cut in range(0, len(whole), 37):
        for data in (whole[:cut], whole[:cut] + b"\xff" + whole[cut + 1:], whole[:cut] + b"\r\n--XX\r\n" + whole[cut:]):
            try:
                mail = read(tmp_path, data)
            except MailError as exc:
                outcomes.add(exc.reason)
            else:
                assert_clean(mail)
                outcomes.add("read")
    assert outcomes == {"not_an_email", "read"}


def test_hostile_emails_do_not_stop_consolidation(tmp_path, make_book, rules):
    """Hostile emails in an inbox are each rejected or read; the good workbook is used and the output written."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    book = base64.encodebytes(make_book([good_row()]).read_bytes()).decode().replace("\n", "\r\n")
    raw_utf8_from = "From: Nguyễn <vanthu\udcc3\udca1@cheo.vn>\r\nDate: Mon, 15 May 2023 08:00:00 +0700\r\n"
    good = hm.with_attachment("attachment; filename*=utf-8''B%C3%A1o%20c%C3%A1o%1B%5B2J.xlsx", body=book,
                              top=raw_utf8_from)
    (inbox / "tot.eml").write_bytes(good)
    (inbox / "sau.eml").write_bytes(hm.unclosed_nesting(2000))
    (inbox / "nhieu.eml").write_bytes(hm.many_attachments(20000))
    year_9999 = "From: a@cheo.vn\r\nDate: Fri, 31 Dec 9999 23:59:59 -1200\r\n"
    (inbox / "ngay.eml").write_bytes(hm.with_attachment(top=year_9999))
    result = consolidate(inbox, tmp_path / "tong_hop.xlsx", rules, as_of=dt.date(2023, 5, 31))
    entries = {f.name: f for f in result.inbox.files}
    assert entries["tot.eml"].sender == "vanthuá@cheo.vn"
    assert entries["tot.eml"].attachments == ["tot.eml › Báo cáo[2J.xlsx"]
    assert (entries["sau.eml"].status, entries["nhieu.eml"].status) == ("rejected", "rejected")
    assert entries["ngay.eml"].received_at is None
    assert [(d.unit_id, d.status) for d in result.decisions if d.unit_id == "CHEO"] == [("CHEO", "used")]
    assert (tmp_path / "tong_hop.xlsx").stat().st_size > 0
