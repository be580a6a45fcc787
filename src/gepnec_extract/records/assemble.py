"""Merge cohorts from tables and text into one record per study and cohort.

Values from tables come first, so when text and table disagree the table's value is kept and the
text's is recorded as a conflict. A study with several cohorts calls its whole-cohort record
"All patients" (unless a source named it), and the whole cohort's population becomes "mixed"
when its sub-cohorts differ.
"""

from __future__ import annotations


from .cohort import OWN_FIGURES, Cohort
from .context import DocContext


def assemble(cohorts: list[Cohort], ctx: DocContext) -> list[Cohort]:
    describing = [c for c in cohorts if c.study_level]
    cohorts = [c for c in cohorts if not c.study_level]
    ordered = sorted(cohorts, key=lambda c: 0 if "table" in c.sources else 1)  # tables first: they win
    merged: dict[tuple[str, str], Cohort] = {}
    order: list[tuple[str, str]] = []
    for cohort in ordered:
        key = (cohort.study.study_id.lower(), cohort.arm_key)
        if key in merged:
            merged[key].merge(cohort)
        else:
            merged[key] = cohort
            order.append(key)
    result = [merged[k] for k in order if merged[k].values]
    _describe_cohorts(result, describing)
    result = _fold_study_level_cohorts(result)
    _name_whole_cohorts(result)
    _table_doses_for_whole_series(result)
    _share_study_values(result)
    _share_population(result)
    _share_totals(result)
    groups = _by_study(result)
    result = [c for c in result if not _empty_whole_series(c, groups[c.study.study_id])]
    for cohort in result:
        _percent_sites(cohort)
    return result


def _by_study(cohorts: list[Cohort]) -> dict[str, list[Cohort]]:
    groups: dict[str, list[Cohort]] = {}
    for cohort in cohorts:
        groups.setdefault(cohort.study.study_id, []).append(cohort)
    return groups


def _empty_whole_series(cohort: Cohort, group: list[Cohort]) -> bool:
    """The whole series of a study with sub-cohorts is a record only when it has figures of its
    own; its size and primary sites alone describe the sub-cohorts' study, not an extra cohort."""
    if cohort.arm_key and cohort.arm not in ("All patients",):
        return False
    return len(group) > 1 and not (OWN_FIGURES & {k for k, v in cohort.values.items() if v not in (None, [])})


def _describe_cohorts(cohorts: list[Cohort], describing: list[Cohort]) -> None:
    """Rows that describe a study (its regimen and doses, design, line, sites) fill its cohorts:
    regimen, doses, line and design go to each cohort; the rest to the whole series (or the one
    cohort). A study with no cohort of its own gets nothing: a list of designs is not evidence."""
    groups = _by_study(cohorts)
    for row in describing:
        group = groups.get(row.study.study_id)
        if not group or not any((OWN_FIGURES | {"n_patients"}) & set(c.values) for c in group):
            continue  # a study merely mentioned is not made a record by the rows describing it
        if row.for_arm:  # "A: ..." describes the cohort that arm names ("Regimen A")
            arm = row.for_arm.lower()
            group = [c for c in group if (c.arm or "").lower() == arm or (c.arm or "").lower().endswith(" " + arm)]
            if not group:
                continue
        whole = next((c for c in group if not c.arm_key), group[0] if len(group) == 1 else None)
        if row.describes:  # "FOLFIRI": the one cohort on that regimen
            named = [c for c in group if (c.values.get("regimen") or "").lower() == row.describes.lower()]
            if len(named) > 1:  # the arm on it rather than a whole series said to be on it
                named = [c for c in named if c.arm_key and "table" in c.sources]
            whole = named[0] if len(named) == 1 else whole
        by_field = {}
        for ev in row.evidence:
            by_field.setdefault(ev.field, ev)
        for name, value in row.values.items():
            evidence = by_field.get(name)
            if evidence is None:
                continue
            if name in SHARED_FIELDS:  # said of the study: for each cohort whose table does not say otherwise
                targets = [c for c in group if not (name in ("drugs", "doses") and _other_regimen(c, row))]
                for cohort in targets:
                    if _from_text_only(cohort, name, row):  # a table row outranks the running text
                        cohort.values.pop(name)
                        cohort.evidence = [e for e in cohort.evidence if e.field != name]
                targets = [c for c in targets if not c.values.get(name)]
            else:
                targets = _named_cohorts(evidence.text, group, whole)
            for cohort in [t for t in targets if t is not None]:
                cohort.set(name, value, evidence)


def _from_text_only(cohort: Cohort, name: str, row: Cohort) -> bool:
    sources = {e.source.split(":")[0] for e in cohort.evidence if e.field == name}
    if not cohort.values.get(name) or sources != {"text"} or name == "drugs":
        return False
    if name == "doses":  # a schedule cell of the same drugs prints what the prose leaves out (route, days)
        return _dosed_drugs(cohort.values[name]) == _dosed_drugs(row.values[name])
    return True


def _dosed_drugs(doses: list) -> set[str]:
    return {dose.drug for dose in doses}


def _other_regimen(cohort: Cohort, row: Cohort) -> bool:
    """The cohort's own regimen names other drugs than the describing row's."""
    mine, theirs = set(cohort.values.get("drugs") or []), set(row.values.get("drugs") or [])
    return bool(mine and theirs and mine != theirs)


def _named_cohorts(text: str, group: list[Cohort], whole: Cohort | None) -> list[Cohort]:
    """Where a study-wide cell goes: to the cohort it names in brackets ("GEP 14, lung 1 (NEC cohort)");
    else to the whole series, and to the subgroup named by its one primary site as well ("Unknown
    primary 48" beside an "Unknown primary site" cohort)."""
    from ..nlp.phrases import bracketed_cohort, parse_sites, population_of, site_name

    bracket = bracketed_cohort(text)
    if bracket:
        wanted = population_of(bracket)
        wanted = {"NEC": {"NEC", "PDNEC"}, "PDNEC": {"NEC", "PDNEC"}}.get(wanted, {wanted})
        named = [c for c in group if c.arm_key and population_of(c.arm or "") in wanted]
        if len(named) == 1:
            return named
    targets = [whole] if whole is not None else []
    sites = parse_sites(text or "")
    if len(sites) == 1:
        named = [c for c in group if c.arm and site_name(c.arm) == sites[0].site]
        if len(named) == 1 and named[0] is not whole:
            targets.append(named[0])
    return targets


STUDY_LEVEL = {"regimen", "drugs", "doses", "line", "design", "n_total", "population"}


def _fold_study_level_cohorts(cohorts: list[Cohort]) -> list[Cohort]:
    """A whole-study cohort from text that says only study-level things (doses, design, line...)
    of a study whose cohorts the tables name is not a cohort of its own: its values go to them."""
    kept = []
    groups = _by_study(cohorts)
    for cohort in cohorts:
        siblings = [c for c in groups[cohort.study.study_id] if c is not cohort]
        if (not cohort.arm_key and siblings and "table" not in cohort.sources
                and set(cohort.values) <= STUDY_LEVEL):
            for sibling in siblings:
                sibling.merge(_for_untreated(cohort) if _untreated(sibling) else cohort)
        else:
            kept.append(cohort)
    return kept


TREATMENT_FIELDS = {"regimen", "drugs", "doses", "line"}


def _for_untreated(cohort: Cohort) -> Cohort:
    """What a study-level text cohort says that also holds for an untreated comparator: not the
    treatment, its doses or its line."""
    return Cohort(study=cohort.study, arm=cohort.arm,
                  values={k: v for k, v in cohort.values.items() if k not in TREATMENT_FIELDS},
                  evidence=[e for e in cohort.evidence if e.field not in TREATMENT_FIELDS])


def _percent_sites(cohort: Cohort) -> None:
    """Site figures that add up to 100 and to more than the cohort are percentages: keep the sites,
    drop the n (a sum merely above the cohort size is a source's own inconsistency, kept as printed)."""
    sites = cohort.values.get("primary_sites") or []
    size = cohort.values.get("n_patients") or cohort.values.get("n_total")
    total = sum(site.n or 0 for site in sites)
    if size and total > size and 98 <= total <= 102:
        cohort.values["primary_sites"] = [site.model_copy(update={"n": None}) for site in sites]


def _name_whole_cohorts(cohorts: list[Cohort]) -> None:
    for group in _by_study(cohorts).values():
        if len(group) < 2:
            if not group[0].arm_key:
                group[0].arm = None  # a study's one cohort is the study itself, however the text names it
            continue
        for cohort in group:
            if cohort.arm is None:
                cohort.arm = "All patients"
            if not cohort.arm_key:
                pops = {c.values.get("population") for c in group if c.arm_key} - {None}
                if len(pops) > 1:
                    cohort.values["population"] = "mixed"


SHARED_FIELDS = ("regimen", "drugs", "doses", "line", "design")


def _share_study_values(cohorts: list[Cohort]) -> None:
    """Regimen, doses, line and design said once of a study apply to each of its cohorts."""
    for group in _by_study(cohorts).values():
        for name in SHARED_FIELDS:
            sources = [c for c in group if c.values.get(name)]
            if len(sources) != len(group) and sources:
                donor = next((c for c in sources if not c.arm_key), sources[0])
                evidence = next((e for e in donor.evidence if e.field == name), None)
                for cohort in group:
                    if not cohort.values.get(name) and evidence is not None \
                            and not (_untreated(cohort) and name in TREATMENT_FIELDS):
                        cohort.set(name, donor.values[name], evidence)


def _table_doses_for_whole_series(cohorts: list[Cohort]) -> None:
    """Tables first: a whole series whose doses only the running text gives takes the doses its
    table cohorts all print, when they are of the same drugs (one regimen, read twice)."""
    for group in _by_study(cohorts).values():
        whole = next((c for c in group if not c.arm_key), None)
        if whole is None or not whole.values.get("doses") or "table" in _dose_sources(whole):
            continue
        tabled = [c for c in group if c is not whole and _dose_sources(c) == {"table"}]
        if not tabled or len(tabled) != len(group) - 1:
            continue
        first = tabled[0].values["doses"]
        if any(c.values["doses"] != first for c in tabled[1:]):
            continue
        if {d.drug for d in first} != {d.drug for d in whole.values["doses"]}:
            continue
        evidence = next(e for e in tabled[0].evidence if e.field == "doses")
        whole.values["doses"] = list(first)
        whole.evidence = [e for e in whole.evidence if e.field != "doses"] + [evidence]


def _dose_sources(cohort: Cohort) -> set[str]:
    return {e.source.split(":")[0] for e in cohort.evidence if e.field == "doses"}


def _untreated(cohort: Cohort) -> bool:
    """A comparator whose regimen cell names no drug ("no chemotherapy"): nothing of the treated arm's applies."""
    return cohort.no_drug_regimen and not cohort.values.get("drugs")


def _share_population(cohorts: list[Cohort]) -> None:
    """A subgroup with no tumour type of its own (a site, a marker level, a performance status) is of
    its whole series' population."""
    for group in _by_study(cohorts).values():
        whole = next((c for c in group if not c.arm_key), None)
        population = whole.values.get("population") if whole else None
        if population is None:
            continue
        for cohort in group:  # as tables set a cohort's default population: a value, no evidence of its own
            if cohort is not whole and not cohort.values.get("population"):
                cohort.values["population"] = population


def _share_totals(cohorts: list[Cohort]) -> None:
    """Sub-cohorts of a study whose whole series has a size: that size is their n_total."""
    for group in _by_study(cohorts).values():
        whole = next((c for c in group if not c.arm_key), None)
        size = whole.values.get("n_patients") if whole else None
        if not size or len(group) < 2:
            continue
        evidence = next((e for e in whole.evidence if e.field == "n_patients"), None)
        for cohort in group:
            if cohort is not whole and cohort.values.get("n_patients") != size and evidence is not None:
                cohort.set("n_total", size, evidence.model_copy(update={"field": "n_total"}))
