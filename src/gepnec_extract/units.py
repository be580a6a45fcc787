"""Units of a study record, and the conversions between them (docs/study-record.md).

Survival is kept in months: a figure printed in weeks becomes weeks / 4.345, one decimal (the
contract's factor, not a calendar average: pint's month, a twelfth of a Julian year, would give
4.348 weeks and other numbers). A cycle length (``schedule``) is kept in days. A dose keeps its
printed unit, normalized to one of DOSE_UNITS.

Numbers only: reading a unit from words ("every 3 weeks", "mg/m2 per day") is the tagger's work
(nlp/), which calls these to convert what it read.
"""

from __future__ import annotations

WEEKS_PER_MONTH = 4.345
DAYS_PER_WEEK = 7

# the contract's dose units; mCi is kept as printed (a radionuclide dose the contract does not list)
DOSE_UNITS = ("mg/m2", "mg/m2/day", "mg/kg", "mg", "AUC", "g/m2", "GBq", "mCi")
# a unit and the same unit given every day of the cycle days ("mg/m2 per day")
DAILY_UNITS = {"mg/m2": "mg/m2/day"}


def weeks_to_months(weeks: float) -> float:
    """Survival printed in weeks, in months as the contract keeps it (one decimal)."""
    return round(weeks / WEEKS_PER_MONTH, 1)


def to_months(value: float, in_weeks: bool) -> float:
    """A survival figure in months, whether it was printed in months or in weeks."""
    return weeks_to_months(value) if in_weeks else value


def is_week_unit(unit: str) -> bool:
    """'weeks', 'wk', 'w', 'weekly' (as the tagger read them) name weeks; 'days', 'd' do not."""
    return unit.strip().lower().startswith("w")


def cycle_days(count: float, unit: str) -> int:
    """A cycle length in days: (3, 'weeks') -> 21, (28, 'days') -> 28, (2, 'w') -> 14."""
    return int(count * DAYS_PER_WEEK) if is_week_unit(unit) else int(count)


def daily_unit(unit: str) -> str:
    """The per-day form of a dose unit ('mg/m2' -> 'mg/m2/day'); a unit without one is returned."""
    return DAILY_UNITS.get(unit, unit)


def is_daily_unit(unit: str | None) -> bool:
    return unit in DAILY_UNITS.values()
