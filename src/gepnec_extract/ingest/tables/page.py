"""What every detector needs from one page, computed once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..table_grid import WordSplitter, chars_splitter
from .captions import _Caption
from .rules import _Rule


_GRID_SETTINGS = {"vertical_strategy": "lines", "horizontal_strategy": "lines",
                  "snap_tolerance": 3, "join_tolerance": 3, "intersection_tolerance": 3}


@dataclass
class _Page:
    """What every detector needs from one page, computed once."""

    page: object
    number: int
    words: list[dict]
    vocab: Counter
    captions: list[_Caption]
    h_rules: list[_Rule]
    v_rules: list[_Rule]
    _splitter: WordSplitter | None = None
    _body_size: float | None = None
    _grids: list | None = None

    def grids(self) -> list:
        """pdfplumber's ruled-grid tables of the page, found once."""
        if self._grids is None:
            self._grids = list(self.page.find_tables(_GRID_SETTINGS))
        return self._grids

    @property
    def body_size(self) -> float:
        """The type size most of the page's text is set in."""
        if self._body_size is None:
            sizes = Counter()
            for word in self.words:
                sizes[round(word.get("size", 10.0) * 2) / 2] += len(word["text"])
            total = sum(sizes.values())
            # tables can outweigh the running text on a page: take the largest common size
            common = [size for size, count in sizes.items() if count >= 0.15 * total]
            self._body_size = max(common) if common else 10.0
        return self._body_size

    @property
    def splitter(self) -> WordSplitter:
        if self._splitter is None:
            self._splitter = chars_splitter(list(self.page.chars))
        return self._splitter

    @property
    def width(self) -> float:
        return float(self.page.width)

    @property
    def height(self) -> float:
        return float(self.page.height)

    def caption_tops(self, other_than: _Caption) -> list[float]:
        return [c.top for c in self.captions if c is not other_than]
