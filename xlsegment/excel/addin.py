"""The classic Excel add-in (`xlsegment.excel.xlam`): built from xlwings' quickstart ribbon add-in, installed.

The add-in is xlwings' own `quickstart_addin_ribbon.xlam` with the ribbon (`customUI/customUI.xml`) now an
xlsegment tab, and its config sheet switched on and filled in (`addin_config`: the Python to run, the module
of the functions). Every other entry, the VBA project included, is copied byte for byte, so the add-in runs
the VBA xlwings ships and nothing else. Its button calls the existing VBA callback
`RibbonMyAddin.RunMain`, which runs `import <file name>; <file name>.main()`: with the file named
`xlsegment.excel.xlam` that is `xlsegment.excel.main()`, defined here. New VBA callbacks would need Excel
to write, so the classic ribbon has one Python button; the server and Lite runtimes have one per script.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import xlwings

from xlsegment.excel import addin_config as config
from xlsegment.labels import check_lang, label

ADDIN_NAME = "xlsegment.excel.xlam"
RIBBON_PART = "customUI/customUI.xml"
VBA_PART = "xl/vbaProject.bin"
TAB_ID = "xlsegmentTab"  # how install/remove recognise an add-in this module built
CALLBACK = "RibbonMyAddin.RunMain"  # the VBA callback the quickstart add-in already has


def source_addin() -> Path:
    """xlwings' quickstart ribbon add-in, the template (shipped in the installed xlwings package)."""
    return Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


def ribbon_xml(lang: str = "en") -> str:
    """The xlsegment ribbon: one tab, one group, the Segment button wired to `RibbonMyAddin.RunMain`."""
    lang = check_lang(lang)
    from xlsegment import __version__

    tab = quoteattr(label("excel.ribbon.tab", lang))
    group = quoteattr(label("excel.ribbon.group", lang))
    button = quoteattr(label("excel.ribbon.segment", lang))
    tip = quoteattr(f"xlsegment {__version__}")
    help_text = quoteattr(label("excel.ribbon.segment_help", lang))
    hint = quoteattr(label("excel.ribbon.settings_hint", lang))
    return (
        '<customUI xmlns="http://schemas.microsoft.com/office/2006/01/customui">\n'
        "    <ribbon>\n"
        "        <tabs>\n"
        f'            <tab id="{TAB_ID}" label={tab}>\n'
        f'                <group id="xlsegmentGroup" label={group}>\n'
        f'                    <button id="xlsegmentSegment" label={button} size="large" onAction="{CALLBACK}" '
        f'imageMso="MacroPlay" screentip={tip} supertip={help_text} />\n'
        f'                    <labelControl id="xlsegmentHint" label={hint} />\n'
        "                </group>\n"
        "            </tab>\n"
        "        </tabs>\n"
        "    </ribbon>\n"
        "</customUI>\n"
    )


def build_addin(
    target: str | Path,
    lang: str = "en",
    source: str | Path | None = None,
    interpreter: dict[str, str] | None = None,
) -> Path:
    """Write the add-in to `target` (a file, or a folder that gets `xlsegment.excel.xlam`); return its path.

    The ribbon and the config sheet change (`interpreter`: {"Interpreter_Win": path} or none); every other
    entry keeps its order, name, date and bytes.
    """
    source = Path(source) if source else source_addin()
    target = Path(target)
    if target.is_dir():
        target = target / ADDIN_NAME
    tmp = target.with_name(target.name + ".tmp")
    with zipfile.ZipFile(source) as src:
        if RIBBON_PART not in src.namelist():
            raise ValueError(f"{source} has no {RIBBON_PART}: not xlwings' ribbon add-in")
        strings = config.shared_strings(src.read(config.STRINGS_PART).decode("utf-8"))
        rewritten = {
            RIBBON_PART: ribbon_xml(lang),
            config.WORKBOOK_PART: config.switch_on(src.read(config.WORKBOOK_PART).decode("utf-8")),
            config.SHEET_PART: config.write_values(
                src.read(config.SHEET_PART).decode("utf-8"), strings, config.addin_settings(interpreter)
            ),
        }
        with zipfile.ZipFile(tmp, "w") as dst:
            for info in src.infolist():
                name = info.filename
                data = rewritten[name].encode("utf-8") if name in rewritten else src.read(name)
                dst.writestr(info, data, info.compress_type)
    os.replace(tmp, target)
    return target


def addin_settings_of(path: str | Path) -> dict[str, str]:
    """The settings an installed add-in carries in its config sheet (empty when the sheet is switched off)."""
    with zipfile.ZipFile(path) as z:
        if f'name="{config.SHEET_NAME}"' not in z.read(config.WORKBOOK_PART).decode("utf-8"):
            return {}
        strings = config.shared_strings(z.read(config.STRINGS_PART).decode("utf-8"))
        return config.read_values(z.read(config.SHEET_PART).decode("utf-8"), strings)


def is_our_addin(path: str | Path) -> bool:
    """True when `path` is an add-in this module built (its ribbon has the xlsegment tab)."""
    try:
        with zipfile.ZipFile(path) as z:
            return f'id="{TAB_ID}"' in z.read(RIBBON_PART).decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False


def part_sha256(path: str | Path, part: str = VBA_PART) -> str:
    """SHA-256 of one entry of an Office file (the VBA project by default)."""
    with zipfile.ZipFile(path) as z:
        return hashlib.sha256(z.read(part)).hexdigest()


def default_startup_folder() -> Path | None:
    """Excel's per-user startup folder (XLSTART) on Windows and macOS; None where Excel does not run."""
    if sys.platform.startswith("win") and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return Path.home() / "Library/Group Containers/UBF8T346G9.Office/User Content/Startup/Excel"
    return None


def addin_command(action: str, *, target: str | None = None, force: bool = False, lang: str = "en") -> int:
    """`xlsegment addin install|remove|status`: print what was done and return an exit code (0 = ok).

    `target` is the folder (or .xlam path) to install into; default Excel's XLSTART folder on Windows and
    macOS. Where Excel does not run (Linux) and no target is given, it only reports what it would do.
    A file of the same name that this module did not build is never overwritten or removed without `force`.
    """
    action = (action or "").strip().lower()
    if action not in ("install", "remove", "status"):
        print(f"xlsegment addin: unknown action {action!r}; use install, remove or status", file=sys.stderr)
        return 2
    folder = Path(target).expanduser() if target else default_startup_folder()
    if folder is None:
        print(
            "Excel does not run on this system, so there is no startup folder to use.\n"
            f"'xlsegment addin {action} --target DIR' would {_verb(action)} {ADDIN_NAME} in DIR; on Windows the "
            r"default DIR is %APPDATA%\Microsoft\Excel\XLSTART (see docs/excel.md)."
        )
        return 0
    path = folder / ADDIN_NAME if folder.suffix.lower() != ".xlam" else folder
    if action == "status":
        return _status(path)
    if action == "install":
        return _install(path, force, lang)
    return _remove(path, force)


def _verb(action: str) -> str:
    return {"install": "write", "remove": "delete", "status": "look for"}[action]


def _status(path: Path) -> int:
    if not path.exists():
        print(f"not installed: {path} does not exist ('xlsegment addin install' writes it)")
        return 1
    if not is_our_addin(path):
        print(f"{path} exists but was not built by xlsegment (no xlsegment ribbon tab)")
        return 1
    functions = (
        "functions imported (VBA project extended)"
        if _functions_imported(path)
        else "functions not imported yet"
    )
    print(f"installed: {path} (xlwings {xlwings.__version__} VBA, {functions})")
    _print_settings(addin_settings_of(path))
    return 0


def _functions_imported(path: Path) -> bool:
    """Whether the user imported xlsegment's functions into this add-in (its VBA project is no longer ours)."""
    return part_sha256(path) != part_sha256(source_addin())


def _print_settings(settings: dict[str, str]) -> None:
    for key, value in settings.items():
        print(f"  {key}: {value}")


def _install(path: Path, force: bool, lang: str) -> int:
    if path.exists() and not is_our_addin(path) and not force:
        print(
            f"refused: {path} exists and was not built by xlsegment; use --force to replace it",
            file=sys.stderr,
        )
        return 1
    existed = path.exists()
    had_functions = existed and is_our_addin(path) and _functions_imported(path)
    interpreter = config.running_interpreter()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        built = build_addin(Path(tmp) / ADDIN_NAME, lang=lang, interpreter=interpreter)
        shutil.copyfile(built, path)
    print(f"{'updated' if existed else 'installed'}: {path}")
    _print_settings(config.addin_settings(interpreter))
    if had_functions:
        print(
            "The functions imported into the previous add-in went with it: import them again (docs/excel.md)."
        )
    print("Restart Excel; the ribbon shows an 'xlsegment' tab. One-time steps: see docs/excel.md.")
    return 0


def _remove(path: Path, force: bool) -> int:
    if not path.exists():
        print(f"nothing to remove: {path} does not exist")
        return 0
    if not is_our_addin(path) and not force:
        print(f"refused: {path} was not built by xlsegment; use --force to delete it anyway", file=sys.stderr)
        return 1
    path.unlink()
    print(f"removed: {path}")
    return 0


def main() -> None:
    """The classic ribbon button: settings (written once), segment and mailing lists for the active workbook."""
    from xlsegment.excel.scripts import _safely, one_click

    _safely(one_click, xlwings.Book.caller())
