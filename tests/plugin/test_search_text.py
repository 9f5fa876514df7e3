"""Search result snippets show formulas as readable text, not raw TeX."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from mkdocs_backprop import mathml
from mkdocs_backprop.math_text import readable
from plugin_site import build, page_html, write_site


@pytest.mark.parametrize(("tex", "text"), [
    (r"z = (x + y)^2", "z = (x + y)²"),
    (r"\frac{\partial L}{\partial x}", "∂L/∂x"),
    (r"y = \frac{1}{1 + \exp(-x)}", "y = 1/(1 + exp(−x))"),
    (r"\frac{\partial L}{\partial \mathbf{X}} = \frac{\partial L}{\partial \mathbf{Y}} \cdot \mathbf{W}^{\mathrm{T}}",
     "∂L/∂X = ∂L/∂Y · Wᵀ"),
    (r"x_1 + x_{k}", "x₁ + xₖ"),
    (r"h = 10^{-4}", "h = 10⁻⁴"),
    (r"\sqrt{2}", "√2"),
    (r"\text{지불 금액} = 220", "지불 금액 = 220"),
    (r"E \longrightarrow E \cdot \frac{\partial y}{\partial x}", "E ⟶ E · ∂y/∂x"),
    (r"e^{x+1}", "e^(x + 1)"),
])
def test_formulas_read_as_one_would_type_them(tex: str, text: str) -> None:
    assert readable(mathml.to_mathml(tex)) == text


def test_the_search_index_holds_readable_formulas_and_the_page_mathml(tmp_path: Path) -> None:
    root = write_site(tmp_path, {"index.md": (
        "# 연쇄법칙\n\n합성 함수 $z = (x + y)^2$를 미분하면 $\\frac{\\partial z}{\\partial t} = 2t$입니다.\n\n"
        "```python exec\nt = 3\n```\n\n$t = 3$이면 $2t = `{py} 2 * t`$입니다.\n\n"
        "$$\ny = \\frac{1}{1 + \\exp(-x)}\n$$\n"
    )})
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("plugins:\n", "plugins:\n  - search\n"),
                      encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.stderr
    index = json.loads((root / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    text = " ".join(doc["text"] for doc in index["docs"])
    for readable_text in ("z = (x + y)²", "∂z/∂t = 2t", "2t = 6", "y = 1/(1 + exp(−x))"):
        assert readable_text in text
    assert "\\(" not in text and "\\frac" not in text and "^2" not in text
    page = page_html(root, "index.html")
    assert page.count("<math") == 5 and "bp-math:" not in page
    assert 'class="arithmatex">\\(' not in page and 'class="arithmatex">\\[' not in page
