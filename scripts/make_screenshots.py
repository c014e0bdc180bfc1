"""The README's and the guides' screenshots (docs/img): the sample workbook as LibreOffice prints it.

    python scripts/make_screenshots.py            # needs soffice (LibreOffice) and pdftoppm (poppler-utils)

French: the first sheet (start-fr.png) and the first page of « Cette semaine » (week-fr.png); English: the first
sheet (start-en.png). Each image is one printed A4 page at 60 dpi, as a shop owner would print it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlsegment.labels import label  # noqa: E402
from xlsegment.ledger import sample_ledger_path  # noqa: E402
from xlsegment.pipeline import analyze  # noqa: E402
from xlsegment.report import build_report, describe  # noqa: E402
from xlsegment.workbook import write_workbook  # noqa: E402

IMAGES = ROOT / "docs" / "img"
SHOP = {"fr": "Épicerie Durand", "en": "Durand's Deli"}
DPI = 60


def printed_pdf(lang: str, folder: Path) -> Path:
    """The sample workbook in `lang`, printed to PDF by LibreOffice (formulas recalculated on load)."""
    analysis = analyze(sample_ledger_path(), settings={"lang": lang})
    book = write_workbook(
        describe(build_report(analysis, lang, shop=SHOP[lang])), folder / f"sample_{lang}.xlsx"
    )
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(folder / 'lo').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(book)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return folder / f"sample_{lang}.pdf"


def page_of(pdf: Path, text: str) -> int:
    """The first page (1-based) whose text holds `text`."""
    pages = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return next(i for i, page in enumerate(pages.stdout.split("\f"), 1) if text in page)


def snap(pdf: Path, page: int, target: Path) -> None:
    """One page of `pdf` as a PNG at DPI dots per inch."""
    stem = target.with_suffix("")
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(DPI),
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            str(pdf),
            str(stem),
        ],
        check=True,
    )


def main() -> int:
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        print("make_screenshots: needs soffice (LibreOffice) and pdftoppm (poppler-utils)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        french = printed_pdf("fr", folder)
        snap(french, 1, IMAGES / "start-fr.png")
        snap(french, page_of(french, label("week.title", "fr")), IMAGES / "week-fr.png")
        snap(printed_pdf("en", folder), 1, IMAGES / "start-en.png")
    for name in ("start-fr.png", "week-fr.png", "start-en.png"):
        print(f"wrote {IMAGES / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
