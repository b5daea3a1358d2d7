"""Indicators on short sentences written for these tests (names of places and zones are real,
the figures are invented)."""

from __future__ import annotations

import pytest

from kg.extract.indicators import chinese_number, find_indicators
from kg.extract.sentences import sentence_spans
from kg.model import Indicator, Mention


def _mentions(text: str, entities: dict[str, str]) -> list[Mention]:
    """Every occurrence of each name (longest first, no overlaps) as a gold-style mention."""
    taken = [False] * len(text)
    found = []
    for name in sorted(entities, key=len, reverse=True):
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(name)
                found.append(Mention(start, end, entities[name], name, name, "test"))
            start = text.find(name, end)
    return sorted(found, key=lambda m: m.start)


def run(
    text: str,
    entities: dict[str, str] | None = None,
    subject: str | None = "滨江高新区",
    date: str | None = "2024-05-06",
) -> list[Indicator]:
    entities = {"滨江高新区": "Zone", **(entities or {})}
    return find_indicators(text, sentence_spans(text), _mentions(text, entities), subject, date)


def figures(text: str, **kwargs: object) -> list[tuple[object, str, str]]:
    return [(i.value, i.unit, i.comparator) for i in run(text, **kwargs)]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("digits", "value"),
    [("四百二十", 420), ("二千八百一十", 2810), ("一百零八", 108), ("十三点二", 13.2), ("百", 100)],
)
def test_chinese_numerals(digits: str, value: float) -> None:
    assert chinese_number(digits) == value


def test_run_together_digits_are_no_numeral() -> None:
    assert chinese_number("一一") is None


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("滨江高新区技术合同成交额8亿元以上。", (8, "亿元", ">=")),
        ("滨江高新区营业收入突破万亿元。", (1, "万亿元", ">")),
        ("滨江高新区科技型企业达到1万家。", (1, "万家", ">=")),
        ("滨江高新区研发投入强度为百分之五点二。", (5.2, "%", "=")),
        ("滨江高新区营业收入二千八百一十亿元。", (2810, "亿元", "=")),
        ("滨江高新区已集聚软件企业六十余家。", (60, "家", ">")),
        ("滨江高新区现有孵化器近千家。", (1000, "家", "<")),
        ("滨江高新区引进人才约3.2万人。", (3.2, "万人", "=")),
        ("滨江高新区新增专利500件左右。", (500, "件", "=")),
        ("滨江高新区新增上市企业不少于12家。", (12, "家", ">=")),
        ("滨江高新区单位能耗下降不超过3%。", (3, "%", "<=")),
        ("滨江高新区出口增长逾两成。", (20, "%", ">")),
        ("滨江高新区工业增加值较上年提高0.8个百分点。", (0.8, "个百分点", "=")),
        ("滨江高新区全年兑现奖补资金5.2亿元。", (5.2, "亿元", "=")),
        ("滨江高新区每年安排专项资金10亿元。", (10, "亿元", "=")),
        ("滨江高新区共有规上企业1,256家。", (1256, "家", "=")),
        ("滨江高新区软件收入以年均15%的速度增长。", (15, "%", "=")),
    ],
)
def test_value_unit_and_comparator_as_written(
    sentence: str, expected: tuple[float, str, str]
) -> None:
    assert figures(sentence) == [expected]


@pytest.mark.parametrize(
    "sentence",
    [
        "对入选的博士,每人资助80万元。",
        "单个项目最高支持500万元。",
        "对新落户企业给予最高300万元奖励。",
        "2023年1至4月,滨江高新区召开第五届创新大会。",
        "滨江高新区进入全国高新区50强,排名第12位。",
        "面向35岁以下青年人才开放申报。",
        "咨询电话0571-88886666。",
        "营业收入超百亿元企业将获得表彰。",
        "对年产值5000万元以上的企业给予支持。",
        "这里千家万户都用上了清洁能源。",
        "滨江高新区推动一个平台、三条产业链协同发展。",
        "项目距市中心20公里外。",
        "两城通勤时间缩短到2个半小时。",
        "几十条产业链正在共同升级。",
    ],
)
def test_what_is_not_an_indicator(sentence: str) -> None:
    assert run(sentence) == []


def test_amounts_after_a_capped_grant_share_its_exclusion() -> None:
    assert run("获奖项目可分别获得最高200万元、100万元和50万元的支持资金。") == []


def test_target_and_actual_with_their_years() -> None:
    text = (
        "2023年,滨江高新区实现营业收入3200亿元,同比增长12.5%。"
        "年内力争新增高新技术企业300家以上。"
        "到2026年,滨江高新区营业收入突破5000亿元。"
    )
    found = {i.value: i for i in run(text)}
    assert (found[3200].kind, found[3200].year, found[3200].name) == ("actual", 2023, "营业收入")
    assert found[12.5].name == "营业收入同比增长"
    assert (found[300].kind, found[300].year, found[300].comparator) == ("target", 2024, ">=")
    assert (found[5000].kind, found[5000].year) == ("target", 2026)


def test_the_subject_is_the_entity_of_the_clause_else_the_article_subject() -> None:
    text = "去年,星河科技股份有限公司营业收入达5.6亿元;新增入驻企业160家。"
    found = {i.value: i.subject for i in run(text, {"星河科技股份有限公司": "Enterprise"})}
    assert found == {5.6: "星河科技股份有限公司", 160: "滨江高新区"}


def test_an_entity_the_clause_acts_on_is_no_subject() -> None:
    text = "依托浙江大学等高校的科研优势,区内已集聚人工智能企业120家。"
    found = run(text, {"浙江大学": "Organization"})
    assert [(i.subject, i.value) for i in found] == [("滨江高新区", 120)]


def test_a_topic_named_at_the_head_carries_through_the_sentence() -> None:
    text = "天目山科技园全年新引进项目48个,协议投资额达五百二十亿元。"
    found = run(text, {"天目山科技园": "Zone"})
    assert {(i.subject, i.value, i.unit) for i in found} == {
        ("天目山科技园", 48, "个"),
        ("天目山科技园", 520, "亿元"),
    }


def test_an_event_noun_stands_for_the_programme_named_before() -> None:
    text = "第三届“钱塘杯”创业大赛在滨江高新区开幕。本届大赛共吸引1200个项目报名参赛。"
    found = run(text, {"钱塘杯": "Programme"})
    assert [(i.subject, i.value) for i in found] == [("钱塘杯", 1200)]


def test_a_figure_stated_twice_is_given_once() -> None:
    text = "滨江高新区签约项目31个\n滨江高新区集中签约项目31个,总投资450亿元。"
    assert sorted(i.value for i in run(text)) == [31, 450]


def test_evidence_is_the_sentence_in_normalized_offsets() -> None:
    text = "开头一句。滨江高新区新增企业200家。"
    (found,) = run(text)
    evidence = found.evidence[0]
    assert text[evidence.start : evidence.end] == evidence.sentence == "滨江高新区新增企业200家。"
    assert evidence.component.startswith("indicators:")
    assert 0 < evidence.confidence <= 1


def test_no_subject_anywhere_gives_nothing() -> None:
    assert run("新增企业200家。", subject=None) == []


def test_a_magnitude_after_the_approximation() -> None:
    assert figures("滨江高新区年产值达到340多亿元。") == [(340, "亿元", ">")]
    assert figures("全区常住人口300多万。") == [(300, "万", ">")]


def test_a_speaker_is_not_the_subject() -> None:
    text = "李明远介绍,今年新增企业300家。李明远:我们力争营业收入突破5000亿元。"
    found = run(text, {"李明远": "Person"})
    assert [(i.subject, i.value) for i in found] == [("滨江高新区", 300), ("滨江高新区", 5000)]


@pytest.mark.parametrize(
    "text",
    ["他搭建了工作站,吸纳了200多名工程师。", "这家企业正在新建生产线,投资1.5亿元。"],
)
def test_figures_of_a_person_or_an_unnamed_thing_are_left_out(text: str) -> None:
    assert run(text) == []


def test_a_locative_clause_at_the_head_names_the_subject() -> None:
    text = "在浙江杭州,平均每天有8家科技企业诞生。"
    found = run(text, {"浙江": "Place", "杭州": "Place"})
    assert [(i.subject, i.value, i.unit) for i in found] == [("杭州", 8, "家")]


def test_a_place_read_into_an_industry_name_is_the_subject() -> None:
    # A recogniser that reads 杭州数字经济 as one industry still gives the place its figure.
    text = "杭州是数字之城。2023年,杭州数字经济核心产业增加值占比达28%。"
    entities = {"杭州": "Place", "杭州数字经济": "Industry"}
    text_mentions = _mentions(text, entities)
    found = find_indicators(text, sentence_spans(text), text_mentions, None, "2024-01-01")
    assert [(i.subject, i.value, i.unit) for i in found] == [("杭州", 28, "%")]


def test_a_place_read_into_a_programme_with_its_verb_is_the_subject() -> None:
    text = "浙江加快发展。今年,浙江计划新增高新技术企业3000家。"
    entities = {"浙江": "Place", "浙江计划": "Programme"}
    found = find_indicators(text, sentence_spans(text), _mentions(text, entities), None, None)
    assert [(i.subject, i.value) for i in found] == [("浙江", 3000)]


def test_this_edition_of_an_event_is_the_programme_named_before() -> None:
    text = "首届“西湖创新周”在滨江高新区开幕。本届创新周期间将举办论坛二十余场。"
    found = run(text, {"西湖创新周": "Programme"})
    assert [(i.subject, i.value, i.comparator) for i in found] == [("西湖创新周", 20, ">")]


def test_a_count_before_a_name_counts_things_of_that_name() -> None:
    text = "滨江高新区已培育建设18个数字经济集聚区。"
    found = run(text, {"数字经济集聚区": "Zone"})
    assert [(i.subject, i.value) for i in found] == [("滨江高新区", 18)]


def test_the_same_amount_for_two_measures_is_given_twice() -> None:
    text = "滨江高新区营业收入50亿元。滨江高新区设立规模50亿元的产业基金。"
    assert [(i.value, i.name) for i in run(text)] == [(50, "营业收入"), (50, "设立规模")]


def test_names_written_together_give_the_narrower_place() -> None:
    text = "浙江宁波围绕新材料产业,实施重点项目120多个。"
    found = run(text, {"浙江": "Place", "宁波": "Place"}, subject=None)
    assert [(i.subject, i.value, i.comparator) for i in found] == [("宁波", 120, ">")]


def test_a_name_read_with_its_preposition_is_no_subject() -> None:
    text = "2023年,滨江高新区新增研发机构46家,其中与浙江大学共建的研发机构5家。"
    found = run(text, {"与浙江大学": "Organization"})
    assert {(i.subject, i.value) for i in found} == {("滨江高新区", 46), ("滨江高新区", 5)}


def test_a_figure_that_points_back_takes_the_subject_and_measure_before_it() -> None:
    from kg.extract import extract_article
    from kg.model import Article

    body = "目前，洛阳的数字经济核心产业，在地区生产总值中占比约12%。到2027年，这个数字将达到15%。"
    found = extract_article(Article(id="t", title="洛阳见闻", text=body, date="2024-05-06"))
    before, target = sorted(found.indicators, key=lambda i: i.value)
    assert (target.subject, target.value, target.comparator, target.kind) == (
        "洛阳市",
        15,
        ">=",
        "target",
    )
    assert target.name == before.name
