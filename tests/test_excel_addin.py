"""The classic add-in: built from xlwings' ribbon add-in with only the ribbon changed; install/remove/status."""

from __future__ import annotations

import hashlib
import io
import re
import xml.etree.ElementTree as ET
import zipfile

import openpyxl
import pytest

from xlsegment.excel import addin
from xlsegment.excel import addin_config as config

NS = "{http://schemas.microsoft.com/office/2006/01/customui}"


@pytest.fixture
def built(tmp_path):
    return addin.build_addin(tmp_path)


def test_only_the_ribbon_and_the_config_sheet_change(built):
    source = addin.source_addin()
    changed = {addin.RIBBON_PART, config.WORKBOOK_PART, config.SHEET_PART}
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(built) as dst:
        assert [i.filename for i in src.infolist()] == [i.filename for i in dst.infolist()]
        for info in src.infolist():
            same = src.read(info.filename) == dst.read(info.filename)
            assert same is (info.filename not in changed), info.filename
        vba_src = hashlib.sha256(src.read("xl/vbaProject.bin")).hexdigest()
        vba_dst = hashlib.sha256(dst.read("xl/vbaProject.bin")).hexdigest()
    assert vba_src == vba_dst == addin.part_sha256(built)


def _as_xlsm(path):
    """The add-in with the content type of a macro workbook, so that openpyxl (which refuses add-ins) reads it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled", b"ms-excel.sheet.macroEnabled")
            dst.writestr(info, data)
    return openpyxl.load_workbook(buffer, keep_vba=True)


def test_the_config_sheet_is_switched_on_with_the_interpreter_and_the_functions_module(tmp_path):
    """What xlwings' GetConfig reads: sheet "myaddin.conf" (PROJECT_NAME of the VBA), key in A, value in B."""
    python = r"C:\Users\Zoé & Co\Python312\pythonw.exe"
    path = addin.build_addin(tmp_path, interpreter={"Interpreter_Win": python})
    book = _as_xlsm(path)  # read back by an independent OOXML reader
    assert book.sheetnames == ["myaddin.conf"]
    values = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True) if row[0]}
    assert values["Interpreter_Win"] == python and values["UDF Modules"] == "xlsegment.excel"
    assert values["Interpreter_Mac"] is None and values["Debug UDFs"] is False  # the rest as xlwings ships it
    assert addin.addin_settings_of(path) == {"Interpreter_Win": python, "UDF Modules": "xlsegment.excel"}
    assert addin.addin_settings_of(addin.source_addin()) == {}  # xlwings ships it switched off


def test_the_interpreter_is_the_python_that_installs(tmp_path):
    scripts = tmp_path / "Scripts"
    scripts.mkdir()
    (scripts / "python.exe").write_bytes(b"")
    assert config.running_interpreter("win32", str(scripts / "python.exe")) == {
        "Interpreter_Win": str(scripts / "python.exe")
    }
    (scripts / "pythonw.exe").write_bytes(b"")  # windowless: no console flashes up at each click
    assert config.running_interpreter("win32", str(scripts / "python.exe")) == {
        "Interpreter_Win": str(scripts / "pythonw.exe")
    }
    assert config.running_interpreter("darwin", "/opt/py/bin/python3") == {
        "Interpreter_Mac": "/opt/py/bin/python3"
    }
    assert config.running_interpreter("linux", "/usr/bin/python3") == {}  # Excel does not run there


def test_an_unknown_config_key_is_refused(tmp_path):
    with zipfile.ZipFile(addin.source_addin()) as z:
        strings = config.shared_strings(z.read(config.STRINGS_PART).decode())
        sheet = z.read(config.SHEET_PART).decode()
    with pytest.raises(ValueError, match="Interpreter_Linux"):
        config.write_values(sheet, strings, {"Interpreter_Linux": "/usr/bin/python3"})


def test_ribbon_is_well_formed_and_wired_to_the_existing_callback(built):
    with zipfile.ZipFile(built) as z:
        root = ET.fromstring(z.read(addin.RIBBON_PART))
        vba = z.read("xl/vbaProject.bin")
    assert root.tag == f"{NS}customUI"
    tab = root.find(f"{NS}ribbon/{NS}tabs/{NS}tab")
    assert tab.get("id") == "xlsegmentTab" and tab.get("label") == "xlsegment"
    buttons = tab.findall(f".//{NS}button")
    assert buttons and all(b.get("onAction") == "RibbonMyAddin.RunMain" for b in buttons)
    # the callback the buttons call exists in the VBA project we kept (module name and Sub name)
    assert b"RibbonMyAddin" in vba and b"RunMain" in vba
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_french_ribbon(tmp_path):
    path = addin.build_addin(tmp_path / "fr.xlam", lang="fr")
    with zipfile.ZipFile(path) as z:
        xml = z.read(addin.RIBBON_PART).decode()
    assert 'label="Segmenter"' in xml and 'label="Clients"' in xml


def test_file_name_makes_the_vba_run_our_main():
    # RunMain runs "import <file name without extension>; <that>.main()"
    module = addin.ADDIN_NAME.rsplit(".", 1)[0]
    assert module == "xlsegment.excel"
    import xlsegment.excel

    assert callable(xlsegment.excel.main)
    # "Import Functions" imports the UDFs from the same module name
    assert {n for n in dir(xlsegment.excel) if n.startswith("seg_")} >= {"seg_summary", "seg_abc", "seg_rfm"}


def test_install_status_remove(tmp_path, capsys, monkeypatch):
    python = tmp_path / "py" / "python.exe"
    monkeypatch.setattr(config, "running_interpreter", lambda: {"Interpreter_Win": str(python)})
    target = str(tmp_path / "XLSTART")
    assert addin.addin_command("status", target=target) == 1
    assert addin.addin_command("install", target=target) == 0
    assert f"Interpreter_Win: {python}" in capsys.readouterr().out
    path = tmp_path / "XLSTART" / addin.ADDIN_NAME
    assert addin.is_our_addin(path)
    assert addin.addin_command("status", target=target) == 0
    out = capsys.readouterr().out
    assert "functions not imported yet" in out and "UDF Modules: xlsegment.excel" in out
    assert addin.addin_command("install", target=target) == 0  # update in place
    assert "import them again" not in capsys.readouterr().out
    assert addin.addin_command("remove", target=target) == 0
    assert not path.exists()
    assert addin.addin_command("remove", target=target) == 0


def test_an_update_says_the_imported_functions_must_be_imported_again(tmp_path, capsys):
    path = addin.build_addin(tmp_path)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "imported.xlam", "w") as dst:
        for info in src.infolist():  # "Import Functions" adds a VBA module: the project's bytes change
            data = src.read(info.filename)
            dst.writestr(info, data + b"xlwings_udfs" if info.filename == addin.VBA_PART else data)
    (tmp_path / "imported.xlam").replace(path)
    assert addin.addin_command("status", target=str(tmp_path)) == 0
    assert "functions imported" in capsys.readouterr().out
    assert addin.addin_command("install", target=str(tmp_path)) == 0
    assert "import them again" in capsys.readouterr().out
    assert addin.part_sha256(path) == addin.part_sha256(addin.source_addin())


def test_never_overwrites_or_removes_a_file_it_did_not_build(tmp_path, capsys):
    foreign = tmp_path / addin.ADDIN_NAME
    foreign.write_bytes(b"someone else's add-in")
    assert addin.addin_command("install", target=str(tmp_path)) == 1
    assert addin.addin_command("remove", target=str(tmp_path)) == 1
    assert foreign.read_bytes() == b"someone else's add-in"
    assert "--force" in capsys.readouterr().err
    assert addin.addin_command("install", target=str(tmp_path), force=True) == 0
    assert addin.is_our_addin(foreign)


def test_without_excel_and_target_it_only_reports(monkeypatch, capsys):
    monkeypatch.setattr(addin, "default_startup_folder", lambda: None)
    assert addin.addin_command("install") == 0
    out = capsys.readouterr().out
    assert "--target" in out and re.search(r"XLSTART", out)


def test_unknown_action():
    assert addin.addin_command("upgrade") == 2
