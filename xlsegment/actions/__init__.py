"""Per-segment actions: the editable playbook, the next action per customer, mailing lists, budget, loyalty.

Public: `load_playbook`, `plan_actions`, `contact_plan`, `mailing_lists`, `budget_split`, `loyalty_points` (re-exported lazily
by the top-level package), plus their result types and helpers.
"""

from __future__ import annotations

from xlsegment.actions.budget import BudgetSplit, budget_split
from xlsegment.actions.contact_plan import contact_plan
from xlsegment.actions.loyalty import loyalty_points
from xlsegment.actions.mailing import MailingLists, mailing_lists, salutations, write_csv
from xlsegment.actions.plan import ActionPlan, plan_actions
from xlsegment.actions.playbook import PlaybookError, PlaybookWarning, load_playbook, parse_cadence

__all__ = [
    "ActionPlan",
    "BudgetSplit",
    "MailingLists",
    "PlaybookError",
    "PlaybookWarning",
    "budget_split",
    "contact_plan",
    "load_playbook",
    "loyalty_points",
    "mailing_lists",
    "parse_cadence",
    "plan_actions",
    "salutations",
    "write_csv",
]
