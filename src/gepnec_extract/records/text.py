"""Records from running text. Being built: none yet."""

from __future__ import annotations

from .cohort import Cohort
from .context import DocContext


def records_from_text(ctx: DocContext) -> list[Cohort]:
    return []
