"""The extraction pipeline end to end: config, components by name, evidence, workers."""

from __future__ import annotations

import json

import pytest
from spacy.language import Language

from kg.extract import extract_article, extract_many
from kg.extract.pipeline import CONFIG, build_pipeline, default_pipeline
from kg.model import Article

BODY = (
    "青梧高新区管委会主任林晓东表示，青梧高新区将举办第二届“澄湖杯”创新创业大赛，"
    "支持澄江科技有限公司发展。\n新区聚焦集成电路、生物医药和人工智能三大产业。"
)


@pytest.fixture(scope="session")
def nlp() -> Language:
    return default_pipeline()


def test_the_pipeline_is_built_from_its_config_with_named_components(nlp: Language) -> None:
    assert nlp.lang == "zh"
    assert CONFIG.exists()
    for name in ("kg_patterns", "kg_quoted", "kg_persons", "kg_resolve", "kg_aliases"):
        assert name in nlp.pipe_names
    doc = nlp("青梧高新区位于青梧。")
    assert doc.text == "青梧高新区位于青梧。"
    assert "".join(t.text for t in doc) == doc.text


def test_a_component_can_be_dropped_by_name(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = CONFIG.read_text(encoding="utf-8").replace('"kg_persons", ', "")
    config = tmp_path / "config.cfg"
    config.write_text(text, encoding="utf-8")
    custom = build_pipeline(config)
    assert "kg_persons" not in custom.pipe_names
    doc = custom(BODY)
    assert "Person" not in {m.type for m in doc._.kg_mentions}


def test_extract_article_types_names_and_quotes_evidence_from_the_original() -> None:
    article = Article(id="t1", title="青梧高新區(qū)新聞", text=BODY.replace("区", "區"))
    extraction = extract_article(article)
    found = {(e.type, e.name) for e in extraction.entities}
    assert ("Zone", "青梧高新区") in found
    assert ("Organization", "青梧高新区管委会") in found
    assert ("Person", "林晓东") in found
    assert ("Programme", "澄湖杯创新创业大赛") in found
    assert ("Enterprise", "澄江科技有限公司") in found
    assert {("Industry", "集成电路"), ("Industry", "人工智能")} <= found
    zone = next(e for e in extraction.entities if e.name == "青梧高新区")
    for ev in zone.evidence:
        original = article.full_text[ev.start : ev.end]
        assert original.replace("區", "区") == "青梧高新区"
        assert original in ev.sentence
        assert ev.component and 0 < ev.confidence <= 1


def test_workers_give_the_same_output_as_one_process() -> None:
    articles = [
        Article(id=f"a{i}", title=f"第{i}篇", text=BODY.replace("青梧", name))
        for i, name in enumerate(["青梧", "澄江", "云岭", "白沙", "临川"] * 4)
    ]
    one = [json.dumps(e.to_json(), ensure_ascii=False) for e in extract_many(articles)]
    two = [json.dumps(e.to_json(), ensure_ascii=False) for e in extract_many(articles, workers=2)]
    assert one == two
    assert len(one) == len(articles)


def _entities(nlp: Language, text: str) -> set[tuple[str, str]]:
    doc = nlp(text)
    return {(e.type, e.name) for e in doc._.kg_entities}


def test_issuers_inside_a_document_title_are_bodies_too(nlp: Language) -> None:
    found = _entities(nlp, "会议审议了《青梧市委、市政府关于加快发展数字经济的意见》。")
    assert ("PolicyDocument", "青梧市委、市政府关于加快发展数字经济的意见") in found
    assert ("Organization", "青梧市委") in found


def test_a_chain_of_quoted_ways_closed_by_a_talent_tail(nlp: Language) -> None:
    found = _entities(nlp, "园区采取“周末专家”“双向挂职”等方式引进人才。")
    assert {("TalentPolicy", "周末专家"), ("TalentPolicy", "双向挂职")} <= found


def test_a_short_industry_word_needs_an_industry_beside_it(nlp: Language) -> None:
    assert not any(t == "Industry" for t, _ in _entities(nlp, "他开着一辆汽车去上班。"))
    assert any(t == "Industry" for t, _ in _entities(nlp, "当地汽车产业发展迅速。"))


def test_countries_abroad_are_places(nlp: Language) -> None:
    found = _entities(nlp, "团队成员来自德国和新加坡。")
    assert {("Place", "德国"), ("Place", "新加坡")} <= found


def test_a_name_is_found_again_where_it_is_written_alone(nlp: Language) -> None:
    doc = nlp("青梧高新区推出“青梧人才码”。持有青梧人才码的人才可享受服务。")
    mentions = [m for m in doc._.kg_mentions if m.name == "青梧人才码"]
    assert len(mentions) == 2


def test_names_keep_the_articles_full_width_brackets_in_simplified_script() -> None:
    # Normalizing folds （） to () for the recognisers; names go back to the article's forms,
    # in simplified script, while evidence quotes the traditional original.
    title = "青梧科技（集團）有限公司落戶青梧高新區"
    body = "青梧高新區（澄江）管委會表示，青梧科技（集團）有限公司已落戶園區。"
    extraction = extract_article(Article(id="t", title=title, text=body))
    names = {(e.type, e.name) for e in extraction.entities}
    assert ("Enterprise", "青梧科技（集团）有限公司") in names
    assert ("Organization", "青梧高新区（澄江）管委会") in names
    assert not any("(" in name or "集團" in name for _, name in names)
    located = {(r.subject, r.predicate, r.object) for r in extraction.relations}
    assert ("青梧科技（集团）有限公司", "locatedIn", "青梧高新区") in located
    company = next(e for e in extraction.entities if e.type == "Enterprise")
    assert company.evidence[0].sentence == title
    assert title[company.evidence[0].start : company.evidence[0].end] == "青梧科技（集團）有限公司"
