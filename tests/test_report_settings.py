"""The channel capacities of the contact plan read as settings: one row per channel (its label, contacts per week)
on the workbook's Paramètres sheet and on the buttons' editable Settings sheet, where an edited value comes back
as the plan's capacity."""

from __future__ import annotations

from types import SimpleNamespace

from xlsegment.actions.schedule import DEFAULT_CAPACITY, capacities
from xlsegment.labels import label
from xlsegment.report.tables import settings_table
from xlsegment.settings import Settings


def _analysis(settings: Settings) -> SimpleNamespace:
    return SimpleNamespace(settings=settings, quality=None, customers=None)


def test_capacities_are_labelled_rows_with_whole_numbers():
    settings = Settings(lang="fr", actions={"capacity": capacities({"phone": 12})})
    frame = settings_table(_analysis(settings), "fr").frame
    rows = dict(zip(frame.iloc[:, 0], frame.iloc[:, 1], strict=True))
    assert rows["Appels par semaine"] == 12
    assert rows["Lettres par semaine"] == 100 and rows["Visites par semaine"] == 5
    assert rows["Invitations à un événement par semaine"] == 50
    for channel, default in DEFAULT_CAPACITY.items():
        name = label(f"setting.actions.capacity.{channel}", "fr")
        assert name != f"setting.actions.capacity.{channel}" and name in rows, channel
        assert rows[name] == (12 if channel == "phone" else default)
    assert not [k for k in rows if "capacity" in str(k) or "{" in str(rows[k])]  # no key, no JSON


def test_capacities_on_the_settings_sheet_are_edited_like_any_setting():
    from xlsegment.excel.scripts import settings_layout

    layout = settings_layout(Settings(), "en")
    rows = [r for r in layout.rows if r and str(r[0]).startswith("actions.capacity.")]
    assert [r[0].split(".")[-1] for r in rows] == list(DEFAULT_CAPACITY)
    assert all(isinstance(r[1], int) and r[2] for r in rows)  # a number and what it does, not JSON
    edited = [(key, 7 if key == "actions.capacity.email" else value) for key, value, _ in rows]
    back = Settings.from_rows(edited)
    assert capacities(back.actions["capacity"]) == {**DEFAULT_CAPACITY, "email": 7}
