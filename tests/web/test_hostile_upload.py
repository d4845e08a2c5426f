"""The hostile corpus (tests/test_hostile.py's inbox, hostile emails, hostile names) uploaded through
the page: every response is below 500, every file is answered, and nothing is written outside the
workspace."""

from __future__ import annotations

from checker import api

from .. import test_hostile
from ..builders import hostile_mail
from .conftest import text_of, upload
from .test_pages import sections

hostile_inbox = test_hostile.hostile_inbox  # the fixture, shared

NAMES = ["../../thoat_ra.xlsx", "..\\..\\thoat_ra.xlsx", "/etc/passwd.xlsx", "C:\\Windows\\win.ini.xlsx", "CON.xlsx",
         "a\x00b.xlsx", "\u202egpj.xlsx", "ten" + "x" * 300 + ".xlsx", "", "   ", "không đuôi", "..", "ket_qua/../x.eml"]


def test_the_hostile_corpus_uploaded_through_the_page_crashes_nothing(client, app, hostile_inbox, tmp_path):
    """Each broken or hostile file, one at a time and all together, gets an answer below 500; the
    rejected ones say why; then the consolidation runs and every page still opens."""
    files = sorted(p for p in hostile_inbox.iterdir())
    for path in files:
        response = upload(client, [path])
        assert response.status_code < 500, path.name
    together = upload(client, files)
    assert together.status_code == 200
    shown = sections(together.text)
    assert set(shown) == {p.name for p in files}
    # What reading alone rejects; "khong_mau.xlsx" (no unit) is rejected by the consolidation.
    for name, reason in test_hostile.REASONS.items():
        if name != "khong_mau.xlsx":
            assert f"Bị loại: {reason}." in shown[name][0], name
    mails = [("long_nhau.eml", hostile_mail.nested_multipart(300)), ("nhieu_tep.eml", hostile_mail.many_attachments(300)),
             ("khong_tep.eml", hostile_mail.simple()), ("lon.eml", hostile_mail.big_attachment(1 << 20)),
             ("dau_thu.eml", hostile_mail.header_heavy(1 << 20))]
    for name, data in mails:
        assert upload(client, [(name, data)]).status_code < 500, name
    for name in NAMES:
        response = upload(client, [(name, b"PK\x03\x04 not really")])
        assert response.status_code < 500, repr(name)
    response = client.post("/tong-hop", data={"csrf_token": csrf_of(client), "as_of": "2023-05-31"},
                           follow_redirects=False)
    assert response.status_code == 303
    app.state.site.worker.join(300)
    progress = client.get("/tong-hop/tien-do")
    assert progress.status_code == 200 and "Đã tổng hợp xong" in text_of(progress.text)
    for path in ["/", "/loi", "/tai-ve", "/don-vi/CHEO", "/quy-tac"]:
        assert client.get(path).status_code == 200, path
    root = app.state.site.root
    # Stored by content only: every stored name is a registered SHA-256 (and a known suffix).
    stored = {p.name.split(".")[0] for p in (root / "ho_so").iterdir()}
    assert stored == {f.sha256 for f in api.workspace_files(app.state.site.workspace)}
    assert {p.suffix for p in (root / "ho_so").iterdir()} <= {"", ".xlsx", ".xlsm", ".xls", ".ods", ".eml"}
    assert not (tmp_path / "thoat_ra.xlsx").exists() and not (root.parent / "thoat_ra.xlsx").exists()


def csrf_of(client) -> str:
    return client.get("/nhan-ho-so").text.split('name="csrf_token" value="')[1].split('"')[0]
