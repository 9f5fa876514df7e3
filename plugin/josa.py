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
- a Hangul syllable by its own final consonant.

Anything else (Latin letters, brackets, exponents, symbols) is not guessed at:
``final_sound`` returns None and the author's particle is kept.
"""
from __future__ import annotations

import re

__all__ = ["PARTICLES", "PARTICLE_RE", "agree", "final_sound", "fix_leading_particle"]

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
_NUMBER_END_RE = re.compile(r"(?P<whole>[0-9][0-9,]*)(?:\.(?P<fraction>[0-9]+))?$")
_EXPONENT_END_RE = re.compile(r"[0-9][eE][+-]?[0-9]+$")


def final_sound(text: str) -> str | None:
    """The final consonant of ``text`` read aloud: a jamo like "ㄹ", "" for a vowel, None if unsure.

    >>> final_sound("200"), final_sound("1.1"), final_sound("그림 5-7"), final_sound("[1 2]")
    ('ㄱ', 'ㄹ', 'ㄹ', None)
    """
    if not text:
        return None
    last = text[-1]
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


def agree(text: str, particle: str) -> str:
    """The form of ``particle`` (either form of a known pair) that fits after ``text``.

    Unknown particles, and text whose reading is unsure, keep ``particle`` as written.

    >>> agree("200", "를"), agree("1.1", "가"), agree("3", "로"), agree("7", "으로")
    ('을', '이', '으로', '로')
    """
    pair = _PAIR.get(particle)
    final = final_sound(text)
    if pair is None or final is None:
        return particle
    consonant_form, vowel_form = pair
    if final == "" or (final == "ㄹ" and consonant_form == "으로"):
        return vowel_form
    return consonant_form


def fix_leading_particle(text: str, following: str) -> str:
    """``following`` with the particle it starts with (if any) made to agree with ``text``."""
    match = PARTICLE_RE.match(following)
    if match is None:
        return following
    return agree(text, match.group(0)) + following[match.end():]
