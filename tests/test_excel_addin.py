"""The classic add-in: built from xlwings' ribbon add-in with only the ribbon changed; install/remove/status."""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from xlsegment.excel import addin

NS = "{http://schemas.microsoft.com/office/2006/01/customui}"


@pytest.fixture
def built(tmp_path):
    return addin.build_addin(tmp_path)


def test_only_the_ribbon_changes(built):
    source = addin.source_addin()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(built) as dst:
        assert [i.filename for i in src.infolist()] == [i.filename for i in dst.infolist()]
        for info in src.infolist():
            if info.filename == addin.RIBBON_PART:
                assert src.read(info.filename) != dst.read(info.filename)
            else:
                assert src.read(info.filename) == dst.read(info.filename), info.filename
        vba_src = hashlib.sha256(src.read("xl/vbaProject.bin")).hexdigest()
        vba_dst = hashlib.sha256(dst.read("xl/vbaProject.bin")).hexdigest()
    assert vba_src == vba_dst == addin.part_sha256(built)


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


def test_install_status_remove(tmp_path, capsys):
    target = str(tmp_path / "XLSTART")
    assert addin.addin_command("status", target=target) == 1
    assert addin.addin_command("install", target=target) == 0
    path = tmp_path / "XLSTART" / addin.ADDIN_NAME
    assert addin.is_our_addin(path)
    assert addin.addin_command("status", target=target) == 0
    assert "identical to" in capsys.readouterr().out
    assert addin.addin_command("install", target=target) == 0  # update in place
    assert addin.addin_command("remove", target=target) == 0
    assert not path.exists()
    assert addin.addin_command("remove", target=target) == 0


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
