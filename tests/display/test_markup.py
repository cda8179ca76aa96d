"""Money is never typeset as TeX; outputs have a plain sentence; dead widgets get hidden."""

from __future__ import annotations

import re

from tests.tex_checks import dollars_mathjax_would_read
from wan_notebook.display import Shown, money, no_tex
from wan_notebook.display._markup import DEAD_WIDGET_STYLE


def test_money_is_two_decimals_with_a_tilde_for_estimates() -> None:
    assert money(0.5) == "$0.50"
    assert money(1.25, estimate=True) == "~$1.25"
    assert money(None) == "" and money(-1.0) == ""


def test_no_tex_keeps_mathjax_2_and_3_away() -> None:
    html = no_tex("$0.00 spent; cap $0.40")
    assert dollars_mathjax_would_read(html) == []
    assert dollars_mathjax_would_read("<b>$0.00</b> of $0.40") == ["$0.00", "of $0.40"]
    assert 'class="tex2jax_ignore mathjax_ignore"' in html


def test_shown_has_html_for_notebooks_and_a_sentence_for_text() -> None:
    shown = Shown("<b>Key set</b>", "Key set")
    assert shown._repr_html_() == "<b>Key set</b>" and repr(shown) == "Key set"
    assert shown.data == "<b>Key set</b>"


def test_dead_widget_rule_needs_a_static_output_right_after_and_never_nests_has() -> None:
    rules = re.fullmatch(r"<style>(.*)\{display:none\}</style>", DEAD_WIDGET_STYLE)
    assert rules is not None
    for selector in rules.group(1).split(","):
        assert ":has(+* .wan-static)" in selector
        # :has() inside :has() is invalid CSS: the whole rule would be dropped.
        stack: list[str] = []
        deepest = 0
        for token in re.findall(r":has\(|\(|\)", selector):
            if token == ")":
                stack.pop()
            else:
                stack.append(token)
                deepest = max(deepest, stack.count(":has("))
        assert deepest == 1, selector


def test_cost_pair_shows_the_estimate_beside_what_was_billed() -> None:
    from wan_notebook.display import cost_pair

    assert cost_pair(0.75, 0.75) == "est. $0.75 · billed $0.75"
    assert cost_pair(1.5, 1.5033) == "est. $1.50 · billed $1.50"  # shown, never compared
    assert cost_pair(0.5, None) == "est. $0.50"
    assert cost_pair(None, 0.45) == "billed $0.45"
    assert cost_pair(None, None) == "" and cost_pair(-1.0, -1.0) == ""
