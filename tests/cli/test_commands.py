"""The commands' behaviour where the output cannot be written (cli/commands.py)."""

from __future__ import annotations

from click.testing import CliRunner

from checker.cli import main

from ..conftest import good_row


def test_check_prints_the_findings_before_an_annotate_folder_it_cannot_write(tmp_path, make_book):
    """`check --annotate` into a folder that cannot be made: the findings reach stdout, then the
    write error on stderr, exit 2 (the output asked for was not written)."""
    path = make_book([good_row(gender="Na")], name="don_vi.xlsx")
    blocker = tmp_path / "la_tep"
    blocker.write_text("một tệp, không phải thư mục")
    result = CliRunner().invoke(main, ["check", str(path), "--annotate", str(blocker / "tra_lai"),
                                       "--as-of", "2023-05-20"], prog_name="ntvt")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == f"== {path}  [Nhà hát Chèo Hà Nội, kỳ tháng 05/2023]"
    assert [line.split()[1] for line in result.stdout.splitlines() if line.startswith("   LỖI")] == [
        "DV-TOITHIEU", "DN-DANHMUC"]
    assert "Ô D5 – “Giới tính” phải là một trong: Nam, Nữ (nhận được “Na”)" in result.stdout
    errors = result.stderr.splitlines()
    assert errors[0] == "1 tệp: 2 lỗi, 0 cảnh báo, 0 thông tin."
    assert errors[1].startswith(f"Lỗi: Không ghi được kết quả vào {blocker / 'tra_lai' / 'don_vi_danh_dau.xlsx'}: "
                                "một phần của đường dẫn là tệp chứ không phải thư mục")
    assert not (blocker.parent / "tra_lai").exists()
