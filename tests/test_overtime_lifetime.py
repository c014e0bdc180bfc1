"""The simple CLV's lifetime: the yearly retention measured on the cohorts when the ledger shows two full years
of some customers (1 / (1 - r), r counted by hand), else today's rule from the summary, said in words."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from test_overtime_cohorts import plain_yearly_retention

import xlsegment as xs
from xlsegment.clv import ModelWarning
from xlsegment.clv.lifetime import MIN_CUSTOMER_YEARS, lifetime_basis
from xlsegment.report.tables import model_text

YEAR = 365.25


@pytest.fixture(scope="module")
def sample_tx() -> pd.DataFrame:
    from xlsegment.ledger import sample_ledger_path

    return xs.read_transactions(sample_ledger_path())


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _plain_churn(summary: pd.DataFrame) -> tuple[int, int, float]:
    """(customers lost, customers known for over a year, span in years) from the summary in days."""
    assert summary.attrs["time_unit"] == "D"
    old = summary["T"] >= YEAR
    lost = int((summary.loc[old, "recency"] > YEAR).sum())
    return lost, int(old.sum()), float(summary["T"].max()) / YEAR


def test_the_sample_uses_the_retention_measured_on_its_cohorts(sample_tx):
    analysis = _quiet(xs.analyze, sample_tx, settings={"clv": {"predictive": False}, "lang": "fr"})
    customer_years, kept = plain_yearly_retention(sample_tx)
    rate = kept / customer_years  # 629 / 1 394 = 45.1 %
    simple = analysis.model["simple_clv"]
    assert simple["lifetime_method"] == "cohorts"
    assert simple["retention"] == pytest.approx(rate) and simple["retention_base"] == customer_years
    assert simple["lifetime_years"] == pytest.approx(1 / (1 - rate))  # 1.82 years, under the 3-year span
    customers = analysis.customers
    assert np.allclose(customers["lifetime"], 1 / (1 - rate))  # unit: years
    basket = customers["revenue"] / customers["orders"]
    expected = basket.clip(lower=0) * customers["purchases_per_unit"] * (1 / (1 - rate))
    assert np.allclose(customers["clv_simple"], expected)
    # the workbook's model sheet says it in the workbook's language, with the counts
    text = simple["lifetime_text"]
    assert text.startswith(
        "Durée de vie de la CLV simple tirée de la fidélité annuelle mesurée sur les cohortes"
    )
    assert (
        "45,1\u00a0%" in text
        and "629 années-clients avec un achat sur 1\u202f394" in text
        and "1,8 ans" in text
    )
    assert text in model_text(analysis, "fr")  # the Modèle sheet's sentences
    assert "629 of 1,394 customer-years" in simple["lifetime_source"]


def test_without_the_transactions_the_summary_rule_is_kept(sample_tx):
    summary = xs.summarize(sample_tx)
    basis = lifetime_basis(summary)
    prev, cur = summary["orders_prev_12m"] > 0, summary["orders_12m"] > 0
    assert basis.method == "last_two_years" and basis.cohorts == ""
    assert basis.rate == pytest.approx((prev & cur).sum() / prev.sum())
    assert basis.years == pytest.approx(1 / (1 - basis.rate))
    assert not basis.text("en").startswith("The cohorts")


def test_cdnow_is_too_short_for_the_cohorts_and_falls_back_to_churn(cdnow_sample):
    tx = xs.read_transactions(cdnow_sample)
    summary = xs.summarize(tx)
    out = xs.simple_clv(summary, transactions=tx, lang="fr")
    lost, known, span = _plain_churn(summary)  # every CDNOW customer started in 1997-Q1: 18 months of history
    assert (out.attrs["lifetime_method"], known) == ("churn", len(summary))
    assert 1 / (lost / known) > span  # the churn rule's lifetime is longer than the ledger: capped
    assert out.attrs["lifetime_years"] == pytest.approx(span)
    assert np.isnan(out.attrs["retention"])
    text = out.attrs["lifetime_text"]
    assert text.startswith("Les cohortes ne mesurent pas encore de fidélité annuelle")
    assert (
        f"{lost:,} des {known:,} clients".replace(",", "\u202f") in text and "Plafonnée aux 1,5 ans" in text
    )


@pytest.mark.slow
def test_online_retail_falls_back_to_churn_capped_at_its_year(online_retail):
    tx = xs.read_transactions(online_retail)
    summary = xs.summarize(tx)
    basis = lifetime_basis(summary, tx)
    lost, known, span = _plain_churn(summary)
    assert (basis.method, basis.cohorts, basis.count, basis.base) == ("churn", "too_short", lost, known)
    assert basis.measured_years == pytest.approx(known / lost)  # 506 / 64 = 7.9 years without the cap
    assert (basis.cap, basis.years) == ("span", pytest.approx(span))
    assert "7.9 years" in basis.text("en") and "Capped at the 1.0 years the ledger covers" in basis.text("en")


def test_a_short_ledger_gets_the_default_and_says_so():
    tx = pd.DataFrame(
        {"customer_id": ["a", "a", "b"], "date": pd.to_datetime(["2024-03-01", "2024-09-01", "2024-10-01"]),
         "amount": [10.0, 20.0, 30.0]}
    )  # fmt: skip
    summary = xs.summarize(tx, as_of="2024-12-31")
    with pytest.warns(ModelWarning, match="valeur par défaut de 3 ans"):
        out = xs.simple_clv(summary, transactions=tx, lang="fr")
    assert out.attrs["lifetime_method"] == "default"
    assert out.attrs["lifetime_years"] == pytest.approx(305 / YEAR)  # 3 years capped at the 305 days seen
    assert out.attrs["lifetime_text"] == (
        "Les cohortes ne mesurent pas encore de fidélité annuelle (il faut des clients suivis deux années "
        "pleines ; le journal couvre 0,8 ans). Durée de vie de la CLV simple : valeur par défaut de 3 ans ; le "
        "journal couvre 0,8 ans, trop peu pour mesurer combien de temps les clients restent ; indiquez votre "
        "estimation (réglage clv.lifetime). Plafonnée aux 0,8 ans que couvre le journal : il ne peut pas montrer "
        "des clients restant plus longtemps."
    )
    given = xs.simple_clv(summary, unit="M", lifetime=18, transactions=tx)
    assert given.attrs["lifetime_method"] == "given" and given.attrs["lifetime_years"] == pytest.approx(1.5)
    assert given.attrs["lifetime_text"] == "Simple CLV lifetime given in the settings: 1.5 years."


def test_too_few_customer_years_fall_back_and_say_how_many():
    # 10 customers followed for three years (20 customer-years), plus one bought in 2021 for the span
    rows = [(f"c{i}", "2022-01-15") for i in range(10)] + [(f"c{i}", "2023-02-01") for i in range(6)]
    rows += [(f"c{i}", "2024-03-01") for i in range(3)] + [("old", "2021-06-01")]
    tx = pd.DataFrame(rows, columns=["customer_id", "date"]).assign(amount=10.0)
    tx["date"] = pd.to_datetime(tx["date"])
    summary = xs.summarize(tx, as_of="2024-12-31")
    basis = lifetime_basis(summary, tx)
    measured = xs.yearly_retention(tx, "2024-12-31")
    assert measured.customer_years < MIN_CUSTOMER_YEARS
    assert (basis.method, basis.cohorts, basis.cohorts_base) == (
        "last_two_years",
        "too_few",
        measured.customer_years,
    )
    assert basis.text("en").startswith(
        f"Only {measured.customer_years} customer-years could be measured on the cohorts (at least 30"
    )
