"""Cell parsers: French and English numbers, dates in every order, yes/no flags and customer keys."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from xlsegment.parsing import (
    blank,
    detect_decimal,
    drop_unused_categories,
    excel_errors,
    factorize,
    long_text,
    parse_customer_ids,
    parse_dates,
    parse_flags,
    parse_keys,
    parse_numbers,
)


def _values(parsed) -> list:
    return [None if pd.isna(v) else v for v in parsed.values.tolist()]


# ---------------------------------------------------------------- numbers


def test_decimal_comma_with_space_and_dot_thousands() -> None:
    cells = pd.Series(["1 234,50", "1.234,50", "12,5", "-3,00", "", None])
    parsed = parse_numbers(cells)
    assert _values(parsed) == [1234.5, 1234.5, 12.5, -3.0, None, None]
    assert not parsed.bad.any()  # blanks are missing, not unreadable
    assert parsed.note == "decimal comma"


def test_non_breaking_spaces_and_euro_sign() -> None:
    cells = pd.Series(["1\u00a0234,50\u00a0€", "2\u202f000,00", "12,00 €", "EUR 3,10"])
    assert _values(parse_numbers(cells)) == [1234.5, 2000.0, 12.0, 3.1]


def test_english_numbers_with_currency_parentheses_percent_and_trailing_minus() -> None:
    cells = pd.Series(["1,234.50", "$12.00", "€ 3.5", "(4.00)", "10%", "12.5-", "£7"])
    parsed = parse_numbers(cells)
    assert _values(parsed) == [1234.5, 12.0, 3.5, -4.0, 0.1, -12.5, 7.0]
    assert parsed.had_percent


def test_unreadable_number_is_flagged_not_dropped() -> None:
    parsed = parse_numbers(pd.Series(["12.5", "abc", "", "7"]))
    assert parsed.bad.tolist() == [False, True, False, False]
    assert _values(parsed) == [12.5, None, None, 7.0]


def test_three_digits_after_a_comma_depend_on_the_separator() -> None:
    # "1,234" is 1.234 in a French `;` file and one thousand two hundred and thirty-four in an English one
    cells = pd.Series(["1,234", "2,500"])
    assert parse_numbers(cells, sep=";").values.tolist() == [1.234, 2.5]
    assert parse_numbers(cells, sep=",").values.tolist() == [1234.0, 2500.0]
    assert detect_decimal(pd.Series(["3,5", "12,25"])) == ","
    assert detect_decimal(pd.Series(["3.5", "12.25"])) == "."


def test_explicit_decimal_wins() -> None:
    assert parse_numbers(pd.Series(["1.234", "2"]), decimal=",").values.tolist() == [1234.0, 2.0]
    assert parse_numbers(pd.Series(["1.234", "2"]), decimal=".").values.tolist() == [1.234, 2.0]


def test_numeric_and_boolean_columns_pass_through() -> None:
    assert parse_numbers(pd.Series([1, 2, 3])).values.tolist() == [1.0, 2.0, 3.0]
    assert parse_numbers(pd.Series([True, False])).values.tolist() == [1.0, 0.0]


# ---------------------------------------------------------------- dates


def test_day_first_when_a_day_is_above_twelve() -> None:
    parsed = parse_dates(pd.Series(["25/12/2024", "01/02/2024"]))
    assert parsed.values.tolist() == [pd.Timestamp("2024-12-25"), pd.Timestamp("2024-02-01")]
    assert parsed.note == "dates read day first"


def test_month_first_when_the_data_says_so() -> None:
    parsed = parse_dates(pd.Series(["12/25/2024", "01/02/2024"]))
    assert parsed.values.tolist() == [pd.Timestamp("2024-12-25"), pd.Timestamp("2024-01-02")]
    assert parsed.note == "dates read month first"


def test_ambiguous_dates_default_to_day_first_and_say_so() -> None:
    cells = pd.Series(["01/02/2024", "03/04/2024"])
    parsed = parse_dates(cells)
    assert parsed.values.tolist() == [pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-03")]
    assert "ambiguous" in parsed.note
    month_first = parse_dates(cells, dayfirst=False)
    assert month_first.values.tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-03-04")]


def test_iso_dates_with_and_without_time_are_never_swapped() -> None:
    # regression: the time-of-day cells went through dateutil with dayfirst=True and came out as 3 May
    parsed = parse_dates(pd.Series(["2024-03-05 14:30:00", "2024-12-25", None]))
    assert parsed.values.tolist()[:2] == [pd.Timestamp("2024-03-05 14:30"), pd.Timestamp("2024-12-25")]
    assert pd.isna(parsed.values.iloc[2])
    assert not parsed.bad.any()


def test_excel_serial_numbers() -> None:
    # 45292 is 2024-01-01 in Excel's 1900 system (day 0 = 1899-12-30); .5 is noon
    parsed = parse_dates(pd.Series([45292, 45292.5, np.nan]))
    assert parsed.values.tolist()[:2] == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-01 12:00")]
    assert not parsed.bad.any()
    assert parse_dates(pd.Series([-5.0, 45292.0])).bad.tolist() == [True, False]


def test_mixed_excel_cells_datetime_serial_and_text() -> None:
    cells = pd.Series([dt.datetime(2024, 3, 5, 14, 30), 45400, "25/12/2024", None, "bad"], dtype=object)
    parsed = parse_dates(cells)
    assert parsed.values.tolist()[:3] == [
        pd.Timestamp("2024-03-05 14:30"),
        pd.Timestamp("2024-04-18"),  # 45400 = 45292 + 108 days (31 + 29 + 31 + 17)
        pd.Timestamp("2024-12-25"),
    ]
    assert parsed.bad.tolist() == [False, False, False, False, True]


def test_impossible_date_is_flagged() -> None:
    parsed = parse_dates(pd.Series(["31/02/2024", "28/02/2024"]))
    assert parsed.bad.tolist() == [True, False]


def test_timezone_aware_datetimes_become_naive() -> None:
    cells = pd.Series(pd.to_datetime(["2024-01-01 10:00"]).tz_localize("Europe/Paris"))
    assert parse_dates(cells).values.tolist() == [pd.Timestamp("2024-01-01 10:00")]


# ---------------------------------------------------------------- flags and keys


def test_flags_in_french_and_english() -> None:
    cells = pd.Series(["oui", "non", "X", "", "1", "0", "Yes", "peut-être", None, "Annulé"])
    parsed = parse_flags(cells)
    assert parsed.values.tolist() == [True, False, True, False, True, False, True, False, False, True]
    assert np.flatnonzero(parsed.bad).tolist() == [7]


def test_customer_ids_from_a_float_column_lose_the_dot_zero() -> None:
    keys, missing = parse_customer_ids(pd.Series([17850.0, np.nan, 12.0]))
    assert keys.tolist()[0::2] == ["17850", "12"]
    assert missing.tolist() == [False, True, False]


def test_customer_ids_keep_leading_zeros_and_are_stripped() -> None:
    keys, missing = parse_customer_ids(pd.Series(["00042", " 7 ", "", None]))
    assert keys.tolist()[:2] == ["00042", "7"]
    assert missing.tolist() == [False, False, True, True]


def test_customer_ids_written_as_float_text() -> None:
    keys, _ = parse_customer_ids(pd.Series(["17850.0", "12.0"]))
    assert keys.tolist() == ["17850", "12"]
    keys, _ = parse_customer_ids(pd.Series(["17850.0", "A12.0"]))
    assert keys.tolist() == ["17850.0", "A12.0"]  # not every key is a float: leave them as written


def test_integer_customer_ids() -> None:
    keys, _ = parse_customer_ids(pd.Series([1, 20]))
    assert keys.tolist() == ["1", "20"]
    assert pd.api.types.is_string_dtype(keys.cat.categories.dtype)


def test_customer_ids_are_a_categorical_of_sorted_clean_keys() -> None:
    keys, missing = parse_customer_ids(pd.Series(["b", " a", "a ", None, "b", "  "]))
    assert keys.cat.categories.tolist() == ["a", "b"]  # " a" and "a " are one customer
    assert keys.cat.codes.tolist() == [1, 0, 0, -1, 1, -1]
    assert missing.tolist() == [False, False, False, True, False, True]


def test_unused_categories_are_dropped_and_codes_renumbered() -> None:
    keys, _ = parse_customer_ids(pd.Series(["c", "a", "b", "c"]))
    kept = drop_unused_categories(keys[[0, 2, 3]])
    assert kept.cat.categories.tolist() == ["b", "c"]
    assert kept.cat.codes.tolist() == [1, 0, 1]
    assert kept.index.tolist() == [0, 2, 3]


def test_a_second_pass_date_of_finer_resolution_fits_the_first_pass_column():
    """pandas 3 may read the first pass in microseconds; a dateutil retry in nanoseconds must still fit
    (hypothesis found '05/01/202' below ISO dates raising TypeError on assignment)."""
    parsed = parse_dates(pd.Series(["2024-01-05", "2024-01-05", "05/01/202"], dtype=object))
    assert list(parsed.values[:2]) == [pd.Timestamp("2024-01-05")] * 2


# ---------------------------------------------------------------- Arrow text columns (CSV, pandas 3 str)


def _arrow_text(chunks: list[list[str | None]]) -> pd.Series:
    """A text column over several Arrow chunks, as a large CSV read gives it."""
    import pyarrow as pa

    return pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array([pa.array(c, pa.string()) for c in chunks])))


def test_arrow_factorize_shares_one_numbering_across_chunks() -> None:
    column = _arrow_text([["b", "a", None], ["a", "c", "b"]])
    codes, uniques = factorize(column)
    assert [None if c < 0 else uniques[c] for c in codes] == ["b", "a", None, "a", "c", "b"]
    keys, missing = parse_customer_ids(column)
    assert keys.cat.categories.tolist() == ["a", "b", "c"]
    assert keys.cat.codes.tolist() == [1, 0, -1, 0, 2, 1] and missing.tolist() == [0, 0, 1, 0, 0, 0]


def test_arrow_cell_checks_agree_with_the_object_path() -> None:
    cells = [["x", " ", "", None], ["\xa0", "#N/A", "#tag", "y" * 40_000]]
    arrow = _arrow_text(cells)
    plain = pd.Series([v for chunk in cells for v in chunk], dtype=object)
    assert blank(arrow).tolist() == blank(plain).tolist() == [0, 1, 1, 1, 1, 0, 0, 0]
    assert excel_errors(arrow).tolist() == excel_errors(plain).tolist() == [0, 0, 0, 0, 0, 1, 0, 0]
    assert long_text(arrow).tolist() == long_text(plain).tolist() == [0, 0, 0, 0, 0, 0, 0, 1]
    assert not excel_errors(_arrow_text([["a", "b"]])).any()


def test_clean_keys_stay_text_and_others_are_cleaned() -> None:
    clean = _arrow_text([["O1", "O2"], [None, "O1"]])
    keys, missing = parse_keys(clean)
    assert keys is clean and missing.tolist() == [False, False, True, False]
    for cells in (["O1 ", "O1"], ["17850.0", "12.0"], ["Amélie", "Ame\u0301lie"], ["O1", ""], ["\tO1", "O2"]):
        keys, _ = parse_keys(_arrow_text([cells]))
        assert isinstance(keys.dtype, pd.CategoricalDtype), cells
        if cells[0] != "17850.0":  # keys written as floats are cleaned only when all are
            # checked chunk by chunk: a key to clean in a later chunk is found too
            keys, _ = parse_keys(_arrow_text([["O1", "O2"], cells]))
            assert isinstance(keys.dtype, pd.CategoricalDtype), cells
    assert parse_keys(_arrow_text([["17850.0", "12.0"]]))[0].tolist() == ["17850", "12"]
    assert parse_keys(_arrow_text([["C2", "C1"], ["C2 ", "C3"]]))[0].tolist() == ["C2", "C1", "C2", "C3"]
