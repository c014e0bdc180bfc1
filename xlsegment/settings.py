"""Every parameter of an analysis in one place, loadable from JSON, TOML or a Settings sheet's rows.

Each area keeps its own keyword parameters (`segments` -> SegmentConfig, `clv` -> simple and predictive
CLV, `lapse` -> lapse_flags, `actions` -> plan_actions), so a settings file, a cell formula and the
Python API share one set of defaults: the functions' own.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import ConfigError
from .labels import check_lang
from .summary import DEFAULT_TIME_UNIT

AREAS = ("segments", "clv", "lapse", "actions", "columns", "reader", "backtest", "summary")
TIME_UNITS = ("D", "W", "M")


@dataclass
class Settings:
    """Parameters of `analyze`.

    as_of: analysis date (None = the ledger's last date); time_unit: D, W or M for the summary's durations;
    lang: 'fr', 'en' or 'auto' (the ledger's language: French headers, `;` or cp1252 mean French); segment_by: the classification the action plan and segment table follow;
    segments / clv / lapse / actions: keyword parameters of each area (see their functions);
    columns: column mapping (canonical keyword -> header); reader: read_transactions options
    (sheet, table, sep, encoding, decimal, dayfirst, errors); backtest: {"split_date", "horizon", "unit"}
    to add a backtest to the model sheet (empty = none); summary: the engine that computes the customer
    summary ({"engine": "duckdb" or "spark", "memory_limit": "2GB"}, keywords of `summarize`).
    """

    as_of: str | None = None
    time_unit: str = DEFAULT_TIME_UNIT
    lang: str = "auto"
    segment_by: str = "rfm_segment"
    segments: dict[str, Any] = field(default_factory=dict)
    clv: dict[str, Any] = field(default_factory=dict)
    lapse: dict[str, Any] = field(default_factory=dict)
    actions: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    reader: dict[str, Any] = field(default_factory=dict)
    backtest: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if str(self.lang).strip().lower() != "auto":
            self.lang = check_lang(self.lang)
        else:
            self.lang = "auto"
        unit = str(self.time_unit or DEFAULT_TIME_UNIT).strip().upper()[:1]
        if unit not in TIME_UNITS:
            raise ConfigError(f"time_unit must be one of {', '.join(TIME_UNITS)} (got {self.time_unit!r})")
        self.time_unit = unit
        if self.as_of is not None and str(self.as_of).strip() != "":
            try:
                self.as_of = pd.Timestamp(self.as_of).date().isoformat()
            except (ValueError, TypeError) as err:
                raise ConfigError(f"as_of {self.as_of!r} is not a date (write it as 2026-10-31)") from err
        else:
            self.as_of = None
        for area in AREAS:
            value = getattr(self, area)
            if value is None:
                setattr(self, area, {})
            elif not isinstance(value, Mapping):
                raise ConfigError(f"settings '{area}' must be a table of name = value pairs, got {value!r}")
            else:
                setattr(self, area, dict(value))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], source: str = "settings") -> Settings:
        """Settings from a dict; unknown keys are an error naming them and the known ones."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(
                f"{source}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
            )
        return cls(**dict(data))

    @classmethod
    def from_file(cls, path: str | Path) -> Settings:
        """Settings from a JSON or TOML file."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as err:
            raise ConfigError(f"{path}: cannot be read ({err.strerror})") from err
        try:
            if path.suffix.lower() == ".toml":
                import tomllib

                data = tomllib.loads(text)
            else:
                data = json.loads(text)
        except ValueError as err:
            raise ConfigError(
                f"{path.name}: not valid {path.suffix.lstrip('.').upper() or 'JSON'}: {err}"
            ) from err
        if not isinstance(data, dict):
            raise ConfigError(f"{path.name}: expected a table of settings at the top level")
        return cls.from_mapping(data, source=path.name)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[object, object]], source: str = "Settings sheet") -> Settings:
        """Settings from (parameter, value) rows, as a Settings sheet holds them: `segments.rfm_bins | 4`.

        Values are read as JSON when they parse (numbers, true/false, lists), else kept as text. A longer
        dotted name fills a table: `actions.capacity.phone | 20` is `actions = {capacity = {phone = 20}}`.
        """
        data: dict[str, Any] = {}
        for key, value in rows:
            if key is None or str(key).strip() == "" or value is None or str(value).strip() == "":
                continue
            *parents, name = str(key).strip().split(".")
            table = data
            for part in parents:  # actions.capacity.phone -> data["actions"]["capacity"]["phone"]
                table = table.setdefault(part, {})
            table[name] = _cell_value(value)
        return cls.from_mapping(data, source=source)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_rows(self) -> list[tuple[str, Any]]:
        """(parameter, value) rows: the inverse of `from_rows`, for writing a Settings sheet."""
        rows: list[tuple[str, Any]] = [
            ("as_of", self.as_of),
            ("time_unit", self.time_unit),
            ("lang", self.lang),
            ("segment_by", self.segment_by),
        ]
        for area in AREAS:
            rows.extend(_flat_rows(area, getattr(self, area)))
        return rows

    @classmethod
    def coerce(cls, settings: Settings | Mapping[str, Any] | str | Path | None, **overrides: Any) -> Settings:
        """Settings from any accepted form, with keyword overrides (None values ignored)."""
        if settings is None:
            base = cls()
        elif isinstance(settings, Settings):
            base = dataclasses.replace(settings)
        elif isinstance(settings, Mapping):
            base = cls.from_mapping(settings)
        else:
            base = cls.from_file(settings)
        changes = {k: v for k, v in overrides.items() if v is not None}
        return dataclasses.replace(base, **changes) if changes else base


def _flat_rows(prefix: str, table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """(dotted name, value) rows of a table; nested tables one row per entry, lists as JSON."""
    rows: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, Mapping) and value:
            rows.extend(_flat_rows(f"{prefix}.{key}", value))
        else:
            rows.append(
                (f"{prefix}.{key}", json.dumps(value) if isinstance(value, (list, dict, tuple)) else value)
            )
    return rows


def _cell_value(value: object) -> Any:
    if isinstance(value, str):
        text = value.strip()
        try:
            return json.loads(text)
        except ValueError:
            lowered = text.lower()
            if lowered in ("vrai", "oui", "yes"):
                return True
            if lowered in ("faux", "non", "no"):
                return False
            return text
    if hasattr(value, "isoformat"):
        return pd.Timestamp(value).date().isoformat()
    return value
