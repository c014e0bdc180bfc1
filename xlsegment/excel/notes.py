"""What a spilled table must say below itself: the ledger rows left out and why, and the core's warnings.

A cell function cannot print or log where the user looks, so nothing it drops may go unsaid: each excluded
row (an empty amount, an error cell such as #N/A, an unreadable date...) is counted in one line under the
spill, with the first rows named, in the user's language.
"""

from __future__ import annotations

from typing import Any

from xlsegment.excel.convert import ERROR_PREFIX, error_cell_text
from xlsegment.labels import label
from xlsegment.quality import REASONS, DataQuality

SHOWN_ROWS = 5  # rows named in the note; the others are counted
# the ledger column a reason is about (its error cells explain it better than "no amount")
REASON_COLUMN = {
    "no_customer": "customer_id",
    "bad_customer_id": "customer_id",
    "no_date": "date",
    "bad_date": "date",
    "no_amount": "amount",
    "bad_amount": "amount",
    "bad_quantity": "quantity",
    "bad_unit_price": "unit_price",
}


def reason_text(reason: str, lang: str) -> str:
    """The data-quality report's own wording of an exclusion reason."""
    en, fr = REASONS.get(reason, (reason, reason))
    return fr if lang == "fr" else en


def excluded_note(
    quality: DataQuality,
    lang: str,
    *,
    mapping: dict[str, str] | None = None,
    error_cells: dict[str, dict[int, str]] | None = None,
) -> str | None:
    """One line: "3 lignes ignorées : ligne 17 pas de montant, ligne 40 #N/A (Montant), ..."; None if none.

    `mapping` (canonical column -> header) and `error_cells` (header -> {row: "#N/A"}) name the error cell
    that made a row unusable instead of the bare "no amount".
    """
    count = quality.rows_excluded
    if not count:
        return None
    mapping, error_cells = mapping or {}, error_cells or {}
    named: list[tuple[int, str]] = []
    counted: list[str] = []
    for reason, n in quality.excluded.items():
        rows = quality.examples.get(reason, [])
        header = mapping.get(REASON_COLUMN.get(reason, ""), "")
        errors = error_cells.get(header, {})
        for row in rows:
            error = errors.get(int(row)) if _is_int(row) else None
            what = error_cell_text(error, header) if error else reason_text(reason, lang)
            named.append(
                (int(row) if _is_int(row) else 0, label("excel.note.row", lang).format(row=row, what=what))
            )
        if not rows:
            counted.append(f"{n} {reason_text(reason, lang)}")
    named.sort(key=lambda item: item[0])
    details = [text for _, text in named[:SHOWN_ROWS]] + counted
    rest = (
        count
        - min(len(named), SHOWN_ROWS)
        - sum(n for r, n in quality.excluded.items() if not quality.examples.get(r))
    )
    if rest > 0:
        details.append(label("excel.note.more", lang).format(count=rest))
    key = "excel.note.excluded_one" if count == 1 else "excel.note.excluded"
    return ERROR_PREFIX + label(key, lang).format(count=count, details=", ".join(details))


def _is_int(value: Any) -> bool:
    try:
        return int(value) == value
    except (TypeError, ValueError):
        return False


def warning_notes(caught: list[Any]) -> list[str]:
    """The core's warnings during a call (e.g. every customer got the same RFM score), one line each."""
    seen: list[str] = []
    for warning in caught:
        text = ERROR_PREFIX + str(warning.message).strip().splitlines()[0]
        if text not in seen:
            seen.append(text)
    return seen
