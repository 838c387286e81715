"""Shares of a grid in captions: a few red cells on screen never read as 0%."""

import pytest

from lab.share import share_text


@pytest.mark.parametrize("fraction, text", [
    (0.0, "0%"), (4 / 1600, "under 1%"), (0.0049, "under 1%"), (0.005, "under 1%"), (0.0051, "1%"),
    (0.334, "33%"), (0.9949, "99%"), (0.9951, "over 99%"), (1596 / 1600, "over 99%"), (1.0, "100%"),
])
def test_a_share_that_is_neither_none_nor_all_never_reads_as_either(fraction: float, text: str) -> None:
    assert share_text(fraction) == text
