"""The inbox's workbooks in the order every approach reads them, and the rule file's sheet names."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules" / "kh327-2023.yaml"


def inbox_files(inbox: Path) -> list[Path]:
    return sorted((p for p in inbox.rglob("*.xlsx") if p.is_file()), key=lambda p: p.relative_to(inbox).as_posix())


def read_sheet_names(rules: Path = RULES) -> list[str]:
    """The names of the sheets ntvt reads (forms and tables; not the guide), from the YAML itself:
    the floor takes nothing from checker/."""
    import yaml  # lazy: only the harness needs it, not the floor's timed children

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(rules.read_text(encoding="utf-8"), Loader=loader)
    return [s["name"] for s in data["sheets"] if s.get("kind") in ("form", "table")]
