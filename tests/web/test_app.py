"""The application's guards over a real workspace: every page in Vietnamese, the headers on every
response, the Host check, CSRF on every POST, the login, and error pages without a traceback."""

from __future__ import annotations

import re

import pytest

from checker.web import create_app
from checker.web.app import describe_failure
from checker.web.security import CSP, hash_password
from checker.web.words import FAILED

from .conftest import BASE, NOW, TestClient, text_of, title, token

PAGES = {"/": "Tình hình nộp", "/nhan-ho-so": "Nhận hồ sơ", "/tong-hop": "Tổng hợp", "/loi": "Lỗi và cảnh báo",
         "/tai-ve": "Tải về", "/quy-tac": "Quy tắc", "/tong-hop/tien-do": "Tiến độ tổng hợp",
         "/don-vi/CHEO": "Đơn vị Nhà hát Chèo Hà Nội", "/hop-thu": "Hộp thư", "/gui-thu": "Gửi thư phản hồi",
         "/xet-duyet": "Xét duyệt"}
POSTS = ["/nhan-ho-so", "/tong-hop", "/dang-xuat", "/hop-thu", "/hop-thu/lay-thu", "/gui-thu", "/xet-duyet"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_opens_in_vietnamese(client, path):
    """Each page answers 200, in Vietnamese (lang="vi"), its <title> naming it, with the navigation."""
    response = client.get(path)
    assert response.status_code == 200
    assert '<html lang="vi">' in response.text
    assert title(response) == f"{PAGES[path]} – ntvt"
    assert re.findall(r'<li><a href="([^"]+)"', response.text) == ["/", "/hop-thu", "/nhan-ho-so", "/tong-hop",
                                                                    "/xet-duyet", "/gui-thu", "/loi", "/tai-ve",
                                                                    "/quy-tac"]


@pytest.mark.parametrize("path, status", [("/", 200), ("/static/style.css", 200), ("/static/app.js", 200),
                                          ("/khong-co", 404), ("/don-vi/KHONGCO", 404), ("/tong-hop/trang-thai", 200),
                                          ("/dang-nhap", 303)])
def test_every_response_carries_the_security_headers(client, path, status):
    """CSP allowing no outside origin, nosniff and no referrer, on pages, files, errors and redirects."""
    response = client.get(path, follow_redirects=False)
    assert response.status_code == status
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_the_session_cookie_is_http_only_and_strict(client):
    """The cookie a first visit gets is HttpOnly and SameSite=Strict."""
    cookie = client.get("/").headers["set-cookie"]
    assert cookie.startswith("ntvt_phien=") and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_foreign_host_header_is_refused(client):
    """A page asked for under another name (DNS rebinding) gets 400 and a Vietnamese page."""
    response = client.get("/", headers={"host": "evil.example:8327"})
    assert response.status_code == 400
    assert title(response) == "Địa chỉ không hợp lệ – ntvt"
    assert response.headers["content-security-policy"] == CSP
    assert client.get("/", headers={"host": "localhost:8327"}).status_code == 200


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("given", [None, "sai"])
def test_a_post_without_the_csrf_token_is_refused(client, path, given):
    """Every POST without its session's token (missing or wrong) gets 403 and a Vietnamese page."""
    data = {"as_of": "2023-06-25"} | ({"csrf_token": given} if given else {})
    response = client.post(path, data=data, files=[("files", ("a.xlsx", b"x", "application/octet-stream"))]
                           if path == "/nhan-ho-so" else None)
    assert response.status_code == 403
    assert title(response) == "Yêu cầu bị từ chối – ntvt"
    assert "thiếu mã xác nhận" in response.text
    assert response.headers["content-security-policy"] == CSP


def test_another_sessions_token_is_refused(app):
    """A token read off another session's page does not pass in this one."""
    with TestClient(app, base_url=BASE) as first, TestClient(app, base_url=BASE) as second:
        stolen = token(first)
        assert token(second) != stolen
        response = second.post("/tong-hop", data={"csrf_token": stolen, "as_of": "2023-06-25"})
        assert response.status_code == 403


@pytest.fixture
def guarded(workspace_root, rules):
    app = create_app(workspace_root, rules, password_hash=hash_password("mật khẩu đúng"), clock=lambda: NOW)
    with TestClient(app, base_url=BASE) as client:
        yield client


def test_with_a_password_every_page_asks_for_the_login(guarded):
    """Before the login each page redirects to /dang-nhap; the login page and static files open."""
    for path in PAGES:
        response = guarded.get(path, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/dang-nhap")
    assert guarded.get("/tai-ve/tep/ket_qua/x.xlsx", follow_redirects=False).status_code == 303
    assert guarded.get("/static/style.css").status_code == 200
    login = guarded.get("/dang-nhap")
    assert login.status_code == 200 and title(login) == "Đăng nhập – ntvt"


def test_login_flow(guarded):
    """A wrong password is said in words; the right one opens the pages with a new session; logging
    out closes them again."""
    form = guarded.get("/dang-nhap").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    before = guarded.cookies["ntvt_phien"]
    wrong = guarded.post("/dang-nhap", data={"csrf_token": csrf, "password": "sai"})
    assert wrong.status_code == 401 and "Mật khẩu không đúng" in wrong.text
    assert guarded.post("/dang-nhap", data={"password": "mật khẩu đúng"}).status_code == 403
    right = guarded.post("/dang-nhap", data={"csrf_token": csrf, "password": "mật khẩu đúng"}, follow_redirects=False)
    assert (right.status_code, right.headers["location"]) == (303, "/")
    assert guarded.cookies["ntvt_phien"] != before
    page = guarded.get("/")
    assert page.status_code == 200 and title(page) == "Tình hình nộp – ntvt" and "Đăng xuất" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    out = guarded.post("/dang-xuat", data={"csrf_token": csrf}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/dang-nhap")
    assert guarded.get("/", follow_redirects=False).status_code == 303


def test_an_unexpected_error_shows_a_vietnamese_page_with_the_log(client, workspace_root):
    """A broken register (not a database any more) gives a Vietnamese page naming the log, no traceback."""
    (workspace_root / "register.sqlite3").write_bytes(b"this is not a database" * 100)
    for extra in ("-wal", "-shm"):
        (workspace_root / f"register.sqlite3{extra}").unlink(missing_ok=True)
    response = client.get("/")
    assert response.status_code == 500
    assert title(response) == "Lỗi của ntvt – ntvt"
    log = re.search(r"Chi tiết kỹ thuật đã ghi vào (\S+\.log)\.", text_of(response.text)).group(1)
    assert "Traceback" not in response.text
    with open(log, "rb") as f:
        assert b"Traceback" in f.read()
    assert response.headers["content-security-policy"] == CSP


def test_an_unexpected_failure_of_the_consolidation_names_its_log():
    """A consolidation failing for no reason ntvt knows: the words of an internal error and the log's
    path; the log holds the English traceback."""
    try:
        {}["status_code"]
    except KeyError as exc:
        said = describe_failure(exc)
    assert said.startswith(FAILED + " Chi tiết kỹ thuật đã ghi vào ")
    log = said.removeprefix(FAILED + " Chi tiết kỹ thuật đã ghi vào ").removesuffix(".")
    with open(log, "rb") as f:
        detail = f.read().decode("utf-8")
    assert detail.startswith("consolidation\nTraceback") and "KeyError: 'status_code'" in detail
    assert describe_failure(PermissionError(13, "denied", "x.xlsx")).startswith("Không ghi được bảng tổng hợp: tệp “x.xlsx”")
