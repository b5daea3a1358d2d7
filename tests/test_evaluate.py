from __future__ import annotations

from kg.evaluate import canonical, gold_mentions, score_document

GOLD = {
    "id": "t1",
    "file": "t1.txt",
    "entities": [
        {"type": "Zone", "name": "甲市高新区", "aliases": ["甲高新区"]},
        {"type": "Industry", "name": "光伏", "aliases": []},
        {"type": "Programme", "name": "创新杯", "aliases": []},
    ],
    "relations": [
        {"subject": "甲市高新区", "predicate": "developsIndustry", "object": "光伏"},
        {"subject": "甲市高新区", "predicate": "hostsProgramme", "object": "创新杯"},
    ],
    "indicators": [
        {
            "subject": "甲市高新区",
            "name": "产值",
            "value": 5,
            "unit": "亿元",
            "comparator": ">=",
            "year": 2024,
            "kind": "target",
        },
    ],
}


def test_names_compare_in_simplified_script_without_quotes() -> None:
    assert canonical("《甲區 規劃》") == "甲区规划"
    assert canonical("“创新杯”") == "创新杯"


def test_an_alias_matches_and_relations_follow_the_entity_names() -> None:
    predicted = {
        "entities": [
            {"type": "Zone", "name": "甲高新区", "aliases": []},
            {"type": "Industry", "name": "光伏", "aliases": []},
            {"type": "Enterprise", "name": "创新杯", "aliases": []},
        ],
        "relations": [
            {"subject": "甲高新区", "predicate": "developsIndustry", "object": "光伏"},
            {"subject": "甲高新区", "predicate": "supports", "object": "创新杯"},
        ],
        "indicators": [
            {"subject": "甲高新区", "name": "x", "value": 5.0, "unit": "亿元", "comparator": ">="},
            {"subject": "甲高新区", "name": "x", "value": 5.0, "unit": "亿元", "comparator": ">="},
        ],
    }
    result = score_document(GOLD, predicted)
    assert (result.entities.tp, result.entities.predicted, result.entities.gold) == (2, 3, 3)
    assert result.by_type["Programme"].recall == 0.0
    assert result.by_type["Enterprise"].precision == 0.0
    assert (result.relations.tp, result.relations.f1) == (1, 0.5)
    # each gold indicator matches once: the duplicate is a false positive
    assert (result.indicators.tp, result.indicators.precision, result.indicators.recall) == (
        1,
        0.5,
        1.0,
    )
    kinds = {(e["part"], e["error"]) for e in result.errors}
    assert ("entity", "missed") in kinds and ("relation", "false positive") in kinds
    assert ("indicator", "false positive") in kinds


def test_gold_mentions_finds_longest_names_first() -> None:
    text = "甲市高新区举办创新杯,甲高新区发展光伏。"
    mentions = gold_mentions(text, GOLD)
    assert [(m.text, m.name, m.type) for m in mentions] == [
        ("甲市高新区", "甲市高新区", "Zone"),
        ("创新杯", "创新杯", "Programme"),
        ("甲高新区", "甲市高新区", "Zone"),
        ("光伏", "光伏", "Industry"),
    ]
