"""`ntvt serve` in a real browser (Playwright driving Debian's Chromium): a clerk's month end to end.

The real server (checker.web.server.prepare: its bound socket, uvicorn in a thread, as `ntvt serve`
runs it; the page's clock pinned to 25/07/2023 08:00 Hanoi time so the month is the samples' month)
over a fresh workspace. Chromium uploads every sample file through the file input, runs "Tổng hợp",
reads the matrix off the page and checks it cell by cell (status, receipt, valid nominations,
colour) against the downloaded workbook's "Tình hình nộp"; then the findings filter, the origins
asked for, the console, a 360 px screen and what a screen reader is given.

Screenshots of every page at 1366×768: only when NTVT_SCREENSHOTS=<folder> is set (the README's
are docs/images/web_*.png: `NTVT_SCREENSHOTS=docs/images python -m pytest tests/test_browser.py`).
Without Chromium the test is skipped on a developer's computer and FAILS in CI (CI set).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import time
from pathlib import Path

import openpyxl
import pytest

from checker import api
from checker.model.words import CAMPAIGN_FILE, SEVERITY_WORDS

from .builders.parts import need
from .builders.web_server import serving

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # the test extra installs it; checked where it is needed, below
    sync_playwright = None

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_workbooks"
MANIFEST = json.loads((ROOT / "tests" / "golden" / "samples_manifest.json").read_bytes())
HANOI = dt.timezone(dt.timedelta(hours=7))
MONTH = dt.datetime(2023, 7, 25, 8, 0, tzinfo=HANOI)  # when the clerk uploads the month's files
CHROMIUM = os.environ.get("NTVT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=vi"]
WIDE, SMALL = {"width": 1366, "height": 768}, {"width": 360, "height": 740}
# (path, screenshot name, <h1>): every page of the navigation, a unit's page and the progress page.
PAGES = [("/", "tinh_hinh_nop", "Tình hình nộp"), ("/nhan-ho-so", "nhan_ho_so", "Nhận hồ sơ"),
         ("/tong-hop", "tong_hop", "Tổng hợp"), ("/loi", "loi_va_canh_bao", "Lỗi và cảnh báo"),
         ("/tai-ve", "tai_ve", "Tải về"), ("/quy-tac", "quy_tac", "Quy tắc"),
         ("/don-vi/XIEC", "don_vi", "Đơn vị Nhà hát Xiếc và Tạp kỹ Hà Nội"),
         ("/tong-hop/tien-do", "tien_do", "Tiến độ tổng hợp")]
# Reports what a CSP refusal is, in the console (where the console watch sees it).
CSP_WATCH = ("document.addEventListener('securitypolicyviolation', e => console.error("
             "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));")
MATRIX_JS = """() => {
  const cell = td => ({status: td.querySelector('.word').innerText.trim(),
    small: [...td.querySelectorAll('small')].map(s => s.innerText.trim()),
    colour: getComputedStyle(td).backgroundColor});
  return [...document.querySelectorAll('table.matrix tbody tr')].map(tr => ({
    unit: tr.querySelector('th').innerText.trim(),
    cells: [...tr.querySelectorAll('td.status:not(.summary)')].map(cell),
    summary: [...tr.querySelectorAll('td.summary')].map(cell)}));
}"""
NAVIGATION_MS = "performance.getEntriesByType('navigation')[0].duration"
MEASURED: dict[str, float] = {}  # what the tests measured, printed at the end of the module


def _chromium_or_skip() -> None:
    missing = ("Playwright (PyPI “playwright”, in the test extra)" if sync_playwright is None
               else None if Path(CHROMIUM).is_file() else f"Chromium ({CHROMIUM}; Debian package “chromium”)")
    need(missing, "apt-get install chromium chromium-l10n")


class Watch:
    """A browser page and what it did: every URL it asked for, its console errors and page errors."""

    def __init__(self, context, base: str):
        self.base, self.requests, self.errors = base, [], []
        self.page = context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def go(self, path: str):
        response = self.page.goto(self.base + path)
        assert response.status == 200, (path, response.status)
        return self.page

    def elsewhere(self) -> list[str]:
        """The URLs asked for outside the server's origin (data: URLs stay in the page)."""
        return [u for u in self.requests if not u.startswith(self.base + "/") and not u.startswith("data:")]

    def assert_quiet(self) -> None:
        assert self.elsewhere() == []
        assert self.errors == []


@pytest.fixture(scope="module")
def browser():
    _chromium_or_skip()
    with sync_playwright() as p:
        # Chromium's own words (the file input's “Chọn tệp”) in Vietnamese, as in the office: Debian's
        # chromium-l10n and LANGUAGE; without them only those words stay English.
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, env={**os.environ, "LANGUAGE": "vi"})
        yield chromium
        chromium.close()
    if MEASURED:
        print("\nmeasured:", json.dumps(MEASURED, ensure_ascii=False, indent=1))


@pytest.fixture(scope="module")
def served(tmp_path_factory, browser):
    """The server as `ntvt serve` runs it, on a free loopback port, over a fresh workspace."""
    root = tmp_path_factory.mktemp("browser") / "ntvt"
    rules = api.load_rules()
    with serving(root, rules, lambda: MONTH) as base:
        yield {"base": base, "root": root, "rules": rules}


def open_page(browser, served, viewport=WIDE) -> Watch:
    context = browser.new_context(viewport=viewport, accept_downloads=True, locale="vi-VN")
    context.add_init_script(CSP_WATCH)
    return Watch(context, served["base"])


def shoot(page, name: str) -> None:
    """docs/images/web_<name>.png, if NTVT_SCREENSHOTS names a folder: the screen; the start page whole."""
    folder = os.environ.get("NTVT_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"web_{name}.png"), full_page=name == "tinh_hinh_nop")


@pytest.fixture(scope="module")
def month(browser, served, tmp_path_factory):
    """The clerk's month in the browser: the start page, every sample uploaded through the file
    input, "Tổng hợp" as of 25/07/2023, the consolidated workbook downloaded. What each page showed."""
    watch = open_page(browser, served)
    page = watch.go("/")
    page.get_by_role("navigation").get_by_role("link", name="Nhận hồ sơ").click()
    assert page.url == served["base"] + "/nhan-ho-so"
    files = sorted(str(p) for p in SAMPLES.rglob("*") if p.is_file())
    page.set_input_files("#files", files)
    page.get_by_role("button", name="Nhận hồ sơ").click()
    page.wait_for_selector("section.received")
    MEASURED["Nhận hồ sơ: tải lên và kiểm tra 55 tệp (ms)"] = round(page.evaluate(NAVIGATION_MS))
    received = {"heading": page.locator("main h2").last.inner_text(),
                "sections": page.locator("section.received").count(),
                "rows": page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('section.received')]
                    .map(s => [s.querySelector('h3').innerText, [...s.querySelectorAll('tbody tr')]
                    .map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))]))""")}
    page.evaluate("document.querySelectorAll('section.received')[5].scrollIntoView()")  # HOALO: a finding
    shoot(page, "nhan_ho_so")
    page.get_by_role("navigation").get_by_role("link", name="Tổng hợp").click()
    page.fill("#as_of", "2023-07-25")
    started = time.perf_counter()
    page.get_by_role("button", name=re.compile("Tổng hợp")).click()
    page.wait_for_selector("table.matrix", timeout=600_000)
    MEASURED["Tổng hợp: từ lúc bấm đến khi hiện bảng (s)"] = round(time.perf_counter() - started, 2)
    shoot(page, "tong_hop")
    shown = page.evaluate(MATRIX_JS)
    labels = page.locator("table.matrix thead th").all_inner_texts()
    with page.expect_download() as caught:
        page.locator("main").get_by_role("link", name=re.compile("Tải")).click()
    download = caught.value
    saved = tmp_path_factory.mktemp("download") / download.suggested_filename
    download.save_as(saved)
    watch.assert_quiet()
    return {"received": received, "matrix": shown, "labels": labels, "download": saved,
            "name": download.suggested_filename, "watch": watch}


def test_the_upload_lists_every_file_with_its_findings(month):
    """All 55 sample files received and listed; HOALO's May report shows its one finding, DN-CAP at
    P6 of “Danh sách đề nghị”, as the samples' manifest says."""
    received = month["received"]
    assert received["heading"] == "Kết quả kiểm tra (55 tệp, nhận lúc 25/07/2023 08:00 giờ Hà Nội)"
    assert received["sections"] == 55 == len(MANIFEST["files"])
    assert set(received["rows"]) == {p.name for p in SAMPLES.rglob("*") if p.is_file()}
    [(sheet, cell, rule)] = [m[1:] for m in MANIFEST["files"]["thang_05/HOALO_thang05.xlsx"]["mistakes"]]
    assert [row[:3] for row in received["rows"]["HOALO_thang05.xlsx"]] == [[sheet, cell, rule]]
    assert (sheet, rule) == ("Danh sách đề nghị", "DN-CAP")  # the cell: the manifest's (template rows move)
    assert received["rows"]["BTHN_thang05.xlsx"] == []


def _workbook_matrix(path: Path, cycles: int):
    """"Tình hình nộp" of the consolidated workbook: cycle labels and the summary report's, and per
    unit its name, per cycle status, receipt line, valid nominations and fill colour, and the
    summary report's status, receipt line and fill colour (its column after the cycles')."""
    ws = openpyxl.load_workbook(path)["Tình hình nộp"]
    top = next(r for r in range(1, 20) if ws.cell(r, 1).value == "STT")
    labels = [ws.cell(top - 1, 3 + 2 * k).value for k in range(cycles)] + [ws.cell(top - 1, 3 + 2 * cycles).value]
    rows, r = [], top + 1

    def status(cell):
        word, _, receipt = cell.value.partition("\n")
        return word, receipt, cell.fill.fgColor.rgb[-6:].upper()

    while isinstance(ws.cell(r, 1).value, int):
        cells = []
        for k in range(cycles):
            word, receipt, fill = status(ws.cell(r, 3 + 2 * k))
            cells.append((word, receipt, ws.cell(r, 4 + 2 * k).value, fill))
        rows.append((ws.cell(r, 2).value, cells, [status(ws.cell(r, 3 + 2 * cycles))]))
        r += 1
    return labels, rows


def _hex(css: str) -> str:
    return "".join(f"{int(n):02X}" for n in re.findall(r"\d+", css)[:3])


def test_the_matrix_on_the_page_is_the_workbooks(month, served):
    """The unit × cycle matrix read off the page equals the downloaded workbook's, cell by cell:
    status words, receipt and its evidence, valid nominations, colour; 24 units, 5 cycles, and the
    summary report's column last (status, receipt, colour)."""
    rules = served["rules"]
    assert month["name"] == "tong_hop_2023-07-25.xlsx"
    labels, book = _workbook_matrix(month["download"], len(rules.deadlines.cycles))
    assert month["labels"] == ["STT", "Đơn vị", *labels]
    page = []
    for row in month["matrix"]:
        cells = []
        for cell in row["cells"]:
            valid = next((int(s.split()[0]) for s in cell["small"] if s.endswith("gương hợp lệ")), 0)
            receipt = next((s for s in cell["small"] if not s.endswith("gương hợp lệ")), "")
            cells.append((cell["status"], receipt, valid, _hex(cell["colour"])))
        summary = [(c["status"], "".join(c["small"]), _hex(c["colour"])) for c in row["summary"]]
        page.append((row["unit"], cells, summary))
    assert page == book
    assert len(page) == len(rules.units) == 24
    assert month["labels"][-1] == "Báo cáo tổng kết"
    # The Office's summary report (tong_ket/) is on time by its “Ngày gửi”, not by the late upload
    # (25/07/2023 08:00); no other unit sent one.
    office = next(summary for name, _, [summary] in book if name == "Văn phòng Sở")
    assert office == ("Đúng hạn", "20/07/2023, ô “Ngày gửi”", "C6EFCE")
    assert {summary[0] for name, _, [summary] in book if name != "Văn phòng Sở"} == {"Chưa đến hạn"}
    statuses = {status for _, cells, _ in book for status, *_ in cells}
    assert {"Đúng hạn", "Chưa nộp", "Chưa đến hạn", "Nộp nhưng chưa hợp lệ"} <= statuses
    assert any(s.startswith("Trễ hạn ") for s in statuses)


def test_findings_filtered_by_a_unit_are_that_units_only(browser, served, month):
    """Lỗi và cảnh báo, filtered to the Circus (XIEC): exactly the register's findings of that unit,
    each under the unit's name, its manifest mistakes among them, and fewer than unfiltered."""
    watch = open_page(browser, served)
    page = watch.go("/loi")
    everything = page.locator("table.findings tbody tr").count()
    page.select_option("#unit", "XIEC")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_load_state()
    assert page.url == served["base"] + "/loi?unit=XIEC&cycle=&rule=&severity="
    shown = page.evaluate("""() => [...document.querySelectorAll('table.findings tbody tr')]
        .map(tr => [...tr.querySelectorAll('td')].map(td => td.innerText.trim()))""")
    ws = api.open_workspace(served["root"], served["rules"])
    run = api.last_run(ws)
    names = {u.id: u.name for u in served["rules"].units}
    kept = [[names[f.unit], f.file or CAMPAIGN_FILE, f.sheet or "", f.cell or "", f.rule_id,
             SEVERITY_WORDS[getattr(f.severity, "value", f.severity)], f.message]
            for f in api.run_findings(ws, run.id, unit="XIEC")]
    assert shown == kept
    assert 0 < len(shown) < everything
    assert page.get_by_text(f"{len(shown)} mục.", exact=True).count() == 1
    circus = {f.name for f in api.workspace_files(ws) if f.unit == "XIEC"}
    assert circus == {"NH_Xiec_thang05_nhieu_loi.xlsx"}
    assert {row[0] for row in shown} == {"Nhà hát Xiếc và Tạp kỹ Hà Nội"}  # the unit column: its name
    assert {row[1] for row in shown} <= circus | {CAMPAIGN_FILE}
    mistakes = {tuple(m[1:]) for m in MANIFEST["files"]["thang_05/NH_Xiec_thang05_nhieu_loi.xlsx"]["mistakes"]
                if m[3] != "HAN-THANG"}
    assert mistakes <= {tuple(row[2:5]) for row in shown}
    # Its May report's deadline finding, a campaign's row: decided by the file's “Ngày gửi” (16/05),
    # not by the late upload (the manifest writes the campaign's mark in the sheet's place).
    deadlines = [row for row in shown if row[4] == "HAN-THANG"]
    assert {tuple(row[1:4]) for row in deadlines} == {(CAMPAIGN_FILE, "", "")}
    may = [row[6] for row in deadlines if row[6].startswith("Nhà hát Xiếc và Tạp kỹ Hà Nội – Tháng 05/2023:")]
    assert len(may) == 1 and "nhận ngày 16/05/2023, theo ô “Ngày gửi” trong tệp" in may[0]
    watch.assert_quiet()


def test_every_page_stays_on_the_server_and_loads_quickly(browser, served, month):
    """Every page, the samples loaded: 200, its <h1>, only the server's own origin asked for, no
    console error, no CSP violation. Its navigation time is measured (and a screenshot taken)."""
    watch = open_page(browser, served)
    for path, name, heading in PAGES:
        page = watch.go(path)
        assert page.locator("h1").inner_text() == heading
        assert page.evaluate("document.documentElement.lang") == "vi"
        MEASURED[f"tải trang {path} (ms)"] = round(page.evaluate(NAVIGATION_MS), 1)
        if name not in ("nhan_ho_so", "tong_hop", "tien_do"):  # taken with their results, above
            shoot(page, name)
    assert {u.split("/", 3)[3].split("?")[0] for u in watch.requests} >= {"", "static/style.css", "quy-tac"}
    watch.assert_quiet()
    assert all(ms < 3000 for ms in MEASURED.values() if isinstance(ms, float))


def test_a_small_screen_scrolls_tables_in_their_box_never_the_page(browser, served, month, tmp_path):
    """At 360×740 nothing is cut off: the page is never wider than the screen; a wide table (the
    matrix, the findings, the rules) scrolls inside its own box."""
    watch = open_page(browser, served, SMALL)
    widths, wide = {}, {}
    for path, name, _ in PAGES:
        page = watch.go(path)
        page.screenshot(path=str(tmp_path / f"web_{name}_360.png"), full_page=True)
        widths[path] = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        wide[path] = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e =>
            e.getBoundingClientRect().right > 360.5 && !e.parentElement.closest('.scroll'))
            .map(e => e.tagName + '.' + e.className + ':' + Math.round(e.getBoundingClientRect().right))""")
    assert widths == {path: [360, 360] for path, _, _ in PAGES}, wide
    assert wide == {path: [] for path, _, _ in PAGES}
    page = watch.go("/")
    box = page.evaluate("(() => { const s = document.querySelector('.scroll'); "
                        "return [s.clientWidth, s.scrollWidth, getComputedStyle(s).overflowX]; })()")
    assert box[0] <= 360 < box[1] and box[2] == "auto"
    watch.assert_quiet()


NAMED = re.compile(r'- (\w+) "(.+?)"')


def test_a_screen_reader_finds_names_headers_and_landmarks(browser, served, month):
    """Every form control has a name, the navigation and the main content are landmarks, the matrix
    is a table with a caption, column and row headers, and no image lacks its text."""
    watch = open_page(browser, served)
    for path, _, heading in PAGES:
        page = watch.go(path)
        tree = page.locator("body").aria_snapshot()
        assert '- navigation "Các trang"' in tree and "- main:" in tree, path
        assert f'- heading "{heading}" [level=1]' in tree, path
        controls = page.locator("main input:not([type=hidden]), main select, main textarea, main button, nav button")
        for control in controls.all():
            said = control.aria_snapshot().splitlines()[0]
            assert NAMED.match(said), (path, said)
        assert page.locator("img:not([alt]), [role=img]:not([aria-label])").count() == 0, path
    page = watch.go("/")
    tree = page.locator("body").aria_snapshot()
    MEASURED["trình đọc màn hình, trang đầu"] = tree.splitlines()[:15]
    assert '- table "Tình hình nộp tính đến hết ngày 25/07/2023":' in tree
    assert page.get_by_role("columnheader").all_inner_texts()[:3] == ["STT", "Đơn vị", "Tháng 05/2023"]
    assert page.get_by_role("rowheader").count() == 24
    page = watch.go("/nhan-ho-so")
    assert page.get_by_label("Chọn tệp báo cáo (.xlsx, .xlsm, .xls, .ods) hoặc thư điện tử đã lưu (.eml):").count() == 1
    watch.assert_quiet()
