"""`ntvt verify`: does a consolidated workbook still match the inbox it claims and the rules file it
names, and is it as ntvt wrote it? The inbox is walked and hashed as consolidation gathers it (the
same names); the workbook's sheets are read back and their digests recomputed (read/written_book)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..model.errors import CheckerError
from ..model.marks import CONSOLIDATED
from ..read.inbox import gather
from ..read.written_book import read_written
from ..ruleset.spec import RuleSet


@dataclass
class Verification:
    workbook: Path
    inbox: Path
    missing: list[str] = field(default_factory=list)  # claimed, not in the inbox now
    changed: list[str] = field(default_factory=list)  # the same name, another SHA-256
    added: list[str] = field(default_factory=list)  # in the inbox, not claimed
    rules: tuple[str, str] | None = None  # (claimed name, claimed SHA-256) when it differs from the one given
    rules_given: tuple[str, str] = ("", "")
    edited: list[str] = field(default_factory=list)  # sheets whose cells are no longer as ntvt wrote them
    no_digest: bool = False  # written before ntvt stored digests, or the properties were removed
    inputs: int = 0

    @property
    def matches(self) -> bool:
        return not (self.missing or self.changed or self.added or self.rules or self.edited or self.no_digest)

    def lines(self) -> list[str]:
        """What to tell the person verifying, in Vietnamese: the verdict first, then each difference."""
        book, inbox = self.workbook.name, self.inbox
        if self.matches:
            return [f"Khớp: bảng tổng hợp “{book}” đúng với {self.inputs} tệp của thư mục “{inbox}” và tệp quy tắc "
                    f"“{self.rules_given[0]}”; các trang dữ liệu, “Tệp đã nhận” và “Quy tắc” vẫn như ntvt đã ghi."]
        out = [f"KHÔNG KHỚP: bảng tổng hợp “{book}” không còn đúng với thư mục “{inbox}” hoặc đã bị sửa sau khi "
               "ntvt ghi; chưa dùng bảng này làm căn cứ. Chi tiết:"]
        out += [f"- Thiếu tệp “{n}”: trang “Tệp đã nhận” có, thư mục không còn. Hãy tìm lại tệp (đúng tên, đúng "
                "thư mục con) hoặc tổng hợp lại." for n in self.missing]
        out += [f"- Tệp “{n}” đã thay đổi: cùng tên nhưng mã SHA-256 khác mã ghi ở trang “Tệp đã nhận”. Hãy lấy "
                "lại tệp gốc đơn vị gửi, hoặc tổng hợp lại nếu tệp mới là tệp đúng." for n in self.changed]
        out += [f"- Tệp “{n}” có trong thư mục nhưng không có ở trang “Tệp đã nhận”: được thêm vào sau khi tổng "
                "hợp. Hãy bỏ tệp ra, hoặc tổng hợp lại để tính cả tệp này." for n in self.added]
        if self.rules:
            out.append(f"- Tệp quy tắc khác: bảng ghi “{self.rules[0]}” (SHA-256 {self.rules[1]}), tệp dùng để kiểm "
                       f"chứng là “{self.rules_given[0]}” (SHA-256 {self.rules_given[1]}). Hãy chỉ đúng tệp quy tắc "
                       "đã dùng (--rules) hoặc tổng hợp lại với tệp quy tắc này.")
        out += [f"- Trang “{s}” đã bị sửa sau khi ntvt ghi: nội dung các ô (hoặc số dòng) khác với lúc ghi. "
                "Hãy dùng bản bảng tổng hợp gốc, hoặc tổng hợp lại từ thư mục hồ sơ." for s in self.edited]
        if self.no_digest:
            out.append(f"- Bảng “{book}” không mang mã kiểm chứng nội dung (ghi bằng phiên bản ntvt cũ, hoặc đã "
                       "bị xóa): không biết bảng có bị sửa không. Hãy tổng hợp lại bằng phiên bản ntvt này.")
        return out


def verify(workbook: Path, inbox: Path, rules: RuleSet) -> Verification:
    """Compare the workbook's claim with the inbox as it is now and the rules given. Raises
    CheckerError when the workbook cannot be read or is not a consolidated workbook of ntvt's."""
    workbook, inbox = Path(workbook), Path(inbox)
    written = read_written(workbook)
    if written.mark != CONSOLIDATED:
        raise CheckerError(f"{workbook} carries no consolidated-workbook mark ({written.mark!r})",
                           message=f"“{workbook}” không phải bảng tổng hợp do ntvt ghi (không có dấu của ntvt): "
                                   "hãy chỉ đúng tệp lệnh ntvt consolidate đã ghi.")
    result = Verification(workbook, inbox, rules_given=(rules.path.name, rules.sha256))
    claimed = dict(written.inputs)
    now = {entry.name: entry.sha256 for entry in gather(inbox, rules).files}
    result.inputs = len(now)
    result.missing = [name for name in claimed if name not in now]
    result.changed = [name for name, sha in claimed.items() if name in now and now[name] != sha]
    result.added = [name for name in now if name not in claimed]
    if written.rules is None or written.rules[1] != rules.sha256:
        result.rules = written.rules or ("(không ghi)", "(không ghi)")
    result.no_digest = not written.stored
    result.edited = [name for name, digest in written.stored.items() if written.found.get(name) != digest]
    return result
