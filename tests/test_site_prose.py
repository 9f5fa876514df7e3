"""The chapter's prose as readers get it: how values and formulas sit in the sentences."""
from __future__ import annotations

import re

from site_helpers import BuiltSite

# A formula closed before its "= value" ($-\frac{t_k}{y_k}$ = [0, 0, -1.35759]): the line may
# break before the "=", and the value's minus is a hyphen beside the formula's "−".
SPLIT_EQUATION = re.compile(r"</math></span>\s*[=≈]\s")


def test_no_equation_goes_on_outside_its_formula(built_site: BuiltSite) -> None:
    split = {}
    for page in built_site.pages:
        html = built_site.html(page)
        found = [html[m.start() - 120:m.end() + 40] for m in SPLIT_EQUATION.finditer(html)]
        if found:
            split[page] = [re.sub(r"<[^>]+>", "", f) for f in found]
    assert not split, split
