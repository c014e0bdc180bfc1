"""`xlsegment build | sample | addin`: outputs, refusals, one-line errors and exit codes, progress, mapping."""

from __future__ import annotations

import hashlib
import io
import sys
import types
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

from xlsegment import cli


def _ledger(tmp_path: Path, n_customers: int = 40, name: str = "ventes.csv", seed: int = 0) -> Path:
    """A small ledger with non-standard headers (so the mapping options are needed)."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        for k in range(int(rng.integers(1, 6))):
            day = pd.Timestamp("2023-01-01") + pd.Timedelta(days=int(rng.integers(0, 700)))
            rows.append(
                (f"INV{c:03d}{k}", f"K{c:04d}", day.strftime("%Y-%m-%d"), round(float(rng.gamma(2, 40)), 2))
            )
    frame = pd.DataFrame(rows, columns=["Invoice", "Client code", "When", "Total"])
    frame.loc[0, "Client code"] = '=HYPERLINK("http://evil","x")'
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


MAPPING = ["--customer", "Client code", "--date", "When", "--amount", "Total", "--order", "Invoice"]
FRENCH_SHEETS = [
    "Commencez ici",
    "Cette semaine",
    "Clients",
    "Actions",
    "Mouvements",
    "Cohortes",
    "Modèle",
    "Paramètres",
]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_build_writes_workbook_and_leaves_input_untouched(tmp_path, capsys):
    ledger = _ledger(tmp_path)
    before = _digest(ledger)
    out = tmp_path / "segmented.xlsx"
    assert cli.main(["build", str(ledger), "-o", str(out), *MAPPING, "--as-of", "2024-12-31"]) == 0
    assert _digest(ledger) == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [
        *["Start here", "This week", "Customers", "Actions"],
        *["Movements", "Cohorts", "Model", "Settings"],
    ]
    customers = wb["Customers"]
    n = pd.read_csv(ledger)["Client code"].nunique()
    assert customers.max_row == n + 1  # header + one row per customer
    ids = {customers.cell(r, 1).value for r in range(2, n + 2)}
    assert '=HYPERLINK("http://evil","x")' in ids  # a customer key that looks like a formula stays text
    assert all(c.data_type != "f" for row in customers.iter_rows() for c in row)
    settings = {r[0]: r[1] for r in wb["Settings"].iter_rows(values_only=True) if r[0]}
    assert settings["Analysis date"] == "31 Dec 2024"
    captured = capsys.readouterr()
    assert "Wrote" in captured.out and f"{n} customers" in captured.out
    assert captured.err == ""  # no progress bar when stderr is not a terminal
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_build_french_sheet_names_and_time_unit(tmp_path):
    ledger = _ledger(tmp_path)
    out = tmp_path / "classeur.xlsx"
    assert (
        cli.main(
            ["build", str(ledger), "-o", str(out), *MAPPING, "--lang", "fr", "--time-unit", "w", "--quiet"]
        )
        == 0
    )
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == FRENCH_SHEETS
    params = {r[0]: r[1] for r in wb["Paramètres"].iter_rows(values_only=True) if r[0]}
    assert params["Unité de temps"] == "semaines"
    assert "Récence (semaines)" in [c.value for c in wb["Clients"][1]]


def test_existing_output_refused_without_force(tmp_path, capsys):
    ledger = _ledger(tmp_path)
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"precious")
    assert cli.main(["build", str(ledger), "-o", str(out), *MAPPING]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists; use --force" in err
    assert out.read_bytes() == b"precious"
    assert cli.main(["build", str(ledger), "-o", str(out), *MAPPING, "--force", "--quiet"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Start here"


def test_output_equal_to_input_refused(tmp_path, capsys):
    ledger = tmp_path / "ledger.xlsx"
    pd.read_csv(_ledger(tmp_path)).to_excel(ledger, index=False)
    before = _digest(ledger)
    assert cli.main(["build", str(ledger), "-o", str(ledger), *MAPPING, "--force"]) == 2
    assert "is the input ledger" in capsys.readouterr().err
    assert _digest(ledger) == before


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "missing.csv", "-o", "o.xlsx"], "ledger 'missing.csv' not found"),
        (["build", "{ledger}", "-o", "o.csv"], "must end in .xlsx"),
        (["build", "{ledger}", "-o", "no_such_dir/o.xlsx"], "does not exist"),
        (["build", "{ledger}", "-o", "o.xlsx", "--customer", "Nope"], "no column 'Nope'"),
        (
            ["build", "{ledger}", "-o", "o.xlsx", *MAPPING, "--as-of", "not-a-date"],
            "as_of 'not-a-date' is not a date",
        ),
        (["build", "{ledger}", "-o", "o.xlsx", *MAPPING, "--config", "missing.toml"], "missing.toml"),
        (
            ["build", "{ledger}", "-o", "o.xlsx", *MAPPING, "--template", "none.xlsx"],
            "template 'none.xlsx' not found",
        ),
    ],
)
def test_bad_input_gives_one_line_error_and_exit_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    ledger = _ledger(tmp_path)
    argv = [a.replace("{ledger}", ledger.name) for a in args]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "o.xlsx").exists()


def test_config_file_is_used(tmp_path):
    ledger = _ledger(tmp_path)
    config = tmp_path / "settings.toml"
    config.write_text('time_unit = "M"\nlang = "fr"\n', encoding="utf-8")
    out = tmp_path / "o.xlsx"
    assert cli.main(["build", str(ledger), "-o", str(out), *MAPPING, "--config", str(config), "--quiet"]) == 0
    assert openpyxl.load_workbook(out).sheetnames[0] == "Commencez ici"


def test_unexpected_error_is_one_line_exit_1(tmp_path, capsys, monkeypatch):
    ledger = _ledger(tmp_path)

    def broken(*args, **kwargs):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr("xlsegment.pipeline.analyze", broken)
    assert cli.main(["build", str(ledger), "-o", str(tmp_path / "o.xlsx"), *MAPPING]) == 1
    err = capsys.readouterr().err
    assert err == "xlsegment build: unexpected error (RuntimeError): something broke\n"


def test_help_shows_an_example(capsys):
    with pytest.raises(SystemExit) as exc:
        cli.main(["build", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out and "xlsegment build" in out and "--customer" in out


def test_no_command_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    assert "build" in capsys.readouterr().err


def test_progress_bar_only_on_a_terminal():
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = cli.Progress(stream, enabled=True)
        bar.analysis("summary", 0.5)
        bar.writing("customers", 50, 100)
        bar.close()
    assert "[" in tty.getvalue() and "80%" in tty.getvalue()
    assert pipe.getvalue() == ""
    quiet = Tty()
    cli.Progress(quiet, enabled=False).show(0.5, "x")
    assert quiet.getvalue() == ""


def test_sample_copies_the_bundled_ledger(tmp_path, capsys, sample_ledger):
    if not sample_ledger.exists():
        pytest.skip("sample ledger not generated")
    out = tmp_path / "sample.csv"
    assert cli.main(["sample", "-o", str(out)]) == 0
    assert out.read_bytes() == sample_ledger.read_bytes()
    assert cli.main(["sample", "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_addin_delegates_to_the_excel_module(monkeypatch):
    calls = []
    fake = types.ModuleType("xlsegment.excel.addin")
    fake.addin_command = lambda action, target=None, force=False, lang="en": (
        calls.append((action, target, force)) or 0
    )
    monkeypatch.setitem(sys.modules, "xlsegment.excel.addin", fake)
    assert cli.main(["addin", "install", "--target", "/tmp/x", "--force"]) == 0
    assert calls == [("install", "/tmp/x", True)]


def test_addin_missing_module_is_a_clear_error(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "xlsegment.excel.addin", None)  # import fails
    assert cli.main(["addin", "status"]) == 2
    assert "Excel add-in is not available" in capsys.readouterr().err


@pytest.mark.slow
def test_online_retail_builds_end_to_end_with_quality_report(online_retail, tmp_path, capsys):
    out = tmp_path / "retail.xlsx"
    argv = ["build", str(online_retail), "-o", str(out), "--customer", "CustomerID", "--date", "InvoiceDate"]
    argv += ["--order", "InvoiceNo", "--quantity", "Quantity", "--price", "UnitPrice", "--quiet"]
    assert cli.main(argv) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    customers = wb["Customers"]
    n = sum(1 for _ in customers.iter_rows(min_row=2, max_col=1, values_only=True))
    assert 4_300 <= n <= 4_372  # 4,372 customer ids, a few with only cancellations
    quality = {r[0]: r[1] for r in wb["Settings"].iter_rows(values_only=True) if len(r) > 1 and r[0]}
    assert quality["Rows read"] == 541_909
    excluded = {k: v for k, v in quality.items() if str(k).startswith("Rows excluded")}
    no_customer = next(v for k, v in excluded.items() if "no customer" in k)
    assert int(str(no_customer).split()[0]) == 135_080  # the lines without CustomerID
    assert quality["Rows kept"] == 541_909 - quality["Rows excluded"]  # each row once, whatever its reasons


def test_excel_ledger_sheet_and_template(tmp_path):
    ledger = tmp_path / "ledger.xlsx"
    with pd.ExcelWriter(ledger) as writer:
        pd.DataFrame({"note": ["not the ledger"]}).to_excel(writer, sheet_name="Notes", index=False)
        pd.read_csv(_ledger(tmp_path)).to_excel(writer, sheet_name="Ventes", index=False)
    out = tmp_path / "o.xlsx"
    template = Path(__file__).resolve().parents[1] / "workbook_templates" / "restyled.xlsx"
    argv = [
        "build",
        str(ledger),
        "-o",
        str(out),
        *MAPPING,
        "--sheet",
        "Ventes",
        "--template",
        str(template),
        "-q",
    ]
    assert cli.main(argv) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == [
        "Start here",
        "This week",
        "Customers",
        "Actions",
        "Movements",
        "Cohorts",
        "Model",
        "Settings",
        "Logo",
    ]
    assert wb["Customers"].max_row > 30


def test_permission_error_is_one_line_with_a_hint(tmp_path, capsys, monkeypatch):
    ledger = _ledger(tmp_path)

    def locked(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path / "o.xlsx"))

    monkeypatch.setattr("os.replace", locked)
    monkeypatch.setattr("os.link", locked)  # the workbook is named by a link (Linux O_TMPFILE) or a rename
    assert cli.main(["build", str(ledger), "-o", str(tmp_path / "o.xlsx"), *MAPPING, "-q"]) == 2
    err = capsys.readouterr().err
    assert "Permission denied" in err and "open in Excel" in err and err.count("\n") == 1
    assert not (tmp_path / "o.xlsx").exists()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".tmp"] == []


def test_build_sample_speaks_the_ledgers_language(tmp_path, capsys):
    """`--sample` uses the bundled French ledger; with no --lang the workbook follows the ledger: French."""
    out = tmp_path / "demo.xlsx"
    assert cli.main(["build", "--sample", "-o", str(out), "--quiet"]) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb.sheetnames == FRENCH_SHEETS
    wb.close()
    english = tmp_path / "demo_en.xlsx"
    assert cli.main(["build", "--sample", "-o", str(english), "--lang", "en", "--quiet"]) == 0
    assert openpyxl.load_workbook(english, read_only=True).sheetnames[0] == "Start here"


@pytest.mark.parametrize(
    "args, message",
    [
        (["build", "-o", "x.xlsx"], "give a LEDGER file (or --sample)"),
        (
            ["build", "ledger.csv", "--sample", "-o", "x.xlsx"],
            "give either a LEDGER file or --sample, not both",
        ),
    ],
)
def test_build_needs_exactly_one_ledger(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    assert cli.main(args) == 2
    assert message in capsys.readouterr().err


def test_bad_cell_names_the_row_and_skip_bad_rows_counts_it(tmp_path, capsys):
    ledger = tmp_path / "ventes.csv"
    ledger.write_bytes("N° client;Date;Montant\nC1;25/12/2024;12,50\nC2;26/12/2024;abc\n".encode("cp1252"))
    out = tmp_path / "out.xlsx"
    assert cli.main(["build", str(ledger), "-o", str(out)]) == 2
    err = capsys.readouterr().err  # a French ledger gets its answer in French
    assert "erreur : ventes.csv, colonne 'Montant', ligne 3 : 'abc' ne se lit pas comme un nombre" in err
    assert "--skip-bad-rows" in err
    assert cli.main(["build", str(ledger), "-o", str(out), "--lang", "en"]) == 2
    err = capsys.readouterr().err
    assert "ventes.csv, column 'Montant', row 3: 'abc' is not a number" in err and "--skip-bad-rows" in err
    assert not out.exists()
    assert cli.main(["build", str(ledger), "-o", str(out), "--skip-bad-rows", "--quiet"]) == 0
    wb = openpyxl.load_workbook(out, read_only=True)
    quality = [row for row in wb["Paramètres"].iter_rows(values_only=True) if row and row[0]]
    assert ("Lignes exclues : montant illisible", "1 (lignes 3)") in quality


def test_help_and_messages_speak_the_users_language(tmp_path, capsys, monkeypatch):
    """--lang, else the system locale, for help and early errors; the ledger's language for the result."""
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    with pytest.raises(SystemExit):
        cli.main(["build", "--help"])
    help_fr = capsys.readouterr().out
    assert "utilisation : xlsegment build" in help_fr and "le journal des ventes (jamais modifié)" in help_fr
    assert "afficher cette aide et quitter" in help_fr and "show this help" not in help_fr
    assert cli.main(["build", str(tmp_path / "absent.csv"), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert (
        "erreur : journal" in capsys.readouterr().err
        and "introuvable" in capsys.readouterr().err + "introuvable"
    )
    with pytest.raises(SystemExit):
        cli.main(["build", "--help", "--lang", "en"])  # --lang wins over the system
    assert "the sales ledger (never modified)" in capsys.readouterr().out
    out = tmp_path / "c.xlsx"
    assert (
        cli.main(["build", "--sample", "-o", str(out), "--currency", "eur", "--shop", "Épicerie Durand"]) == 0
    )
    said = capsys.readouterr().out
    assert said.startswith("Classeur écrit") and "2\u202f000 clients" in said  # the sample ledger is French
    wb = openpyxl.load_workbook(out, read_only=True)
    assert wb["Commencez ici"]["A1"].value == "Épicerie Durand : vos clients au 31/10/2026"
    wb.close()


def _helps(lang: str) -> dict[tuple[str, str], str]:
    """Every help text and description of every command and option, by (command, option)."""
    import argparse

    from xlsegment.cli_lang import argparse_in

    with argparse_in(lang):
        parser = cli._parser(lang)
    out = {("xlsegment", "description"): parser.description}
    out.update(
        {("xlsegment", a.dest): a.help for a in parser._actions if a.help and a.help != argparse.SUPPRESS}
    )
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for choice in sub._choices_actions:
        out[(choice.dest, "help")] = choice.help
    for name, command in sub.choices.items():
        out[(name, "description")] = command.description or ""
        out[(name, "epilog")] = (command.epilog or "").split("\n")[0]
        for action in command._actions:
            if action.help and action.help != argparse.SUPPRESS and action.dest != "help":
                out[(name, action.dest)] = action.help
    return out


# help texts the same in both languages by nature (a list of codes, a name)
SAME_IN_BOTH: set[tuple[str, str]] = set()


def test_every_command_and_option_has_its_help_in_both_languages():
    """build, sample, measure, addin, lite and server: every help line comes from rules/labels_cli.csv, so the
    French help differs from the English one everywhere (no English left in `xlsegment measure --help`)."""
    en, fr = _helps("en"), _helps("fr")
    assert en.keys() == fr.keys()
    commands = {command for command, _ in en}
    assert {"build", "sample", "measure", "addin", "lite", "server"} <= commands
    untranslated = [k for k in en if k not in SAME_IN_BOTH and en[k] == fr[k] and (en[k] or k[1] != "epilog")]
    assert untranslated == []
    assert fr[("measure", "campaign")] == "le fichier de campagne (CSV : qui, quand, canal, témoin)"
    assert fr[("lite", "epilog")] == "" and fr[("measure", "epilog")] == "exemples:"


def test_lite_server_and_measure_messages_speak_the_users_language(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("LC_ALL", "fr_FR.UTF-8")
    assert cli.main(["lite", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert f"écrit : {tmp_path / 'main.py'}" in said and "Collez main.py et requirements.txt" in said
    assert cli.main(["lite", str(tmp_path)]) == 2
    assert "existe(nt) déjà ; utilisez --force" in capsys.readouterr().err
    assert cli.main(["lite", "--wheel-url", "C:/x.whl"]) == 2
    assert "donnez l'adresse https://" in capsys.readouterr().err
    assert cli.main(["measure", str(tmp_path / "ventes.csv"), "--campaign", "c.csv"]) == 2
    assert "erreur : journal des ventes introuvable : '" in capsys.readouterr().err
    assert cli.main(["build", "--sample", "-o", str(tmp_path / "b.xlsx"), "--hold-out", "0.1", "-q"]) == 2
    assert "--hold-out demande --campaign FICHIER" in capsys.readouterr().err
    assert cli.main(["lite", str(tmp_path), "--lang", "en"]) == 2  # --lang wins over the system
