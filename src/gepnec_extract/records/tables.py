"""Tables become cohorts. The header of each column (or the label of each row, in a transposed
table) says what its cells hold; the table's shape says what a row or a column is:

- studies:   one row per cited study (a "First author (year) [ref]" column), cells that may hold
             several cohorts each ("Carcinoid WDNET, 0 (...) NEC, 67 (...)");
- cohorts:   one row per cohort of the paper's own study ("Poorly differentiated | 41 | 4 (9.8) ...");
- arms:      one column per arm, rows are outcomes ("Response rate, % | 50 | 28");
- lists:     one row per response category, adverse event, primary site or drug (dose schedule)
             of the paper's whole cohort.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .. import fields
from ..model import Design, Dose, Evidence, PrimarySite, Table, Toxicity
from ..nlp import cells
from ..nlp.headers import counts_part_only, size_of
from ..nlp.cells import (first_number, is_missing, parse_count_pct, parse_pct, parse_response_breakdown,
                    parse_survival, split_cohorts, strip_markers)
from .cohort import OWN_FIGURES, Cohort, StudyRef, arm_key
from ..nlp.cell_readings import read
from ..nlp.headers import OUTCOME_FIELDS, RESPONSE_FIELDS, ColumnSpec, as_row_label
from .context import DocContext
from .text_values import survival_of
from ..nlp.phrases import cohort_key, short_name
from ..nlp.phrases import grade_population, is_backref, label_site

PCT_FIELD = fields.RESPONSE_FIELDS  # response column kind -> record field ("rr" -> "rr_pct")
LABEL_FIELDS = {"group", "other", "sites", "regimen"}


def header_texts(table: Table) -> list[str]:
    """One header string per column: the header rows joined top to bottom."""
    n = table.n_columns
    texts = [""] * n
    for row in table.header:
        for i, cell in enumerate(row[:n]):
            texts[i] = f"{texts[i]} {cell}".strip()
    return texts


def records_from_table(table: Table, ctx: DocContext) -> list[Cohort]:
    ctx = _with_glossary(table, ctx)
    table = _counts_beside_percents(table)
    table = _studies_as_rows(table, ctx)
    specs = [ctx.reading("column", h) for h in header_texts(table)]
    body = [row + [""] * (len(specs) - len(row)) for row in table.body if any(c.strip() for c in row)]
    if not specs or not body:
        return []
    specs = _with_footnotes(specs, table)
    if any(_study_header(row, ctx) for row in body):
        return _grouped_study_rows(table, specs, body, ctx)
    study_col = _study_column(specs, body, ctx)
    if study_col is not None:
        return list(_study_rows(table, specs, body, ctx, study_col))
    fields = [s.field for s in specs]
    if ctx.own_study is None:
        return []
    row_specs = [as_row_label(ctx.reading("column", row[0])) for row in body]
    if "dose" in fields:
        return _dose_table(table, specs, body, ctx)
    if sum(s.field in OUTCOME_FIELDS for s in row_specs) >= 2 or all(s.field in RESPONSE_FIELDS for s in row_specs[:3]):
        return _transposed(table, specs, body, row_specs, ctx)
    if fields[0] == "tox":
        return _toxicity_list(table, specs, body, ctx)
    if fields[0] == "sites":
        return _site_list(table, specs, body, ctx)
    if any(f in OUTCOME_FIELDS for f in fields):
        return _cohort_rows(table, specs, body, ctx)
    return _characteristics(table, specs, body, ctx)


def _with_glossary(table: Table, ctx: DocContext) -> DocContext:
    """The table's footnote glossary ("FOLFIRI, 5-fluorouracil, leucovorin and irinotecan; ...") says
    what its abbreviations stand for; where it names drugs it is read before the document's own."""
    glossary = cells.footnote_glossary(table.footnote)
    drugs = {short: long for short, long in glossary.items()
             if ctx.abbreviations.get(short) != long and ctx.drugs_of(long)}
    if not drugs:
        return ctx
    # the cells as the document's tagger read them knew none of these: they are read again
    return replace(ctx, abbreviations={**ctx.abbreviations, **drugs}, known={})


def _evidence(table: Table, field: str, text: str) -> Evidence:
    return Evidence(field=field, page=table.page, source=f"table:{table.label or 'table'}", text=text)


# --- shared cell readers -------------------------------------------------------------------------

def _no_value(spec: ColumnSpec, text: str) -> bool:
    """Nothing printed; but "NR" under a survival header is a value: not reached."""
    if spec.field in ("os", "pfs") and cells.says_not_reached(text):
        return False
    return is_missing(text)


def _fill_outcome(cohort: Cohort, spec: ColumnSpec, text: str, table: Table) -> None:
    """Put one cohort's value of an outcome column (rr/cr/.../os/pfs) into the cohort."""
    ev = lambda name: _evidence(table, name, text)  # noqa: E731
    if spec.parts:  # "CR/PR/SD/PD, %" over "17/50/33/0"
        values = [v.strip() for v in strip_markers(text).split("/")]
        if len(values) == len(spec.parts):
            for name, value in zip(spec.parts, values):
                if name in PCT_FIELD and not is_missing(value):
                    cohort.set(PCT_FIELD[name], parse_pct(value), ev(PCT_FIELD[name]))
        return
    if spec.field in fields.SURVIVAL_FIELDS:
        interval, weeks = _cell_notes(spec, text)
        name = fields.SURVIVAL_FIELDS[spec.field]
        cohort.set(name, parse_survival(text, interval, weeks), ev(name))
        return
    if spec.field not in PCT_FIELD:
        return
    if spec.counts_first:  # "n (%)": the percent is the bracketed figure
        cohort.set(PCT_FIELD[spec.field], parse_count_pct(text)[1], ev(PCT_FIELD[spec.field]))
        return
    breakdown = parse_response_breakdown(text)
    leading = None if cells.starts_with_word(text) else parse_pct(text)
    cohort.set(PCT_FIELD[spec.field], leading, ev(PCT_FIELD[spec.field]))
    if breakdown:
        for key, value in breakdown[0].items():
            if key in PCT_FIELD and key != spec.field:
                cohort.set(PCT_FIELD[key], value, ev(PCT_FIELD[key]))


def _labelled_outcomes(text: str, ctx: DocContext) -> list[tuple[str, object]]:
    """(record field, value) of each figure a cell names by its own term ("ORR 12%; SD 36%", "PFS 2.4
    mo; OS 6.0 mo"), as the tagger reads the cell; [] for a cell of bare or cohort-labelled figures."""
    facts = sorted(ctx.facts(text), key=lambda f: f.start)
    # the cell opens with an outcome's own term; "Carcinoid, 12 (CR, 0; ...)" names a cohort first
    if not cells.starts_with_word(text) or not facts or facts[0].start > len(text) - len(text.lstrip()):
        return []
    found = []
    for fact in facts:
        value = fact.value if isinstance(fact.value, dict) else {}
        if fact.label == "RESPONSE" and value.get("kind") in PCT_FIELD and value.get("pct") is not None:
            found.append((PCT_FIELD[value["kind"]], value["pct"]))
        elif fact.label == "SURVIVAL" and value.get("endpoint") in fields.SURVIVAL_FIELDS:
            found.append((fields.SURVIVAL_FIELDS[value["endpoint"]], survival_of(value)))
    return found


def _fill_labelled_outcomes(text: str, table: Table, ctx: DocContext, cohort_for) -> bool:
    """A study row's cell of figures named by their own terms fills the row's cohort
    (``cohort_for(None)``); False, and nothing filled, for other cells."""
    labelled = _labelled_outcomes(text, ctx)
    if not labelled:
        return False
    cohort = cohort_for(None)
    for name, value in labelled:
        if not cohort.values.get(name):
            cohort.set(name, value, _evidence(table, name, text))
    return True


# --- footnotes: a mark glued to a cell or header says what its interval or unit is -----------------

def _footnotes(table: Table) -> dict[str, str]:
    return cells.footnotes(table.footnote)


def _note_semantics(note: str) -> tuple[str | None, bool]:
    """What a footnote says of the values it marks: (interval kind, printed in weeks)."""
    spec = read("column", note)  # a footnote is no table cell: its clause is read as a header would be
    interval = spec.interval
    return interval, spec.weeks


def _with_footnotes(specs: list[ColumnSpec], table: Table) -> list[ColumnSpec]:
    """Header marks ("Median OS, mob") whose footnote gives the unit or interval kind."""
    notes = _footnotes(table)
    if not notes:
        return specs
    out = []
    for spec in specs:
        marks = [mark for mark in cells.marks_at_end(spec.header) if mark in notes]
        updates = {"notes": tuple(sorted(notes.items()))}
        for mark in marks:
            interval, weeks = _note_semantics(notes[mark])
            if interval:
                updates["interval"] = interval
            if weeks:
                updates["weeks"] = True
        out.append(replace(spec, **updates))
    return out


def _cell_notes(spec: ColumnSpec, text: str) -> tuple[str | None, bool]:
    """The interval kind and unit of one cell: its own footnote marks first, then its column's."""
    interval, weeks = spec.interval, spec.weeks
    notes = dict(spec.notes)
    for mark in cells.marks_at_end(text):
        note = notes.get(mark)
        if note:
            kind, in_weeks = _note_semantics(note)
            interval = kind or interval
            weeks = weeks or in_weeks
    return interval, weeks


def _fill_common(cohort: Cohort, spec: ColumnSpec, text: str, table: Table, ctx: DocContext) -> None:
    """Columns whose cell describes the whole study: regimen, line, design, sites, toxicities."""
    ev = lambda name: _evidence(table, name, text)  # noqa: E731
    if is_missing(text):
        return
    if spec.field == "regimen":
        regimen = _regimen_text(text, ctx)
        if regimen:
            cohort.set("regimen", regimen, ev("regimen"))
            cohort.set("drugs", ctx.drugs_of(regimen), ev("drugs"))
    elif spec.field == "line":
        cohort.set("line", ctx.reading("prior_lines" if spec.prior_lines else "line", text), ev("line"))
        cohort.set("design", ctx.reading("design", text) if cells.has_design_letter(text) else None, ev("design"))
    elif spec.field == "design":
        cohort.set("design", ctx.reading("design", text), ev("design"))
    elif spec.field == "sites":
        sites = ctx.reading("sites", text)
        site = None if sites else ctx.reading("single_site", text)
        if site:  # "Esophageal NEC": the whole cohort's one site
            sites = [PrimarySite(site=site, n=cohort.values.get("n_patients"))]
        cohort.set("primary_sites", sites, ev("primary_sites"))
    elif spec.field == "tox":
        cohort.set("toxicities", _toxicities(text, ctx), ev("toxicities"))


def _regimen_text(text: str, ctx: DocContext) -> str | None:
    """The regimen as written: the cell up to its first remark ("Cisplatin/etoposide; 41.6% were
    pretreated ..."), or the bracketed part that names the drugs ("Colorectal (oxaliplatin)");
    None when the cell names no drug (a cancer type, a time point)."""
    main = cells.before_remark(_without_doses(text, ctx)).strip(" ,")
    if ctx.drugs_of(main):
        return main
    bracket = cells.first_bracketed(text)
    if bracket and ctx.drugs_of(bracket):
        return bracket.strip()
    return None


def _without_doses(text: str, ctx: DocContext) -> str:
    """"Cisplatin 80 mg/m2 IV d1 + etoposide 100 mg/m2 IV d1–3, q3w" -> "Cisplatin + etoposide": the
    drug names of a regimen cell that prints its dose schedule (the tagged doses cut out, then the
    schedule after them)."""
    spans = [(f.start, f.end) for f in ctx.facts(text) if f.label == "DOSE"]
    if not spans:
        return text
    kept, last = [], 0
    for start, end in sorted(spans):
        kept.append(text[last:start])
        last = max(last, end)
    kept.append(text[last:])
    return cells.before_first_comma("".join(kept))


def _toxicities(text: str, ctx: DocContext) -> list[Toxicity]:
    items = []
    for fact in ctx.facts(text):
        if fact.label == "TOXICITY" and isinstance(fact.value, dict) and fact.value.get("pct") is not None:
            tox = Toxicity(**{k: fact.value.get(k) for k in ("event", "grade", "pct")})
            if tox not in items:
                items.append(tox)
    return items


# --- studies as rows (reviews) ---------------------------------------------------------------------

STUDY_FIGURES = OWN_FIGURES | {"n_patients"}


def _citation(text: str, ctx: DocContext) -> StudyRef | None:
    """The study a cell cites, as the tagger reads it ("Quill et al. 2004 [3]")."""
    for fact in ctx.facts(text):
        if fact.label == "CITATION" and isinstance(fact.value, dict) and fact.value.get("first_author"):
            return StudyRef(fact.value["first_author"], fact.value.get("year"), fact.value.get("ref"))
    cited = ctx.reading("citation", text)
    return StudyRef(*cited) if cited else None


def _study_column(specs: list[ColumnSpec], body: list[list[str]], ctx: DocContext) -> int | None:
    """The column naming each row's study: a "First author (year)" header, or a first column whose
    cells are citations (a plain "Study" header)."""
    named = next((i for i, s in enumerate(specs) if s.field == "study"), None)
    if named is not None:
        return named
    if specs[0].field in OUTCOME_FIELDS:
        return None
    cited = sum(_citation(row[0], ctx) is not None for row in body)
    return 0 if cited >= 2 and cited * 2 >= len(body) else None


def _counts_beside_percents(table: Table) -> Table:
    """A header cell spanning two columns over "n" and "%" ("Drugamab (n = 30)" over "n | %"): each such
    pair read as one "n (%)" column of "12 (40.0)" cells, as tables that print them together are."""
    if table.header_rows < 2:
        return table
    top, units = table.header[-2], table.header[-1]
    pairs = [i for i in range(1, table.n_columns - 1)
             if cells.unit_word(units[i]) == "n" and cells.unit_word(units[i + 1]) == "%"
             and top[i].strip() and not top[i + 1].strip()]
    if not pairs:
        return table
    dropped = {i + 1 for i in pairs}

    def merged(row: list[str], header_row: int | None) -> list[str]:
        out = []
        for i, cell in enumerate(row):
            if i in dropped:
                continue
            if i in pairs:
                if header_row == table.header_rows - 1:
                    cell = "n (%)"
                elif header_row is None:  # a body row: "12" and "40.0" -> "12 (40.0)"
                    pct = row[i + 1].strip() if i + 1 < len(row) else ""
                    cell = f"{cell.strip()} ({pct})" if cell.strip() and pct else cell
            out.append(cell)
        return out

    rows = [merged(r, k) for k, r in enumerate(table.header)] + [merged(r, None) for r in table.body]
    return table.model_copy(update={"rows": rows})


def _studies_as_rows(table: Table, ctx: DocContext) -> Table:
    """A transposed review table (one column per study, one row per field) turned so each study is a
    row. Orientation is read from header semantics: the header cells after the first cite studies,
    and the first column's cells name fields ("ORR, %", "Median OS (95% CI)", "Patients, n")."""
    headers = header_texts(table)
    body = [row for row in table.body if any(c.strip() for c in row)]
    if len(headers) < 2 or not body:
        return table
    cited = [_citation(h, ctx) is not None for h in headers[1:]]
    fields = [ctx.reading("column", row[0]).field if row else "other" for row in body]
    named = sum(f not in {"other", "group", "summary", "study"} for f in fields)
    if sum(cited) < max(1, (len(cited) + 1) // 2) or named * 2 < len(body) or named < 2:
        return table
    columns = [i for i in range(1, len(headers)) if cited[i - 1]]
    rows = [["Study"] + [row[0] for row in body]]
    for i in columns:
        rows.append([headers[i]] + [row[i] if i < len(row) else "" for row in body])
    return table.model_copy(update={"rows": rows, "header_rows": 1})


def _study_rows(table: Table, specs: list[ColumnSpec], body: list[list[str]], ctx: DocContext,
                study_col: int) -> Iterator[Cohort]:
    """One group of cohorts per cited study; a row that gives none of the record's figures (a
    table of study designs or of another outcome) is a citation list, not evidence of a cohort.
    A row with an empty study cell continues the study above it."""
    study = None
    previous: list[Cohort] = []
    events = _event_columns(specs, body)
    # a table of no outcome column (who, how many, what design) describes studies: its sizes make
    # no record on their own, they fill the cohorts an outcomes table or the text gives them
    figures = STUDY_FIGURES if any(s.field in OUTCOME_FIELDS or s.field == "tox" for s in specs) else OWN_FIGURES
    for row in body:
        cited = _citation(row[study_col], ctx)
        if cited is None and (row[study_col].strip() or study is None):
            continue
        study = cited or study
        if events:
            rows_events = _event_row(study, table, specs, row, events, ctx)
            for cohort in rows_events:  # a row with an empty regimen cell goes on with the one above
                if cited is None and cohort.describes is None and previous:
                    cohort.describes = previous[0].describes
            previous = rows_events or previous
            yield from rows_events
            continue
        cohorts = _row_cohorts(study, table, specs, row, ctx)
        _inherit(cohorts, previous, specs, row, table)
        previous = cohorts
        if not any(figures & set(c.values) for c in cohorts):
            cohorts += _labelled_regimens(study, table, specs, row, cohorts, ctx)
            for cohort in cohorts:  # describes the study's cohorts found elsewhere; never a record alone
                cohort.study_level = True
        yield from cohorts


def _labelled_regimens(study: StudyRef, table: Table, specs: list[ColumnSpec], row: list[str],
                       cohorts: list[Cohort], ctx: DocContext) -> list[Cohort]:
    """"A: carboplatin + etoposide 100 mg/m2" in a regimen cell, "B: cisplatin + ..." in an "other arms"
    cell of a row describing a study: each arm's regimen and doses, for the cohort that arm names."""
    out = []
    for spec, text in zip(specs, row):
        prefixed = cells.arm_prefix(text)
        if spec.field not in {"regimen", "group", "other"} or not prefixed or not ctx.drugs_of(prefixed[1]):
            continue
        arm = Cohort(study=study, arm=None, for_arm=prefixed[0])
        _fill_regimens(prefixed[1], {"": arm}, table, ctx)
        out.append(arm)
        if spec.field == "regimen":  # the cell is that arm's, not the study's
            for cohort in cohorts:
                for name in ("regimen", "drugs", "doses"):
                    cohort.values.pop(name, None)
    return out


def _event_columns(specs: list[ColumnSpec], body: list[list[str]]) -> tuple[int, int | None, int] | None:
    """"Study | Regimen | Adverse event | Grade | Patients, %": one row per event of a study, the event
    named in its own column (no figures in it), the grade and the percentage in theirs."""
    names = [i for i, s in enumerate(specs) if s.field == "tox"
             and not any(cells.has_digit(row[i]) for row in body)]
    pcts = [i for i, s in enumerate(specs) if "%" in s.header and s.field in {"patients", "pct", "other"}]
    if not names or not pcts:
        return None
    grade = next((i for i, s in enumerate(specs) if s.grade_column), None)
    return names[0], grade, pcts[0]


def _event_row(study: StudyRef, table: Table, specs: list[ColumnSpec], row: list[str],
               columns: tuple[int, int | None, int], ctx: DocContext) -> list[Cohort]:
    """One adverse event of a study; it joins the study's cohort the regimen cell names."""
    name_col, grade_col, pct_col = columns
    pct = parse_pct(row[pct_col])
    event = _event_name(row[name_col], ctx) if row[name_col].strip() else None
    if event is None or pct is None:
        return []
    grade = cells.grade_cell(row[grade_col]) if grade_col is not None else None
    cohort = Cohort(study=study, arm=None, study_level=True)
    cohort.set("toxicities", [Toxicity(event=event, grade=grade, pct=pct)], _evidence(table, "toxicities", " | ".join(row)))
    regimen_col = next((i for i, s in enumerate(specs) if s.field == "regimen"), None)
    if regimen_col is not None and row[regimen_col].strip():
        cohort.describes = row[regimen_col].strip()
    return [cohort]


# --- study header rows with cohort rows beneath ------------------------------------------------

def _study_header(row: list[str], ctx: DocContext) -> StudyRef | None:
    """A row holding only its first cell, and that cell cites a study: the cohorts below are its."""
    if len(row) < 2 or not row[0].strip() or any(c.strip() for c in row[1:]):
        return None
    return _citation(row[0], ctx)


def _grouped_study_rows(table: Table, specs: list[ColumnSpec], body: list[list[str]],
                        ctx: DocContext) -> list[Cohort]:
    """Study header rows ("Quill et al. 2004 [3]; retrospective; 40 patients"), each followed by its
    cohort rows ("Poorly differentiated | EP | 30 | 40 | ..."): the cohorts inherit the study, and the
    design and size the header row prints describe the whole series."""
    groups: list[tuple[StudyRef, str, list[list[str]]]] = []
    for row in body:
        study = _study_header(row, ctx)
        if study is not None:
            groups.append((study, row[0], []))
        elif groups:
            groups[-1][2].append(row)
    label_col = 0 if all(row[0].strip() for _, _, rows in groups for row in rows) else _label_column(specs, body)
    out: list[Cohort] = []
    for study, header_cell, rows in groups:
        cohorts: list[Cohort] = []
        previous: list[Cohort] = []
        for row in rows:
            label = row[label_col].strip()
            row_cohorts = _row_cohorts(study, table, specs, row, ctx, _arm_label(label, "", ctx) if label else None)
            _inherit(row_cohorts, previous, specs, row, table)
            previous = row_cohorts
            cohorts += row_cohorts
        whole = Cohort(study=study, arm=None)
        ev = _evidence(table, "design", header_cell)
        for fact in ctx.facts(header_cell):
            if fact.label == "DESIGN" and isinstance(fact.value, dict):
                design = Design(**fact.value)
                if design.prospective is not None and design.randomized is None:
                    design.randomized = False  # a series or trial not said to be randomized
                for cohort in cohorts + [whole]:
                    cohort.set("design", design, ev)
            elif fact.label == "N_PATIENTS" and isinstance(fact.value, int):
                whole.set("n_patients", fact.value, _evidence(table, "n_patients", header_cell))
        if len(cohorts) == 1 and not cohorts[0].arm_key:
            cohorts[0].arm = None
        if len(cohorts) == 1:  # a study's one cohort is the study: its row's label is not an arm
            cohorts[0].arm = None
            cohorts[0].merge(whole)
        else:
            cohorts.append(whole)
        _set_populations(cohorts, ctx)
        out += cohorts
    return out


# --- back-references: "Same regimen", "as above" ---------------------------------------------------

BACKREF_FIELDS = ("regimen", "drugs", "doses")


def _is_backref(text: str) -> bool:
    return is_backref(text)


def _backref_cells(specs: list[ColumnSpec], row: list[str]) -> list[int]:
    return [i for i, (spec, text) in enumerate(zip(specs, row))
            if spec.field in {"regimen", "group", "other"} and _is_backref(text)]


def _inherit(cohorts: list[Cohort], previous: list[Cohort], specs: list[ColumnSpec], row: list[str],
             table: Table) -> None:
    """A regimen cell "Same regimen" / "as above" gives this row's cohorts the regimen and doses of
    the row above (of the study's other cohorts when they sit in the same row)."""
    for i in _backref_cells(specs, row):
        if specs[i].field != "regimen" or not previous:
            continue
        donor = next((c for c in previous if c.values.get("regimen")), None)
        if donor is None:
            continue
        for cohort in cohorts:
            for name in BACKREF_FIELDS:
                if donor.values.get(name):
                    cohort.set(name, donor.values[name], _evidence(table, name, row[i]))


def _row_cohorts(study: StudyRef, table: Table, specs: list[ColumnSpec], row: list[str],
                 ctx: DocContext, row_arm: str | None = None) -> list[Cohort]:
    """The cohorts one study row reports: labels found in its outcome cells, aligned across columns.

    Unlabelled values joined by "vs." are arms in the order the regimen cell names them; a value
    printed once before per-arm breakdowns ("17% (CR, 0 vs. 0; ...)") belongs to every arm."""
    cohorts: dict[str, Cohort] = {}
    arm_names = _arm_names_from_regimen(row, specs)

    def cohort_for(label: str | None) -> Cohort:
        label = label or row_arm  # an unlabelled value belongs to the cohort the row names
        key = cohort_key(label)
        if key not in cohorts:
            cohorts[key] = Cohort(study=study, arm=label)
        return cohorts[key]

    for spec, text in zip(specs, row):
        if spec.field not in OUTCOME_FIELDS or _no_value(spec, text):
            continue
        if _fill_labelled_outcomes(text, table, ctx, cohort_for):
            continue
        segments = split_cohorts(text)
        unlabeled = [seg for seg in segments if seg.label is None]
        for segment in segments:
            if segment.label is not None:
                _fill_outcome(cohort_for(segment.label), spec, segment.text, table)
                continue
            position = unlabeled.index(segment)
            arms = parse_response_breakdown(segment.text) if spec.field == "rr" else []
            if len(arms) > 1 and len(unlabeled) == 1:  # one figure for all arms, then per-arm breakdowns
                for i, breakdown in enumerate(arms):
                    arm = cohort_for(arm_names[i] if i < len(arm_names) else None)
                    _fill_outcome(arm, spec, segment.text.split("(")[0], table)
                    for key, value in breakdown.items():
                        if key in PCT_FIELD:
                            arm.set(PCT_FIELD[key], value, _evidence(table, PCT_FIELD[key], segment.text))
            elif len(unlabeled) == 1 or position < len(arm_names) or position == 0:
                label = arm_names[position] if len(unlabeled) > 1 and position < len(arm_names) else None
                _fill_outcome(cohort_for(label), spec, segment.text, table)
            # a later unnamed "vs." value has no cohort to go to: left out rather than guessed
    if not cohorts:
        cohort_for(None)
    _fill_patients(row, specs, cohorts, study, table)
    _fill_study_columns(row, specs, cohorts, study, table, ctx)
    _set_populations(list(cohorts.values()), ctx, _row_population(row, specs, ctx))
    return list(cohorts.values())


def _row_population(row: list[str], specs: list[ColumnSpec], ctx: DocContext) -> str | None:
    """The population a study row describes, named in its tumour-type, patients or primary-site cell."""
    for field in ("population", "patients", "sites"):
        for spec, text in zip(specs, row):
            population = ctx.reading("population", text) if spec.field == field else None
            if population:
                return population
    return None


def _whole(cohorts: dict[str, Cohort], study: StudyRef) -> Cohort | None:
    """The whole-study cohort: the only cohort, or the unlabelled one (created when labelled
    sub-cohorts exist, since study-wide cells need a home)."""
    if len(cohorts) == 1:
        return next(iter(cohorts.values()))
    if "" not in cohorts and not any(c.arm and cells.is_arm_word_label(c.arm) for c in cohorts.values()):
        cohorts[""] = Cohort(study=study, arm=None)
    return cohorts.get("")


def _fill_study_columns(row: list[str], specs: list[ColumnSpec], cohorts: dict[str, Cohort], study: StudyRef,
                        table: Table, ctx: DocContext) -> None:
    """Regimen, line and design hold for every cohort; toxicities and primary sites describe the
    whole series (or the cohort the header names: "Primary site of NEC"), or one arm each when labelled."""
    for spec, text in zip(specs, row):
        if is_missing(text):
            continue
        if spec.field == "regimen":
            _fill_regimens(text, cohorts, table, ctx)
            if spec.field == "regimen" and ctx.reading("line", text) == "mixed":
                for cohort in cohorts.values():
                    cohort.set("line", "mixed", _evidence(table, "line", text))
        elif spec.field in {"line", "design"}:
            for cohort in _cohorts_named_at_end(text, cohorts):
                _fill_common(cohort, spec, text, table, ctx)
        elif spec.field in {"tox", "sites"}:
            labelled = _split_by_arms(text, cohorts)
            if labelled:
                for cohort, part in labelled:
                    _fill_common(cohort, spec, part, table, ctx)
                continue
            target = _whole(cohorts, study)
            if spec.field == "sites" and spec.of_carcinoma:
                target = next((c for k, c in cohorts.items() if k.endswith("pd")), target)
            if target is not None:
                _fill_common(target, spec, text, table, ctx)


def _cohorts_named_at_end(text: str, cohorts: dict[str, Cohort]) -> list[Cohort]:
    """"Second (A)": the cell says it of the cohort it names in brackets; otherwise of every cohort."""
    named_arm = cells.arm_at_end(text)
    named = [c for c in cohorts.values() if named_arm and c.arm and c.arm.lower() == named_arm.lower()]
    return named or list(cohorts.values())


def _split_by_arms(text: str, cohorts: dict[str, Cohort]) -> list[tuple[Cohort, str]]:
    """"Regimen A: Grade 3 ... Regimen B: Grade 3 ..." -> the part of the cell each named arm owns."""
    starts = []
    for cohort in cohorts.values():
        if cohort.arm:
            span = cells.label_colon_spans(cohort.arm, text)
            if span:
                starts.append((span[0], span[1], cohort))
    starts.sort(key=lambda item: item[0])
    return [(cohort, text[end: starts[i + 1][0] if i + 1 < len(starts) else len(text)])
            for i, (_, end, cohort) in enumerate(starts)]


def _fill_regimens(text: str, cohorts: dict[str, Cohort], table: Table, ctx: DocContext) -> None:
    """One regimen for all cohorts, or one per arm when the cell names several ("A or B", "A vs. B",
    "A irinotecan + cisplatin; B etoposide + cisplatin")."""
    named = _split_by_arm_names(text, cohorts)
    if named:
        for cohort, part in named:  # a part naming no drug ("no chemotherapy") is that arm's regimen as printed
            regimen = _regimen_text(part, ctx) or part.strip()
            cohort.no_drug_regimen = not ctx.drugs_of(regimen)
            cohort.set("regimen", regimen, _evidence(table, "regimen", text))
            cohort.set("drugs", ctx.drugs_of(regimen), _evidence(table, "drugs", text))
        return
    main = _regimen_text(text, ctx)
    if main is None:
        return
    parts = cells.alternatives(main)
    arms = {k: c for k, c in cohorts.items() if k}
    for key, cohort in cohorts.items():
        regimen = main
        if len(parts) > 1 and key:
            regimen = _regimen_of_arm(cohort.arm or "", parts, ctx) or main
        elif len(parts) > 1 and arms:
            continue  # the whole series of a multi-regimen study has no single regimen
        regimen = cells.without_arm_name(regimen)
        ev = _evidence(table, "regimen", text)
        cohort.set("regimen", regimen, ev)
        cohort.set("drugs", ctx.drugs_of(regimen), _evidence(table, "drugs", text))
        if len(parts) == 1:
            cohort.set("doses", _doses(text, ctx), _evidence(table, "doses", text))


def _doses(text: str, ctx: DocContext) -> list[Dose]:
    """The doses a regimen cell prints ("Cisplatin 80 mg/m2 IV d1 + etoposide 120 mg/m2 IV d1–3"), as tagged."""
    facts = ctx.facts(text)
    tagged = [f for f in facts if f.label == "DOSE" and isinstance(f.value, dict) and f.value.get("drug")
              and f.value.get("amount") is not None]
    drug_starts = [f.start for f in facts if f.label in ("DRUG", "REGIMEN")]
    values = [dict(f.value) for f in tagged]
    for i in range(len(tagged) - 1):
        # two amounts of one drug with no drug named between them ("X 25 mg alternating with 75 mg d1–7"):
        # alternatives of one dose, printed with one set of days, route and cycle
        first, second = tagged[i], tagged[i + 1]
        if values[i]["drug"] != values[i + 1]["drug"] or any(first.end <= d < second.start for d in drug_starts):
            continue
        for key in ("days", "route", "schedule"):
            if values[i].get(key) is None:
                values[i][key] = values[i + 1].get(key)
            if values[i + 1].get(key) is None:
                values[i + 1][key] = values[i].get(key)
    doses = []
    for value in values:
        dose = Dose(**{k: value.get(k) for k in Dose.model_fields if k in value})
        if dose not in doses:
            doses.append(dose)
    return doses


def _split_by_arm_names(text: str, cohorts: dict[str, Cohort]) -> list[tuple[Cohort, str]]:
    """"A x + y; B z": the ";"-separated parts of a cell, each opening with the label of a cohort."""
    labelled = {c.arm.lower(): c for c in cohorts.values() if c.arm}
    parts = [p.strip() for p in text.split(";") if p.strip()]
    if len(labelled) < 2 or len(parts) < 2:
        return []
    out = []
    for part in parts:
        label, _, rest = part.partition(" ")
        cohort = labelled.get(label.rstrip(":,").lower())
        if cohort is None or not rest.strip():
            return []
        out.append((cohort, rest.strip(" :,")))
    return out


def _regimen_of_arm(arm: str, parts: list[str], ctx: DocContext) -> str | None:
    """The part of a multi-regimen cell an arm label points to: by name ("Regimen A, ...") or by drugs."""
    for part in parts:
        if part.lower().startswith(arm.lower()):
            return part
    arm_drugs = set(ctx.drugs_of(arm))
    if arm_drugs:
        for part in parts:
            if arm_drugs <= set(ctx.drugs_of(part)):
                return part
    return None


def _arm_names_from_regimen(row: list[str], specs: list[ColumnSpec]) -> list[str]:
    """"Regimen A, carboplatin/... vs. regimen B, ..." -> ["Regimen A", "Regimen B"]."""
    for spec, text in zip(specs, row):
        if spec.field == "regimen":
            names = cells.arm_names_compared(text)
            if names:
                return names
    return []


def _fill_patients(row: list[str], specs: list[ColumnSpec], cohorts: dict[str, Cohort], study: StudyRef,
                   table: Table) -> None:
    """The patients cell: "18 (45)" under "Patients with NEC, n (total in study)"; "29 (NEC, 5)";
    "20 (8 on regimen A vs. 12 on regimen B)"; "18 (4 PDNEC; 14 WDNET)"; "258 (of whom 206 ...)"."""
    col = next((i for i, spec in enumerate(specs) if spec.field == "patients"), None)
    if col is None or is_missing(row[col]):
        return
    text = row[col]
    clean = strip_markers(text)
    labelled = [seg for seg in split_cohorts(clean) if seg.label is not None]
    if labelled and len(cohorts) > 1:  # "A 20; B 15": one size per named cohort, the series their sum
        sizes = []
        for seg in labelled:
            target = cohorts.get(cohort_key(seg.label))
            n = first_number(seg.text)
            if target is not None and n is not None:
                target.set("n_patients", int(n), _evidence(table, "n_patients", text))
                sizes.append(int(n))
        if len(sizes) == len(labelled) > 1:
            for cohort in cohorts.values():
                cohort.set("n_total", sum(sizes), _evidence(table, "n_total", text))
        return
    lead_n = cells.leading_count(clean)
    if lead_n is None:
        return
    ev = lambda name: _evidence(table, name, text)  # noqa: E731
    total = cells.bracketed_count(clean)
    if specs[col].names_total and total is not None:  # first number: the cohort the header names; bracket: the whole study
        named = next((c for k, c in cohorts.items() if k.endswith("pd")), None)
        named = named or (next(iter(cohorts.values())) if len(cohorts) == 1 else None)
        if named is not None:
            named.set("n_patients", lead_n, ev("n_patients"))
        _set_totals(cohorts, study, total, ev)
        return
    if cells.says_of_whom(clean):  # the series, of which the arms are parts
        for cohort in cohorts.values():
            cohort.set("n_total", lead_n, ev("n_total"))
        return
    matched = False
    counted = cells.labelled_counts(clean)
    if counted is not None and len(cohorts) > 1:
        for n, label in counted:
            key = cohort_key(label)
            target = cohorts.get(key) or next((c for k, c in cohorts.items() if k and (k in key or key in k)), None)
            if target is not None:
                target.set("n_patients", int(n), ev("n_patients"))
                matched = True
    if len(cohorts) == 1 and not matched:
        next(iter(cohorts.values())).set("n_patients", lead_n, ev("n_patients"))
    else:
        _set_totals(cohorts, study, lead_n, ev)


def _set_totals(cohorts: dict[str, Cohort], study: StudyRef, total: int, ev) -> None:
    whole = _whole(cohorts, study)
    for cohort in cohorts.values():
        if cohort is whole:
            cohort.set("n_patients", total, ev("n_patients"))
        else:
            cohort.set("n_total", total, ev("n_total"))


def _type_named(label: str | None, ctx: DocContext) -> str | None:
    """The tumour type an arm label names; a site ("Pancreas") or a regimen names none."""
    population = ctx.reading("population", label) if label and arm_key(label) else None
    return population if population in {"WDNET", "PDNEC", "NEC", "NET", "SCLC"} else None


def _set_populations(cohorts: list[Cohort], ctx: DocContext, row_population: str | None = None) -> None:
    """Each cohort's population: what its label names; "NEC" beside well-differentiated cohorts is the
    poorly differentiated one; the whole series is "mixed" when its sub-cohorts differ in type."""
    named = {id(c): _type_named(c.arm, ctx) for c in cohorts}
    graded = {id(c): grade_population(c.arm or "") for c in cohorts}  # "Ki-67 >20%": by grade, as labelled
    has_wd = any(p in {"WDNET", "NET"} for p in named.values())
    sub_types = {p for p in (*named.values(), *graded.values()) if p in {"WDNET", "NET", "PDNEC", "NEC"}}
    default = row_population or ctx.population
    if {"WDNET", "NEC"} <= set(graded.values()):
        default = "mixed"  # grade bands of both kinds: the series and its other subgroups (sites) are mixed
    for cohort in cohorts:
        population = named[id(cohort)]
        if population == "NEC" and has_wd:
            population = "PDNEC"
        population = population or graded[id(cohort)]
        if population is None:
            population = "mixed" if not cohort.arm_key and sub_types else default
        cohort.values.setdefault("population", population)
        if not cohort.arm_key and len(cohorts) == 1:
            cohort.arm = None  # "Overall" in a one-cohort study is the study itself


# --- the paper's own cohorts ----------------------------------------------------------------------

def _own(ctx: DocContext, arm: str | None) -> Cohort:
    return Cohort(study=ctx.own_study, arm=arm)


def _label_column(specs: list[ColumnSpec], body: list[list[str]]) -> int:
    """The column naming each row's cohort: the last text column before the figures."""
    label = 0
    for i, spec in enumerate(specs):
        if spec.field in OUTCOME_FIELDS | {"patients", "pct"}:
            break
        if any(cells.has_letters(row[i]) for row in body):
            label = i
    return label


def _cohort_rows(table: Table, specs: list[ColumnSpec], body: list[list[str]], ctx: DocContext) -> list[Cohort]:
    label_col = _label_column(specs, body)
    cohorts = []
    has_outcomes = any(spec.field in OUTCOME_FIELDS for spec in specs)
    breakdown: list[tuple[PrimarySite, str]] = []  # the rows named by a primary site, with their sizes
    n_rows = 0
    group = ""  # the characteristic a subgroup row belongs to (printed once, on its first row)
    for row in body:
        if _group_row(row):  # "Primary site", "Ki-67 index": a heading row, not a cohort
            group = row[0].strip()
            continue
        if label_col > 0 and row[0].strip():
            group = row[0].strip()
        arm = _arm_label(row[label_col], group, ctx)
        if not arm:
            continue
        n_rows += 1
        cohort = _own(ctx, arm)
        for spec, text in zip(specs, row):
            if spec.field in OUTCOME_FIELDS and not _no_value(spec, text):
                _fill_outcome(cohort, spec, text, table)
            elif spec.field == "patients" and not is_missing(text):
                cohort.set("n_patients", parse_count_pct(text)[0], _evidence(table, "n_patients", text))
            elif spec.field in {"regimen", "line", "design", "sites", "tox"}:
                _fill_common(cohort, spec, text, table, ctx)
        site = label_site(arm)
        if site:  # a cohort named by its primary site ("Unknown primary site", "Pancreas")
            cohort.set("primary_sites", [PrimarySite(site=site, n=cohort.values.get("n_patients"))],
                       _evidence(table, "primary_sites", " | ".join(row)))
        if site:
            breakdown.append((PrimarySite(site=site, n=cohort.values.get("n_patients")), " | ".join(row)))
        if has_outcomes and not (set(cohort.values) & OWN_FIGURES):
            continue  # a row with only its size ("Other | 3 | – | –") counts in the series, it is no cohort
        cohorts.append(cohort)
    _set_populations(cohorts, ctx)
    if len(breakdown) > 1 and len(breakdown) == n_rows:  # every row a primary site: the series by site
        whole = _own(ctx, None)
        whole.set("primary_sites", [site for site, _ in breakdown],
                  _evidence(table, "primary_sites", "; ".join(text for _, text in breakdown)))
        cohorts.append(whole)
    return cohorts


def _group_row(row: list[str]) -> bool:
    """A row that only names a characteristic in its first cell: the rows below are its subgroups."""
    return len(row) > 1 and bool(row[0].strip()) and not any(c.strip() for c in row[1:])


def _arm_label(cell: str, group: str, ctx: DocContext) -> str:
    """The arm as written, without a trailing qualifier in brackets; a bare value ("0–1", "<50%")
    takes the short name of its characteristic ("PS 0–1", "Ki-67 <50%")."""
    arm = cells.without_trailing_bracket(cell.strip()).strip() or cell.strip()
    if arm and group and not cells.has_word(arm):
        return f"{short_name(group, ctx.abbreviations)} {arm}"
    return arm


def _transposed(table: Table, specs: list[ColumnSpec], body: list[list[str]], row_specs: list[ColumnSpec],
                ctx: DocContext) -> list[Cohort]:
    """Rows are outcomes; each data column is an arm ("IP (n = 160)"), or the whole cohort when the
    columns are just "n" and "%"."""
    data_cols = [i for i, s in enumerate(specs) if i > 0 and s.field not in {"p_value", "effect"}]
    single = all(specs[i].field in {"patients", "pct", "other"} and not specs[i].sized
                 for i in data_cols) and any(specs[i].field in {"patients", "pct"} for i in data_cols)
    if single:
        cohort = _own(ctx, None)
        pct_col = next((i for i in data_cols if specs[i].field == "pct"), None)
        for row, row_spec in zip(body, row_specs):
            if row_spec.field not in PCT_FIELD:
                continue
            if pct_col is not None and not is_missing(row[pct_col]):
                value = parse_pct(row[pct_col])
            else:
                value = next((parse_count_pct(row[i])[1] for i in data_cols if "(" in row[i]), None)
            cohort.set(PCT_FIELD[row_spec.field], value, _evidence(table, PCT_FIELD[row_spec.field], " | ".join(row)))
        _caption_size(cohort, table)
        return [cohort]
    cohorts = []
    for i in data_cols:
        header = specs[i].header
        arm = specs[i].arm or None
        if len(data_cols) == 1 and specs[i].whole:
            arm = None  # one value column under a generic header: the paper's whole series, not an arm
        cohort = _own(ctx, arm)
        n = specs[i].size
        if n is not None:
            cohort.set("n_patients", n, _evidence(table, "n_patients", header))
        for row, row_spec in zip(body, row_specs):
            if i >= len(row) or is_missing(row[i]):
                continue
            if row_spec.field in OUTCOME_FIELDS:
                # "n (%)" said by the row label or by the column ("Drugamab, n (%)"): the bracketed figure
                counts_first = row_spec.counts_first or specs[i].counts_first
                _fill_outcome(cohort, replace(row_spec, counts_first=counts_first), row[i], table)
            elif (tox := _row_toxicity(row[0], row[i], ctx)) is not None:
                cohort.set("toxicities", [tox], _evidence(table, "toxicities", " | ".join(row)))
        if arm is None:
            _caption_size(cohort, table)
        cohorts.append(cohort)
    _set_populations(cohorts, ctx)
    return cohorts


def _caption_size(whole: Cohort, table: Table) -> None:
    """"Outcomes (n = 12)": a whole-series table's caption gives the series' size, unless it counts only
    part of it ("Response in evaluable patients (n = 10)")."""
    caption = table.caption or ""
    size = size_of(caption)
    if counts_part_only(caption):
        return
    if size is not None and not whole.values.get("n_patients"):
        whole.set("n_patients", size, _evidence(table, "n_patients", table.caption))


def _value_column(specs: list[ColumnSpec]) -> int | None:
    return next((i for i, s in enumerate(specs) if i > 0 and s.field in {"patients", "pct", "other"}), None)


def _toxicity_list(table: Table, specs: list[ColumnSpec], body: list[list[str]], ctx: DocContext) -> list[Cohort]:
    """"Adverse event | Patients, n (%)" under a caption such as "Grade 3–4 adverse events"."""
    grade_text = cells.grade_named(f"{table.caption or ''} {specs[0].header}")
    graded = [i for i, spec in enumerate(specs) if i > 0 and spec.grade]  # "Grade 1–2 | Grade 3–4" columns
    any_grade = [i for i, spec in enumerate(specs) if i > 0 and cells.names_any_grade(spec.header)]
    col = _value_column(specs)
    columns = sorted(graded + any_grade) or ([col] if col is not None else [])
    if not columns:
        return []
    cohort = _own(ctx, None)
    for row in body:
        event = _event_name(row[0], ctx)
        for i in columns:
            if is_missing(row[i]):
                continue
            n, pct = parse_count_pct(row[i])
            grade = None if i in any_grade else specs[i].grade or grade_text
            if event and pct is not None:
                cohort.set("toxicities", [Toxicity(event=event, grade=grade, pct=pct)],
                           _evidence(table, "toxicities", " | ".join(row)))
    return [cohort]


def _row_toxicity(label: str, cell: str, ctx: DocContext) -> Toxicity | None:
    """An adverse-event row of an outcomes table ("Grade 3-4 quillitis, %" | "56"; "Quillitis, n (%)" |
    "4 (12)"): the event the tagger names in the label, its grade, the cell's percent."""
    event = _tagged_event(cells.without_unit(label), ctx)
    if event is None:
        return None
    n, pct = parse_count_pct(cell)
    if pct is None and n is not None and cells.percent_label(label):
        pct = parse_pct(cell)
    return Toxicity(event=event, grade=cells.grade_named(label), pct=pct) if pct is not None else None


def _tagged_event(label: str, ctx: DocContext) -> str | None:
    """The adverse event the tagger names in a row label, read as an event and its count ("Quillitis (1)")."""
    named = [f.value["event"] for f in ctx.facts(f"{label} (1)") if f.label == "TOXICITY" and isinstance(f.value, dict)]
    return named[0] if len(named) == 1 else None


def _event_name(label: str, ctx: DocContext) -> str:
    """An adverse-event row label as the tagger names the event ("Anaemia" -> "anemia"), else as printed."""
    return _tagged_event(label, ctx) or cells.collapse_spaces(label).strip().lower()


def _site_list(table: Table, specs: list[ColumnSpec], body: list[list[str]], ctx: DocContext) -> list[Cohort]:
    col = _value_column(specs)
    cohort = _own(ctx, None)
    for row in body:
        name = ctx.reading("site", row[0])
        if name and col is not None:
            n = first_number(row[col])
            cohort.set("primary_sites", [PrimarySite(site=name, n=int(n) if n is not None else None)],
                       _evidence(table, "primary_sites", " | ".join(row)))
    return [cohort]


def _characteristics(table: Table, specs: list[ColumnSpec], body: list[list[str]], ctx: DocContext) -> list[Cohort]:
    """Characteristic | Value tables: primary sites listed under a "Primary site" row."""
    col = _value_column(specs) or 1
    cohort = _own(ctx, None)
    in_sites = False
    for row in body:
        label, value = row[0].strip(), row[col] if col < len(row) else ""
        if ctx.reading("column", label).field == "sites":
            in_sites = True
            if value.strip():
                cohort.set("primary_sites", ctx.reading("sites", value), _evidence(table, "primary_sites", " | ".join(row)))
            continue
        name = ctx.reading("site", label)
        if in_sites and name:
            n = first_number(value)
            cohort.set("primary_sites", [PrimarySite(site=name, n=int(n) if n is not None else None)],
                       _evidence(table, "primary_sites", " | ".join(row)))
        elif label:
            in_sites = False
    return [cohort] if cohort.values else []


def _dose_table(table: Table, specs: list[ColumnSpec], body: list[list[str]], ctx: DocContext) -> list[Cohort]:
    """Drug | Dose | Route | Days | Cycle length: the amounts from the dose cell, the rest from their columns."""
    by_field = {s.field: i for i, s in enumerate(specs)}
    cohort = _own(ctx, None)
    for row in body:
        cell = lambda name: row[by_field[name]] if name in by_field else ""  # noqa: E731
        drugs = ctx.drugs_of(cell("regimen") or row[0])
        if len(drugs) != 1:
            continue
        ev = _evidence(table, "doses", " | ".join(row))
        for amount, unit in _amounts(f"{drugs[0]} {cell('dose')}", ctx):
            cohort.set("doses", [Dose(drug=drugs[0], amount=amount, unit=unit, days=cells.days(cell("days")),
                                      route=cells.route(cell("route")), schedule=cells.cycle_length(cell("schedule")))], ev)
        cohort.set("drugs", drugs, _evidence(table, "drugs", " | ".join(row)))
    return [cohort] if cohort.values else []


def _amounts(text: str, ctx: DocContext) -> list[tuple[float, str]]:
    return [(f.value["amount"], f.value["unit"]) for f in ctx.facts(text)
            if f.label == "DOSE" and isinstance(f.value, dict) and f.value.get("amount") is not None]
