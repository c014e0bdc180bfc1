"""The xlwings Lite pair that `xlsegment lite` writes: main.py registers every function and button."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re

# provided by Pyodide's own repository (not pure Python) or pure-Python wheels micropip fetches from PyPI
PYODIDE_OK = {
    # DuckDB is a core dependency since issue 15: Pyodide's recipes carry DuckDB wheels for Pyodide 0.29.3, built
    # by the xlwings team for xlwings Lite (shared/design.md section 7). Whether Lite already runs 0.29 (its
    # changelog last names 0.27.5) is an open question of issues 13 and 15.
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
