"""Chinese numerals (四百二十, 十三点二) read without importing cn2an where that is safe.

Importing cn2an costs about half a CPU second (it compiles a very large validation pattern
twice, and its `proces` dependency compiles city-name patterns), which every one-article build
paid. `strict_value` reads the common forms itself: numerals below one hundred million written
as cn2an's strict mode accepts them (the grammar below is cn2an's own, without its 亿 branch),
with an optional decimal part. Anything else goes to cn2an, imported on first use, so every
input gets exactly the value cn2an gives (tests/test_numerals.py checks the two agree).
"""

from __future__ import annotations

import re

_DIGITS = "零一二三四五六七八九"
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}

# cn2an 0.5's strict integer grammar (Cn2An.__get_pattern) up to 99,999,999.
_1_9 = "[一二三四五六七八九]"
_10_99 = f"{_1_9}?十{_1_9}?"
_10_99_WITH_ONE = f"{_1_9}十{_1_9}?"
_1_99 = f"(?:{_10_99}|{_1_9})"
_100_999 = f"(?:{_1_9}百(?:零{_1_9})?|{_1_9}百{_10_99_WITH_ONE})"
_1_999 = f"(?:{_100_999}|{_1_99})"
_1000_9999 = f"(?:{_1_9}千(?:零{_1_99})?|{_1_9}千{_100_999})"
_1_9999 = f"(?:{_1000_9999}|{_1_999})"
_10000_99999999 = f"(?:{_1_9999}万(?:零{_1_999})?|{_1_9999}万{_1000_9999})"
_INTEGER = re.compile(f"零|{_10000_99999999}|{_1_9999}")
_DECIMAL = re.compile("[零一二三四五六七八九]{0,15}[一二三四五六七八九]")


def strict_value(numeral: str) -> int | float:
    """The value of a numeral in Chinese digits, as `cn2an.cn2an(numeral, "strict")` gives it.

    Raises ValueError (or what cn2an raises) for what is not a numeral, as cn2an does.
    """
    # cn2an reads 一千零十 as 一千零一十 before it checks the grammar.
    read = numeral.replace("零十", "零一十").replace("零百", "零一百")
    whole, point, fraction = read.partition("点")
    if _INTEGER.fullmatch(whole) and (not point or _DECIMAL.fullmatch(fraction)):
        value = _integer(whole)
        if not point:
            return value
        return float(f"{value}.{''.join(str(_DIGITS.index(d)) for d in fraction)}")
    import cn2an

    return cn2an.cn2an(numeral, "strict")  # type: ignore[no-any-return]


def _integer(numeral: str) -> int:
    """The value of a numeral the strict grammar accepts (cn2an's algorithm, below 10**8)."""
    total = 0
    unit = 1
    ten_thousands = 1
    for char in reversed(numeral):
        if char in _UNITS:
            unit = _UNITS[char]
            if unit == 10000:
                ten_thousands = unit
            else:
                unit *= ten_thousands
        else:
            total += _DIGITS.index(char) * unit
    if numeral[0] in _UNITS:
        total += unit  # 十三, 十万: a leading unit counts one of it
    return total
