"""Relations on short sentences written for these tests (the zones, enterprises, people and
programmes are invented), plus the scores on the gold corpus with gold entities."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.evaluate import Score, gold_articles, gold_mentions, score_document
from kg.extract.relations import cue_words, find_relations, types_allowed
from kg.extract.sentences import sentence_spans
from kg.extract.subject import article_subject
from kg.model import Mention, Relation
from kg.normalize import normalize_text

from .conftest import CORPUS, need

ZONE = "青禾高新区"


def _mentions(text: str, entities: dict[str, tuple[str, str]]) -> list[Mention]:
    """Every occurrence of each surface (longest first, no overlaps); entities maps a surface to
    (type, canonical name)."""
    taken = [False] * len(text)
    found = []
    for surface in sorted(entities, key=len, reverse=True):
        etype, name = entities[surface]
        start = text.find(surface)
        while start >= 0:
            end = start + len(surface)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(surface)
                found.append(Mention(start, end, etype, surface, name, "test"))
            start = text.find(surface, end)
    return sorted(found, key=lambda m: m.start)


def run(
    raw: str, entities: dict[str, str | tuple[str, str]], subject: str | None = ZONE
) -> list[Relation]:
    """find_relations on the normalized text, as the pipeline calls it."""
    text = normalize_text(raw).text
    table = {
        surface: (value, surface) if isinstance(value, str) else value
        for surface, value in {ZONE: "Zone", **entities}.items()
    }
    return find_relations(text, sentence_spans(text), _mentions(text, table), subject)


def triples(relations: list[Relation]) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in relations}


def test_cue_file_has_every_kind_the_rules_read() -> None:
    kinds = cue_words()
    for kind in ("role", "develop", "host", "support", "locate", "issue", "cooperate", "part"):
        assert kinds.get(kind), kind


@pytest.mark.parametrize(
    ("predicate", "subject_type", "object_type", "allowed"),
    [
        ("developsIndustry", "Zone", "Industry", True),
        ("developsIndustry", "Enterprise", "Industry", False),
        ("hostsProgramme", "Place", "Programme", False),
        ("partOf", "Industry", "Industry", True),
        ("partOf", "Zone", "Place", False),
        ("holdsPositionIn", "Person", "Zone", True),
    ],
)
def test_type_signatures(
    predicate: str, subject_type: str, object_type: str, allowed: bool
) -> None:
    assert types_allowed(predicate, subject_type, object_type) is allowed


def test_role_chain_before_a_person() -> None:
    found = run(
        "青禾高新区党工委书记、管委会主任林远舟出席会议。",
        {
            "青禾高新区党工委": "Organization",
            "管委会": ("Organization", "青禾高新区管委会"),
            "林远舟": "Person",
        },
    )
    roles = {(r.object, r.role) for r in found if r.predicate == "holdsPositionIn"}
    assert roles == {("青禾高新区党工委", "书记"), ("青禾高新区管委会", "主任")}


def test_enumerated_industries_each_get_a_relation() -> None:
    found = run(
        "今年，青禾高新区聚焦智能传感、工业软件和海洋装备三大产业。",
        {"智能传感": "Industry", "工业软件": "Industry", "海洋装备": "Industry"},
    )
    assert triples(found) == {
        (ZONE, "developsIndustry", "智能传感"),
        (ZONE, "developsIndustry", "工业软件"),
        (ZONE, "developsIndustry", "海洋装备"),
    }


def test_left_out_subject_is_the_article_subject() -> None:
    found = run("年内将培育壮大储能材料产业。", {"储能材料": "Industry"})
    assert triples(found) == {(ZONE, "developsIndustry", "储能材料")}


def test_enterprise_in_the_zone_and_its_industry() -> None:
    found = run(
        "区内储能材料龙头企业蓝岸科技全年营收增长两成。",
        {"储能材料": "Industry", "蓝岸科技": "Enterprise"},
    )
    assert ("蓝岸科技", "operatesIn", "储能材料") in triples(found)
    assert ("蓝岸科技", "locatedIn", ZONE) in triples(found)
    assert (ZONE, "developsIndustry", "储能材料") not in triples(found)


def test_topic_clause_goes_to_the_enterprise_that_follows() -> None:
    found = run(
        "在工业软件领域，白帆智能将在青禾高新区设立研发中心。",
        {"工业软件": "Industry", "白帆智能": "Enterprise"},
    )
    assert ("白帆智能", "operatesIn", "工业软件") in triples(found)
    assert ("白帆智能", "locatedIn", ZONE) in triples(found)


def test_zone_named_after_its_city() -> None:
    found = run(
        "云溪高新区位于长河之滨，是云溪创新资源最集中的区域。",
        {"云溪高新区": "Zone", "云溪": "Place"},
        subject="云溪高新区",
    )
    assert ("云溪高新区", "locatedIn", "云溪") in triples(found)


def test_core_area_and_subordinate_parks() -> None:
    found = run(
        "青禾高新区是云岭国家自主创新示范区的核心区，其所辖的北湾科技园、南湾科技园发展迅速。",
        {"云岭国家自主创新示范区": "Zone", "北湾科技园": "Zone", "南湾科技园": "Zone"},
    )
    assert (ZONE, "partOf", "云岭国家自主创新示范区") in triples(found)


def test_parks_under_a_zone() -> None:
    found = run(
        "青禾高新区所辖的北湾科技园、南湾科技园两大园区能级持续提升。",
        {"北湾科技园": "Zone", "南湾科技园": "Zone"},
    )
    assert {("北湾科技园", "partOf", ZONE), ("南湾科技园", "partOf", ZONE)} <= triples(found)


def test_programme_held_in_a_zone_hosted_and_guided() -> None:
    found = run(
        "第二届“星河杯”创新大赛在青禾高新区开幕。本届大赛由青禾高新区管委会主办，"
        "云溪市科学技术局指导。",
        {
            "星河杯": ("Programme", "星河杯创新大赛"),
            "大赛": ("Programme", "星河杯创新大赛"),
            "青禾高新区管委会": "Organization",
            "云溪市科学技术局": "Organization",
        },
    )
    assert {
        (ZONE, "hostsProgramme", "星河杯创新大赛"),
        ("青禾高新区管委会", "hostsProgramme", "星河杯创新大赛"),
        ("云溪市科学技术局", "supports", "星河杯创新大赛"),
    } <= triples(found)
    assert ("云溪市科学技术局", "hostsProgramme", "星河杯创新大赛") not in triples(found)


def test_talent_policy_belongs_to_the_zone_not_to_where_it_is_set_up() -> None:
    found = run(
        "青禾高新区在云溪设立“人才驿站”，推行“双导师制”。",
        {"云溪": "Place", "人才驿站": "TalentPolicy", "双导师制": "TalentPolicy"},
    )
    assert triples(found) == {
        (ZONE, "adoptsTalentPolicy", "人才驿站"),
        (ZONE, "adoptsTalentPolicy", "双导师制"),
    }


def test_a_city_runs_no_programme_in_the_graph() -> None:
    found = run(
        "云溪市举办“星河杯”创新大赛。", {"云溪市": "Place", "星河杯": "Programme"}, subject=None
    )
    assert not [r for r in found if r.predicate == "hostsProgramme"]


def test_supports_every_enterprise_of_the_list() -> None:
    found = run(
        "青禾高新区支持蓝岸科技、白帆智能等企业牵头组建创新联合体。",
        {"蓝岸科技": "Enterprise", "白帆智能": "Enterprise"},
    )
    assert {(ZONE, "supports", "蓝岸科技"), (ZONE, "supports", "白帆智能")} <= triples(found)


def test_document_issued_by_the_body_that_prints_it_and_by_its_name() -> None:
    found = run(
        "青禾高新区管委会印发《青禾高新区人才新政实施办法》。"
        "云溪市委、市政府出台的《云溪市委、市政府关于加快发展数字经济的意见》同时施行。",
        {
            "青禾高新区管委会": "Organization",
            "青禾高新区人才新政实施办法": "PolicyDocument",
            "云溪市委、市政府关于加快发展数字经济的意见": "PolicyDocument",
            "云溪市委": "Organization",
            "市政府": ("Organization", "云溪市政府"),
        },
    )
    assert {
        ("青禾高新区人才新政实施办法", "issuedBy", "青禾高新区管委会"),
        ("云溪市委、市政府关于加快发展数字经济的意见", "issuedBy", "云溪市委"),
        ("云溪市委、市政府关于加快发展数字经济的意见", "issuedBy", "云溪市政府"),
    } <= triples(found)


def test_cooperation_with_a_university() -> None:
    found = run(
        "蓝岸科技将在青禾高新区建设储能材料基地，并与云溪大学共建联合实验室。",
        {"蓝岸科技": "Enterprise", "云溪大学": "Organization", "储能材料": "Industry"},
    )
    assert ("蓝岸科技", "cooperatesWith", "云溪大学") in triples(found)
    assert ("蓝岸科技", "operatesIn", "储能材料") in triples(found)


def test_industries_within_industries() -> None:
    found = run(
        "在海洋装备产业链上，青禾高新区将重点发展深海探测和船舶配套；"
        "工业软件、智能传感等新兴产业加快成势。",
        {
            "海洋装备": "Industry",
            "深海探测": "Industry",
            "船舶配套": "Industry",
            "工业软件": "Industry",
            "智能传感": "Industry",
            "新兴产业": "Industry",
        },
    )
    assert {
        ("深海探测", "partOf", "海洋装备"),
        ("船舶配套", "partOf", "海洋装备"),
        ("工业软件", "partOf", "新兴产业"),
        (ZONE, "developsIndustry", "深海探测"),
    } <= triples(found)


def test_an_unnamed_enterprise_makes_the_product_not_the_city() -> None:
    found = run(
        "云溪的一家企业研制出新型储能材料。",
        {"云溪": "Place", "储能材料": "Industry"},
        subject=None,
    )
    assert not found


def test_same_relation_twice_is_one_relation_with_two_pieces_of_evidence() -> None:
    raw = "青禾高新区大力发展工业软件。青禾高新区工业软件产值突破百亿元。"
    found = run(raw, {"工业软件": "Industry"})
    assert len(found) == 1
    relation = found[0]
    assert (relation.subject, relation.predicate, relation.object) == (
        ZONE,
        "developsIndustry",
        "工业软件",
    )
    text = normalize_text(raw).text
    assert len(relation.evidence) == 2
    for evidence in relation.evidence:
        assert evidence.sentence == text[evidence.start : evidence.end]
        assert evidence.component.startswith("relations:")
        assert 0 < evidence.confidence <= 1


def test_nested_mentions_do_not_break_the_rules() -> None:
    text = "云溪高新区聚焦工业软件。"
    mentions = [
        Mention(0, 5, "Zone", "云溪高新区", "云溪高新区", "test"),
        Mention(0, 2, "Place", "云溪", "云溪", "test"),
        Mention(7, 11, "Industry", "工业软件", "工业软件", "test"),
    ]
    found = triples(find_relations(text, sentence_spans(text), mentions, "云溪高新区"))
    assert found == {
        ("云溪高新区", "locatedIn", "云溪"),
        ("云溪高新区", "developsIndustry", "工业软件"),
    }


def test_no_mentions_no_relations() -> None:
    assert find_relations("今天天气很好。", [(0, 7)], [], None) == []


# ---------------------------------------------------------------- the gold corpus


def _gold_f1(name: str) -> float:
    total = Score()
    for gold, article in gold_articles(need(CORPUS / "gold" / f"{name}.jsonl")):
        text = normalize_text(article.full_text).text
        mentions = gold_mentions(text, gold)
        subject = article_subject(article.title, mentions)
        found = find_relations(text, sentence_spans(text), mentions, subject)
        predicted = {"entities": gold["entities"], "relations": [r.to_json() for r in found]}
        total.add(score_document(gold, predicted).relations)
    return total.f1


@pytest.mark.parametrize(("name", "floor"), [("seed", 0.85), ("dev", 0.85), ("real", 0.7)])
def test_relation_f1_on_gold_entities(name: str, floor: float) -> None:
    assert _gold_f1(name) >= floor


def test_enterprise_described_as_one_of_an_industry() -> None:
    found = run(
        "蓝岸科技是云溪最早引进的储能材料企业。",
        {"蓝岸科技": "Enterprise", "云溪": "Place", "储能材料": "Industry"},
        subject=None,
    )
    assert ("蓝岸科技", "operatesIn", "储能材料") in triples(found)


def test_all_signed_projects_settle_in_the_zone() -> None:
    found = run(
        "蓝岸科技将建设储能材料生产线；白帆智能将新建工业软件研发中心。"
        "所有签约项目均将落户青禾高新区。",
        {
            "蓝岸科技": "Enterprise",
            "白帆智能": "Enterprise",
            "储能材料": "Industry",
            "工业软件": "Industry",
        },
    )
    assert {("蓝岸科技", "locatedIn", ZONE), ("白帆智能", "locatedIn", ZONE)} <= triples(found)


def test_city_of_a_listed_zone_when_the_article_names_it() -> None:
    # 东湖高新区 is in Wuhan by the national zone list (data/zones.csv)
    found = run(
        "东湖高新区发布青年人才新政,武汉多所高校参与。",
        {"东湖高新区": "Zone", "武汉": "Place"},
        subject="东湖高新区",
    )
    assert ("东湖高新区", "locatedIn", "武汉") in triples(found)


def test_zone_named_after_a_county_is_not_put_in_the_prefecture() -> None:
    found = run(
        "昆山高新区发布青年人才新政,苏州多所高校参与。",
        {"昆山高新区": "Zone", "苏州": "Place"},
        subject="昆山高新区",
    )
    assert ("昆山高新区", "locatedIn", "苏州") not in triples(found)


def test_among_them_after_a_sentence_about_one_industry() -> None:
    found = run(
        "青禾高新区围绕海洋装备产业链布局。其中,北湾科技园主攻深海探测;蓝岸科技将建设船舶配套基地。",
        {
            "海洋装备": "Industry",
            "深海探测": "Industry",
            "船舶配套": "Industry",
            "北湾科技园": "Zone",
            "蓝岸科技": "Enterprise",
        },
    )
    assert {
        ("深海探测", "partOf", "海洋装备"),
        ("蓝岸科技", "operatesIn", "海洋装备"),
        ("蓝岸科技", "operatesIn", "船舶配套"),
        ("北湾科技园", "developsIndustry", "深海探测"),
    } <= triples(found)
    assert ("船舶配套", "partOf", "海洋装备") not in triples(found)


_TYPES = (
    "Zone",
    "Place",
    "Enterprise",
    "Organization",
    "Industry",
    "Programme",
    "TalentPolicy",
    "Person",
    "PolicyDocument",
)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet="区园高新在与和、,;:。“”《》的等企业产业支持主办落户书记其中", max_size=80
    ),
    spans=st.lists(
        st.tuples(st.integers(0, 80), st.integers(0, 6), st.sampled_from(_TYPES)), max_size=12
    ),
    subject=st.sampled_from([None, "m0", "m1", "外部"]),
)
def test_any_input_gives_well_formed_relations(
    text: str, spans: list[tuple[int, int, str]], subject: str | None
) -> None:
    mentions = []
    for i, (start, length, etype) in enumerate(spans):
        start = min(start, len(text))
        end = min(start + length, len(text))
        if end > start:
            mentions.append(Mention(start, end, etype, text[start:end], f"m{i}", "test"))
    for relation in find_relations(text, sentence_spans(text), mentions, subject):
        types = {m.name: m.type for m in mentions}
        types.setdefault(subject or "", "Zone")
        assert types_allowed(relation.predicate, types[relation.subject], types[relation.object])
        assert relation.subject != relation.object
        for evidence in relation.evidence:
            assert evidence.sentence == text[evidence.start : evidence.end]


def test_what_an_organisation_set_up_goes_on_to_do_is_not_the_province() -> None:
    found = run(
        "云岭省在云溪建立云溪储能研究院,重点开展储能材料研发。",
        {
            "云岭省": "Place",
            "云溪": "Place",
            "云溪储能研究院": "Organization",
            "储能材料": "Industry",
        },
        subject=None,
    )
    assert ("云溪储能研究院", "locatedIn", "云溪") in triples(found)
    assert ("云岭省", "developsIndustry", "储能材料") not in triples(found)


def test_what_a_person_or_entrants_work_on_is_not_the_zone_industry() -> None:
    found = run(
        "青禾高新区发布新政。他的团队专注于工业软件研发。参赛项目覆盖储能材料、海洋装备等领域。",
        {"工业软件": "Industry", "储能材料": "Industry", "海洋装备": "Industry"},
    )
    assert not [r for r in found if r.predicate == "developsIndustry"]


def test_a_field_merely_named_is_not_given_to_the_article_subject() -> None:
    found = run(
        "青禾高新区发布新政。研究人员通过人工智能解析出新配方。",
        {"人工智能": "Industry"},
    )
    assert not found


def test_a_zone_named_after_a_level_word_and_a_place_is_in_that_place() -> None:
    from kg.extract import extract_article
    from kg.model import Article

    body = "洛阳市持续优化营商环境。国家级洛阳经济技术开发区新签约项目十个。"
    extraction = extract_article(Article(id="t", title="洛阳见闻", text=body))
    found = {(r.subject, r.predicate, r.object) for r in extraction.relations}
    assert ("国家级洛阳经济技术开发区", "locatedIn", "洛阳市") in found


def test_a_zone_whose_name_begins_with_the_country_is_not_said_to_be_in_it() -> None:
    from kg.extract import extract_article
    from kg.model import Article

    body = "中国澄湖软件园今年新引进企业三十家。中国软件产业发展迅速。"
    extraction = extract_article(Article(id="t", title="软件园见闻", text=body))
    found = {(r.subject, r.predicate, r.object) for r in extraction.relations}
    assert not any(p == "locatedIn" and o == "中国" for _, p, o in found)


def test_a_sentence_opening_with_its_scene_gives_the_later_clauses_their_subject() -> None:
    # 青梧 岭南: a city and one of its districts, named together
    found = run(
        "青梧省持续深化改革。在青梧岭南，围绕储能材料产业链，一批补链项目加紧建设。",
        {"青梧省": "Place", "青梧": "Place", "岭南": "Place", "储能材料": "Industry"},
        subject=None,
    )
    assert triples(found) == {("岭南", "developsIndustry", "储能材料")}


def test_a_sentence_opening_with_this_area_speaks_of_the_zone_named_just_before() -> None:
    found = run(
        "青梧省发展新能源。青梧经开区的企业所需原料，来自园区里的“青梧材料一条街”。"
        "这条街聚集了硅材料、储能设备等多家企业。",
        {
            "青梧省": "Place",
            "青梧经开区": "Zone",
            "青梧材料一条街": "Zone",
            "新能源": "Industry",
            "硅材料": "Industry",
            "储能设备": "Industry",
        },
        subject=None,
    )
    assert ("青梧材料一条街", "developsIndustry", "硅材料") in triples(found)
    assert ("青梧材料一条街", "developsIndustry", "储能设备") in triples(found)
    assert ("青梧省", "developsIndustry", "硅材料") not in triples(found)
    assert ("青梧经开区", "developsIndustry", "硅材料") not in triples(found)


def test_parks_a_zone_lists_or_counts_as_its_own_are_its_parts() -> None:
    found = run(
        "青禾高新区将依托东岭园区、西塘园区及北湾园区，形成协同格局。"
        "白鹭新区的鹭湖科学城和云栖科技园两大园区能级提升。"
        "青禾高新区对标苏禾工业园区、杭禾高新区等园区。",
        {
            "东岭园区": "Zone",
            "西塘园区": "Zone",
            "北湾园区": "Zone",
            "白鹭新区": "Zone",
            "鹭湖科学城": "Zone",
            "云栖科技园": "Zone",
            "苏禾工业园区": "Zone",
            "杭禾高新区": "Zone",
        },
    )
    got = {(s, o) for s, pred, o in triples(found) if pred == "partOf"}
    assert {("东岭园区", ZONE), ("西塘园区", ZONE), ("北湾园区", ZONE)} <= got
    assert ("云栖科技园", "白鹭新区") in got
    assert ("苏禾工业园区", ZONE) not in got
    assert ("杭禾高新区", ZONE) not in got
