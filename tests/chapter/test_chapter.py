"""The built chapter: every figure of the source blog is there with its values,
and the prose cites the numbers the layers computed.

Expected numbers are written here by hand from CHAPTER.md (and the book), never
taken from the build, so a wrong layer, a stale figure or a typed-in number fails.
They appear as the site formats them: at most six significant digits.
"""
from __future__ import annotations

import html
import math
import re
import pytest

from site_helpers import BuiltSite

CHAPTER = ["1-computational-graph", "2-chain-rule", "3-backward", "4-simple-layers",
           "5-activation-layers", "6-affine-softmax", "7-backprop-implementation", "8-summary"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(built_site: BuiltSite) -> BuiltSite:
    """The real site, from the session's one ``mkdocs build --strict`` (tests/conftest.py)."""
    return built_site


def page_html(site: BuiltSite, name: str) -> str:
    return site.html(f"ch05/{name}/")


def article(page: str) -> str:
    """The page's main content, without Material's navigation and search index."""
    match = re.search(r'<article class="md-content__inner[^"]*"[^>]*>(.*?)</article>', page, re.S)
    assert match, "no <article> in the page"
    return match.group(1)


def figures(page: str) -> list[str]:
    """The <figure> elements that hold a drawn SVG, in reading order."""
    found = re.findall(r"<figure\b[^>]*>.*?</figure>", article(page), re.S)
    return [f for f in found if "<svg" in f]


def svg_texts(figure: str) -> list[str]:
    """Every piece of text drawn inside the figure's SVG (edge labels, node symbols)."""
    svg = figure[figure.index("<svg"):figure.rindex("</svg>")]
    texts = re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in texts]


def prose(page: str) -> str:
    """Visible text outside code blocks, block outputs and figures."""
    body = article(page)
    body = re.sub(r"<(pre|svg|script|style|annotation)\b.*?</\1>", " ", body, flags=re.S)
    body = re.sub(r"<math\b.*?</math>", lambda m: " " + re.sub(r"<[^>]+>", "", m.group(0)) + " ", body, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return re.sub(r"\s+", " ", text)


def significant_digits(number: str) -> int:
    return len(number.replace(".", "").lstrip("0"))


def caption(figure: str) -> str:
    match = re.search(r"<figcaption\b[^>]*>(.*?)</figcaption>", figure, re.S)
    assert match, "figure without a caption"
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))).strip()


def has_all(texts: list[str], expected: list[str]) -> list[str]:
    """Expected strings that no drawn text shows as a whole token ("2" is not found in "220")."""
    def shown(e: str) -> bool:
        token = rf"(?<![\w.]){re.escape(e)}(?![\w.])" if re.match(r"^[\w.(-]", e) else re.escape(e)
        return any(re.search(token, t) for t in texts)
    return [e for e in expected if not shown(e)]


def _six(v: float) -> str:
    """A number as the site shows it: six significant digits, no trailing zeros."""
    text = f"{v:.6g}"
    return "0" if text == "-0" else text


def _batch_affine_grads() -> list[str]:
    """5.6.2: X = [[1, 2], [3, 4]], W = [[1, 2, 3], [4, 5, 6]], dY = [[1, -1, 2], [0, 2, 1]]."""
    X, W, dY = [[1, 2], [3, 4]], [[1, 2, 3], [4, 5, 6]], [[1, -1, 2], [0, 2, 1]]
    dX = [[sum(dY[n][j] * W[i][j] for j in range(3)) for i in range(2)] for n in range(2)]
    dW = [[sum(X[n][i] * dY[n][j] for n in range(2)) for j in range(3)] for i in range(2)]
    db = [dY[0][j] + dY[1][j] for j in range(3)]
    assert dX == [[5, 11], [7, 16]] and db == [1, 1, 3]  # by hand, too
    # A matrix is drawn one row per line: "[[5, 11]," then "[7, 16]]".
    rows = [line for m in (dX, dW) for line in (f"[{m[0]},", f"{m[1]}]")]
    return rows + [str(db)]


def _softmax_graph() -> dict[str, list[str]]:
    """The book's appendix A at a = (0.3, 2.9, 4.0), t = (0, 0, 1), by plain math."""
    a, t = [0.3, 2.9, 4.0], [0, 0, 1]
    e = [math.exp(v) for v in a]
    S = sum(e)
    y = [v / S for v in e]
    loss = -sum(tk * math.log(yk) for tk, yk in zip(t, y))
    left = [_six(v) for v in e] + [_six(S), _six(1 / S)] + [_six(yk - tk) for yk, tk in zip(y, t)]
    left.append(_six(-t[2] / y[2] / S))  # the exp(a3) branch through ×
    right = [_six(math.log(yk)) for yk in y] + [_six(-t[2] / y[2]), _six(loss), _six(-loss)]
    return {"left": left, "right": right}


BATCH_AFFINE_GRADS = _batch_affine_grads()
SOFTMAX_GRAPH = _softmax_graph()


# (page, index of the figure on that page, strings its SVG must show) for the
# twelve figures of the source blog, plus the ones the chapter adds.
FIGURES = [
    ("01 apple", "1-computational-graph", 0, ["사과", "사과 개수", "소비세", "지불 금액", "100", "2", "200", "1.1", "220"]),
    ("02 apple+orange", "1-computational-graph", 1, ["귤", "100", "2", "200", "150", "3", "450", "650", "1.1", "715"]),
    ("03 apple backward", "1-computational-graph", 2, ["220", "1", "1.1", "2.2", "110", "200"]),
    ("04 chain rule", "2-chain-rule", 0, ["3", "2", "5", "25", "10", "**2"]),
    ("05 add backward", "3-backward", 0, ["10", "5", "15", "1.3", "+"]),
    ("06 mul backward", "3-backward", 1, ["10", "5", "50", "1.3", "6.5", "13", "×"]),
    ("07 apple+orange backward", "3-backward", 2,
     ["715", "1", "650", "1.1", "200", "450", "100", "2.2", "2", "110", "150", "3.3", "3", "165"]),
    ("apple+orange exercise (blanks)", "3-backward", 3, ["120", "4", "480", "90", "5", "450", "930", "1.05", "976.5"]),
    # Apple price used twice (2 for me, 3 for a friend), then tax 1.1: the price's
    # edge splits, and its two branches carry 1.1 * 2 and 1.1 * 3 back.
    ("branches add", "3-backward", 4, ["사과", "내 몫 개수", "친구 몫 개수", "100", "200", "300", "500", "550",
                                      "2.2", "3.3", "110", "1.1"]),
    ("08 ReLU: two cases", "5-activation-layers", 0, ["3", "-2", "0", "ReLU"]),
    ("08 ReLU", "5-activation-layers", 1, ["(2, 2)", "-0.5", "3"]),
    ("09 sigmoid steps", "5-activation-layers", 2,
     ["exp", "/", "-1", "0.367879", "1.36788", "0.731059", "-0.534447", "-0.196612", "0.196612"]),
    ("10 sigmoid node", "5-activation-layers", 3, ["0.731059", "0.196612"]),
    ("11 Affine", "6-affine-softmax", 0, ["dot", "(2,)", "(2, 3)", "(3,)", "9.1", "12.2", "15.3", "6", "15"]),
    ("batch Affine", "6-affine-softmax", 1, ["(2, 2)", "(2, 3)", "(3,)", *BATCH_AFFINE_GRADS]),
    ("Softmax-with-Loss", "6-affine-softmax", 2, ["0.305714", "0.0182113", "0.245192", "-0.263403"]),
    ("Softmax-with-Loss as a graph: a to y", "6-affine-softmax", 3,
     ["exp", "/", "×", *SOFTMAX_GRAPH["left"]]),
    ("Softmax-with-Loss as a graph: y, t to L", "6-affine-softmax", 4,
     ["log", "×(−1)", *SOFTMAX_GRAPH["right"]]),
]


@pytest.mark.parametrize(("label", "page", "index", "expected"), FIGURES, ids=[f[0] for f in FIGURES])
def test_figure_shows_the_layers_values(site: BuiltSite, label: str, page: str, index: int, expected: list[str]) -> None:
    figs = figures(page_html(site, page))
    assert len(figs) > index, f"{page}: only {len(figs)} figures"
    texts = svg_texts(figs[index])
    missing = has_all(texts, expected)
    assert not missing, f"figure {label}: {missing} not drawn; drawn texts: {texts}"


def test_figures_are_numbered_through_the_chapter(site: BuiltSite) -> None:
    numbers = []
    for page in CHAPTER:
        for fig in figures(page_html(site, page)):
            match = re.search(r"그림 5-(\d+)", caption(fig))
            assert match, f"{page}: caption without a figure number: {caption(fig)!r}"
            numbers.append(int(match.group(1)))
    # Eleven drawn figures of the source blog (the twelfth is the derivation in
    # math), the 5.3 exercise and the branching figure, then batch Affine,
    # ReLU's two cases, Softmax-with-Loss and its two halves as a graph, the
    # learning curve and the summary's two-layer net.
    assert numbers == list(range(1, 21))


def test_figure_12_derivation_is_math_and_checked_numerically(site: BuiltSite) -> None:
    page = page_html(site, "6-affine-softmax")
    body = article(page)
    assert body.count("<math") >= 10
    assert "\\frac" not in prose(page), "LaTeX left unrendered"
    errors = [float(e) for e in re.findall(r"최대 절대 오차 ([0-9.e+-]+)", html.unescape(body))]
    assert len(errors) == 3
    assert all(e < 1e-7 for e in errors), errors


@pytest.mark.parametrize(
    ("page", "phrases"),
    [
        ("1-computational-graph", ["사과 가격에 대한 지불 금액의 미분은 2.2", "2.2원 늘어난다"]),
        ("2-chain-rule", ["2(x+y)=10", "t=5", "z=25"]),
        ("3-backward", ["| 사과 가격 | 100 | 2.2 |", "| 사과 개수 | 2 | 110 |", "| 귤 가격 | 150 | 3.3 |",
                        "| 귤 개수 | 3 | 165 |", "| 소비세 | 1.1 | 650 |",
                        # The tax sentence gives the amount, not "그 0.01배": 650 × 0.01.
                        "1.1에서 1.11로", "650 × 0.01 = 6.5원",
                        # Branches: 1.1 × 2 + 1.1 × 3 = 5.5, also by numerical differentiation.
                        "두 갈래의 합 5.5", "수치 미분도 5.5",
                        # The exercise's answers (apple 120 × 4, orange 90 × 5, tax 1.05).
                        "| 사과 | 4.2 |", "| 사과 개수 | 126 |", "| 귤 | 5.25 |", "| 귤 개수 | 94.5 |"]),
        ("4-simple-layers", ["지불 금액은 220원", "| 지불 금액 | 715 |", "| 귤 가격에 대한 미분 | 3.3 |",
                             "| 귤 개수에 대한 미분 | 165 |", "| 소비세에 대한 미분 | 650 |"]),
        ("5-activation-layers", ["0.196612", "0.25",
                                 # the book's in-place backward changes the caller's array
                                 "모두 1이던 grad가 역전파 한 번 만에 [[1, 0], [0, 1]]로 바뀌었습니다",
                                 "dout은 그대로 [[1, 1], [1, 1]]"]),
        ("6-affine-softmax", ["L=0.305714", "0.3, -0.8, 0.5",
                              # the exercise: X = [1, 2], dY = [2, -1, 0.5]: dX = dY·Wᵀ
                              "| [1.5, 6] | (2,) |", "| [[2, -1, 0.5], [4, -2, 1]] | (2, 3) |",
                              # the bias gradient is the batch's rows added: [1, -1, 2] + [0, 2, 1]
                              "db [1, 1, 3]",
                              # the graph ends in y − t, the same as the one-node layer
                              "y − t = [0.0182113, 0.245192, -0.263403]",
                              # inference needs no softmax
                              "소프트맥스와 손실은 학습할 때만 계산합니다"]),
    ],
)
def test_prose_cites_the_computed_values(site: BuiltSite, page: str, phrases: list[str]) -> None:
    text = prose(page_html(site, page))
    table_text = tables_as_rows(page_html(site, page))
    flat = re.sub(r"\s+", "", text)
    for phrase in phrases:
        if phrase.startswith("|"):
            assert phrase in table_text, f"{page}: row {phrase!r} not in {table_text}"
        else:
            assert phrase in text or re.sub(r"\s+", "", phrase) in flat, f"{page}: {phrase!r} missing"


def tables_as_rows(page: str) -> str:
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", article(page), re.S):
        cells = [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", c))).strip()
                 for c in re.findall(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", row, re.S)]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join(rows)


def test_training_reaches_a_useful_accuracy_and_tabulates_every_epoch(site: BuiltSite) -> None:
    rows = tables_as_rows(page_html(site, "7-backprop-implementation")).splitlines()
    epochs = [r for r in rows if re.match(r"\| \d+ \| [\d.]+% \| [\d.]+% \|$", r)]
    assert [int(r.split("|")[1]) for r in epochs] == list(range(1, 16))
    final_test = float(epochs[-1].split("|")[3].strip().rstrip("%"))
    # A two-layer net on 8x8 digits reaches well above 90 % test accuracy; a
    # broken backward pass leaves it near chance (10 %).
    assert final_test > 90


SUPERSCRIPT_DIGITS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
POWER = r"(\d+(?:\.\d+)?) × 10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)"


def power_of_ten(mantissa: str, exponent: str) -> float:
    """'2.3', '⁻¹¹' (as the prose writes 2.3 × 10⁻¹¹) -> 2.3e-11."""
    return float(mantissa) * 10.0 ** int(exponent.translate(SUPERSCRIPT_DIGITS))


def test_gradient_check_and_cost_counts(site: BuiltSite) -> None:
    page = page_html(site, "7-backprop-implementation")
    rows = tables_as_rows(page)
    for name, shape in [("W1", "(64, 50)"), ("b1", "(50,)"), ("W2", "(50, 10)"), ("b2", "(10,)")]:
        match = re.search(rf"\| {name} \| {re.escape(shape)} \| {POWER} \|", rows)
        assert match, f"gradient-check row for {name} missing in {rows}"
        assert power_of_ten(*match.groups()) < 1e-6
    text = prose(page)
    assert not re.search(r"\d\.?\d*e-\d", text), "exponents in prose are written as powers of ten"
    # 64*50 + 50 + 50*10 + 10 parameters; central differences: two forward passes each.
    assert "3760개" in text
    assert "7520번" in text


def test_no_raw_float_or_unrendered_value_in_prose(site: BuiltSite) -> None:
    for page in CHAPTER:
        text = prose(page_html(site, page))
        # Exponents are written 2.3 × 10⁻¹¹, never 2.3e-11.
        assert not re.search(r"\d\.?\d*e[-+]\d", text), f"{page}: e-notation in prose"
        assert "{py}" not in text and "{fig}" not in text, page
        # 220.00000000000003 may appear in block output (inside <pre>), never in prose.
        raw = [n for n in re.findall(r"\d+\.\d+", text) if significant_digits(n) > 6]
        assert not raw, f"{page}: raw floats in prose: {raw}"
        assert "np.float64" not in text


# The Korean edition's terms (CHAPTER.md), each with its English original.
GLOSSARY = [
    ("오차역전파법", "backpropagation"), ("순전파", "forward propagation"), ("역전파", "backward propagation"),
    ("계산 그래프", "computational graph"), ("노드 / 에지", "node / edge"), ("국소적 계산", "local computation"),
    ("국소적 미분", "local derivative"), ("연쇄법칙", "chain rule"), ("합성 함수", "composite function"),
    ("덧셈 노드", "addition node"), ("곱셈 노드", "multiplication node"), ("계층", "layer"),
    ("상류 / 하류", "upstream / downstream"), ("기울기", "gradient"), ("기울기 확인", "gradient check"),
    ("수치 미분", "numerical differentiation"), ("형상", "shape"), ("전치행렬", "transpose"),
    ("Affine 계층", "Affine layer"), ("배치용 Affine 계층", "batch Affine layer"), ("가중치 / 편향", "weight / bias"),
    ("활성화 함수", "activation function"), ("시그모이드 함수", "sigmoid function"), ("ReLU 함수", "Rectified Linear Unit"),
    ("소프트맥스 함수", "softmax function"), ("교차 엔트로피 오차", "cross entropy error"), ("손실 함수", "loss function"),
    ("정답 레이블", "label"), ("원-핫 인코딩", "one-hot encoding"), ("점수", "score"), ("미니배치", "mini-batch"),
    ("경사 하강법", "gradient descent"), ("학습률", "learning rate"), ("에폭", "epoch"), ("은닉층", "hidden layer"),
    ("매개변수 갱신", "parameter update"),
]


def test_glossary_lists_every_term_with_its_original(site: BuiltSite) -> None:
    rows = tables_as_rows(site.html("glossary/"))
    for korean, english in GLOSSARY:
        assert f"| {korean} | {english} |" in rows, f"glossary row for {korean} missing"


def test_learning_curve_is_drawn_from_the_tabulated_accuracies(site: BuiltSite) -> None:
    page = page_html(site, "7-backprop-implementation")
    (chart,) = [f for f in figures(page) if "bp-series-1" in f]
    for series in ("bp-series-1", "bp-series-2"):
        group = re.search(rf'<g class="{series}"[^>]*>\s*<polyline points="([^"]+)"', chart)
        assert group, f"{series} has no line"
        assert len(group.group(1).split()) == 15, "one point per epoch"
    # The text alternative names the final accuracies, the same ones as the table's last row.
    rows = [r for r in tables_as_rows(page).splitlines() if r.startswith("| 15 |")]
    final_train = float(rows[0].split("|")[2].strip().rstrip("%")) / 100
    label = html.unescape(re.search(r'aria-label="([^"]+)"', chart).group(1))
    last_train = float(re.search(r"훈련 정확도: 처음 [\d.]+, 마지막 ([\d.]+)", label).group(1))
    assert abs(last_train - final_train) < 0.0005


def test_exercise_figure_leaves_the_blanks_blank(site: BuiltSite) -> None:
    """Only the tax node was run backward: the six answers are not drawn, only tabulated."""
    page = page_html(site, "3-backward")
    texts = svg_texts(figures(page)[3])
    assert not has_all(texts, ["1.05", "930"])  # the tax node's two gradients are drawn
    for answer in ["4.2", "126", "5.25", "94.5"]:  # 1.05 × 4, 1.05 × 120, 1.05 × 5, 1.05 × 90
        assert has_all(texts, [answer]) == [answer], f"answer {answer} drawn in the exercise figure"
    assert "<details" in article(page)


CODE_SHOWN = {
    # The classes a reader writes, shown (and run) on the page, as 5.4 does for MulLayer.
    "5-activation-layers": ["self.mask = (x &lt;= 0)", "dout[self.mask] = 0", "self.out = out",
                            "dout * (1.0 - self.out) * self.out"],
    "6-affine-softmax": ["self.dW = np.dot(self.x.T, dout)", "self.db = np.sum(dout, axis=0)",
                         "dx = np.dot(dout, self.W.T)", "dout * (self.y - self.t) / batch_size",
                         "class Log(Layer)", "dx = dout / self.x"],
}


@pytest.mark.parametrize("page", sorted(CODE_SHOWN))
def test_pages_show_the_layer_implementations(site: BuiltSite, page: str) -> None:
    body = article(page_html(site, page))
    code = html.unescape(re.sub(r"<[^>]+>", "", " ".join(re.findall(r"<pre\b.*?</pre>", body, re.S))))
    for snippet in CODE_SHOWN[page]:
        assert html.unescape(snippet) in code, f"{page}: {snippet!r} not shown"


def test_chapter_5_7_keeps_the_books_numbering(site: BuiltSite) -> None:
    body = article(page_html(site, "7-backprop-implementation"))
    h2 = [html.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").strip()
          for h in re.findall(r"<h2\b[^>]*>(.*?)</h2>", body, re.S)]
    assert [h.split()[0] for h in h2] == ["5.7.1", "5.7.2", "5.7.3", "5.7.4"], h2
    assert "기울기" in h2[2] and "검증" in h2[2] and "학습" in h2[3]
    h3 = [html.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").strip()
          for h in re.findall(r"<h3\b[^>]*>(.*?)</h3>", body, re.S)]
    assert "데이터 준비" in h3 and "모든 기울기를 구하는 비용" in h3, h3
    text = prose(page_html(site, "7-backprop-implementation"))
    assert "기울기의 반대 방향" in text and "기울기 방향으로" not in text


def _comparison_rows(page: str, header: str) -> dict[str, tuple[float, float]]:
    """{parameter: (left, right)} from the table whose header row starts with ``header``."""
    tables = re.findall(r"<table\b.*?</table>", article(page), re.S)
    for table in tables:
        rows = tables_as_rows(f'<article class="md-content__inner">{table}</article>').splitlines()
        if rows and rows[0].startswith(header):
            found = {}
            for row in rows[1:]:
                m = re.match(rf"\| (\w+) \| {POWER} \| {POWER} \|$", row)
                assert m, row
                found[m.group(1)] = (power_of_ten(m.group(2), m.group(3)), power_of_ten(m.group(4), m.group(5)))
            return found
    raise AssertionError(f"no table starting with {header!r}")


def test_gradient_check_gap_is_the_1e_7_inside_cross_entropy(site: BuiltSite) -> None:
    page = page_html(site, "7-backprop-implementation")
    rows = _comparison_rows(page, "| 매개변수 | 책의 손실")
    assert set(rows) == {"W1", "b1", "W2", "b2"}
    # Without the 1e-7 the differences fall to about 1e-10 or below, at least
    # a hundredfold for every parameter (a precision-bound gap would not move).
    for name, (book, exact) in rows.items():
        assert exact < 1e-9, (name, exact)
        assert book / exact > 100, (name, book, exact)


def test_find_the_bug_exercise_shows_the_weight_gradients_jump(site: BuiltSite) -> None:
    page = page_html(site, "7-backprop-implementation")
    rows = _comparison_rows(page, "| 매개변수 | 올바른")
    for name in ("W1", "W2"):
        right, buggy = rows[name]
        assert buggy / right > 1e4, (name, right, buggy)
    for name in ("b1", "b2"):  # the bias gradients are untouched by a wrong dW
        right, buggy = rows[name]
        assert abs(buggy - right) <= 0.05 * right, (name, right, buggy)
    assert "<details" in article(page)


def test_cost_section_compares_passes_and_says_backward_costs_twice(site: BuiltSite) -> None:
    text = prose(page_html(site, "7-backprop-implementation"))
    # 1437 images: forward 1437·(64·50 + 50·10) multiply-adds; backward twice that.
    assert "역전파는 순전파의 정확히 2배" in text
    assert re.search(r"순전파 [\d.]+ ms, 역전파 [\d.]+ ms로 [\d.]+배", text)


def test_home_page_leads_with_learning_and_reading_the_figures(site: BuiltSite) -> None:
    page = site.html("")
    h2 = [html.unescape(re.sub(r"<[^>]+>", "", h)).replace("¶", "").strip()
          for h in re.findall(r"<h2\b[^>]*>(.*?)</h2>", article(page), re.S)]
    assert h2[:2] == ["이 장에서 배우는 것", "그림 읽는 법"], h2
    # The example figure is computed: 100 × 2 × 1.1 = 220, backward 1.1 × 2 = 2.2 to the apple.
    (figure,) = figures(page)
    assert not has_all(svg_texts(figure), ["100", "2", "200", "1.1", "220", "2.2", "110"])
    assert "보기 그림 1" in caption(figure)  # its own label: the chapter's 그림 5-1 stays 5.1's
    # The build story is told in the guide, not on the home page.
    assert "실제로 실행됩니다" not in prose(page)
    assert "실제로 실행됩니다" in prose(site.html("guide/"))
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "밑바닥부터 계산하는" not in title and "오차역전파법" in title


def test_glossary_gradient_covers_the_edges_of_a_figure(site: BuiltSite) -> None:
    rows = [r for r in tables_as_rows(site.html("glossary/")).splitlines() if r.startswith("| 기울기 | gradient |")]
    assert rows and "에지" in rows[0] and "합" in rows[0], rows


def test_exercises_with_folded_answers(site: BuiltSite) -> None:
    """At least four "직접 풀어 보기", each followed by a folded (closed) answer."""
    count = 0
    for page in CHAPTER:
        body = article(page_html(site, page))
        questions = re.findall(r'<p class="admonition-title">직접 풀어 보기', body)
        answers = re.findall(r"<details class=\"success\">\s*<summary>답 보기</summary>", body)
        assert len(answers) >= len(questions), page
        count += len(questions)
    assert count >= 4
