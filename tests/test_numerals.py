"""Chinese numerals read without cn2an give exactly what cn2an's strict mode gives."""

from __future__ import annotations

import itertools
import subprocess
import sys

import cn2an
import pytest

from kg.extract.indicators import chinese_number
from kg.extract.numerals import strict_value


def _outcome(read: object, numeral: str) -> tuple[str, float | None]:
    try:
        return "value", float(read(numeral))  # type: ignore[operator]
    except (ValueError, KeyError, IndexError, TypeError):
        return "refused", None


def test_every_short_string_of_numeral_characters_reads_as_cn2an_reads_it() -> None:
    alphabet = "零〇一二三四五六七八九十百千万亿点"
    for length in (1, 2, 3):
        for chars in itertools.product(alphabet, repeat=length):
            numeral = "".join(chars)
            assert _outcome(strict_value, numeral) == _outcome(
                lambda n: cn2an.cn2an(n, "strict"), numeral
            ), numeral


@pytest.mark.parametrize("value", [*range(0, 1200), 10010, 20300, 99999, 100000, 1000001, 12345678])
def test_numerals_as_written_read_as_cn2an_reads_them(value: int) -> None:
    numeral = cn2an.an2cn(value)
    for written in (numeral, numeral + "点零五", numeral + "点三"):
        assert strict_value(written) == cn2an.cn2an(written, "strict"), written


@pytest.mark.parametrize(
    ("digits", "value"),
    [
        ("四百二十", 420.0),
        ("十三点二", 13.2),
        ("两千零十", 2010.0),
        ("一万零三百", 10300.0),
        ("三亿五千万", 350000000.0),
        ("百分", None),
        ("一一", None),
    ],
)
def test_indicator_numbers_are_read_from_chinese_digits(digits: str, value: float | None) -> None:
    assert chinese_number(digits) == value


def test_extracting_indicators_does_not_import_cn2an_for_common_numerals() -> None:
    code = (
        "import sys\n"
        "from kg.extract.indicators import chinese_number\n"
        "assert chinese_number('四百二十') == 420.0\n"
        "print('cn2an' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
