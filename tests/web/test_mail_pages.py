"""The mailbox pages against real servers on loopback: the settings saved in the workspace (never a
password), "Lấy thư mới" from a real Dovecot (messages put there by IMAP APPEND) received as uploads
are, and "Gửi thư phản hồi" of the last run's drafts to a real aiosmtpd, each once."""

from __future__ import annotations

import datetime as dt
import html
import re
import threading

import pytest

from checker import api
from checker.web import mail_words

from ..builders import smtp_server as servers
from ..builders.dovecot import PASSWORD, USER, dovecot, dropping_proxy
from ..builders.smtp_server import OFFICE
from ..mailbox.mails import message
from .conftest import SAMPLES, text_of, token

smtp_server = servers.smtp_server  # the shared fixture: a real SMTP server on loopback
UTC = dt.timezone.utc
CHECKBOX = re.compile(r'<input type="checkbox" name="draft" value="([^"]+)"[^>]*?( checked)?( disabled)?>')


def settings(client, port, *, password=PASSWORD, smtp_port="", **more):
    form = {"csrf_token": token(client), "imap_host": "127.0.0.1", "imap_port": str(port), "imap_user": USER,
            "imap_password": password, "imap_folder": "INBOX", "imap_plain": "1", "smtp_host": "127.0.0.1",
            "smtp_port": str(smtp_port), "smtp_user": "", "smtp_from": OFFICE, "smtp_plain": "1", **more}
    return client.post("/hop-thu", data=form)


def fetch(client, app):
    response = client.post("/hop-thu/lay-thu", data={"csrf_token": token(client)}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/hop-thu/tien-do"), response.text
    app.state.site.worker.join(120)
    return client.get("/hop-thu/tien-do")


def test_the_settings_are_kept_in_the_workspace_and_the_password_nowhere(client, app, workspace_root):
    secret = "mat-khau-rat-bi-mat-9731"
    saved = settings(client, 1143, password=secret, smtp_port="2525", smtp_user="guithu", smtp_password=secret)
    assert saved.status_code == 200
    assert mail_words.SAVED_SESSION in html.unescape(saved.text)  # no usable keyring on a test machine
    assert api.mail_settings(app.state.site.workspace) == api.MailSettings(
        "127.0.0.1", "1143", USER, "INBOX", "1", "127.0.0.1", "2525", "guithu", OFFICE, "1")
    page = client.get("/hop-thu").text
    assert 'name="imap_port" value="1143"' in page and 'name="smtp_user" value="guithu"' in page
    assert page.count('placeholder="đã có (để trống nếu không đổi)"') == 2
    assert secret not in page and secret not in saved.text
    stored = b"".join(p.read_bytes() for p in workspace_root.rglob("*") if p.is_file())
    assert secret.encode() not in stored and b"1143" in stored  # the settings are there, the password is not
    assert "ntvt_phien" in client.cookies and secret not in str(client.cookies.get("ntvt_phien"))


def test_a_bad_port_or_plain_to_another_machine_is_refused_in_words(client, app):
    bad = settings(client, "99999")
    assert bad.status_code == 400
    assert ("Cổng IMAP “99999” không phải số từ 1 đến 65535: hãy sửa ô “Cổng IMAP” rồi bấm “Lưu cài đặt”."
            in html.unescape(bad.text))
    far = settings(client, 143, imap_host="mail.coquan.gov.vn")
    assert ("Chỉ được bỏ mã hóa TLS với máy chủ thư trên chính máy này (127.0.0.1), không với “mail.coquan.gov.vn”"
            in html.unescape(far.text))
    assert api.mail_settings(app.state.site.workspace) == api.MailSettings()


def test_fetch_receives_the_reports_and_a_second_fetch_finds_nothing_new(client, app, make_book):
    book = make_book(period="2023-06").read_bytes()
    report = message("Báo cáo tháng 6 - Nhà hát Chèo", "Mon, 19 Jun 2023 23:30:00 +0000",
                     attach=("CHEO_thang06.xlsx", book), message_id="<cheo-06@cheo.vn>")
    late = dt.datetime(2023, 6, 19, 23, 30, 4, tzinfo=UTC)
    with dovecot() as server:
        server.append(report, internaldate=late)
        server.append(report, internaldate=late + dt.timedelta(minutes=5))  # sent twice
        server.append(message("Thư mời", "Mon, 19 Jun 2023 08:00:00 +0700", sender="hc@kich.vn"),
                      internaldate=dt.datetime(2023, 6, 19, 1, 0, tzinfo=UTC))
        settings(client, server.port)
        first = fetch(client, app)
        again = fetch(client, app)
    said = text_of(html.unescape(first.text))
    assert ("Đã lấy thư lúc 18/06/2023 10:00 giờ Hà Nội: 3 thư mới (0 thư đã xem ở lần lấy trước); 1 thư có báo cáo "
            "(1 bảng tính đã nhận và kiểm tra).") in said
    assert ("Thư không có bảng tính (không nhận): 1 thư Người gửi Tiêu đề Lý do hc@kich.vn Thư mời thư không có tệp "
            "bảng tính (kể cả trong tệp .zip hay thư đính kèm)") in said
    [saved] = list((app.state.site.workspace.root / "hop_thu").glob("*.eml"))
    assert (f"Thư trùng (đã nhận một lần): 1 thư Người gửi Tiêu đề Đã nhận vanthu@cailuong.vn Báo cáo tháng 6 - Nhà hát "
            f"Chèo đã lưu từ thư mục “INBOX” thành {saved.name}") in said
    assert (f"Kết quả kiểm tra (1 thư đã nhận) {saved.name} Tệp đính kèm đã kiểm tra: {saved.name} › CHEO_thang06.xlsx. "
            f"Không có lỗi hay cảnh báo nào.") in said
    [received] = api.workspace_files(app.state.site.workspace)
    assert (received.name, received.received_at) == (saved.name, late)  # the server's INTERNALDATE
    assert ("Đã lấy thư lúc 18/06/2023 10:00 giờ Hà Nội: 0 thư mới (3 thư đã xem ở lần lấy trước); 0 thư có báo cáo "
            "(0 bảng tính đã nhận và kiểm tra).") in text_of(html.unescape(again.text))
    assert len(api.workspace_files(app.state.site.workspace)) == 1


def test_a_connection_lost_midway_receives_what_was_saved_and_the_next_fetch_the_rest(client, app, make_book):
    book = make_book(period="2023-06").read_bytes()
    big = make_book(period="2023-06", unit="KICH").read_bytes() + b"\0" * 400_000  # more than the proxy lets through
    with dovecot() as server:
        server.append(message("Nhỏ", "Tue, 13 Jun 2023 09:00:00 +0700", attach=("CHEO_thang06.xlsx", book)),
                      internaldate=dt.datetime(2023, 6, 13, 2, 0, tzinfo=UTC))
        server.append(message("Lớn", "Wed, 14 Jun 2023 09:00:00 +0700", attach=("KICH_thang06.xlsx", big)),
                      internaldate=dt.datetime(2023, 6, 14, 2, 0, tzinfo=UTC))
        with dropping_proxy(server.port, after_bytes=150_000) as port:
            settings(client, port)
            lost = fetch(client, app)
        said = text_of(html.unescape(lost.text))
        assert (f"Mất kết nối với máy chủ thư vanphong@127.0.0.1:{port} khi đang lấy thư (đã nhận 1 thư, không thư "
                f"nào bị lưu dở): hãy bấm “Lấy thư mới” lại để lấy tiếp.") in said
        assert "Kết quả kiểm tra (1 thư đã nhận)" in said  # what was saved before the loss is received
        assert len(api.workspace_files(app.state.site.workspace)) == 1
        settings(client, server.port)
        rest = text_of(html.unescape(fetch(client, app).text))
    assert "1 thư mới (1 thư đã xem ở lần lấy trước); 1 thư có báo cáo" in rest
    assert [f.received_at for f in api.workspace_files(app.state.site.workspace)] == [
        dt.datetime(2023, 6, 13, 2, 0, tzinfo=UTC), dt.datetime(2023, 6, 14, 2, 0, tzinfo=UTC)]


def test_a_wrong_password_is_said_in_vietnamese_and_asked_again(client, app):
    with dovecot() as server:
        settings(client, server.port, password="sai-mat-khau")
        page = fetch(client, app)
    assert page.status_code == 200
    assert (f"Máy chủ thư vanphong@127.0.0.1:{server.port} từ chối đăng nhập của “vanphong”: sai tên đăng nhập hoặc "
            f"mật khẩu. Hãy gõ lại mật khẩu IMAP ở trang “Hộp thư”, bấm “Lưu cài đặt”, rồi làm lại.") in \
        html.unescape(page.text)
    assert "sai-mat-khau" not in page.text
    refused = client.post("/hop-thu/lay-thu", data={"csrf_token": token(client)})  # the password was forgotten
    assert refused.status_code == 400
    assert mail_words.NO_PASSWORD.format(server="IMAP") in html.unescape(refused.text)


def test_a_fetch_cannot_start_while_the_worker_runs(client, app):
    settings(client, 1143)
    release = threading.Event()
    assert app.state.site.worker.start(lambda progress: release.wait(30) and "", total=1, as_of="25/07/2023")
    try:
        busy = client.post("/hop-thu/lay-thu", data={"csrf_token": token(client)}, follow_redirects=False)
    finally:
        release.set()
        app.state.site.worker.join(30)
    assert busy.status_code == 409
    assert ("Đang chạy một lần tổng hợp (tính đến hết ngày 25/07/2023); chưa thể bắt đầu lần khác."
            in html.unescape(busy.text))


def test_a_post_without_the_token_is_refused(client):
    assert client.post("/hop-thu", data={"imap_host": "127.0.0.1"}).status_code == 403
    assert client.post("/hop-thu/lay-thu", data={}).status_code == 403
    assert client.post("/gui-thu", data={"draft": "BTHN.eml"}).status_code == 403


@pytest.fixture
def with_drafts(app, rules):
    """The sample month received and consolidated in the workspace: its reply drafts written."""
    ws = app.state.site.workspace
    files = [(p.name, p.read_bytes()) for p in sorted(SAMPLES.rglob("*")) if p.is_file()]
    at = dt.datetime(2023, 7, 25, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    api.receive_files(ws, files, received_at=at, as_of=at.date())
    api.consolidate_workspace(ws, as_of=dt.date(2023, 7, 25), run_at=at)
    return ws


def test_the_ticked_drafts_are_sent_once_each(client, app, with_drafts, smtp_server):
    settings(client, 1143, smtp_port=smtp_server.port)
    listing = client.get("/gui-thu")
    boxes = CHECKBOX.findall(listing.text)
    assert len(boxes) == 21
    assert [name for name, checked, disabled in boxes if disabled] == ["PTNK.eml"]
    assert [name for name, checked, disabled in boxes if checked] == [n for n, _, d in boxes if not d]
    said = text_of(html.unescape(listing.text))
    assert ("chưa có địa chỉ thư nên không gửi được: hãy thêm dòng “email: …” cho đơn vị Trường Phổ thông năng khiếu "
            "Thể dục thể thao Hà Nội trong tệp quy tắc") in said
    nothing = client.post("/gui-thu", data={"csrf_token": token(client)})
    assert nothing.status_code == 400 and mail_words.NONE_TICKED in html.unescape(nothing.text)
    sent = client.post("/gui-thu", data={"csrf_token": token(client), "draft": ["BTHN.eml", "HOALO.eml"]})
    assert sent.status_code == 200
    delivered = smtp_server.handler.delivered
    assert sorted(to for _, [to], _ in delivered) == ["vanthu@baotanghanoi.vn", "vanthu@donvi.gov.vn"]
    assert {frm for frm, _, _ in delivered} == {OFFICE}
    result = text_of(html.unescape(sent.text))
    assert "Bảo tàng Hà Nội (vanthu@baotanghanoi.vn): đã gửi; máy chủ trả lời “250 2.0.0 Ok: queued as N1”." in result
    after = dict((n, d) for n, _, d in CHECKBOX.findall(sent.text))
    assert (after["BTHN.eml"], after["HOALO.eml"], after["KICH.eml"]) == (" disabled", " disabled", "")
    again = client.post("/gui-thu", data={"csrf_token": token(client), "draft": ["BTHN.eml", "HOALO.eml"]})
    assert len(smtp_server.handler.delivered) == 2  # nothing sent a second time
    assert "Bảo tàng Hà Nội (vanthu@baotanghanoi.vn): đã gửi lúc 10:00 giờ Hà Nội ngày 18/06/2023; không gửi lại." \
        in text_of(html.unescape(again.text))


def test_nothing_ticked_or_no_run_is_said_in_words(client, app):
    assert mail_words.NO_RUN in html.unescape(client.get("/gui-thu").text)
