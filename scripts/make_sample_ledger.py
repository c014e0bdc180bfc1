"""Generate the bundled sample ledger: a French-style shop, three years of sales, seeded and reproducible.

Customers arrive over the three years and buy with their own rhythm and basket until they quietly leave
(a BG/NBD-like story), across product families with their own margins; some buy on promotion, return items,
pay late or call after-sales. Writes French headers with `;`, decimal commas and day-first dates (what a
French till or accounting export looks like), or English headers with `--lang en`.

    python scripts/make_sample_ledger.py                      # xlsegment/data/sample_ledger.csv (French)
    python scripts/make_sample_ledger.py --lang en -o ledger.csv --customers 5000
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

START = pd.Timestamp("2023-11-01")
END = pd.Timestamp("2026-10-31")

# family -> (share of baskets, mean unit price, margin rate)
CATEGORIES = {
    "Épicerie fine": (0.30, 9.5, 0.32),
    "Vins et spiritueux": (0.22, 18.0, 0.38),
    "Fromages": (0.18, 12.0, 0.28),
    "Arts de la table": (0.10, 35.0, 0.45),
    "Coffrets cadeaux": (0.08, 55.0, 0.40),
    "Thés et cafés": (0.12, 11.0, 0.50),
}
CATEGORIES_EN = {
    "Épicerie fine": "Fine foods",
    "Vins et spiritueux": "Wines and spirits",
    "Fromages": "Cheese",
    "Arts de la table": "Tableware",
    "Coffrets cadeaux": "Gift boxes",
    "Thés et cafés": "Tea and coffee",
}
FIRST_F = "Marie Camille Léa Chloé Manon Inès Sarah Julie Emma Louise Claire Anne Sophie Nathalie Isabelle Hélène".split()
FIRST_M = "Lucas Hugo Louis Jules Thomas Nicolas Pierre Julien Antoine Paul Marc Olivier Éric François Michel Henri".split()
LAST = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefèvre Michel Garcia "
    "David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Martinez "
    "Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément"
).split()

HEADERS = {
    "fr": {
        "order": "N° commande", "date": "Date", "customer": "N° client", "civility": "Civilité",
        "first_name": "Prénom", "last_name": "Nom", "email": "E-mail", "phone": "Téléphone",
        "birthday": "Date de naissance", "category": "Catégorie", "quantity": "Quantité",
        "unit_price": "Prix unitaire", "amount": "Montant", "discount": "Remise", "margin": "Marge",
        "returned": "Retour", "delay": "Retard de paiement", "contacts": "Contacts SAV",
    },
    "en": {
        "order": "Order", "date": "Date", "customer": "Customer", "civility": "Title", "first_name": "First name",
        "last_name": "Last name", "email": "Email", "phone": "Phone", "birthday": "Birthday",
        "category": "Category", "quantity": "Quantity", "unit_price": "Unit price", "amount": "Amount",
        "discount": "Discount", "margin": "Margin", "returned": "Returned", "delay": "Payment delay",
        "contacts": "Service contacts",
    },
}  # fmt: skip


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def customers(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """Who the customers are and how they buy: arrival, rhythm, basket, lifetime, habits."""
    female = rng.random(n) < 0.55
    first = np.where(female, rng.choice(FIRST_F, n), rng.choice(FIRST_M, n))
    last = rng.choice(LAST, n)
    span = (END - START).days
    # more customers arrive early (the shop's base) and a steady flow after
    arrival = np.where(rng.random(n) < 0.35, 0, rng.integers(0, span - 14, n))
    ids = [f"C{10000 + i}" for i in range(n)]
    birthday = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 365 * 50, n), unit="D")
    has_birthday = rng.random(n) < 0.7
    has_email = rng.random(n) < 0.8
    has_phone = rng.random(n) < 0.6
    phones = [f"0{rng.integers(1, 8)} {rng.integers(10, 99)} {rng.integers(10, 99)} {rng.integers(10, 99)} "
              f"{rng.integers(10, 99)}" for _ in range(n)]  # fmt: skip
    return pd.DataFrame(
        {
            "customer": ids,
            "civility": np.where(female, "Mme", "M."),
            "first_name": first,
            "last_name": last,
            "email": [
                f"{_ascii(f)}.{_ascii(la)}{i % 97}@exemple.fr" if e else ""
                for i, (f, la, e) in enumerate(zip(first, last, has_email, strict=True))
            ],
            "phone": np.where(has_phone, phones, ""),
            "birthday": np.where(has_birthday, birthday.strftime("%d/%m/%Y"), ""),
            "arrival": arrival,
            # purchases per year while active: heavy-tailed, like real shops
            "rate": rng.gamma(0.9, 4.0, n) + 0.3,
            "dropout": rng.beta(1.2, 4.0, n),
            "basket": rng.gamma(3.0, 18.0, n) + 8.0,
            "promo_taste": rng.beta(1.5, 5.0, n),
            "late_payer": rng.random(n) < 0.08,
            "fussy": rng.random(n) < 0.07,
            "favourite": rng.choice(list(CATEGORIES), n, p=[v[0] for v in CATEGORIES.values()]),
        }
    )


def orders(people: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Each customer's orders: gaps drawn from their rhythm, leaving after any order with their dropout chance."""
    span = (END - START).days
    rows = []
    for person in people.itertuples(index=False):
        day = float(person.arrival)
        n = 0
        while day <= span:
            rows.append((person.customer, int(day)))
            n += 1
            if n > 1 and rng.random() < person.dropout:
                break
            day += rng.exponential(365.0 / person.rate) + 1
    frame = pd.DataFrame(rows, columns=["customer", "day"])
    frame["order"] = [f"CMD-{i:06d}" for i in range(1, len(frame) + 1)]
    return frame.merge(people, on="customer")


def lines(book: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Order lines: one to three families per order, prices, promotions, margins, returns and late payments."""
    names = list(CATEGORIES)
    n_lines = rng.integers(1, 4, len(book))
    item = book.loc[book.index.repeat(n_lines)].reset_index(drop=True)
    k = len(item)
    share = np.array([CATEGORIES[c][0] for c in names])
    picked = rng.choice(names, k, p=share)
    item["category"] = np.where(rng.random(k) < 0.5, item["favourite"], picked)
    mean_price = item["category"].map({c: v[1] for c, v in CATEGORIES.items()}).to_numpy()
    margin_rate = item["category"].map({c: v[2] for c, v in CATEGORIES.items()}).to_numpy()
    scale = item["basket"].to_numpy() / 60.0
    item["unit_price"] = np.round(mean_price * rng.lognormal(0.0, 0.35, k) * np.clip(scale, 0.4, 3.0), 2)
    item["quantity"] = rng.integers(1, 4, k)
    on_promo = rng.random(k) < item["promo_taste"].to_numpy()
    item["discount"] = np.where(on_promo, rng.choice([0.1, 0.15, 0.2, 0.3], k), 0.0)
    gross = item["quantity"] * item["unit_price"]
    item["amount"] = np.round(gross * (1 - item["discount"]), 2)
    item["margin"] = np.round(item["amount"] - gross * (1 - margin_rate), 2)
    item["returned"] = ""
    item["delay"] = np.where(item["late_payer"], rng.integers(5, 60, k), 0)
    fussy = item["fussy"].to_numpy()
    item["contacts"] = np.where(fussy & (rng.random(k) < 0.3), 1, 0)
    item["date"] = START + pd.to_timedelta(item["day"], unit="D")

    # a few lines come back a week or two later, as negative lines on the same order
    back = rng.random(k) < np.where(fussy, 0.25, 0.03)
    returns = item.loc[back].copy()
    returns["quantity"] = -returns["quantity"]
    returns["amount"] = -returns["amount"]
    returns["margin"] = -returns["margin"]
    returns["returned"] = "oui"
    returns["delay"] = 0
    returns["contacts"] = 1
    returns["date"] = returns["date"] + pd.to_timedelta(rng.integers(3, 15, len(returns)), unit="D")
    out = pd.concat([item, returns], ignore_index=True)
    out = out[out["date"] <= END]
    return out.sort_values(["date", "order"], kind="stable").reset_index(drop=True)


def build(n_customers: int = 2000, seed: int = 20261122) -> pd.DataFrame:
    """The sample ledger as a DataFrame with neutral column keys (see HEADERS)."""
    rng = np.random.default_rng(seed)
    people = customers(n_customers, rng)
    return lines(orders(people, rng), rng)


def write(ledger: pd.DataFrame, path: Path, lang: str = "fr") -> None:
    """Write the ledger with French (`;`, decimal comma, day-first) or English conventions, atomically."""
    cols = HEADERS[lang]
    out = ledger[list(cols)].copy()
    if lang == "fr":
        out["date"] = out["date"].dt.strftime("%d/%m/%Y")
        for col in ("unit_price", "amount", "discount", "margin"):
            out[col] = out[col].map(lambda v: f"{v:.2f}".replace(".", ","))
        sep = ";"
    else:
        out["date"] = out["date"].dt.strftime("%Y-%m-%d")
        out["category"] = out["category"].map(CATEGORIES_EN)
        out["returned"] = out["returned"].replace({"oui": "yes"})
        out["civility"] = out["civility"].replace({"Mme": "Mrs", "M.": "Mr"})
        out["birthday"] = pd.to_datetime(out["birthday"], format="%d/%m/%Y", errors="coerce").dt.strftime(
            "%Y-%m-%d"
        )
        sep = ","
    out = out.rename(columns=cols)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    os.close(fd)
    try:
        out.to_csv(tmp, sep=sep, index=False, encoding="utf-8")
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    default = Path(__file__).resolve().parents[1] / "xlsegment" / "data" / "sample_ledger.csv"
    parser.add_argument("-o", "--output", type=Path, default=default)
    parser.add_argument("--lang", choices=["fr", "en"], default="fr")
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    ledger = build(args.customers, args.seed)
    write(ledger, args.output, args.lang)
    print(
        f"{args.output}: {len(ledger)} lines, {ledger['customer'].nunique()} customers, {ledger['order'].nunique()} orders"
    )


if __name__ == "__main__":
    main()
