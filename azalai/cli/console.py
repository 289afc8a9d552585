"""The command line's consoles: Rich output with emoji codes off, and user text shown as typed.

Text that comes from a user (file names, scenario and policy names, notes, values quoted in messages) is
printed with :func:`esc` inside markup, or with ``markup=False``: a name such as ``[bold]x`` or ``:x:``
is shown literally, never interpreted.
"""

from __future__ import annotations

import math

from rich.console import Console
from rich.markup import escape
from rich.text import Text


out = Console(emoji=False)
err = Console(stderr=True, emoji=False)


def esc(value: object) -> str:
    """``value`` as text safe to put inside Rich markup."""
    return escape(str(value))


def number(x: float) -> str:
    """A number for a summary table: whole numbers with thousands separators, others to 3 significant digits."""
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return str(x)
    if float(x).is_integer() or abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def plain(value: object) -> Text:
    """``value`` as a table cell that is never read as markup."""
    return Text(str(value))


__all__ = ["out", "err", "esc", "number", "plain"]
