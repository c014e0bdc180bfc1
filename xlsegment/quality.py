"""The data-quality report that travels with a ledger: what was read, what was left out and why."""

from __future__ import annotations

from dataclasses import dataclass, field

from .shared import Shared

# reason key -> English / French wording, in the order reports list them
REASONS: dict[str, tuple[str, str]] = {
    "no_customer": ("no customer", "pas de client"),
    "no_date": ("no date", "pas de date"),
    "no_amount": ("no amount", "pas de montant"),
    "bad_customer_id": ("unreadable customer", "client illisible"),
    "bad_date": ("unreadable date", "date illisible"),
    "bad_amount": ("unreadable amount", "montant illisible"),
    "bad_quantity": ("unreadable quantity", "quantité illisible"),
    "bad_unit_price": ("unreadable unit price", "prix unitaire illisible"),
    "after_as_of": ("after the as-of date", "après la date d'analyse"),
    "only_returns": (
        "customer with only returns or cancellations",
        "client sans achat (retours ou annulations seulement)",
    ),
}


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
    notes: list[str] = field(default_factory=list)

    @property
    def rows_excluded(self) -> int:
        return sum(self.excluded.values())

    @property
    def rows_kept(self) -> int:
        return self.rows_read - self.rows_excluded

    def exclude(self, reason: str, count: int, rows: list[object] | None = None) -> None:
        """Record `count` rows left out for `reason` (a key of REASONS)."""
        if count <= 0:
            return
        self.excluded[reason] = self.excluded.get(reason, 0) + int(count)
        if rows:
            self.examples.setdefault(reason, []).extend(
                rows[: max(0, 5 - len(self.examples.get(reason, [])))]
            )

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

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
        )

    def rows(self, lang: str = "en") -> list[tuple[str, object]]:
        """The report as (label, value) rows, for a sheet or a console."""
        fr = lang == "fr"
        out: list[tuple[str, object]] = [
            ("Fichier" if fr else "Source", self.source + (f" [{self.sheet}]" if self.sheet else "")),
            ("Lignes lues" if fr else "Rows read", self.rows_read),
            ("Lignes retenues" if fr else "Rows kept", self.rows_kept),
        ]
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
        for text in self.notes:
            out.append(("Remarque" if fr else "Note", text))
        return out

    def __str__(self) -> str:
        return "\n".join(f"{label}: {value}" for label, value in self.rows())
