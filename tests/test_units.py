"""units: the contract's conversions (docs/study-record.md), and that the stages use them."""

from __future__ import annotations

from gepnec_extract import units
from gepnec_extract.nlp.cells import parse_survival


def test_weeks_become_months_by_the_contract_factor():
    assert units.weeks_to_months(30) == round(30 / 4.345, 1) == 6.9
    assert units.to_months(30, in_weeks=False) == 30


def test_cycle_lengths_are_days():
    assert units.cycle_days(3, "weeks") == 21
    assert units.cycle_days(2, "w") == 14
    assert units.cycle_days(28, "days") == 28
    assert units.cycle_days(1.5, "weeks") == 10


def test_daily_units():
    assert units.daily_unit("mg/m2") == "mg/m2/day" and units.daily_unit("mg") == "mg"
    assert units.is_daily_unit("mg/m2/day") and not units.is_daily_unit("mg/m2") and not units.is_daily_unit(None)
    assert set(units.DAILY_UNITS.values()) <= set(units.DOSE_UNITS)


def test_a_table_cell_in_weeks_and_the_tagger_agree():
    from gepnec_extract.nlp import facts_in_order, get_nlp

    nlp = get_nlp()
    cell = parse_survival("43 weeks (30-52)")
    doc = nlp("The median survival was 43 weeks (range, 30-52).")
    [survival] = [s._.value for s in facts_in_order(doc) if s.label_ == "SURVIVAL"]
    assert (cell.median, cell.low, cell.high) == (survival["median"], survival["low"], survival["high"]) == (9.9, 6.9, 12.0)
