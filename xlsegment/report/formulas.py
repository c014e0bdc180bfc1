"""Live formulas of the first sheet over the Customers sheet (pure text: no Excel library needed).

Only functions Excel 2007+ and LibreOffice both compute: COUNTA, SUM, COUNTIFS, SUMIFS, AVERAGEIFS, IFERROR
(no `_xlfn.` prefix needed; the openpyxl renderer verifies each formula with
`xlsegment.workbook.formulas.check_functions`). Ranges are
plain absolute ranges ('Customers'!$C$2:$C$101), which every reader understands, rather than structured
table references.
"""

from __future__ import annotations

import re

from xlsegment.report.model import MAX_SHEET_ROWS, column_letter


def quote_sheet(name: str) -> str:
    """A sheet name as formulas write it: 'Name' with apostrophes doubled."""
    return "'" + name.replace("'", "''") + "'"


def column_range(sheet: str, col: int, first_row: int, last_row: int) -> str:
    """Absolute range of one column, e.g. 'Customers'!$C$2:$C$101 (one row at least)."""
    letter = column_letter(col)
    return f"{quote_sheet(sheet)}!${letter}${first_row}:${letter}${max(last_row, first_row)}"


def text_literal(text: str) -> str:
    """A formula string literal: "..." with double quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


def criterion(text: str) -> str:
    """A COUNTIFS/SUMIFS criterion matching exactly `text`: wildcards ~ * ? escaped, a leading comparison
    operator neutralised by an explicit '='."""
    escaped = re.sub(r"([~*?])", r"~\1", text)
    if escaped[:1] in ("=", "<", ">") or not escaped:
        escaped = "=" + escaped
    return text_literal(escaped)


SPARE_ROWS = 1_000


class CustomerRanges:
    """Ranges of the Customers sheet's columns, by canonical key.

    They run SPARE_ROWS past the last customer, so customers a user adds at the bottom of the table are
    counted too (every function used ignores empty cells)."""

    def __init__(self, sheet: str, keys: list[str], n_rows: int, spare: int = SPARE_ROWS) -> None:
        self.sheet = sheet
        self.index = {k: i + 1 for i, k in enumerate(keys)}
        self.first, self.last = 2, min(n_rows + 1 + spare, MAX_SHEET_ROWS)

    def has(self, key: str) -> bool:
        return key in self.index

    def __getitem__(self, key: str) -> str:
        return column_range(self.sheet, self.index[key], self.first, self.last)


def headline_formula(
    key: str, r: CustomerRanges, cells: dict[str, str], top20_label: str | None
) -> str | None:
    """The formula of a headline figure; `cells` maps figure keys already written to their cell (B6...).
    None when the figure is a plain value (the analysis date)."""
    f = {
        "customers": lambda: f"=COUNTA({r['customer_id']})",
        "revenue": lambda: f"=SUM({r['revenue']})",
        "revenue_per_customer": lambda: f"=IFERROR({cells['revenue']}/{cells['customers']},0)",
        "basket": lambda: f"=IFERROR(SUM({r['revenue']})/SUM({r['orders']}),0)",
        "top20_share": lambda: (
            f"=IFERROR(SUMIFS({r['revenue']},{r['pareto']},{criterion(top20_label or 'top20')})"
            f"/SUM({r['revenue']}),0)"
        ),
        "lapsed": lambda: f"=COUNTIFS({r['lapsed_12m']},1)",
        "active": lambda: f"=COUNTA({r['customer_id']})-COUNTIFS({r['lapsed_12m']},1)",
        "active_share": lambda: f"=IFERROR({cells['active']}/{cells['customers']},0)",
        "clv_total": lambda: f"=SUM({r['clv']})",
    }.get(key)
    try:
        return f() if f else None
    except KeyError:  # a column the Customers sheet does not show (left out as empty): the value stays
        return None


def segment_formulas(
    label: str, seg_key: str, r: CustomerRanges, row: int, keys: list[str]
) -> list[str | None]:
    """Formulas of one segment-table row (columns in `keys` order after the segment name); None where the
    Customers sheet lacks the column (the cell then holds the value)."""
    seg, crit = r[seg_key], criterion(label)
    col = {k: column_letter(i + 1) for i, k in enumerate(["segment", *keys])}
    out = []
    for k in keys:
        if k == "customers":
            f = f"=COUNTIFS({seg},{crit})"
        elif k == "customers_share":
            f = f"=IFERROR({col['customers']}{row}/COUNTA({r['customer_id']}),0)"
        elif k == "revenue":
            f = f"=SUMIFS({r['revenue']},{seg},{crit})"
        elif k == "revenue_share":
            f = f"=IFERROR({col['revenue']}{row}/SUM({r['revenue']}),0)"
        elif k == "basket":
            f = f"=IFERROR({col['revenue']}{row}/SUMIFS({r['orders']},{seg},{crit}),0)"
        elif k == "avg_clv":
            clv = "clv" if r.has("clv") else "clv_simple"
            f = f'=IFERROR(AVERAGEIFS({r[clv]},{seg},{crit}),"")' if r.has(clv) else None
        else:
            raise KeyError(k)
        out.append(f)
    return out


def grid_formula(r: CustomerRanges, r_score: int, f_score: int) -> str:
    """Customers with recency score `r_score` and frequency score `f_score`."""
    return f"=COUNTIFS({r['r_score']},{r_score},{r['f_score']},{f_score})"
