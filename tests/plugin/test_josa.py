"""Particles that agree with a value read aloud: expectations written by hand from Korean readings."""
from __future__ import annotations

import pytest

from mkdocs_backprop.josa import PARTICLES, agree, final_sound, fix_leading_particle, tex_final_sound


@pytest.mark.parametrize(("text", "final"), [
    # single digits, Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구
    ("0", "ㅇ"), ("1", "ㄹ"), ("2", ""), ("3", "ㅁ"), ("4", ""),
    ("5", ""), ("6", "ㄱ"), ("7", "ㄹ"), ("8", "ㄹ"), ("9", ""),
    # the last non-zero digit decides when nothing follows it
    ("12", ""), ("23", "ㅁ"), ("451", "ㄹ"), ("-7", "ㄹ"), ("1016", "ㄱ"),
    # trailing zeros: read by the unit after the last non-zero digit
    ("10", "ㅂ"), ("20", "ㅂ"), ("450", "ㅂ"), ("650", "ㅂ"), ("1010", "ㅂ"),  # 십
    ("100", "ㄱ"), ("200", "ㄱ"), ("1200", "ㄱ"),  # 백
    ("1000", "ㄴ"), ("3000", "ㄴ"), ("21000", "ㄴ"),  # 천
    ("10000", "ㄴ"), ("100000", "ㄴ"), ("1000000", "ㄴ"), ("10000000", "ㄴ"), ("120000", "ㄴ"),  # 만
    ("100000000", "ㄱ"), ("1200000000", "ㄱ"),  # 억
    ("1000000000000", ""),  # 조
    ("10000000000000000", "ㅇ"),  # 경
    ("1,000", "ㄴ"), ("2,200", "ㄱ"),  # thousands separators are not read
    ("00", "ㅇ"), ("-0", "ㅇ"),
    # decimals: digit by digit after 점, the last digit decides
    ("1.1", "ㄹ"), ("2.2", ""), ("0.25", ""), ("3.30", "ㅇ"), ("-0.534447", "ㄹ"),
    ("0.196612", ""), ("2.5", ""), ("1.10", "ㅇ"), ("100.3", "ㅁ"),
    # a number at the end of longer text
    ("그림 5-7", "ㄹ"), ("그림 5-10", "ㅂ"), ("그림 5-2", ""), ("x = 3", "ㅁ"),
    # Hangul: the last syllable's own final consonant
    ("사과", ""), ("덧셈 노드", ""), ("곱셈", "ㅁ"), ("물", "ㄹ"), ("값", "ㅄ"), ("기울기", ""),
    ("역전파법", "ㅂ"), ("영", "ㅇ"), ("힣", "ㅎ"), ("가", ""),
    # tuples and arrays are read out to their last element
    ("(50,)", "ㅂ"), ("(2, 3)", "ㅁ"), ("(64, 50), (50, 10)", "ㅂ"), ("[0.3 0.7]", "ㄹ"), ("[1 2]", ""),
    ("[[1 0]\n [0 3]]", "ㅁ"), ("[[1, -0.5], [-2, 3]]", "ㅁ"), ("(1, 100)", "ㄱ"),
    # a gloss in brackets right after a word is not read: the word before it is
    ("650(합계 금액)", "ㅂ"), ("기울기(gradient)", ""), ("그림 5-7(a)", "ㄹ"),
])
def test_final_sound_of_readable_text(text: str, final: str) -> None:
    assert final_sound(text) == final


@pytest.mark.parametrize("text", [
    "", "abc", "x", "()", "(x)", "f(x)", "1, 2)", "[a b]", "(1e-05,)", "1e-05", "2.5e+10", "1E8", "50%", "'a'",
    "ㄱ",  # a lone jamo is not a syllable
    "٣",  # a non-ASCII digit is not ours to read
    "True", "None",
])
def test_final_sound_is_unknown_where_a_reading_would_be_a_guess(text: str) -> None:
    assert final_sound(text) is None


@pytest.mark.parametrize(("text", "written", "expected"), [
    # the reviewer's cases
    ("200", "와", "과"), ("450", "를", "을"), ("650", "를", "을"), ("10", "를", "을"),
    ("1.1", "가", "이"), ("2.2", "을", "를"), ("그림 5-7", "를", "을"), ("650", "는", "은"),
    ("-0.534447", "가", "이"),
    # already right: left alone
    ("200", "과", "과"), ("2.2", "를", "를"), ("1.1", "이", "이"),
    # every pair, both ways
    ("3", "는", "은"), ("2", "은", "는"),
    ("3", "가", "이"), ("2", "이", "가"),
    ("3", "를", "을"), ("2", "을", "를"),
    ("3", "와", "과"), ("2", "과", "와"),
    ("3", "로", "으로"), ("2", "으로", "로"),
    ("3", "나", "이나"), ("2", "이나", "나"),
    ("3", "랑", "이랑"), ("2", "이랑", "랑"),
    ("3", "라는", "이라는"), ("2", "이라는", "라는"),
    # 으로/로: ㄹ takes 로 like a vowel; other particles treat ㄹ as a consonant
    ("1", "으로", "로"), ("7", "으로", "로"), ("8", "으로", "로"), ("물", "으로", "로"), ("1.1", "으로", "로"),
    ("1", "를", "을"), ("7", "가", "이"), ("8", "는", "은"), ("물", "와", "과"),
    ("0", "로", "으로"), ("10", "로", "으로"), ("100", "로", "으로"), ("6", "로", "으로"),
    ("곱셈", "로", "으로"), ("사과", "으로", "로"),
    # unsure readings and unknown particles stay as written
    ("x", "를", "를"), ("f(x)", "은", "은"), ("1e-05", "가", "가"), ("200", "에서", "에서"),
    # after a tuple or an array: its last element ((50,) 오십, (50, 10) 십, [1 2] 이)
    ("(50,)", "를", "을"), ("(64, 50), (50, 10)", "를", "을"), ("[1 2]", "은", "는"), ("(2, 3)", "가", "이"),
    # after a gloss: what stands before it (650 육백오십)
    ("650(합계 금액)", "가", "이"), ("사과(apple)", "을", "를"),
])
def test_agree(text: str, written: str, expected: str) -> None:
    assert agree(text, written) == expected


def test_every_pair_is_consonant_form_then_vowel_form() -> None:
    for consonant_form, vowel_form in PARTICLES:
        assert agree("삼", consonant_form) == agree("삼", vowel_form) == consonant_form
        assert agree("사", consonant_form) == agree("사", vowel_form) == vowel_form


@pytest.mark.parametrize(("text", "following", "expected"), [
    ("200", "와 450", "과 450"),
    ("450", "를 더한다.", "을 더한다."),
    ("1.1", "가", "이"),  # end of line
    ("10", "를, 그리고", "을, 그리고"),
    ("10", "는)", "은)"),
    ("2.2", "을<br>", "를<br>"),
    ("3", "으로 나눈다", "으로 나눈다"),
    ("7", "으로 나눈다", "로 나눈다"),  # 으로 is read whole, not as 으 + 로
    ("2", "이라는 값", "라는 값"),  # 이라는 whole, not 이 + 라는
    ("3", "라는 값", "이라는 값"),
    ("2", "이나 3", "나 3"),
    ("3", "랑 4", "이랑 4"),
    # a word goes on after it: not a particle
    ("200", "이상", "이상"), ("10", "가지", "가지"), ("2", "이다", "이다"), ("2", "는데", "는데"),
    ("3", "로서", "로서"), ("3", "나눔", "나눔"), ("3", "ㄴ", "ㄴ"),
    # no particle at all
    ("200", " 를", " 를"), ("200", "원", "원"), ("200", "", ""), ("200", ".", "."),
    # unsure reading
    ("x", "를 보면", "를 보면"),
    # a parenthetical between the value and its particle: the particle agrees with the value
    ("650", "(합계 금액)가 갑니다", "(합계 금액)이 갑니다"), ("2", "(둘)을", "(둘)를"),
    ("x", "(합계)가", "(합계)가"), ("650", "(합계 금액) 가", "(합계 금액) 가"),
])
def test_fix_leading_particle(text: str, following: str, expected: str) -> None:
    assert fix_leading_particle(text, following) == expected


def test_the_charts_object_particle_is_the_same_rule_for_every_syllable() -> None:
    # layers cannot import the plugin, so layers.plot keeps the Hangul part of the rule itself.
    from layers.plot import _object_particle

    syllables = [chr(c) for c in range(ord("가"), ord("힣") + 1)]
    assert [_object_particle(f"정확도{s}") for s in syllables] == [agree(s, "를") for s in syllables]


@pytest.mark.parametrize(("tex", "final"), [
    # powers are read 제곱
    (r"z=(x+y)^2", "ㅂ"), (r"x^2", "ㅂ"), (r"x^{2}", "ㅂ"), (r"10^{-7}", "ㅂ"), (r"e^{n}", "ㅂ"),
    (r"2.3 \times 10^{-11}", "ㅂ"),
    # numbers at the end, as in prose
    (r"y = 0", "ㅇ"), (r"x = 1.1", "ㄹ"), (r"t = 650", "ㅂ"), (r"\text{지불 금액} = 220", "ㅂ"),
    (r"a = 3\,.", "ㅁ"), (r"L = 2 \quad", ""),
    # a fraction is read b분의 a, a square root 루트 a, a subscript after its letter
    (r"\frac{1}{2}", "ㄹ"), (r"-\frac{1}{x^2}", "ㄹ"), (r"\sqrt{2}", ""), (r"x_1", "ㄹ"), (r"x_{10}", "ㅂ"),
    # Hangul in \text
    (r"\text{합계}", ""), (r"x + \text{세금}", "ㅁ"),
])
def test_final_sound_of_a_formula_read_aloud(tex: str, final: str) -> None:
    assert tex_final_sound(tex) == final


@pytest.mark.parametrize("tex", [
    "x", r"W^\top", r"X^{\mathrm{T}}", r"f'", r"y_k", r"\left( x \right)", r"\frac{a}{b}", "",
    r"\sum_k t_k \log y_k",
])
def test_final_sound_of_a_formula_is_unknown_where_it_would_be_a_guess(tex: str) -> None:
    assert tex_final_sound(tex) is None
