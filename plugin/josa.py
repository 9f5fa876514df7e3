"""Korean particles (조사) that agree with a computed value, read aloud.

An author writes `` `{py} x`를 `` without knowing whether ``x`` will be 200 (이백 →
을) or 1.1 (일 → 이…). Which form of a particle fits depends only on how the word
before it ends when read aloud: on a consonant (받침) or a vowel, and for 으로/로
whether that consonant is ㄹ. This module reads the end of a displayed value and
picks the form; it knows nothing of MkDocs.

Reading rules (numbers are read in Sino-Korean, as in 이백, 일 점 일):

- a decimal is read digit by digit after 점, so its last digit decides;
- a whole number is read by its last non-zero digit and the unit after it:
  …0 십, …00 백, …000 천, then 만, 억, 조, 경 every four zeros;
- a Hangul syllable by its own final consonant;
- a tuple or an array is read out to its last element: (50,) 오십, (64, 50), (50, 10)
  십, [[1 0] [0 3]] 삼;
- a parenthetical gloss right after a word is not read for the particle, which
  agrees with what stands before it: 650(합계 금액) 육백오십, f(x) like f.

A formula (``tex_final_sound``) is read to its last term: a number as above, a power
as 제곱 (x^2, (x+y)^2), a fraction by its numerator (b분의 a), \\text{…} by its
last syllable.

Anything else (Latin letters, exponents, symbols) is not guessed at: the functions
return None and the author's particle is kept.
"""
from __future__ import annotations

import re

__all__ = ["GLOSS_RE", "PARTICLES", "PARTICLE_RE", "agree", "agree_final", "final_sound", "fix_leading_particle",
           "tex_final_sound"]

# (after a consonant, after a vowel); 으로/로 also takes 로 after ㄹ.
PARTICLES: tuple[tuple[str, str], ...] = (
    ("은", "는"),
    ("이", "가"),
    ("을", "를"),
    ("과", "와"),
    ("으로", "로"),
    ("이나", "나"),
    ("이랑", "랑"),
    ("이라는", "라는"),
)
_PAIR = {form: pair for pair in PARTICLES for form in pair}
_HANGUL = "가-힣ㄱ-ㆎ\u1100-\u11ff"
# Longest forms first, so 으로 is not read as 으 + 로 and 이라는 not as 이 + 라는.
_FORMS = sorted(_PAIR, key=len, reverse=True)
# A particle only when a word does not go on after it (200이상, 10가지 are not particles).
PARTICLE_RE = re.compile(rf"(?:{'|'.join(_FORMS)})(?![{_HANGUL}])")

# Final consonant (as a compatibility jamo) of the Sino-Korean reading of each digit.
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "2": "", "3": "ㅁ", "4": "", "5": "", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ", "9": ""}
# The unit read last for 1–3 trailing zeros (십, 백, 천), then per group of four (만, 억, 조, 경).
_ZEROS_FINAL = {1: "ㅂ", 2: "ㄱ", 3: "ㄴ"}
_MYRIAD_FINAL = ("ㄴ", "ㄱ", "", "ㅇ")  # 만, 억, 조, 경
_JONGSEONG = ("", "ㄱ", "ㄲ", "ㄳ", "ㄴ", "ㄵ", "ㄶ", "ㄷ", "ㄹ", "ㄺ", "ㄻ", "ㄼ", "ㄽ", "ㄾ", "ㄿ", "ㅀ",
              "ㅁ", "ㅂ", "ㅄ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ")
# A parenthetical written right after a value, before its particle: "650(합계 금액)가".
GLOSS_RE = re.compile(r"\([^()<>\n]{1,80}\)")
_NUMBER_END_RE = re.compile(r"(?P<whole>[0-9][0-9,]*)(?:\.(?P<fraction>[0-9]+))?$")
_EXPONENT_END_RE = re.compile(r"[0-9][eE][+-]?[0-9]+$")


def final_sound(text: str) -> str | None:
    """The final consonant of ``text`` read aloud: a jamo like "ㄹ", "" for a vowel, None if unsure.

    >>> final_sound("200"), final_sound("1.1"), final_sound("그림 5-7"), final_sound("(50,)")
    ('ㄱ', 'ㄹ', 'ㄹ', 'ㅂ')
    """
    text = text.rstrip()
    if not text:
        return None
    last = text[-1]
    if last in ")]":
        return _bracketed_final(text)
    if "가" <= last <= "힣":
        return _JONGSEONG[(ord(last) - ord("가")) % 28]
    if not ("0" <= last <= "9"):
        return None
    if _EXPONENT_END_RE.search(text):
        return None  # 1e-05: how it is read (십의 마이너스 오승?) is anyone's guess
    number = _NUMBER_END_RE.search(text)
    assert number is not None  # text ends in an ASCII digit
    if number.group("fraction") is not None:
        return _DIGIT_FINAL[number.group("fraction")[-1]]
    whole = number.group("whole").replace(",", "")
    significant = whole.rstrip("0")
    if not significant:
        return _DIGIT_FINAL["0"]  # 0, 00: 영
    zeros = len(whole) - len(significant)
    if zeros == 0:
        return _DIGIT_FINAL[whole[-1]]
    if zeros < 4:
        return _ZEROS_FINAL[zeros]
    myriad = zeros // 4 - 1
    return _MYRIAD_FINAL[myriad] if myriad < len(_MYRIAD_FINAL) else None


def _bracketed_final(text: str) -> str | None:
    close = text[-1]
    opening = "(" if close == ")" else "["
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        if text[i] == close:
            depth += 1
        elif text[i] == opening:
            depth -= 1
            if depth == 0:
                break
    else:
        return None  # unbalanced: not a reading anyone can be sure of
    before, inside = text[:i], text[i + 1:-1]
    if close == ")" and before and not before[-1].isspace() and before[-1] not in "([,":
        return final_sound(before)  # a gloss after a word: 650(합계 금액) is read 육백오십
    # A tuple or an array, read out to its last element: (50,) 오십, [1 2] 이.
    inside = inside.rstrip().rstrip(",").rstrip()
    return final_sound(inside) if inside else None


# The end of a formula, read aloud.
_TEX_SPACES_RE = re.compile(r"(?:\\[,;:! ]|\\q?quad\b|\\right\s*[.)\]|]|[\s.,;])+$")
_TEX_POWER_RE = re.compile(r"\^\s*(?:\{(?P<braced>[^{}]*)\}|(?P<single>\\[A-Za-z]+|[^\s{}\\]))$")
_TEX_SUB_RE = re.compile(r"_\s*(?:\{(?P<braced>[^{}]*)\}|(?P<single>[^\s{}\\]))$")
_TEX_TEXT_RE = re.compile(r"\\(?:text|mathrm|textrm|mbox)\s*\{(?P<text>[^{}]*)\}$")
_TEX_FRAC_RE = re.compile(r"\\[dt]?frac\s*\{(?P<num>[^{}]*)\}\s*\{[^{}]*\}$")
_TEX_SQRT_RE = re.compile(r"\\sqrt\s*\{(?P<arg>[^{}]*)\}$")
# Superscripts that are not powers: transpose, prime, dagger.
_NOT_POWERS = {"\\top", "T", "\\mathrm{T}", "\\mathrm T", "\\prime", "'", "\\dagger", "*", "\\ast"}
_NUMBER_TEX_RE = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?$")


def tex_final_sound(tex: str) -> str | None:
    """The final consonant of a LaTeX formula read aloud, as ``final_sound``; None if unsure.

    >>> tex_final_sound("z=(x+y)^2"), tex_final_sound("y = 0"), tex_final_sound(r"\\frac{1}{2}")
    ('ㅂ', 'ㅇ', 'ㄹ')
    """
    tex = _TEX_SPACES_RE.sub("", tex)
    if not tex:
        return None
    power = _TEX_POWER_RE.search(tex)
    if power is not None:
        exponent = (power.group("braced") if power.group("braced") is not None else power.group("single")).strip()
        if not exponent or exponent in _NOT_POWERS:
            return None
        return "ㅂ"  # x^2 이 제곱, 10^{-7} 십의 마이너스 칠 제곱
    for pattern, group in ((_TEX_TEXT_RE, "text"), (_TEX_FRAC_RE, "num"), (_TEX_SQRT_RE, "arg"),
                           (_TEX_SUB_RE, None)):
        found = pattern.search(tex)
        if found is None:
            continue
        inner = found.group(group) if group else (found.group("braced") or found.group("single"))
        return final_sound(inner) if pattern is _TEX_TEXT_RE else tex_final_sound(inner)
    number = _NUMBER_TEX_RE.search(tex)
    if number is not None:
        return final_sound(number.group(0))
    return None


def agree(text: str, particle: str) -> str:
    """The form of ``particle`` (either form of a known pair) that fits after ``text``.

    Unknown particles, and text whose reading is unsure, keep ``particle`` as written.

    >>> agree("200", "를"), agree("1.1", "가"), agree("3", "로"), agree("7", "으로")
    ('을', '이', '으로', '로')
    """
    return agree_final(final_sound(text), particle)


def agree_final(final: str | None, particle: str) -> str:
    """The form of ``particle`` after a word ending in ``final`` (a jamo, "" for a vowel; None keeps it)."""
    pair = _PAIR.get(particle)
    if pair is None or final is None:
        return particle
    consonant_form, vowel_form = pair
    if final == "" or (final == "ㄹ" and consonant_form == "으로"):
        return vowel_form
    return consonant_form


def fix_leading_particle(text: str, following: str) -> str:
    """``following`` with the particle it starts with (if any) made to agree with ``text``.

    A parenthetical between them is skipped: "(합계 금액)가" after 650 becomes "(합계 금액)이".
    """
    gloss = GLOSS_RE.match(following)
    start = gloss.end() if gloss else 0
    match = PARTICLE_RE.match(following, start)
    if match is None:
        return following
    return following[:start] + agree(text, match.group(0)) + following[match.end():]
