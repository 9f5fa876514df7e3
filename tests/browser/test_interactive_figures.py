"""Interactive computation-graph figures on the built site, in Chromium, against Python.

Every figure carrying its graph is driven with random inputs; the numbers it then shows
(on each edge of the SVG, in its text alternative) must be exactly what the layers compute
and the drawing writes for those inputs. One graph is stepped through from first to last
step; the rest checks what readers rely on: the Δ comparison, the static figure without
JavaScript, keyboard use, phone width, dark palette and print.
"""
from __future__ import annotations

import json
import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from browser_helpers import Recorder, new_context
from graph_cases import random_input
from layers.display import format_value
from layers.export import rebuild

pytestmark = pytest.mark.browser

SVG = "{http://www.w3.org/2000/svg}"

READ_FIGURES = """() => [...document.querySelectorAll('figure.bp-figure > script.bp-graph')].map(s => ({
  id: s.parentNode.id, prefix: s.dataset.prefix, data: JSON.parse(s.textContent),
  interactive: s.parentNode.classList.contains('bp-interactive')}))"""

# The text of every label group e{k} of the figure's SVG, in document order.
READ_EDGE_TEXTS = """([id, prefix, n]) => {
  const svg = document.querySelector('#' + CSS.escape(id) + ' svg');
  return [...Array(n).keys()].map(k =>
    [...svg.querySelector("[id='" + prefix + 'e' + k + "']").querySelectorAll('text')].map(t => t.textContent));
}"""

# The text of every node's gradient group n{i}-grad (an input used twice: its branches' sum).
READ_SUM_TEXTS = """([id, prefix]) => Object.fromEntries(
  [...document.querySelectorAll('#' + CSS.escape(id) + ' svg g[id]')]
    .filter(g => /^n\\d+-grad$/.test(g.id.slice(prefix.length)))
    .map(g => [g.id.slice(prefix.length), [...g.querySelectorAll('text')].map(t => t.textContent)]))"""

SET_INPUTS = """([id, texts]) => {
  const fields = [...document.querySelectorAll('#' + CSS.escape(id) + ' .bp-inputs input')];
  fields.forEach((f, k) => { f.value = texts[k]; f.dispatchEvent(new Event('change', {bubbles: true})); });
  return fields.length;
}"""


@pytest.fixture(scope="module")
def context(browser: Any, served_site: Any) -> Iterator[tuple[Any, Recorder]]:
    recorder = Recorder(served_site.origin)
    ctx = new_context(browser, recorder)
    yield ctx, recorder
    ctx.close()


@pytest.fixture(scope="module")
def pages_with_graphs(served_site: Any) -> list[str]:
    pages = [p for p in served_site.built.pages if 'class="bp-graph"' in served_site.built.html(p)]
    assert len(pages) >= 4, pages
    return pages


def open_page(context: tuple[Any, Recorder], served_site: Any, page: str) -> Any:
    ctx, recorder = context
    recorder.reset()
    tab = ctx.new_page()
    recorder.attach(tab)
    tab.goto(served_site.url(page))
    tab.wait_for_function("() => window.bpGraph !== undefined")
    return tab


def drawn_texts(graph: Any) -> list[list[str]]:
    """What the real drawing writes on each edge of ``graph``: rendered by `dot`, read back per e{k}."""
    root = ET.fromstring(graph._repr_svg_())
    groups = {g.get("id"): g for g in root.iter(f"{SVG}g")}
    return [["".join(t.itertext()) for t in groups[f"e{k}"].iter(f"{SVG}text")] for k in range(len(graph.edges))]


def drawn_sums(graph: Any) -> dict[str, list[str]]:
    """The node gradient groups n{i}-grad the real drawing of ``graph`` writes."""
    root = ET.fromstring(graph._repr_svg_())
    return {g.get("id")[2:]: ["".join(t.itertext()) for t in g.iter(f"{SVG}text")]
            for g in root.iter(f"{SVG}g") if re.fullmatch(r"a_n\d+-grad", g.get("id") or "")}


def test_every_graph_figure_recomputes_exactly_what_the_layers_compute(
        context: tuple[Any, Recorder], served_site: Any, pages_with_graphs: list[str]) -> None:
    rng = np.random.default_rng(20261130)
    checked = summed = 0
    for page in pages_with_graphs:
        tab = open_page(context, served_site, page)
        for figure in tab.evaluate(READ_FIGURES):
            assert figure["interactive"], f"{page}#{figure['id']} carries its graph but did not become interactive"
            data, n_edges = figure["data"], len(figure["data"]["edges"])
            # Before any change the figure is the build's drawing, number for number.
            assert tab.evaluate(READ_EDGE_TEXTS, [figure["id"], figure["prefix"], n_edges]) == drawn_texts(rebuild(data))
            editable = [i for i, n in enumerate(data["nodes"]) if n["kind"] == "input" and n["editable"]]
            if not editable:
                continue
            for _ in range(3):
                texts, inputs = [], {}
                for i in editable:
                    node_texts, inputs[i] = random_input(rng, data["nodes"][i]["value"])
                    texts += node_texts
                assert tab.evaluate(SET_INPUTS, [figure["id"], texts]) == len(texts)
                where = f"{page}#{figure['id']} with inputs {texts}"
                try:
                    expected = rebuild(data, inputs)
                except ValueError as error:  # the layers refuse these inputs: so must the page
                    status = tab.locator(f"#{figure['id']} .bp-status").inner_text()
                    assert status.startswith("이 입력으로는 계산할 수 없습니다"), (where, error, status)
                    continue
                shown = tab.evaluate(READ_EDGE_TEXTS, [figure["id"], figure["prefix"], n_edges])
                assert shown == drawn_texts(expected), where
                sums = drawn_sums(expected)
                summed += bool(sums)
                assert tab.evaluate(READ_SUM_TEXTS, [figure["id"], figure["prefix"]]) == sums, where
                alt = tab.locator(f"#{figure['id']} svg").get_attribute("aria-label")
                assert alt == expected.describe(), where
                note = tab.locator(f"#{figure['id']} .bp-caption-note")
                assert note.is_visible() and "기본 입력" in note.inner_text(), where
                checked += 1
            tab.locator(f"#{figure['id']} .bp-reset").click()
            assert tab.evaluate(READ_EDGE_TEXTS, [figure["id"], figure["prefix"], n_edges]) == drawn_texts(rebuild(data))
            assert tab.locator(f"#{figure['id']} .bp-caption-note").is_hidden()
        recorder = context[1]
        assert not recorder.console_errors and not recorder.foreign, (page, recorder.console_errors, recorder.foreign)
        tab.close()
    assert checked >= 20 and summed >= 3  # the branch figure of 5.3 shows a summed gradient


def test_the_search_index_holds_no_graph_data(served_site: Any) -> None:
    text = json.dumps(served_site.built.search_index(), ensure_ascii=False)
    assert '"editable"' not in text and "bp-graph" not in text


def names(graph: Any) -> dict[int, str]:
    """The × and + nodes as the text alternative calls them: 첫 번째 곱셈 노드, 덧셈 노드, …"""
    ops = [n for n in graph.nodes if n.kind == "op"]
    word = {"×": "곱셈", "+": "덧셈"}
    ordinal = ["첫", "두", "세", "네"]
    return {id(n): (f"{ordinal[[m for m in ops if m.label == n.label].index(n)]} 번째 "
                    if sum(m.label == n.label for m in ops) > 1 else "") + f"{word[n.label]} 노드" for n in ops}


def name(graph: Any, edge: Any, output: bool) -> str:
    if edge.src.kind == "input":
        return edge.src.label
    return names(graph)[id(edge.src)] + ("의 출력" if output else "")


def expected_steps(graph: Any) -> list[tuple[str, set[str]]]:
    """What each step of a graph of × and + nodes must say, and which nodes it must highlight."""
    index = {id(n): i for i, n in enumerate(graph.nodes)}
    steps = []
    for node in graph.nodes:
        if node.kind == "op":
            a, b = sorted((e for e in graph.edges if e.dst is node), key=lambda e: e.arg_index)
            out = next(e for e in graph.edges if e.src is node)
            steps.append((f"순전파, {node.label} 노드: {name(graph, a, True)} {format_value(a.value)} {node.label} "
                          f"{name(graph, b, True)} {format_value(b.value)} = {format_value(out.value)}.",
                          {f"n{index[id(node)]}"}))
    out_edge = next(e for e in graph.edges if e.dst.kind == "output")
    steps.append((f"역전파 시작: {out_edge.dst.label} 쪽의 기울기 {format_value(out_edge.grad)}에서 출발합니다.",
                  {f"n{index[id(out_edge.src)]}"}))
    for node in reversed(graph.nodes):
        if node.kind != "op":
            continue
        ins = sorted((e for e in graph.edges if e.dst is node), key=lambda e: e.arg_index)
        for edge in ins:
            local = "1" if node.label == "+" else format_value(ins[1 - edge.arg_index].value)
            steps.append((f"역전파, {node.label} 노드: 상류 {format_value(node.dout)} × 국소적 미분 {local} = "
                          f"{format_value(edge.grad)} → {name(graph, edge, False)}.", {f"n{index[id(node)]}"}))
    return steps


def test_stepping_through_a_graph_from_first_step_to_last(context: tuple[Any, Recorder], served_site: Any,
                                                           pages_with_graphs: list[str]) -> None:
    page = next(p for p in pages_with_graphs if 'id="apple-orange-backward"' in served_site.built.html(p))
    tab = open_page(context, served_site, page)
    figure = next(f for f in tab.evaluate(READ_FIGURES) if f["id"] == "apple-orange-backward")
    graph = rebuild(figure["data"])
    steps = expected_steps(graph)
    assert "역전파, × 노드: 상류 1.1 × 국소적 미분 2 = 2.2 → 사과." in [text for text, _ in steps]
    root = tab.locator("#apple-orange-backward")
    status = root.locator(".bp-status")
    assert status.get_attribute("aria-live") == "polite"
    root.focus()
    highlighted = f"""() => [...document.querySelectorAll('#apple-orange-backward svg .bp-on')]
                        .map(e => e.id.slice({len(figure['prefix'])}))"""
    for number, (text, nodes) in enumerate(steps, start=1):
        tab.keyboard.press("ArrowRight")
        assert status.inner_text() == text, number
        assert root.locator(".bp-count").inner_text() == f"{number} / {len(steps)} 단계"
        assert nodes <= set(tab.evaluate(highlighted)), (number, text)
    tab.keyboard.press("ArrowRight")  # past the last step: it says so and stays
    assert root.locator(".bp-count").inner_text() == f"{len(steps)} / {len(steps)} 단계"
    assert "마지막 단계" in status.inner_text() and "'처음으로'" in status.inner_text()  # the prose's quotes
    root.locator("button[data-bp=prev]").click()
    assert status.inner_text() == steps[-2][0]
    root.locator("button[data-bp=first]").click()
    assert root.locator(".bp-count").inner_text() == f"0 / {len(steps)} 단계"
    assert tab.evaluate(highlighted) == []
    tab.close()


HINT_STATE = """() => [...document.querySelectorAll('figure.bp-interactive')].map(f => {
  const hint = f.querySelector('.bp-hint'), box = hint.getBoundingClientRect();
  const described = (f.getAttribute('aria-describedby') || '').split(/\\s+/)
    .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(' ');
  const bar = f.querySelector('.bp-stepper');
  return {id: f.id, shown: box.width > 1 && box.height > 1, status: f.querySelector('.bp-status').textContent,
          text: hint.textContent, described, bar: document.getElementById(bar.getAttribute('aria-describedby')) === hint,
          controls: f.querySelector('.bp-controls').textContent};
})"""


def test_the_how_to_hint_is_said_once_not_printed_under_every_figure(
        context: tuple[Any, Recorder], served_site: Any, pages_with_graphs: list[str]) -> None:
    page = next(p for p in pages_with_graphs if 'id="branch"' in served_site.built.html(p))
    tab = open_page(context, served_site, page)
    figures = tab.evaluate(HINT_STATE)
    assert len(figures) >= 3
    for f in figures:
        # Nothing on screen until the reader comes to the figure; the hint is its accessible description.
        assert not f["shown"] and f["status"] == "", f
        assert "'다음'" in f["text"] and "→" in f["text"] and f["described"] == f["text"] and f["bar"], f
        assert "‘" not in f["controls"] and "’" not in f["controls"], f  # the prose writes '…'
    root = tab.locator("#branch")
    root.focus()
    shown = [f["id"] for f in tab.evaluate(HINT_STATE) if f["shown"]]
    assert shown == ["branch"]
    hint, figure = (tab.locator(s).bounding_box() for s in ("#branch .bp-hint", "#branch"))
    assert figure["y"] <= hint["y"] and hint["y"] + hint["height"] <= figure["y"] + figure["height"]
    tab.keyboard.press("ArrowRight")  # the first step's line takes its place
    state = next(f for f in tab.evaluate(HINT_STATE) if f["id"] == "branch")
    assert state["status"] and not state["shown"], state
    tab.close()


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def test_changing_an_input_compares_gradient_times_delta_with_the_actual_change(
        context: tuple[Any, Recorder], served_site: Any, pages_with_graphs: list[str]) -> None:
    page = next(p for p in pages_with_graphs if 'id="apple-backward"' in served_site.built.html(p))
    tab = open_page(context, served_site, page)
    data = next(f for f in tab.evaluate(READ_FIGURES) if f["id"] == "apple-backward")["data"]
    apple = next(i for i, n in enumerate(data["nodes"]) if n.get("label") == "사과")
    before, after = rebuild(data), rebuild(data, {apple: 110})
    grad = next(e.grad for e in before.edges if e.src.label == "사과")
    price_before = next(e.value for e in before.edges if e.dst.kind == "output")
    price_after = next(e.value for e in after.edges if e.dst.kind == "output")
    field = tab.locator("#apple-backward").get_by_label("사과", exact=True)
    field.fill("110")
    field.press("Enter")
    assert tab.locator("#apple-backward .bp-status").inner_text() == (
        f"사과: 100 → 110 (Δ = 10). 기울기로 예측한 변화: {format_value(grad)} × 10 = {format_value(grad * 10)}. "
        f"실제 변화: 지불 금액 {format_value(price_before)} → {format_value(price_after)}, "
        f"차이 {format_value(price_after - price_before)}.")
    assert format_value(grad * 10) == format_value(price_after - price_before)  # linear: exact
    tab.close()

    page = next(p for p in pages_with_graphs if 'id="sigmoid-node"' in served_site.built.html(p))
    tab = open_page(context, served_site, page)
    field = tab.locator("#sigmoid-node .bp-inputs input")
    field.fill("1.01")
    field.press("Enter")
    status = tab.locator("#sigmoid-node .bp-status").inner_text()
    _, _, delta, grad, delta2, predicted, *rest = numbers(status)
    actual = rest[-1]
    assert (delta, delta2) == (0.01, 0.01) and predicted == pytest.approx(grad * delta, rel=1e-5)
    assert actual != predicted and actual == pytest.approx(predicted, rel=0.01)  # close for a small Δ
    tab.close()


def canonical(element: ET.Element) -> tuple:
    """An SVG element as comparable data: tag, attributes, text, children (serialisation aside)."""
    return (element.tag, sorted(element.attrib.items()), (element.text or "").strip(),
            [canonical(child) for child in element])


def test_without_javascript_the_figure_is_the_static_drawing(browser: Any, served_site: Any,
                                                             pages_with_graphs: list[str]) -> None:
    page = pages_with_graphs[0]
    built = served_site.built.html(page)
    ctx = browser.new_context(java_script_enabled=False)
    tab = ctx.new_page()
    tab.goto(served_site.url(page))
    assert tab.locator(".bp-controls").count() == 0
    first_svg = re.search(r'<figure class="bp-figure"[^>]*>.*?(<svg\b.*?</svg>)', built, flags=re.S).group(1)
    shown = tab.evaluate("() => document.querySelector('figure.bp-figure svg').outerHTML")
    assert canonical(ET.fromstring(shown)) == canonical(ET.fromstring(first_svg))
    for box in tab.locator("figure.bp-figure script.bp-graph").all():
        assert not box.is_visible()
    ctx.close()


def contrast(fg: str, bg: str) -> float:
    def luminance(css: str) -> float:
        r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("scheme,width", [("light", 390), ("dark", 1280), ("dark", 390)])
def test_controls_fit_a_phone_read_in_both_palettes_and_are_not_printed(
        browser: Any, served_site: Any, pages_with_graphs: list[str], scheme: str, width: int) -> None:
    page = next(p for p in pages_with_graphs if 'id="affine"' in served_site.built.html(p))
    ctx = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})
    tab = ctx.new_page()
    tab.goto(served_site.url(page))
    controls = tab.locator("#affine .bp-controls")
    controls.wait_for()
    # The controls wrap to the column: nothing of theirs sticks out or scrolls sideways.
    assert controls.evaluate("e => e.scrollWidth <= e.clientWidth")
    for part in controls.locator("button, input, .bp-status, .bp-count, legend").all():
        box = part.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, part.evaluate("e => e.outerHTML")
    for selector in (".bp-status", ".bp-button", ".bp-inputs input", ".bp-count"):
        fg, bg = tab.evaluate("""s => { const e = document.querySelector('#affine ' + s);
            let b = e, bg = 'rgba(0, 0, 0, 0)';
            while (b && (bg = getComputedStyle(b).backgroundColor) === 'rgba(0, 0, 0, 0)') b = b.parentElement;
            return [getComputedStyle(e).color, bg]; }""", selector)
        assert contrast(fg, bg) >= 4.5, (selector, fg, bg)
    tab.emulate_media(media="print")
    assert controls.is_hidden()
    ctx.close()


def test_keyboard_alone_steps_and_edits(context: tuple[Any, Recorder], served_site: Any,
                                        pages_with_graphs: list[str]) -> None:
    page = next(p for p in pages_with_graphs if 'id="mul-backward"' in served_site.built.html(p))
    tab = open_page(context, served_site, page)
    root = tab.locator("#mul-backward")
    root.focus()
    tab.keyboard.press("ArrowRight")
    assert root.locator(".bp-count").inner_text().startswith("1 /")
    # On the drawing's scroll box (focusable when a phone makes it scroll) arrows scroll, not step.
    tab.evaluate("() => document.querySelector('#mul-backward .bp-figure-scroll')"
                 ".dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', bubbles: true}))")
    assert root.locator(".bp-count").inner_text().startswith("1 /")
    tab.keyboard.press("Tab")  # into the controls: the first button
    assert tab.evaluate("() => document.activeElement.textContent") == "처음으로"
    tab.keyboard.press("Enter")
    assert root.locator(".bp-count").inner_text().startswith("0 /")
    while tab.evaluate("() => document.activeElement.tagName") != "INPUT":
        tab.keyboard.press("Tab")
    tab.keyboard.press("Control+A")
    tab.keyboard.type("12")
    tab.keyboard.press("Enter")
    assert root.locator(".bp-status").inner_text().startswith("x: 10 → 12 (Δ = 2).")
    assert math.isfinite(float(root.locator(".bp-inputs input").first.input_value()))
    tab.close()


def test_a_phone_keyboard_for_the_inputs_has_a_minus_sign_and_does_not_zoom_the_page(
        context: tuple[Any, Recorder], served_site: Any, pages_with_graphs: list[str]) -> None:
    # inputmode="decimal" or "numeric" makes iOS show a keypad of digits and a point only:
    # ReLU's x = [[1, -0.5], [-2, 3]] could not be typed on an iPhone. type="number" alone
    # gets the keyboard of digits and signs.
    page = next(p for p in pages_with_graphs if 'id="relu"' in served_site.built.html(p))
    tab = open_page(context, served_site, page)
    tab.set_viewport_size({"width": 390, "height": 800})
    fields = tab.evaluate("""() => [...document.querySelectorAll('.bp-inputs input')].map(i => ({
        figure: i.closest('figure').id, type: i.type, mode: i.inputMode, value: i.value}))""")
    assert any(f["figure"] == "relu" and f["value"].startswith("-") for f in fields), fields
    assert {f["type"] for f in fields} == {"number"}
    keypads = [f for f in fields if f["mode"] in ("decimal", "numeric")]
    assert not keypads, keypads
    # iOS Safari zooms the page into a field whose text is under 16 px when it gets focus.
    small = tab.evaluate("""() => [...document.querySelectorAll('.bp-inputs input')]
        .map(i => parseFloat(getComputedStyle(i).fontSize)).filter(px => px < 16)""")
    assert not small, small
    # And a negative value typed in is taken.
    field = tab.locator("#relu .bp-inputs input").first
    field.fill("-4")
    field.dispatch_event("change")
    assert "→ -4 " in tab.locator("#relu .bp-status").inner_text()
    tab.close()


def test_on_a_touch_screen_every_control_is_a_44_px_target(browser: Any, served_site: Any,
                                                          pages_with_graphs: list[str]) -> None:
    page = next(p for p in pages_with_graphs if 'id="affine"' in served_site.built.html(p))
    ctx = browser.new_context(viewport={"width": 390, "height": 800}, is_mobile=True, has_touch=True)
    tab = ctx.new_page()
    tab.goto(served_site.url(page))
    tab.locator("#affine .bp-controls").wait_for()
    heights = tab.evaluate("""() => [...document.querySelectorAll('.bp-controls button, .bp-controls input')]
        .map(e => [e.textContent || e.getAttribute('aria-label') || e.value, e.getBoundingClientRect().height])""")
    ctx.close()
    assert len(heights) >= 10
    small = [h for h in heights if h[1] < 44 - 0.5]
    assert not small, small
