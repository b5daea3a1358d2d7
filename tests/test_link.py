"""Linking: names of one thing in different articles meet at one stable IRI; context decides.

The gazetteer here is a small one of our own (real divisions and zones that the corpus does not
use), so these tests do not depend on the shipped gazetteer files.
"""

from __future__ import annotations

import itertools

import pytest

from kg.link import (
    LinkedArticle,
    PlaceInfo,
    TableGazetteer,
    ZoneInfo,
    link_extraction,
    name_key,
)
from kg.model import Article, Entity, Evidence, Extraction, Indicator, Relation

PLACES = [
    PlaceInfo("广东省", "广东省", "province", "44"),
    PlaceInfo("东莞市", "东莞市", "city", "4419", province="广东省"),
    PlaceInfo("四川省", "四川省", "province", "51"),
    PlaceInfo("绵阳市", "绵阳市", "city", "5107", province="四川省"),
    PlaceInfo("北京市", "北京市", "province", "11"),
    PlaceInfo("北京市朝阳区", "朝阳区", "county", "110105", province="北京市"),
    PlaceInfo("吉林省", "吉林省", "province", "22"),
    PlaceInfo("长春市", "长春市", "city", "2201", province="吉林省"),
    PlaceInfo("长春市朝阳区", "朝阳区", "county", "220104", province="吉林省", city="长春市"),
]
ZONES = [
    ZoneInfo(
        "东莞松山湖高新区",
        "东莞松山湖高新技术产业开发区",
        ("松山湖高新区",),
        level="national",
        province="广东省",
        city="东莞市",
    ),
    ZoneInfo(
        "绵阳高新区", "绵阳高新技术产业开发区", level="national", province="四川省", city="绵阳市"
    ),
]
GAZ = TableGazetteer(PLACES, ZONES)


def article(text: str, article_id: str = "a") -> Article:
    title, _, body = text.partition("\n")
    return Article(id=article_id, title=title, text=body, date="2024-05-01")


def entity(entity_type: str, name: str, *aliases: str) -> Entity:
    return Entity(entity_type, name, tuple(aliases))


def linked(
    *entities: Entity, relations: tuple[Relation, ...] = (), text: str = "题\n文"
) -> LinkedArticle:
    return link_extraction(
        Extraction(article=article(text), entities=entities, relations=relations), GAZ
    )


def refs(result: LinkedArticle) -> set[tuple[str, str]]:
    return {e.ref for e in result.entities if e.mentioned}


@pytest.mark.parametrize(
    ("entity_type", "name", "key"),
    [
        ("Zone", "东莞松山湖高新技术产业开发区", "东莞松山湖高新区"),
        ("Zone", "贵港国家高新技术产业开发区", "贵港高新区"),
        ("Zone", "黄石经济技术开发区", "黄石经开区"),
        ("Zone", "金沙高新区（东片）", "金沙高新区"),
        ("Zone", "  “金沙高新區” ", "金沙高新区"),
        ("Organization", "金沙高新技术产业开发区管理委员会", "金沙高新区管委会"),
        ("Enterprise", "青禾光电股份有限公司", "青禾光电"),
        ("Enterprise", "青禾光电股份", "青禾光电"),
        ("Programme", "第三届“青禾杯”创新大赛", "青禾杯创新大赛"),
        ("Programme", "青禾2024创新周", "青禾创新周"),
        ("Industry", "氢能产业链", "氢能"),
        ("Industry", "新兴产业", "新兴产业"),
        ("Industry", "战略性新兴产业", "战略性新兴产业"),
        ("PolicyDocument", "《青禾市人才新政》", "青禾市人才新政"),
    ],
)
def test_names_normalise_to_the_key_they_meet_under(entity_type: str, name: str, key: str) -> None:
    assert name_key(entity_type, name) == key


def test_long_short_and_prefixed_zone_names_become_one_entity_across_articles() -> None:
    forms = [
        (entity("Zone", "东莞松山湖高新技术产业开发区"),),
        (entity("Zone", "东莞松山湖高新区"),),
        (entity("Zone", "松山湖高新区"), entity("Place", "东莞")),
    ]
    found = [refs(linked(*ents)) for ents in forms]
    for refs_of_article in found:
        assert ("Zone", "东莞松山湖高新区") in refs_of_article
    only_zone = {r for f in found for r in f if r[0] == "Zone"}
    assert only_zone == {("Zone", "东莞松山湖高新区")}


def test_a_short_zone_name_is_linked_only_where_the_articles_place_agrees() -> None:
    elsewhere = linked(entity("Zone", "松山湖高新区"), entity("Place", "绵阳"))
    assert refs(elsewhere) & {("Zone", "东莞松山湖高新区")} == set()
    assert ("Zone", "松山湖高新区") in refs(elsewhere)
    by_province = linked(entity("Zone", "松山湖高新区"), entity("Place", "广东"))
    assert ("Zone", "东莞松山湖高新区") in refs(by_province)


def test_a_short_name_ending_a_gazetteer_zone_links_where_the_city_is_named() -> None:
    # "高新区" alone is generic, but "绵阳高新区" ends with nothing shorter than itself here:
    # a made-up short form ending the gazetteer key links only with 绵阳 in the article.
    zone = ZoneInfo(
        "绵阳科创高新区", "绵阳科创高新技术产业开发区", province="四川省", city="绵阳市"
    )
    gaz = TableGazetteer(PLACES, [zone])
    with_city = link_extraction(
        Extraction(article("题\n文"), (entity("Zone", "科创高新区"), entity("Place", "绵阳市"))),
        gaz,
    )
    without = link_extraction(Extraction(article("题\n文"), (entity("Zone", "科创高新区"),)), gaz)
    assert ("Zone", "绵阳科创高新区") in refs(with_city)
    assert refs(without) == {("Zone", "科创高新区")}


def test_gazetteer_zones_carry_their_official_name_level_and_province() -> None:
    result = linked(entity("Zone", "绵阳高新区"))
    zone = next(e for e in result.entities if e.type == "Zone")
    assert (zone.official_name, zone.level, zone.province, zone.city) == (
        "绵阳高新技术产业开发区",
        "national",
        "四川省",
        "绵阳市",
    )
    # The province and city come along as places, but the article does not mention them.
    references = {e.ref: e.mentioned for e in result.entities if e.type == "Place"}
    assert references == {("Place", "四川省"): False, ("Place", "绵阳市"): False}


def test_places_get_their_official_name_and_code_and_ambiguous_ones_need_context() -> None:
    plain = linked(entity("Place", "东莞"))
    place = next(e for e in plain.entities if e.key == "东莞市")
    assert (place.code, place.level, place.province, place.mentioned) == (
        "4419",
        "city",
        "广东省",
        True,
    )
    with_city = linked(entity("Place", "朝阳区"), entity("Place", "长春"))
    assert ("Place", "长春市朝阳区") in refs(with_city)
    alone = linked(entity("Place", "朝阳区"))
    assert refs(alone) == {("Place", "朝阳区")}
    unknown = linked(entity("Place", "湾区北岸"))
    assert refs(unknown) == {("Place", "湾区北岸")}


def test_without_the_gazetteer_the_qualified_alias_names_the_zone() -> None:
    result = link_extraction(
        Extraction(
            article("题\n文"),
            (entity("Zone", "金沙高新区", "临川金沙高新技术产业开发区", "高新区"),),
        ),
        TableGazetteer(),
    )
    (zone,) = result.entities
    assert zone.key == "临川金沙高新区"
    assert set(zone.names) == {"金沙高新区", "临川金沙高新技术产业开发区", "高新区"}


def test_an_entity_keeps_its_iri_when_a_later_article_adds_aliases() -> None:
    first = linked(entity("Enterprise", "青禾光电股份有限公司"))
    later = linked(entity("Enterprise", "青禾光电股份有限公司", "青禾光电", "青禾"))
    assert refs(first) == refs(later) == {("Enterprise", "青禾光电")}


def test_entities_with_only_generic_names_are_left_out_and_reported() -> None:
    result = linked(entity("Zone", "高新区", "园区"), entity("Industry", "氢能"))
    assert refs(result) == {("Industry", "氢能")}
    assert any("高新区" in reason for reason in result.dropped)


def test_relations_follow_aliases_and_respect_the_contracts_types() -> None:
    relations = (
        Relation("金沙高新区", "developsIndustry", "氢能产业"),
        Relation("青禾光电", "locatedIn", "金沙高新区"),
        Relation("临川", "hostsProgramme", "青禾杯"),  # a place cannot host a programme
        Relation("氢能", "partOf", "金沙高新区"),  # partOf joins two things of one type
        Relation("金沙高新区", "hostsProgramme", "无名杯"),  # not an entity of the article
    )
    result = linked(
        entity("Zone", "金沙高新区"),
        entity("Enterprise", "青禾光电有限公司", "青禾光电"),
        entity("Industry", "氢能"),
        entity("Place", "临川"),
        entity("Programme", "青禾杯"),
        relations=relations,
    )
    kept = {(r.subject[1], r.predicate, r.object[1]) for r in result.relations}
    assert kept == {
        ("金沙高新区", "developsIndustry", "氢能"),
        ("青禾光电", "locatedIn", "金沙高新区"),
    }
    assert len(result.dropped) == 3


def test_a_name_used_for_two_types_resolves_by_the_predicates_domain() -> None:
    result = linked(
        entity("Zone", "青禾科技城"),
        entity("Place", "青禾科技城"),
        entity("Industry", "氢能"),
        relations=(Relation("青禾科技城", "developsIndustry", "氢能"),),
    )
    # Both a zone and a place may develop an industry: ambiguous, so left out.
    assert result.relations == ()
    result = linked(
        entity("Zone", "青禾科技城"),
        entity("Place", "青禾科技城"),
        entity("Programme", "青禾杯"),
        relations=(Relation("青禾科技城", "hostsProgramme", "青禾杯"),),
    )
    assert [r.subject for r in result.relations] == [("Zone", "青禾科技城")]


def test_linking_does_not_depend_on_the_order_of_the_extraction() -> None:
    ents = [
        entity("Zone", "松山湖高新区"),
        entity("Place", "东莞"),
        entity("Place", "朝阳区"),
        entity("Place", "长春"),
        entity("Enterprise", "青禾光电股份有限公司"),
    ]
    seen = {
        tuple(sorted((e.ref, e.mentioned) for e in linked(*perm).entities))
        for perm in itertools.permutations(ents)
    }
    assert len(seen) == 1


def test_indicators_point_to_the_linked_subject() -> None:
    text = "题\n东莞松山湖高新区力争营收达到5亿元。"
    art = article(text)
    ev = Evidence("东莞松山湖高新区力争营收达到5亿元。", 2, 21, "test", 0.9)
    result = link_extraction(
        Extraction(
            art,
            (entity("Zone", "东莞松山湖高新技术产业开发区", "东莞松山湖高新区"),),
            (),
            (Indicator("东莞松山湖高新区", "营收", 5, "亿元", ">=", 2025, "target", (ev,)),),
        ),
        GAZ,
    )
    assert [i.subject for i in result.indicators] == [("Zone", "东莞松山湖高新区")]


def test_the_articles_text_is_context_when_extraction_found_no_place() -> None:
    in_text = linked(entity("Zone", "松山湖高新区"), text="题\n东莞的松山湖高新区今年新增企业。")
    assert refs(in_text) == {("Zone", "东莞松山湖高新区")}
    elsewhere = linked(entity("Zone", "松山湖高新区"), text="题\n绵阳的松山湖高新区今年新增企业。")
    assert refs(elsewhere) == {("Zone", "松山湖高新区")}
