"""The parameters of a check in the rules file: columns, dates, numbers, texts, counts, conditions.

How each parameter is checked follows its type in the one table of kinds (ruleset.kinds).
"""

from __future__ import annotations

from typing import Any

from .kinds import DATE_REFERENCES, KINDS, PARAM_TYPES, Param
from .spec import Condition, FieldSpec
from .strict_yaml import shown
from .values import TypedValues


class ParamSections(TypedValues):
    """Checks a check's parameters against the sheets, columns and lists built before."""

    def columns_of(self, level: str, sheet: str | None) -> set[str]:
        if level == "file":
            return self.form_columns
        return self.columns.get(sheet, set())

    def column_list(self, p: dict, key: str, w: str, node: dict, known: set[str]) -> list[str]:
        value = p[key] if key == "columns" else [p[key]]
        if not isinstance(value, list) or not value:
            raise self.fail(f"{w}.{key}", f"expected a non-empty list of column keys, found {shown(value)}", node, key)
        for col in value:
            if not isinstance(col, str) or col not in known:
                raise self.fail(w, f"unknown column {shown(col)} (known: {', '.join(sorted(known))})", node, key)
        return value

    def check_params(self, kind: str, level: str, sheet: str | None, p: dict, w: str, node: dict) -> None:
        """Each given parameter by its declared type, types in PARAM_TYPES order (the first problem is named)."""
        declared = KINDS[kind].params
        for ptype in PARAM_TYPES:
            for key, param in declared.items():
                if param.type == ptype and key in p:
                    getattr(self, f"param_{ptype}")(key, param, level, sheet, p, w, node)

    def param_columns(self, key: str, param: Param, level: str, sheet: str | None, p: dict, w: str,
                      node: dict) -> None:
        for col in self.column_list(p, key, w, node, self.columns_of(level, sheet)):
            if param.listed and self.field_spec(col, level, sheet).list is None:
                raise self.fail(w, f"column {col!r} has no list to check against", node, key)

    param_column = param_columns

    def param_date_refs(self, key, param, level, sheet, p, w, node) -> None:
        for ref in self.strings(node, key, w):
            if ref not in DATE_REFERENCES:
                raise self.fail(f"{w}.{key}", f"unknown date {shown(ref)} "
                                              f"(allowed: {', '.join(DATE_REFERENCES)})", node, key)

    def param_date_ref(self, key, param, level, sheet, p, w, node) -> None:
        self.choice(node, key, w, DATE_REFERENCES, "date")

    def param_date(self, key, param, level, sheet, p, w, node) -> None:
        self.date(node, key, w)

    def param_whole(self, key, param, level, sheet, p, w, node) -> None:
        self.number(node, key, w, *param.range)

    def param_texts(self, key, param, level, sheet, p, w, node) -> None:
        self.strings(node, key, w)

    def param_text(self, key, param, level, sheet, p, w, node) -> None:
        self.text(node, key, w)

    def param_counts(self, key, param, level, sheet, p, w, node) -> None:
        self.check_counts(p[key], f"{w}.{key}", node)

    def param_nomination_columns(self, key, param, level, sheet, p, w, node) -> None:
        nominations = self.columns_of("row", self.sheet_keys.get("nominations"))
        if not isinstance(p[key], list) or not p[key] or not all(isinstance(v, str) and v in nominations
                                                                 for v in p[key]):
            raise self.fail(f"{w}.{key}", f"expected a list of nominations columns, found {shown(p[key])}",
                            node, key)

    def param_activity_type(self, key, param, level, sheet, p, w, node) -> None:
        value = p[key]
        if not isinstance(value, str) or value not in self.activity_types:
            raise self.fail(f"{w}.{key}", f"{shown(value)} is not in lists.{self.activity_list}", node, key)

    def check_counts(self, counts: Any, w: str, node: dict) -> None:
        summary = self.columns.get(self.sheet_keys.get("summary"), set())
        if not isinstance(counts, dict) or not counts:
            raise self.fail(w, "expected a mapping of summary field to a count", node, "counts")
        for key, spec in counts.items():
            if key not in summary:
                raise self.fail(w, f"unknown summary field {shown(key)}", counts, key)
            spec = self.mapping(spec, f"{w}.{key}", {"sheet"}, {"where", "sum"}, parent=counts, key=key)
            table = spec["sheet"]
            if not isinstance(table, str) or not any(s.key == table and s.kind == "table" for s in self.sheets):
                raise self.fail(f"{w}.{key}.sheet", f"unknown table sheet {shown(table)}", spec, "sheet")
            if "sum" in spec and (not isinstance(spec["sum"], str) or spec["sum"] not in self.columns[table]):
                raise self.fail(f"{w}.{key}.sum", f"unknown column {shown(spec['sum'])}", spec, "sum")
            if "where" in spec:
                self.build_condition(spec["where"], "row", table, f"{w}.{key}", spec, "where")

    def field_spec(self, key: str, level: str, sheet: str | None) -> FieldSpec:
        return self.specs[("(file)" if level == "file" else sheet, key)]

    def build_condition(self, node: Any, level: str, sheet: str | None, w: str, parent: dict, key: str) -> Condition:
        n = self.mapping(node, f"{w}.when", {"column"}, {"in", "not_in"}, parent=parent, key=key)
        if ("in" in n) == ("not_in" in n):
            raise self.fail(f"{w}.when", "give exactly one of `in:` or `not_in:`", n)
        column = n["column"]
        if not isinstance(column, str) or (column not in self.columns_of(level, sheet)
                                           and column not in self.form_columns):
            raise self.fail(f"{w}.when.column", f"unknown column {shown(column)}", n, "column")
        values = self.strings(n, "in" if "in" in n else "not_in", f"{w}.when")
        return Condition(column, values, "not_in" in n)
