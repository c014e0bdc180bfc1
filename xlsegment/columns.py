"""Recognise ledger columns from common French and English headers, or from the user's explicit mapping."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

# canonical column -> headers that mean it (compared after `normalize_header`)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "customer_id": (
        "customer_id",
        "customerid",
        "customer",
        "customer number",
        "customer no",
        "customer code",
        "cust id",
        "client",
        "client id",
        "id client",
        "idclient",
        "n client",
        "no client",
        "num client",
        "numero client",
        "code client",
        "ref client",
        "reference client",
        "compte client",
        "account",
        "account id",
        "buyer",
        "acheteur",
    ),
    "date": (
        "date",
        "order date",
        "orderdate",
        "invoicedate",
        "invoice date",
        "transaction date",
        "purchase date",
        "sale date",
        "sales date",
        "date de commande",
        "date commande",
        "date de la commande",
        "date achat",
        "date d achat",
        "date facture",
        "date de facture",
        "date vente",
        "date de vente",
        "date ticket",
        "jour",
        "order_date",
    ),
    "amount": (
        "amount",
        "montant",
        "ca",
        "chiffre d affaires",
        "chiffre affaires",
        "total",
        "total ttc",
        "total ht",
        "montant ttc",
        "montant ht",
        "montant total",
        "revenue",
        "sales",
        "sales amount",
        "sale amount",
        "net amount",
        "line total",
        "order value",
        "value",
        "valeur",
        "prix total",
        "spend",
        "turnover",
    ),
    "order_id": (
        "order_id",
        "order id",
        "orderid",
        "order",
        "order number",
        "order no",
        "invoice",
        "invoiceno",
        "invoice no",
        "invoice number",
        "invoice id",
        "n commande",
        "no commande",
        "num commande",
        "numero commande",
        "numero de commande",
        "commande",
        "facture",
        "n facture",
        "no facture",
        "numero facture",
        "numero de facture",
        "ticket",
        "n ticket",
        "numero ticket",
        "transaction id",
        "receipt",
        "receipt no",
    ),
    "quantity": ("quantity", "qty", "quantite", "qte", "units", "nb articles", "nombre", "quantites"),
    "unit_price": (
        "unit_price",
        "unit price",
        "unitprice",
        "price",
        "prix",
        "prix unitaire",
        "prix unitaire ht",
        "prix unitaire ttc",
        "pu",
        "pu ht",
        "tarif",
    ),
    "category": (
        "category",
        "categorie",
        "product category",
        "categorie produit",
        "famille",
        "famille produit",
        "family",
        "product family",
        "rayon",
        "gamme",
        "department",
        "type produit",
        "type de produit",
    ),
    "margin": (
        "margin",
        "marge",
        "marge brute",
        "gross margin",
        "profit",
        "marge ht",
        "margin rate",
        "taux de marge",
    ),
    "cost": (
        "cost",
        "cout",
        "cout achat",
        "cout d achat",
        "prix achat",
        "prix d achat",
        "cogs",
        "purchase cost",
    ),
    "discount": (
        "discount",
        "remise",
        "rabais",
        "reduction",
        "promo",
        "promotion",
        "discount amount",
        "remise pct",
        "taux remise",
        "taux de remise",
        "discount rate",
    ),
    "returned": (
        "returned",
        "return",
        "retour",
        "retourne",
        "cancelled",
        "canceled",
        "annule",
        "annulation",
        "is return",
        "avoir",
        "retour article",
    ),
    "payment_delay_days": (
        "payment_delay_days",
        "payment delay",
        "payment delay days",
        "days late",
        "retard paiement",
        "retard de paiement",
        "delai paiement",
        "jours de retard",
        "jours retard",
        "retard",
    ),
    "due_date": ("due date", "date echeance", "echeance", "date d echeance"),
    "paid_date": (
        "paid date",
        "payment date",
        "date paiement",
        "date de paiement",
        "date reglement",
        "date de reglement",
    ),
    "service_contacts": (
        "service_contacts",
        "service contacts",
        "sav",
        "contacts sav",
        "appels sav",
        "complaints",
        "reclamations",
        "after sales",
        "after sales contacts",
        "support tickets",
        "tickets sav",
    ),
    "name": (
        "name",
        "nom",
        "customer name",
        "nom client",
        "nom du client",
        "raison sociale",
        "company",
        "societe",
        "entreprise",
    ),
    "first_name": ("first_name", "first name", "firstname", "given name", "prenom"),
    "last_name": ("last_name", "last name", "lastname", "surname", "family name", "nom de famille"),
    "civility": ("civility", "civilite", "title", "salutation", "titre"),
    "email": ("email", "e mail", "mail", "courriel", "adresse email", "adresse mail", "email address"),
    "phone": ("phone", "telephone", "tel", "mobile", "portable", "phone number", "numero de telephone"),
    "birthday": (
        "birthday",
        "date of birth",
        "dob",
        "birth date",
        "date de naissance",
        "date naissance",
        "anniversaire",
    ),
    "address": ("address", "adresse", "street", "rue"),
    "postcode": ("postcode", "postal code", "zip", "zip code", "code postal", "cp", "npa"),
    "city": ("city", "town", "ville", "localite"),
    "country": ("country", "pays"),
}

# short keyword names accepted by read_transactions(customer="...", order="...")
ALIASES: dict[str, str] = {
    "customer": "customer_id",
    "client": "customer_id",
    "order": "order_id",
    "invoice": "order_id",
    "qty": "quantity",
    "price": "unit_price",
    "payment_delay": "payment_delay_days",
    "contacts": "service_contacts",
}

CORE = ("customer_id", "date", "amount")
CONTACT_COLUMNS = (
    "name",
    "first_name",
    "last_name",
    "civility",
    "email",
    "phone",
    "birthday",
    "address",
    "postcode",
    "city",
    "country",
)


def normalize_header(header: object) -> str:
    """Lower-case, accents removed, punctuation folded to single spaces: 'N° Client' -> 'n client'."""
    text = unicodedata.normalize("NFKD", str(header)).encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return text


_LOOKUP: dict[str, str] = {}
for _canonical, _names in SYNONYMS.items():
    for _name in _names:
        _LOOKUP.setdefault(normalize_header(_name), _canonical)
        _LOOKUP.setdefault(normalize_header(_name).replace(" ", ""), _canonical)


def canonical_name(key: str) -> str | None:
    """The canonical column a mapping keyword stands for (`customer` -> `customer_id`), or None."""
    key = key.strip().lower()
    if key in SYNONYMS:
        return key
    return ALIASES.get(key)


def detect_columns(headers: Iterable[object], explicit: Mapping[str, str] | None = None) -> dict[str, str]:
    """Map canonical names to the source headers: explicit choices first, then recognised headers.

    A header is used once; when two headers mean the same thing the first one wins.
    """
    headers = [h for h in headers if h is not None]
    mapping: dict[str, str] = dict(explicit or {})
    taken = set(mapping.values())
    for header in headers:
        if header in taken:
            continue
        norm = normalize_header(header)
        canonical = _LOOKUP.get(norm) or _LOOKUP.get(norm.replace(" ", ""))
        if canonical and canonical not in mapping:
            mapping[canonical] = header
            taken.add(header)
    # "Nom" next to "Prénom" is the family name, not the full name
    explicit_keys = set(explicit or {})
    if (
        "first_name" in mapping
        and "name" in mapping
        and "last_name" not in mapping
        and "name" not in explicit_keys
    ) and normalize_header(mapping["name"]) in {"nom", "name"}:
        mapping["last_name"] = mapping.pop("name")
    return mapping
