"""The data-quality report that travels with a ledger: what was read, what was left out and why, and what was
read in a way the user should know about (a guess, a clean-up, a suspicious pattern).

Counts add up: `rows_read = rows_kept + rows_excluded`, each excluded row counted once however many reasons
it has (every reason is still listed, with its own count and first rows).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .errors import Text, in_lang
from .shared import Shared

# reason key -> English / French wording, in the order reports list them
REASONS: dict[str, tuple[str, str]] = {
    "no_customer": ("no customer", "pas de client"),
    "no_date": ("no date", "pas de date"),
    "no_amount": ("no amount", "pas de montant"),
    "bad_customer_id": ("unreadable customer", "client illisible"),
    "bad_date": ("unreadable date", "date illisible"),
    "implausible_date": (
        "date before 1990 or after the file was saved",
        "date avant 1990 ou après l'enregistrement du fichier",
    ),
    "bad_amount": ("unreadable amount", "montant illisible"),
    "bad_quantity": ("unreadable quantity", "quantité illisible"),
    "bad_unit_price": ("unreadable unit price", "prix unitaire illisible"),
    "duplicate": ("exact copy of an earlier line", "copie exacte d'une ligne précédente"),
    "after_as_of": ("after the as-of date", "après la date d'analyse"),
    "only_returns": (
        "customer with only returns or cancellations",
        "client sans achat (retours ou annulations seulement)",
    ),
}
EXAMPLES = 5  # rows shown per reason


@dataclass
class DataQuality(Shared):
    """Counts of rows read, kept and excluded by reason, with the first offending rows of each reason.

    Frames share it through `attrs` (not deep-copied at each pandas step); `copy()` makes an independent one.
    """

    source: str = "DataFrame"
    sheet: str | None = None
    rows_read: int = 0
    excluded: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[object]] = field(default_factory=dict)
    customers_only_returns: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    notes: list[Text | str] = field(default_factory=list)
    rows_excluded: int = 0
    infos: list[Text | str] = field(default_factory=list)
    # the analysis stages' notes (not the reader's): in the report, not on the console
    report_only: list[Text | str] = field(default_factory=list)

    @property
    def rows_kept(self) -> int:
        return self.rows_read - self.rows_excluded

    def exclude(self, reason: str, count: int, rows: list[object] | None = None) -> None:
        """Record `count` more rows left out for `reason` (a key of REASONS), rows no other reason took."""
        if count <= 0:
            return
        self._reason(reason, count, rows)
        self.rows_excluded += int(count)

    def exclude_rows(
        self, reasons: dict[str, np.ndarray], names: Callable[[np.ndarray], list[object]]
    ) -> np.ndarray:
        """Record rows left out for one or more reasons (boolean masks over the rows read); `names` turns
        positions into the row names users see. Returns the mask of rows excluded for any reason."""
        n = self.rows_read
        excluded = np.zeros(n, dtype=bool)
        for reason, mask in reasons.items():
            if mask.any():
                positions = np.flatnonzero(mask)
                self._reason(reason, len(positions), names(positions[:EXAMPLES]))
                excluded |= mask
        self.rows_excluded += int(excluded.sum())
        return excluded

    def _reason(self, reason: str, count: int, rows: list[object] | None) -> None:
        self.excluded[reason] = self.excluded.get(reason, 0) + int(count)
        if rows:
            shown = self.examples.setdefault(reason, [])
            shown.extend(rows[: max(0, EXAMPLES - len(shown))])

    def note(self, text: Text | str, *, console: bool = True) -> None:
        """Add a line the user must read: a guess, a clean-up, a suspicious pattern (shown by the CLI too,
        unless `console` is False: the analysis stages' notes stay in the report)."""
        if text not in self.notes:
            self.notes.append(text)
        if not console and text not in self.report_only:
            self.report_only.append(text)

    def info(self, text: Text | str) -> None:
        """Add how something was read when nothing was guessed (decimal comma, dates day first): in the
        report only."""
        if text not in self.infos:
            self.infos.append(text)

    def copy(self) -> DataQuality:
        return DataQuality(
            source=self.source,
            sheet=self.sheet,
            rows_read=self.rows_read,
            excluded=dict(self.excluded),
            examples={k: list(v) for k, v in self.examples.items()},
            customers_only_returns=list(self.customers_only_returns),
            mapping=dict(self.mapping),
            notes=list(self.notes),
            rows_excluded=self.rows_excluded,
            infos=list(self.infos),
            report_only=list(self.report_only),
        )

    def rows(self, lang: str = "en") -> list[tuple[str, object]]:
        """The report as (label, value) rows, for a sheet or a console."""
        fr = lang == "fr"
        out: list[tuple[str, object]] = [
            ("Fichier" if fr else "Source", self.source + (f" [{self.sheet}]" if self.sheet else "")),
            ("Lignes lues" if fr else "Rows read", self.rows_read),
            ("Lignes retenues" if fr else "Rows kept", self.rows_kept),
        ]
        if self.excluded:
            out.append(("Lignes exclues" if fr else "Rows excluded", self.rows_excluded))
        for reason, count in self.excluded.items():
            en, fr_label = REASONS.get(reason, (reason, reason))
            prefix = "Lignes exclues : " if fr else "Rows excluded: "
            examples = self.examples.get(reason)
            where = "lignes" if fr else "rows"
            text = f"{count}" + (f" ({where} {', '.join(map(str, examples))})" if examples else "")
            out.append((prefix + (fr_label if fr else en), text if examples else count))
        if self.customers_only_returns:
            out.append(
                (
                    "Clients sans achat (retours seulement)" if fr else "Customers with only returns",
                    len(self.customers_only_returns),
                )
            )
        for canonical, source in self.mapping.items():
            out.append((("Colonne " if fr else "Column ") + canonical, source))
        for text in self.infos:
            out.append(("Lecture" if fr else "Read as", in_lang(text, lang)))
        for text in self.notes:
            out.append(("Remarque" if fr else "Note", in_lang(text, lang)))
        return out

    def warnings(self, lang: str = "en") -> list[str]:
        """What a user must see at once, for the console: the rows left out and the reader's notes (the
        analysis stages' own notes stay in the report). Empty for a clean ledger."""
        sep = " : " if lang == "fr" else ": "
        lines = []
        if self.excluded:
            lines.append(
                ("Lignes exclues" if lang == "fr" else "Rows excluded") + sep + str(self.rows_excluded)
            )
            for reason, count in self.excluded.items():
                en, fr = REASONS.get(reason, (reason, reason))
                rows = self.examples.get(reason)
                shown = (
                    f" ({'lignes' if lang == 'fr' else 'rows'} {', '.join(map(str, rows))})" if rows else ""
                )
                lines.append(f"  {fr if lang == 'fr' else en}{sep}{count}{shown}")
        lines.extend(in_lang(text, lang) for text in self.notes if text not in self.report_only)
        return lines

    def __str__(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows())
