"""The recognisers of the extraction pipeline, each on short sentences written for the test."""

from __future__ import annotations

import rjieba

from kg.extract.aliases import name_mentions
from kg.extract.candidates import Candidate
from kg.extract.enumerations import find_listed
from kg.extract.patterns import find_named
from kg.extract.persons import find_persons
from kg.extract.quoted import find_quoted
from kg.extract.resolve import resolve_overlaps


def _words(text: str) -> tuple[list[str], list[int]]:
    words = rjieba.cut(text)
    starts = [0]
    for w in words:
        starts.append(starts[-1] + len(w))
    return words, starts


def _found(cands: list[Candidate], text: str) -> set[tuple[str, str]]:
    return {(c.type, text[c.start : c.end]) for c in cands}


def test_head_word_names_stop_at_function_words_and_verbs() -> None:
    text = "由青梧高新区管委会主办，支持澄江科技有限公司在园区落户。"
    found = _found(find_named(text, *_words(text)), text)
    assert ("Organization", "青梧高新区管委会") in found
    assert ("Enterprise", "澄江科技有限公司") in found
    assert not any(name.startswith(("由", "支持")) for _, name in found)


def test_a_head_alone_or_after_generic_words_is_no_name() -> None:
    text = "努力向国家级高新区迈进，该公司也入驻园区。"
    assert find_named(text, *_words(text)) == []


def test_verbs_leading_into_the_head_stay_in_the_name() -> None:
    text = "青梧市人才发展中心发布通告。"
    found = _found(find_named(text, *_words(text)), text)
    assert ("Organization", "青梧市人才发展中心") in found


def test_ordinals_are_dropped_and_a_quoted_core_is_kept() -> None:
    text = "第三届“澄湖杯”创新创业大赛在此举行。"
    found = _found(find_quoted(text, *_words(text)), text)
    assert ("Programme", "“澄湖杯”创新创业大赛") in found


def test_quoted_names_are_typed_by_context_and_slogans_left_alone() -> None:
    text = (
        "园区采取“双向飞地”等方式引进人才，树牢“争先思维”，举办“青梧论坛”。"
        "《青梧市促进科技创新条例》施行。"
    )
    found = _found(find_quoted(text, *_words(text)), text)
    assert ("TalentPolicy", "双向飞地") in found
    assert ("Programme", "青梧论坛") in found
    assert ("PolicyDocument", "青梧市促进科技创新条例") in found
    assert not any(name == "争先思维" for _, name in found)


def test_an_enclave_compound_is_a_talent_policy_but_the_bare_word_is_not() -> None:
    # X飞地 is matched by a pattern (data/extract_cues.csv, talent_pattern), not by the word.
    text = "澄江区在沪设立“科创飞地”，就地招引研发人才。“飞地”本是地理学的说法。"
    found = _found(find_quoted(text, *_words(text)), text)
    assert ("TalentPolicy", "科创飞地") in found
    assert not any(name == "飞地" for _, name in found)


def test_persons_after_a_title_and_before_speech() -> None:
    text = "管委会主任林晓东在会上介绍情况。教授宋知行认为前景很好。林晓东表示将继续推进。"
    found = find_persons(text)
    names = [text[c.start : c.end] for c in found]
    assert names.count("林晓东") == 2
    assert "宋知行" in names


def test_listed_industries_are_typed_by_the_closing_words() -> None:
    text = "新区聚焦集成电路、生物医药和人工智能三大产业。"
    found = _found(find_listed(text, *_words(text), []), text)
    assert found == {("Industry", "集成电路"), ("Industry", "生物医药"), ("Industry", "人工智能")}


def test_a_list_without_closing_words_needs_known_items() -> None:
    text = "他喜欢苹果、香蕉和橙子。"
    assert find_listed(text, *_words(text), []) == []


def test_overlaps_keep_the_longest_candidate() -> None:
    long = Candidate(0, 8, "Zone", "a", 0.7)
    inner = Candidate(0, 2, "Place", "b", 0.9, priority=3)
    other = Candidate(9, 11, "Place", "b", 0.9)
    assert resolve_overlaps([inner, long, other]) == [long, other]


def test_short_names_merge_under_the_most_complete_one() -> None:
    text = (
        "青梧经济技术开发区（以下简称“青梧经开区”）位于青梧。"
        "青梧经开区发展新材料产业，新材料前景好。"
    )
    full = text.index("青梧经济技术开发区")
    place = text.index("青梧。")
    industry = text.index("新材料产业")
    bare = text.index("新材料前景")
    cands = [
        Candidate(full, full + 9, "Zone", "t", 0.9),
        Candidate(place, place + 2, "Place", "t", 0.9),
        Candidate(industry, industry + 5, "Industry", "t", 0.9),
        Candidate(bare, bare + 3, "Industry", "t", 0.9),
    ]
    mentions, declared = name_mentions(text, cands)
    names = {(m.type, m.text): m.name for m in mentions}
    assert names[("Zone", "青梧经开区")] == "青梧经济技术开发区"
    assert names[("Industry", "新材料")] == "新材料产业"
    assert declared[("Zone", "青梧经济技术开发区")] == ["青梧经开区"]


def test_a_list_followed_by_a_new_clause_is_not_typed_by_an_industry_word_in_it() -> None:
    # 等要素向…产业 is a clause that reaches an industry word; 等新兴产业 closes a list of fields.
    text = "推动厂房、电力、人才等要素向优势产业集聚，壮大光伏、风电、储能等新兴产业。"
    found = _found(find_listed(text, *_words(text), []), text)
    assert {name for _, name in found} == {"光伏", "风电", "储能"}


def test_a_numeral_character_inside_a_word_makes_no_title() -> None:
    # 统一 holds 一 but is no number: 统一措施 is a plain phrase.
    text = "园区制定统一措施建设新厂房。"
    found = _found(find_named(text, *_words(text)), text)
    assert ("PolicyDocument", "统一措施") not in found


def test_a_ranked_description_is_no_name() -> None:
    text = "该市成为西北第一个全域试点城市，建成全国首个氢能示范园区。"
    assert find_named(text, *_words(text)) == []


def test_a_lone_verb_or_measure_word_left_in_front_is_no_part_of_a_name() -> None:
    text = "眼前这座融合科技感的建筑，是首批迁驻金普新区的企业。"
    found = _found(find_named(text, *_words(text)), text)
    assert not any(name.startswith(("座", "驻")) for _, name in found)


def test_a_full_place_before_a_department_short_name_is_that_place_s_department() -> None:
    from kg.extract.pipeline import default_pipeline

    nlp = default_pipeline()
    doc = nlp("记者来到主管部门洛阳市发展改革委了解情况。")
    names = {(m.type, m.name) for m in doc._.kg_mentions}
    assert ("Organization", "洛阳市发展改革委") in names
    assert not any(name == "国家发展和改革委员会" for _, name in names)


def test_a_two_character_name_after_a_title_stops_before_punctuation_or_digits() -> None:
    text = "会上，市委书记石峰，副市长柯岚8日出席。"
    names = {text[c.start : c.end] for c in find_persons(text)}
    assert "石峰" in names
    assert "柯岚" in names
    assert not any(len(n) > 2 for n in names)


def test_a_bare_document_head_in_book_quotes_is_the_short_form_of_the_last_document() -> None:
    text = "市政府印发《青梧市促进数字经济发展实施意见》。《意见》明确，该《办法》另行发布。"
    found = find_quoted(text, *_words(text))
    docs = [c for c in found if c.type == "PolicyDocument"]
    short = [c for c in docs if text[c.start : c.end] == "意见"]
    assert short and short[0].name == "青梧市促进数字经济发展实施意见"
    # 《办法》 with no document of that head before it names nothing
    assert not any(text[c.start : c.end] == "办法" for c in docs)


def test_domains_of_public_life_in_a_list_are_no_industries() -> None:
    text = "统筹经济、政治、文化、社会等领域，发展光伏、风电、储能等产业。"
    found = {name for _, name in _found(find_listed(text, *_words(text), []), text)}
    assert found == {"光伏", "风电", "储能"}


def test_well_known_enterprises_are_found_without_a_company_head_word() -> None:
    from kg.extract.pipeline import default_pipeline

    nlp = default_pipeline()
    doc = nlp("青梧市与国家电网、宁德时代签署合作协议，共建储能基地。")
    found = {(m.type, m.name) for m in doc._.kg_mentions}
    assert ("Enterprise", "国家电网有限公司") in found
    assert ("Enterprise", "宁德时代新能源科技股份有限公司") in found


def test_industry_names_keep_modifiers_that_jieba_tags_as_times_or_numerals() -> None:
    # 新一代 is tagged a time word and 零部件 a numeral with a measure word; neither ends the name.
    text = "园区重点发展新一代卫星通信技术、汽车零部件制造等产业，三季度新能源产业增长较快。"
    found = {name for etype, name in _found(find_listed(text, *_words(text), []), text)}
    assert {"新一代卫星通信技术", "汽车零部件制造"} <= found
    named = {name for _, name in _found(find_named(text, *_words(text)), text)}
    assert not any(name.startswith("三季度") for name in named)


def test_sides_and_clause_words_are_no_person_names() -> None:
    text = "国家副主席出席会议。美方表示反对，文章还指出，委员柯清和表示赞同，书记能够感受到变化。"
    names = {text[c.start : c.end] for c in find_persons(text)}
    assert "柯清和" in names
    assert not names & {"美方", "国家副", "文章还", "能够感"}


def test_places_in_a_list_before_directions_are_no_industries() -> None:
    text = "部队在哈尔科夫、苏梅等方向推进。"
    assert find_listed(text, *_words(text), []) == []


def test_a_kind_of_company_or_a_group_of_countries_is_no_enterprise() -> None:
    text = "多家保险公司和材料公司参会，七国集团发表声明，澄江科技公司签约。"
    found = {name for etype, name in _found(find_named(text, *_words(text)), text)}
    assert "澄江科技公司" in found
    assert not found & {"保险公司", "材料公司", "七国集团"}


def test_book_quotes_name_a_document_only_when_the_title_ends_in_a_kind_of_document() -> None:
    text = (
        "《澄湖周刊》杂志刊登评论，音乐剧《晨光》上演，市政府印发《青梧市数字经济行动计划"
        "（2025—2027年）》和《青梧制造2030》。"
    )
    docs = {text[c.start : c.end] for c in find_quoted(text, *_words(text))}
    assert "青梧市数字经济行动计划（2025—2027年）" in docs
    assert "青梧制造2030" in docs
    assert not docs & {"澄湖周刊", "晨光"}


def test_the_first_built_part_of_a_new_area_is_a_zone_and_part_of_it() -> None:
    from kg.extract import extract_article
    from kg.model import Article

    body = "天府新区加快建设。记者走进天府新区起步区，这里新落地项目三十个。"
    extraction = extract_article(Article(id="t", title="新区见闻", text=body))
    zones = {e.name for e in extraction.entities if e.type == "Zone"}
    assert "天府新区起步区" in zones
    found = {(r.subject, r.predicate, r.object) for r in extraction.relations}
    assert any(s == "天府新区起步区" and p == "partOf" for s, p, _ in found)


def test_items_of_a_list_closed_by_a_kind_of_area_are_zones() -> None:
    text = "在东湾、西岭、南坪等新建片区，居民陆续迁入。"
    words, starts = _words(text)
    zones = {name for etype, name in _found(find_listed(text, words, starts, []), text)}
    assert zones == {"东湾", "西岭", "南坪"}
    named = _found(find_named(text, words, starts), text)
    assert not any(name.endswith("片区") for _, name in named)


def test_reports_cited_by_their_fixed_name_are_documents() -> None:
    text = "党的十九大报告提出要求，党的十八大报告也说，要建设现代化产业体系。"
    found = _found(find_named(text, *_words(text)), text)
    assert ("PolicyDocument", "党的十九大报告") in found
    assert ("PolicyDocument", "党的十八大报告") in found


def test_a_goal_described_by_its_rank_is_no_name() -> None:
    text = "该区提出奋力建设世界一流高科技园区，打造世界级产业集群和国内领先的创新中心。"
    found = _found(find_named(text, *_words(text)), text)
    assert not any("一流" in name or "世界级" in name or "领先" in name for _, name in found)


def test_a_department_named_by_a_one_character_head_after_a_place_or_zone() -> None:
    text = (
        "苏州工业园区数据资源局局长和南京市人力资源和社会保障局的工作人员走访企业，"
        "看清格局、优化布局。常州市委常委出席。"
    )
    found = _found(find_named(text, *_words(text)), text)
    assert ("Organization", "苏州工业园区数据资源局") in found
    assert ("Organization", "南京市人力资源和社会保障局") in found
    assert not any(name.endswith(("格局", "布局", "常委")) for _, name in found)


def test_a_joint_institute_keeps_joint_in_its_name_only_after_a_proper_stem() -> None:
    text = "青州光学联合研究院与企业共建产学研联合实验室。"
    found = _found(find_named(text, *_words(text)), text)
    assert ("Organization", "青州光学联合研究院") in found
    assert not any(name.endswith("联合实验室") for _, name in found)


def test_a_programme_launched_or_won_by_a_verb_is_named_by_the_words_between() -> None:
    text = "该省实施青苗企业培育计划，去年获批近海养殖管理改革试点，并开展招才活动。"
    found = _found(find_named(text, *_words(text)), text)
    assert ("Programme", "青苗企业培育计划") in found
    assert ("Programme", "近海养殖管理改革试点") in found
    assert not any(name.endswith("活动") for _, name in found)


def test_quoted_phrases_in_a_chain_after_a_programme_verb_are_programmes() -> None:
    text = "今年该省启动实施“千企上云”“百园提升”，其中技改项目过万。推行“甲”“乙”改革。"
    found = _found(find_quoted(text, *_words(text)), text)
    assert ("Programme", "千企上云") in found
    assert ("Programme", "百园提升") in found
    assert not any(t == "Programme" and len(name) == 1 for t, name in found)


def test_a_list_of_kinds_of_company_names_industries_not_companies() -> None:
    text = "园区聚集了新能源、储能设备制造、电池回收等20多家企业，还有青芯微、柏岚智控等企业。"
    words, starts = _words(text)
    # 新能源, as the gazetteer finds it
    known = [*find_named(text, words, starts), Candidate(5, 8, "Industry", "test", 0.9)]
    found = _found(find_listed(text, words, starts, known), text)
    assert ("Industry", "储能设备制造") in found
    assert ("Industry", "电池回收") in found
    assert ("Enterprise", "青芯微") in found
    assert not any(t == "Enterprise" and name in ("储能设备制造", "电池回收") for t, name in found)


def test_a_street_of_one_trade_in_quotes_is_a_zone() -> None:
    text = "上游材料由同在开发区的“青梧光伏一条街”提供。"
    found = _found(find_quoted(text, *_words(text)), text)
    assert ("Zone", "青梧光伏一条街") in found


def test_a_company_head_that_begins_inside_a_word_still_ends_the_name() -> None:
    # the segmenter reads 科技股份 as one word, which the head 股份有限公司 begins inside
    text = "其中，岚棠科技股份有限公司将投资十亿元。"
    words, starts = _words(text)
    assert "科技股份" in words
    found = _found(find_named(text, words, starts), text)
    assert ("Enterprise", "岚棠科技股份有限公司") in found


def test_a_biotech_or_pharmaceutical_city_is_a_zone() -> None:
    text = "青梧国际生物城新引进项目，白鹭医药城也在扩建。"
    found = _found(find_named(text, *_words(text)), text)
    assert ("Zone", "青梧国际生物城") in found
    assert ("Zone", "白鹭医药城") in found
