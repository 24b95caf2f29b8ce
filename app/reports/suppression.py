"""Small-cell suppression of published tables.

Primary: a count from 1 to k-1 is hidden ("<k"). Complementary: in every
line that adds up to a shown total (a row's parts, a column's units), one
hidden cell could be recomputed from the others, so the smallest other
non-zero cell of that line is hidden too; repeated until nothing changes.
Rates computed from a hidden count are hidden.
"""

from dataclasses import dataclass, field

PRIMARY, COMPLEMENTARY = "primary", "complementary"


@dataclass
class Table:
    """Counts by row and column, with additive lines: groups of cells whose
    values add up to a total cell that is also published."""

    cells: dict[tuple[str, str], int]
    lines: list[tuple[list[tuple[str, str]], tuple[str, str] | None]] = field(default_factory=list)
    hidden: dict[tuple[str, str], str] = field(default_factory=dict)


def suppress(table: Table, k: int) -> Table:
    for key, value in table.cells.items():
        if 0 < value < k:
            table.hidden[key] = PRIMARY
    changed = True
    while changed:
        changed = False
        for parts, total in table.lines:
            members = [*parts, total] if total is not None else list(parts)
            hidden = [c for c in members if c in table.hidden]
            if len(hidden) != 1:
                continue
            candidates = sorted((table.cells.get(c, 0), c) for c in members
                                if c not in table.hidden and table.cells.get(c, 0) > 0)
            if candidates:
                table.hidden[candidates[0][1]] = COMPLEMENTARY
                changed = True
    return table


def recomputable(table: Table) -> list[tuple[str, str]]:
    """Hidden cells that could be worked out from the published ones: any
    line with exactly one hidden member. (Used by tests; empty when the
    suppression is sound.)"""
    found = []
    for parts, total in table.lines:
        members = [*parts, total] if total is not None else list(parts)
        hidden = [c for c in members if c in table.hidden]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found
