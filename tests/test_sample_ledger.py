"""The bundled sample ledger: it reads cleanly, looks like a French shop's three years, and the seeded
generator in scripts/ reproduces it byte for byte; its English variant summarises to the same figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xlsegment.ledger import read_transactions, sample_ledger_path
from xlsegment.summary import summarize

GENERATOR = Path(__file__).resolve().parents[1] / "scripts" / "make_sample_ledger.py"


@pytest.fixture(scope="module")
def generator():
    spec = importlib.util.spec_from_file_location("make_sample_ledger", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_sample_ledger", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def default_build(generator) -> pd.DataFrame:
    return generator.build()


@pytest.fixture(scope="module")
def french() -> pd.DataFrame:
    """The bundled ledger, read once for the module (the path is the `sample_ledger` fixture's)."""
    return read_transactions(sample_ledger_path())


def test_sample_ledger_reads_without_error(sample_ledger: Path, french: pd.DataFrame) -> None:
    assert sample_ledger == sample_ledger_path()
    tx = french
    quality = tx.attrs["quality"]
    assert quality.rows_read == len(tx) > 10_000
    assert quality.excluded == {}
    mapping = tx.attrs["mapping"]
    assert mapping["customer_id"] == "N° client"
    assert mapping["order_id"] == "N° commande"
    assert mapping["amount"] == "Montant"
    assert mapping["category"] == "Catégorie"
    assert mapping["margin"] == "Marge"
    assert mapping["discount"] == "Remise"
    assert mapping["returned"] == "Retour"
    assert mapping["payment_delay_days"] == "Retard de paiement"
    assert mapping["service_contacts"] == "Contacts SAV"
    assert mapping["first_name"] == "Prénom" and mapping["last_name"] == "Nom"


def test_sample_ledger_is_a_shop_of_2000_customers_over_three_years(french: pd.DataFrame) -> None:
    tx = french
    assert tx["customer_id"].nunique() == 2000
    span = (tx["date"].max() - tx["date"].min()).days
    assert 3 * 365 - 10 <= span <= 3 * 365 + 10
    assert tx["returned"].any() and (tx.loc[tx["returned"], "amount"] < 0).all()
    assert tx["discounted"].any() and (tx["payment_delay_days"] > 0).any()
    assert tx["category"].nunique() >= 5
    s = summarize(tx)
    assert len(s) == 2000
    assert (s["frequency"] > 0).mean() > 0.3  # repeat buyers, as a real shop has
    assert s["return_rate"].gt(0).any()


def test_generator_reproduces_the_bundled_file(generator, default_build, sample_ledger, tmp_path) -> None:
    out = tmp_path / "sample.csv"
    generator.write(default_build, out, "fr")
    assert out.read_bytes() == sample_ledger.read_bytes()


def test_same_seed_same_bytes(generator, tmp_path: Path) -> None:
    first, second, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generator.write(generator.build(200, seed=7), first, "fr")
    generator.write(generator.build(200, seed=7), second, "fr")
    generator.write(generator.build(200, seed=8), other, "fr")
    assert first.read_bytes() == second.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_english_variant_reads_to_the_same_summary(generator, default_build, french, tmp_path) -> None:
    path = tmp_path / "ledger_en.csv"
    generator.write(default_build, path, "en")
    english = read_transactions(path)
    assert english.attrs["mapping"]["customer_id"] == "Customer"
    assert english.attrs["mapping"]["amount"] == "Amount"
    a, b = summarize(french), summarize(english)
    assert a.index.equals(b.index)
    np.testing.assert_array_equal(a["orders"], b["orders"])
    np.testing.assert_allclose(a["revenue"], b["revenue"], atol=1e-9)
    np.testing.assert_allclose(a["margin"], b["margin"], atol=1e-9)
    np.testing.assert_allclose(a["T"], b["T"])
