"""A share of a grid in words that never round a visible few to nothing (or a few gaps to all)."""

from __future__ import annotations


def share_text(fraction: float) -> str:
    """``fraction`` (0 to 1) as a whole percentage, except that a share that is neither none nor
    all never reads as 0% or 100%: "under 1%", "over 99%". Four red cells in 1,600 are on screen."""
    shown = f"{fraction:.0%}"
    if 0.0 < fraction and shown == "0%":
        return "under 1%"
    if fraction < 1.0 and shown == "100%":
        return "over 99%"
    return shown
