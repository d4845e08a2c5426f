"""The rules file's `sheets:` section: the template's sheets, their fields or columns, and their roles."""

from __future__ import annotations

from typing import Any

from .roles import FIELD_ROLES, SHEET_ROLES
from .spec import FieldSpec, SheetSpec
from .strict_yaml import _Seq, shown
from .values import TypedValues, _kind

FIELD_TYPES = ("text", "longtext", "date", "year", "int", "list", "unit", "period")
# Excel refuses these in a sheet name, and names over 31 characters.
SHEET_NAME_CHARS = set("[]:*?/\\")


class SheetSections(TypedValues):
    """Builders of the sheets, their fields and roles (the lists must be built first)."""

    def build_sheets(self, node: Any, top: dict) -> tuple[SheetSpec, ...]:
        if not isinstance(node, list):
            raise self.fail("sheets", f"expected a list of sheets, found {_kind(node)}", top, "sheets")
        sheets, keys, names = [], set(), set()
        for i, s in enumerate(node):
            w = f"sheets[{i}]"
            s = self.mapping(s, w, {"key", "name", "kind"}, {"fields", "columns", "min_rows_for_template", "role"},
                             parent=node, key=i)
            key = self.name(s, "key", w, "sheet key")
            if key in keys:
                raise self.fail(f"{w}.key", f"duplicate sheet key {key!r}", s, "key")
            keys.add(key)
            name = self.sheet_name(s, w)
            if name.casefold() in names:
                raise self.fail(f"{w}.name", f"duplicate sheet name {name!r} (Excel ignores case)", s, "name")
            names.add(name.casefold())
            kind = self.choice(s, "kind", w, ("guide", "form", "table"), "sheet kind")
            if "min_rows_for_template" in s:
                self.number(s, "min_rows_for_template", w, 0, 10_000)
            wanted = {"form": "fields", "table": "columns"}.get(kind)
            for other in {"fields", "columns"} - {wanted}:
                if other in s:
                    raise self.fail(f"{w}.{other}", f"a {kind} sheet has no `{other}:`"
                                                    + (f" (it has `{wanted}:`)" if wanted else ""), s, other)
            raw_fields = s.get(wanted, _Seq()) if wanted else _Seq()
            if not isinstance(raw_fields, list):
                raise self.fail(f"{w}.{wanted}", f"expected a list of {wanted}, found {_kind(raw_fields)}", s, wanted)
            role = self.sheet_role(s, w, kind, {sheet.role for sheet in sheets})
            fields = self.build_fields(raw_fields, f"{w}.{wanted}", role)
            sheets.append(SheetSpec(key, name, kind, fields, role))
        for role, (kind, required) in SHEET_ROLES.items():
            if required and not any(s.role == role for s in sheets):
                raise self.fail("sheets", f"a {kind} sheet with role {role!r} is required", top, "sheets")
        return tuple(sheets)

    def sheet_role(self, s: dict, w: str, kind: str, taken: set) -> str | None:
        if "role" not in s:
            return None
        role = self.choice(s, "role", w, tuple(SHEET_ROLES), "sheet role")
        if SHEET_ROLES[role][0] != kind:
            raise self.fail(f"{w}.role", f"role {role!r} is for a {SHEET_ROLES[role][0]} sheet", s, "role")
        if role in taken:
            raise self.fail(f"{w}.role", f"duplicate sheet role {role!r}", s, "role")
        return role

    def sheet_name(self, s: dict, w: str) -> str:
        name = self.text(s, "name", w)
        bad = sorted(SHEET_NAME_CHARS & set(name))
        if len(name) > 31 or bad or name.startswith("'") or name.endswith("'") or name.casefold() == "history":
            raise self.fail(f"{w}.name", "not a valid Excel sheet name: at most 31 characters, none of "
                                         "[ ] : * ? / \\, no ' at either end, not History; "
                                         f"found {shown(name)}", s, "name")
        return name

    def build_fields(self, raw_fields: list, w: str, sheet_role: str | None) -> tuple[FieldSpec, ...]:
        fields, keys = [], set()
        sheet_roles: set[str] = set()  # the roles any sheet may have, taken in this one
        for j, f in enumerate(raw_fields):
            fw = f"{w}[{j}]"
            f = self.mapping(f, fw, {"key", "label", "type", "prompt"}, {"list", "width", "role"}, parent=raw_fields,
                             key=j)
            key = self.name(f, "key", fw, "column key")
            ftype = self.choice(f, "type", fw, FIELD_TYPES, "type")
            if (ftype == "list") != ("list" in f):
                raise self.fail(fw, "type list needs `list:` and only type list may have one", f, "type")
            if "list" in f and (not isinstance(f["list"], str) or f["list"] not in self.lists):
                raise self.fail(f"{fw}.list", f"unknown list {shown(f['list'])}", f, "list")
            if key in keys:
                raise self.fail(f"{fw}.key", f"duplicate column key {key!r}", f, "key")
            keys.add(key)
            width = self.number(f, "width", fw, 1, 255) if "width" in f else None  # Excel's widest column
            fields.append(FieldSpec(key, self.text(f, "label", fw), ftype, self.text(f, "prompt", fw), f.get("list"),
                                    width, self.field_role(f, fw, sheet_role, sheet_roles)))
        return tuple(fields)

    def field_role(self, f: dict, fw: str, sheet_role: str | None, taken: set[str]) -> str | None:
        """The column's role: one of its sheet's roles, once in the file (a role of any sheet, once per sheet)."""
        if "role" not in f:
            return None
        role = self.choice(f, "role", fw, tuple(FIELD_ROLES), "column role")
        owner = FIELD_ROLES[role]
        if owner is not None and owner != sheet_role:
            raise self.fail(f"{fw}.role", f"role {role!r} belongs to the sheet with role {owner!r}", f, "role")
        if role in (taken if owner is None else self.field_roles):
            raise self.fail(f"{fw}.role", f"duplicate column role {role!r}", f, "role")
        (taken if owner is None else self.field_roles).add(role)
        return role

    def role_list(self, role: str, default: str) -> str:
        """The name of the value list of the column that plays `role` (`default` where none has one)."""
        return next((f.list for s in self.sheets for f in s.fields if f.role == role and f.list), default)
