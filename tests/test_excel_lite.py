"""`xlsegment lite`: the xlwings Lite files, and main.py run with the library versions of Lite's Pyodide."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from xlsegment.cli import main as cli
from xlsegment.excel.lite import main_py, requirements_txt

ROOT = Path(__file__).resolve().parents[1]
# The compiled packages each Pyodide distribution xlwings Lite runs ships (docs/architecture.md, "Pyodide"):
# Lite runs Pyodide 314.0.x since mid-2026 (314.0.0 and 314.0.1 load pyodide-recipes 314-20260521), and ran
# 0.27.5 before. Both distributions carry a DuckDB wheel, the core's engine.
PYODIDE_BUILDS = {
    "314.0.1": {"numpy": "2.4.3", "pandas": "3.0.2", "scipy": "1.17.1", "duckdb": "1.5.1"},
    "0.27.5": {"numpy": "2.0.2", "pandas": "2.2.3", "scipy": "1.14.1", "duckdb": "1.1.2"},
}
PURE_PYTHON_NEEDS = {"0.27.5": ["pytz"]}  # pandas 2.2 imports pytz (pandas 3 does not)
WHEEL = "https://example.org/wheels/xlsegment-0.1.0-py3-none-any.whl"


def test_lite_writes_the_pair_and_never_overwrites_without_force(tmp_path, capsys):
    assert cli(["lite", str(tmp_path), "--wheel-url", WHEEL]) == 0
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == main_py()
    requirements = (tmp_path / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert requirements[-1] == WHEEL and requirements[-2].startswith("xlwings>=")
    (tmp_path / "main.py").write_text("# mine", encoding="utf-8")
    assert cli(["lite", str(tmp_path)]) == 2
    assert "--force" in capsys.readouterr().err
    assert (tmp_path / "main.py").read_text(encoding="utf-8") == "# mine"
    assert cli(["lite", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "requirements.txt").read_text(encoding="utf-8").splitlines()[-1] == "xlsegment==0.1.0"


def test_a_wheel_url_must_be_a_wheel_over_http(capsys):
    assert cli(["lite", "--wheel-url", "C:/wheels/xlsegment.whl"]) == 2
    assert "https://" in capsys.readouterr().err
    with pytest.raises(ValueError):
        requirements_txt("https://example.org/xlsegment.tar.gz")


def test_without_a_folder_the_pair_is_printed(capsys):
    assert cli(["lite"]) == 0
    out = capsys.readouterr().out
    assert main_py() in out and requirements_txt() in out


PINNED_RUN = """
import asyncio, importlib.util, sys
import duckdb, numpy, pandas, scipy
print(numpy.__version__, pandas.__version__, scipy.__version__, duckdb.__version__)
import xlwings, xlwings.server
spec = importlib.util.spec_from_file_location("main", sys.argv[1] + "/main.py")
main = importlib.util.module_from_spec(spec)
spec.loader.exec_module(main)

def call(name, *args):
    payload = {"client": "Office.js", "version": xlwings.__version__, "func_name": name, "args": list(args),
               "caller_address": "[Book1.xlsx]Sheet1!D1", "runtime": "1.4", "culture_info_name": "fr-FR",
               "date_format": "dd/MM/yyyy", "session_id": "t"}
    return asyncio.run(xlwings.server.custom_functions_call(payload, main))

ledger = [["Client", "Date", "Montant"]] + [[f"c{i % 30}", 45292 + 3 * i, 10 + i % 17] for i in range(400)]
out = call("seg_segments", ledger, [["revenue, rfm_segment"]], None, None)
assert out[0] == ["Client", "Chiffre d'affaires", "Segment RFM"], out[0]
assert len([r for r in out[1:] if not str(r[0]).startswith("xlsegment")]) == 30
alive = call("seg_p_alive", [[2]], [[30.43]], [[38.86]], [[0.2426]], [[4.4135]], [[0.7929]], [[2.4258]])
assert abs(alive[0][0] - 0.727) < 5e-4, alive

import csv
from pathlib import Path
sample = Path(sys.argv[2]) / "xlsegment" / "data" / "sample_ledger.csv"
rows = list(csv.reader(sample.open(encoding="utf-8"), delimiter=";"))[:3000]
book = xlwings.Book(json={"client": "Office.js", "version": xlwings.__version__,
    "book": {"name": "Ventes.xlsx", "active_sheet_index": 0, "selection": "A1"}, "names": [],
    "sheets": [{"name": "Ventes", "values": rows, "pictures": [], "tables": []}]})
asyncio.run(xlwings.server.custom_scripts_call(main, "segment", typehint_to_value={xlwings.Book: book}))
actions = book.json()["actions"]
assert [a["args"][1] for a in actions if a["func"] == "addSheet"][:3] == ["Commencez ici", "Cette semaine", "Clients"]
assert not [a for a in actions if a["func"] == "alert"], [a for a in actions if a["func"] == "alert"]
print("ok")
"""


@pytest.mark.slow
@pytest.mark.parametrize("pyodide", PYODIDE_BUILDS)
def test_lite_main_runs_with_the_packages_of_lites_pyodide(tmp_path, pyodide):
    """main.py imported and run (functions and the Segment button, as Office.js calls them) with the numpy,
    pandas, scipy and DuckDB of the Pyodide release in front of everything else; installed once into a cache."""
    pins = [f"{name}=={version}" for name, version in PYODIDE_BUILDS[pyodide].items()]
    pins += PURE_PYTHON_NEEDS.get(pyodide, [])
    home = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    cache = home / "xlsegment" / ("pyodide-pins-" + "-".join(p.replace("==", "") for p in pins))
    if not (cache / ".done").exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", "--only-binary=:all:", "--no-deps",
             "--target", str(cache), *pins],
            check=True, timeout=600,
        )  # fmt: skip
        (cache / ".done").write_text(" ".join(pins), encoding="utf-8")
    assert cli(["lite", str(tmp_path)]) == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith("XLWINGS_")}
    env.update(
        PYTHONPATH=os.pathsep.join([str(cache), str(ROOT)]),
        XLWINGS_ON_SERVER="true",  # the Office.js decorators, as in Lite
        XLWINGS_LICENSE_KEY="noncommercial",
    )
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(PINNED_RUN), str(tmp_path), str(ROOT)],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-4000:]
    versions, last = proc.stdout.split("\n")[0], proc.stdout.strip().splitlines()[-1]
    assert versions == " ".join(PYODIDE_BUILDS[pyodide].values()) and last == "ok"
