"""The mailbox page in a real browser (Chromium, driven by Playwright) over `ntvt serve` and a real
Dovecot on loopback: the settings typed into the form, "Lấy thư mới" pressed, its result shown.
Screenshot docs/images/web_hop_thu.png only when NTVT_SCREENSHOTS names a folder (see test_browser.py)."""

from __future__ import annotations

import datetime as dt
import time

from .builders.dovecot import PASSWORD, USER, dovecot
from .mailbox.mails import message, zipped
from . import test_browser
from .test_browser import SAMPLES, open_page, shoot

# The browser's fixtures (Chromium through Playwright, `ntvt serve` on a free port), taken into this module.
browser, served = test_browser.browser, test_browser.served
UTC = dt.timezone.utc


def test_the_clerk_fetches_the_mailbox_from_the_page(browser, served):
    cheo = (SAMPLES / "thang_06" / "NH_Cheo_thang06_lan1.xlsx").read_bytes()
    kich = (SAMPLES / "thang_07" / "NH_Kich_thang07.xlsx").read_bytes()
    with dovecot() as server:
        server.append(message("Báo cáo tháng 6 - Nhà hát Chèo", "Mon, 19 Jun 2023 16:10:00 +0700",
                              attach=("NH_Cheo_thang06_lan1.xlsx", cheo)),
                      internaldate=dt.datetime(2023, 6, 19, 9, 10, 2, tzinfo=UTC))
        server.append(message("Báo cáo tháng 7 - Nhà hát Kịch (nén)", "Wed, 19 Jul 2023 09:00:00 +0700",
                              attach=("bao_cao_thang7.zip", zipped(("NH_Kich_thang07.xlsx", kich))),
                              sender="vanthu@kich.vn"),
                      internaldate=dt.datetime(2023, 7, 19, 2, 0, 5, tzinfo=UTC))
        server.append(message("Giấy mời họp giao ban", "Thu, 20 Jul 2023 08:00:00 +0700", sender="hc@kich.vn"),
                      internaldate=dt.datetime(2023, 7, 20, 1, 0, tzinfo=UTC))
        watch = open_page(browser, served)
        page = watch.go("/")
        page.get_by_role("navigation").get_by_role("link", name="Hộp thư").click()
        assert page.url == served["base"] + "/hop-thu"
        page.fill("#imap_host", "127.0.0.1")
        page.fill("#imap_port", str(server.port))
        page.fill("#imap_user", USER)
        page.fill("#imap_password", PASSWORD)
        page.check("input[name=imap_plain]")
        page.get_by_role("button", name="Lưu cài đặt").click()
        assert page.locator(".notice").inner_text().startswith("Đã lưu cài đặt hộp thư.")
        assert page.input_value("#imap_password") == ""  # never sent back to the page
        started = time.perf_counter()
        page.get_by_role("button", name="Lấy thư mới").click()
        page.wait_for_selector("main p[role=status]:has-text('Đã lấy thư')", timeout=60_000)
        seconds = time.perf_counter() - started
        status = page.locator("main p[role=status]").inner_text()
        assert "3 thư mới (0 thư đã xem ở lần lấy trước); 2 thư có báo cáo (2 bảng tính đã nhận và kiểm tra)." \
            in status, status
        assert page.locator("main table tbody tr").first.inner_text().split("\t")[:2] == ["hc@kich.vn",
                                                                                       "Giấy mời họp giao ban"]
        assert page.locator("section.received").count() == 2
        shoot(page, "hop_thu")
        watch.assert_quiet()
    print(f"\nmeasured: Lấy thư mới (3 thư, 2 báo cáo) từ lúc bấm đến khi hiện kết quả: {seconds:.2f} s")
