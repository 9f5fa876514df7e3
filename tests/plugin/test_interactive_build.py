"""Interactive figures in a real build: which figures carry their graph, which pages load the script."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from mkdocs_backprop import interactive
from mkdocs_backprop.figure_source import FigureSource, figure_source
from plugin_site import build, page_html, write_site

from layers import Graph, MulLayer

GRAPH = '''
```python figure id="{id}" caption="곱셈"{options}
from layers import Graph, MulLayer

layer = MulLayer()
with Graph() as g:
    z = layer.forward(g.input({x}, "{label}"), g.input(5, "y"))
    g.output(z, "z")
layer.backward(1.3)
g
```
'''

PAGES = {
    "index.md": "# 처음\n\n그림 없는 쪽.\n",
    "graphs/mul.md": "# 곱셈\n\n" + GRAPH.format(id="mul", options="", x=10, label="x") + "\n"
    + GRAPH.format(id="tricky", options="", x=2.5, label="x</script><b>y & z</b>"),
    "graphs/static.md": "# 정적\n\n" + GRAPH.format(id="off", options=' interactive="false"', x=10, label="x")
    + '\n```python figure id="custom" caption="직접 만든 계층"\nfrom layers import Graph, MulLayer\n\n'
    "class Triple(MulLayer):\n    pass\n\nlayer = Triple()\nwith Graph() as g:\n"
    '    g.output(layer.forward(g.input(2.0, "x"), 3.0), "y")\ng\n```\n',
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("interactive"), PAGES)
    result = build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root


def graphs(html: str) -> dict[str, tuple[str, dict]]:
    """figure id -> (data-prefix, parsed graph) of every figure carrying one."""
    found = {}
    for figure in re.findall(r'<figure class="bp-figure" id="([^"]+)">(.*?)</figure>', html, flags=re.S):
        match = re.search(r'<script type="application/json" class="bp-graph" data-prefix="([^"]*)">(.*?)</script>',
                          figure[1], flags=re.S)
        if match:
            found[figure[0]] = (match.group(1), json.loads(match.group(2)))
    return found


def test_a_layers_graph_carries_its_export_beside_its_svg(site: Path) -> None:
    html = page_html(site, "graphs/mul/index.html")
    found = graphs(html)
    assert set(found) == {"mul", "tricky"}
    prefix, data = found["mul"]
    layer = MulLayer()
    with Graph() as g:
        z = layer.forward(g.input(10, "x"), g.input(5, "y"))
        g.output(z, "z")
    layer.backward(1.3)
    assert data == g.export()
    # The prefix the SVG's ids carry, so the script finds edge e0 as prefix + "e0".
    assert f'id="{prefix}e0"' in html and f'id="{prefix}n2"' in html


def test_the_graph_data_cannot_end_its_script_element(site: Path) -> None:
    html = page_html(site, "graphs/mul/index.html")
    _, data = graphs(html)["tricky"]
    assert data["nodes"][0]["label"] == "x</script><b>y & z</b>"
    assert "<b>y & z</b>" not in html.split('id="tricky"', 1)[1].split("</figure>", 1)[0].split("bp-graph", 1)[1]


def test_pages_with_an_interactive_figure_load_the_script_and_others_do_not(site: Path) -> None:
    mul = page_html(site, "graphs/mul/index.html")
    head = mul.split("</head>", 1)[0]
    assert '<script defer src="../../assets/backprop/interactive.js"></script>' in head
    assert '<link rel="stylesheet" href="../../assets/backprop/interactive.css">' in head
    for page in ("index.html", "graphs/static/index.html"):
        assert "interactive.js" not in page_html(site, page)
    for name in interactive.ASSETS:
        assert (site / "site" / "assets" / "backprop" / name).read_bytes() == (
            Path(interactive.__file__).parent / "assets" / name).read_bytes()


def test_opting_out_or_an_unsupported_layer_leaves_the_figure_static(site: Path) -> None:
    html = page_html(site, "graphs/static/index.html")
    assert graphs(html) == {}
    assert html.count('<figure class="bp-figure"') == 2


def test_interactive_true_on_a_drawing_that_cannot_be_interactive_fails_at_its_line(tmp_path: Path) -> None:
    root = write_site(tmp_path, {
        "index.md": '# 그림\n\n본문.\n\n```python figure interactive="true" alt="화살표"\n"digraph { a -> b }"\n```\n',
    })
    result = build(root)
    assert result.returncode != 0
    assert re.search(r'ERROR.*docs/index\.md:5: .*interactive="true" was given, but the figure cannot be '
                     r"interactive: it is not a computation graph with export\(\)", result.stderr), result.stderr


def test_figure_source_carries_the_export_or_the_reason_there_is_none() -> None:
    layer = MulLayer()
    with Graph() as g:
        g.output(layer.forward(g.input(2, "x"), g.input(3, "y")), "z")
    source = figure_source(g)
    assert json.loads(source.graph) == g.export() and source.graph_error is None
    assert FigureSource.from_json(json.loads(json.dumps(source.to_json()))) == source

    class Odd(MulLayer):
        pass

    odd = Odd()
    with Graph() as h:
        h.output(odd.forward(h.input(2, "x"), 3), "z")
    source = figure_source(h)
    assert source.graph is None and "Odd" in source.graph_error
    assert interactive.requirement_error(source, None) is None
    assert "Odd" in interactive.requirement_error(source, "true")
    assert interactive.graph_json(figure_source(g), "false") is None


def test_assets_are_linked_relative_to_the_page() -> None:
    page = '<html><head><title>t</title></head><body>' + interactive.data_html("{}", "bp-x-") + "</body></html>"
    for url, base in (("", ""), ("a/", "../"), ("ch05/3-backward/", "../../"), ("ch05/page.html", "../")):
        linked = interactive.link_assets(page, url, "assets/backprop")
        assert f'<script defer src="{base}assets/backprop/interactive.js"></script></head>' in linked
    assert interactive.link_assets("<html><head></head><body></body></html>", "a/", "x") == (
        "<html><head></head><body></body></html>")
