from kg.extract.subject import article_subject
from kg.model import Mention


def _m(start: int, etype: str, name: str) -> Mention:
    return Mention(start, start + len(name), etype, name, name, "test")


def test_zone_in_the_title_wins_over_a_more_frequent_zone() -> None:
    title = "东湖高新区推进人才工作"
    mentions = [
        _m(0, "Zone", "东湖高新区"),
        *[_m(20 + i * 10, "Zone", "光谷软件园") for i in range(3)],
    ]
    assert article_subject(title, mentions) == "东湖高新区"


def test_most_frequent_zone_when_the_title_names_none() -> None:
    mentions = [_m(10, "Zone", "甲开发区"), _m(20, "Zone", "乙产业园"), _m(30, "Zone", "乙产业园")]
    assert article_subject("一篇报道", mentions) == "乙产业园"


def test_organisation_when_no_zone_and_none_without_either() -> None:
    mentions = [_m(10, "Organization", "某某大学"), _m(20, "Place", "武汉")]
    assert article_subject("", mentions) == "某某大学"
    assert article_subject("标题", [_m(3, "Place", "武汉")]) is None
