"""The xlwings Lite pair that `xlsegment lite` writes: main.py registers every function and button."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re

# provided by Pyodide's own repository (not pure Python) or pure-Python wheels micropip fetches from PyPI
PYODIDE_OK = {
    # DuckDB (a core dependency) is a Pyodide package: 1.5.1 in Pyodide 314.0.x, which xlwings Lite runs, and
    # 1.1.2 in 0.27.5, which it ran before (docs/architecture.md, "Pyodide"; tests/test_excel_lite.py runs both)
    "duckdb",
    "pandas",
    "numpy",
    "scipy",
    "openpyxl",
    "xlwings",
    "et-xmlfile",
    "python-dateutil",
    "pytz",
    "tzdata",
    "six",
}


def _load_main(folder):
    spec = importlib.util.spec_from_file_location("lite_main", folder / "main.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lite_main_registers_every_function_and_button(server, tmp_path):
    from xlsegment.excel import functions, scripts
    from xlsegment.excel.lite import write_lite

    write_lite(tmp_path)
    main = _load_main(tmp_path)
    lite_ids = {f["id"] for f in server.custom_functions_meta(main)["functions"]}
    assert lite_ids == {f["id"] for f in server.custom_functions_meta(functions)["functions"]}
    buttons = {s["function_name"] for s in server.custom_scripts_meta(main)}
    assert buttons == {s["function_name"] for s in server.custom_scripts_meta(scripts)}
    assert buttons == {"segment", "refresh", "mailing", "settings"}


def _names(lines: list[str]) -> set[str]:
    out = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            out.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower())
    return out


def test_requirements_install_in_pyodide(tmp_path):
    from xlsegment.excel.lite import requirements_txt

    assert _names(requirements_txt().splitlines()) == {"xlwings", "xlsegment"}
    # xlsegment's own runtime dependencies must all be installable in Pyodide
    requires = importlib.metadata.requires("xlsegment") or []
    runtime = _names([r for r in requires if "extra ==" not in r])
    assert runtime <= PYODIDE_OK, runtime - PYODIDE_OK
