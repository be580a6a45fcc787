"""Tables broken across pages stitched back together."""

from __future__ import annotations

from ...model import Table
from .fragment import TableFragment


def merge_fragments(fragments: list[TableFragment]) -> list[Table]:
    """Join fragments of tables broken across pages into whole tables, in document order."""
    tables: list[Table] = []
    heads = {(f.page, f.label) for f in fragments if not f.continued}

    def reading_order(f: TableFragment):
        # a "(continued)" part in the next column of its head's page comes after the head
        return (f.page, f.continued and (f.page, f.label) in heads, f.bbox[1], f.bbox[0])

    for fragment in sorted(fragments, key=reading_order):
        earlier = _table_continued_by(tables, fragment)
        if earlier is not None:
            _append(earlier, fragment)
            continue
        tables.append(Table(
            label=fragment.label, caption=fragment.caption, page=fragment.page, pages=[fragment.page],
            header_rows=fragment.header_rows, rows=[list(r) for r in fragment.rows],
            footnote=fragment.footnote, bbox=fragment.bbox,
        ))
    return tables


def _table_continued_by(tables: list[Table], fragment: TableFragment) -> Table | None:
    """The table a fragment carries on: the last one, or for "(continued)" the last of its label."""
    if not tables:
        return None
    if _continues(tables[-1], fragment):
        return tables[-1]
    if fragment.continued and fragment.label:
        same = [t for t in tables if t.label == fragment.label]
        if same and _continues(same[-1], fragment):
            return same[-1]
    return None


def _continues(previous: Table, fragment: TableFragment) -> bool:
    """"Table N (continued)" on the same or the next page, or the same header on the next page."""
    if fragment.page < previous.pages[-1] or fragment.page > previous.pages[-1] + 1:
        return False
    if fragment.label and previous.label and fragment.label != previous.label:
        return False
    if fragment.continued:
        return True  # also a second column of the same page
    if fragment.page == previous.pages[-1]:
        return False
    header = fragment.rows[: fragment.header_rows]
    return bool(header) and header == previous.header and fragment.label in (None, previous.label)


def _append(table: Table, fragment: TableFragment) -> None:
    body = fragment.rows[fragment.header_rows:]
    width = max(table.n_columns, max((len(r) for r in body), default=0))
    table.rows = [r + [""] * (width - len(r)) for r in table.rows + body]
    if fragment.page not in table.pages:
        table.pages.append(fragment.page)
    if fragment.footnote:
        table.footnote = fragment.footnote if not table.footnote else (
            table.footnote if fragment.footnote == table.footnote else f"{table.footnote} {fragment.footnote}")
