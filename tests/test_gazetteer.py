"""The gazetteer: the real-world lists of data/ load, hold together, and find names in text."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import gazetteer
from kg.errors import InputError
from kg.model import ENTITY_TYPES
from kg.resources import data_file

from .conftest import SHARED, need

CSV_FILES = {
    "zones.csv": ("name", "short_names", "kind", "level", "province", "city", "source"),
    "places.csv": ("code", "name", "short_name", "level", "parent_code", "province"),
    "regions.csv": ("name", "short_names", "kind", "members", "source"),
    "industries.csv": ("name", "broader", "aliases", "source"),
    "organizations.csv": ("name", "short_names", "kind", "source"),
    "head_words.csv": ("head", "type", "priority", "note"),
    "talent_cues.csv": ("cue", "kind", "note"),
}
SEI_CATEGORIES = (
    "新一代信息技术产业",
    "高端装备制造产业",
    "新材料产业",
    "生物产业",
    "新能源汽车产业",
    "新能源产业",
    "节能环保产业",
    "数字创意产业",
    "相关服务业",
)


def _clear_caches() -> None:
    for value in vars(gazetteer).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


# ---- the files


@pytest.mark.parametrize("filename", sorted(CSV_FILES))
def test_csv_parses_with_its_columns_and_clean_cells(filename: str) -> None:
    with data_file(filename).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    assert set(CSV_FILES[filename]) <= set(header)
    assert body
    for row in body:
        assert len(row) == len(header), row
        assert all(cell == cell.strip() for cell in row), row
        assert all(part.strip() for cell in row if "|" in cell for part in cell.split("|")), row


def test_sources_md_names_every_gazetteer_file() -> None:
    text = data_file("SOURCES.md").read_text(encoding="utf-8")
    for filename in (*CSV_FILES, "common_words.txt"):
        assert f"## {filename}" in text


# ---- zones


def test_zone_counts_cover_the_national_lists() -> None:
    national = Counter(
        kind for zone in gazetteer.zones() if zone.level == "national" for kind in zone.kinds
    )
    assert national["hitech"] >= 170
    assert national["etdz"] >= 210
    assert national["new_area"] == 19
    assert national["ftz"] >= 22
    assert national["innovation_demo"] >= 20
    assert national["park"] >= 10


def test_zone_names_are_unique_and_no_name_points_at_two_zones() -> None:
    official = [zone.name for zone in gazetteer.zones()]
    assert len(official) == len(set(official))
    owners: dict[str, set[str]] = {}
    for zone in gazetteer.zones():
        for name in zone.names:
            owners.setdefault(name, set()).add(zone.name)
    assert {name: zones for name, zones in owners.items() if len(zones) > 1} == {}


def test_every_zone_lies_in_known_provinces_and_cities() -> None:
    provinces = {p.name for p in gazetteer.places() if p.level == "province"}
    place_names = {p.name for p in gazetteer.places()}
    for zone in gazetteer.zones():
        assert zone.provinces and set(zone.provinces) <= provinces, zone
        assert not zone.city or zone.city in place_names, zone


@pytest.mark.parametrize(
    ("surface", "official"),
    [
        ("张江高新区", "上海张江高新技术产业开发区"),
        ("西青经开区", "天津西青经济技术开发区"),
        ("泰达", "天津经济技术开发区"),
        ("东湖高新区", "武汉东湖新技术开发区"),
        ("深圳高新区", "深圳市高新技术产业园区"),
        ("上海自贸区", "中国（上海）自由贸易试验区"),
        ("合芜蚌自创区", "合芜蚌国家自主创新示范区"),
        ("天府新区", "四川天府新区"),
        ("芦台经开区", "河北唐山芦台经济开发区"),
        ("苏州工业园区", "苏州工业园区"),
    ],
)
def test_zone_by_full_or_short_name(surface: str, official: str) -> None:
    zone = gazetteer.zone_by_name(surface)
    assert zone is not None and zone.name == official


def test_a_short_name_that_two_zones_could_have_is_left_out() -> None:
    # 泰州 and 通化 both have a 医药高新区; 中山, 厦门 and 威海 each a 火炬高新区.
    assert gazetteer.zone_by_name("医药高新区") is None
    assert gazetteer.zone_by_name("火炬高新区") is None
    taizhou = gazetteer.zone_by_name("泰州医药高新技术产业开发区")
    assert taizhou is not None and "泰州医药高新区" in taizhou.short_names


def test_a_generic_stem_is_not_a_zone_name_without_its_city() -> None:
    assert gazetteer.zone_by_name("滨海经开区") is None
    assert gazetteer.zone_by_name("潍坊滨海经开区") is not None


def test_suzhou_industrial_park_is_on_two_national_lists() -> None:
    park = gazetteer.zone_by_name("苏州工业园区")
    assert park is not None and park.kinds == ("etdz", "hitech") and park.kind == "etdz"


def test_nbs_functional_zones_cross_check() -> None:
    coded = [zone for zone in gazetteer.zones() if zone.nbs_code]
    codes = [zone.nbs_code for zone in coded]
    assert len(codes) == len(set(codes))
    assert all(len(code) == 6 and code[4] == "7" for code in codes)
    assert sum(zone.level == "national" for zone in coded) >= 60
    place_codes = {p.code for p in gazetteer.places()}
    assert not place_codes & set(codes)


@pytest.mark.parametrize(
    ("name", "abbreviations"),
    [
        ("甲乙高新技术产业开发区", ("甲乙高新区",)),
        ("甲乙经济技术开发区", ("甲乙经开区", "甲乙经济开发区")),
        ("甲乙市高新技术产业园区", ("甲乙市高新区", "甲乙高新区")),
        ("甲乙国家自主创新示范区", ("甲乙自创区", "甲乙国家自创区", "甲乙自主创新示范区")),
        (
            "中国（甲乙）自由贸易试验区",
            ("甲乙自贸区", "甲乙自贸试验区", "甲乙自由贸易试验区", "中国（甲乙）自贸试验区"),
        ),
        ("甲乙产业园", ()),
    ],
)
def test_zone_abbreviations_follow_the_official_suffix(
    name: str, abbreviations: tuple[str, ...]
) -> None:
    assert gazetteer.zone_abbreviations(name) == abbreviations


def test_derived_zone_names_drop_the_zones_own_city_only() -> None:
    derived = gazetteer.derived_zone_names(
        "包头甲乙高新技术产业开发区", ("内蒙古自治区",), "包头市"
    )
    assert "甲乙高新区" in derived
    # A city that is not the zone's own stays in front.
    assert gazetteer.derived_zone_names("杭州湾甲乙经济技术开发区", ("浙江省",), "绍兴市") == (
        "杭州湾甲乙经开区",
        "杭州湾甲乙经济开发区",
    )


# ---- places and regions


def test_place_counts() -> None:
    levels = Counter(place.level for place in gazetteer.places())
    assert levels["province"] == 31
    assert levels["prefecture"] >= 330
    assert levels["county"] >= 2800


def test_places_hold_together() -> None:
    places = gazetteer.places()
    codes = [place.code for place in places]
    assert len(codes) == len(set(codes))
    by_code = {place.code: place for place in places}
    for place in places:
        assert place.name != "市辖区"
        assert place.level == "province" or place.parent_code in by_code, place
        assert place.province == by_code[place.code[:2]].name
        assert len(place.short_name) != 1


@pytest.mark.parametrize(
    ("surface", "name", "level", "province"),
    [
        ("内蒙古", "内蒙古自治区", "province", "内蒙古自治区"),
        ("广西", "广西壮族自治区", "province", "广西壮族自治区"),
        ("包头", "包头市", "prefecture", "内蒙古自治区"),
        ("昆山", "昆山市", "county", "江苏省"),
        ("吉林", "吉林省", "province", "吉林省"),
        ("吉林市", "吉林市", "prefecture", "吉林省"),
        ("延边", "延边朝鲜族自治州", "prefecture", "吉林省"),
        ("浦东", "浦东新区", "county", "上海市"),
    ],
)
def test_place_by_full_or_short_name(surface: str, name: str, level: str, province: str) -> None:
    place = gazetteer.place_by_name(surface)
    assert place is not None
    assert (place.name, place.level, place.province) == (name, level, province)
    assert place.code


def test_ambiguous_and_common_words_are_not_place_names() -> None:
    assert len(gazetteer.places_by_name("鼓楼区")) >= 3
    assert gazetteer.place_by_name("鼓楼区") is None
    assert gazetteer.place_by_name("光明") is None
    assert gazetteer.place_by_name("光明区") is not None
    assert gazetteer.place_by_name("滨海") is None


@pytest.mark.parametrize(
    ("name", "level", "short"),
    [
        ("新疆维吾尔自治区", "province", "新疆"),
        ("黑龙江省", "province", "黑龙江"),
        ("海西蒙古族藏族自治州", "prefecture", "海西"),
        ("大兴安岭地区", "prefecture", "大兴安岭"),
        ("锡林郭勒盟", "prefecture", "锡林郭勒"),
        ("长阳土家族自治县", "county", "长阳"),
        ("神农架林区", "county", "神农架"),
        ("沛县", "county", ""),
        ("达拉特旗", "county", ""),
        ("东乡族自治县", "county", ""),
    ],
)
def test_place_short_name_rules(name: str, level: str, short: str) -> None:
    assert gazetteer.place_short_name(name, level) == short


def test_places_csv_is_rebuilt_from_the_nbs_lists(tmp_path: Path) -> None:
    shared = need(SHARED / "gazetteer")
    rebuilt = tmp_path / "places.csv"
    count = gazetteer.write_places_csv(shared, rebuilt)
    assert count == len(gazetteer.places())
    assert rebuilt.read_bytes() == data_file("places.csv").read_bytes()


def test_regions_name_known_provinces() -> None:
    regions = gazetteer.regions()
    names = [region.name for region in regions]
    assert len(names) == len(set(names))
    known = set(gazetteer.provinces()) | {"香港", "澳门", "台湾"}
    for region in regions:
        assert set(region.members) <= known, region
    delta = next(r for r in regions if "长三角" in r.short_names)
    assert set(delta.members) == {"上海", "江苏", "浙江", "安徽"}


# ---- industries and organizations


def test_industries_form_a_tree_under_the_sei_categories() -> None:
    industries = gazetteer.industries()
    names = [industry.name for industry in industries]
    assert len(names) == len(set(names))
    assert len(industries) >= 300
    known = set(names)
    for industry in industries:
        assert not industry.broader or industry.broader in known, industry
    for category in SEI_CATEGORIES:
        found = gazetteer.industry_by_name(category)
        assert found is not None and found.broader == "战略性新兴产业"
    # A second-level category (sei-2018:3.2) sits under its top category (3 = 新材料产业).
    second_level = {
        i.source.removeprefix("sei-2018:"): i.broader
        for i in industries
        if i.broader in SEI_CATEGORIES and i.source.startswith("sei-2018:")
    }
    assert len(second_level) >= 40
    for code, broader in second_level.items():
        assert SEI_CATEGORIES[int(code.split(".")[0]) - 1] == broader, code


def test_industry_broader_chain_reaches_a_root() -> None:
    chain = gazetteer.broader_industries("碳化硅")
    assert chain[-1] == "战略性新兴产业"
    assert "电子核心产业" in chain and "新一代信息技术产业" in chain
    assert gazetteer.industry_by_name("光伏产业") == gazetteer.industry_by_name("光伏")


def test_organizations() -> None:
    organizations = gazetteer.organizations()
    names = [org.name for org in organizations]
    assert len(names) == len(set(names))
    kinds = Counter(org.kind for org in organizations)
    assert kinds["university"] >= 147
    assert kinds["institute"] >= 80
    assert kinds["lab"] >= 10
    assert kinds["government"] >= 40
    assert sum(org.source == "moe-dfc-2022" for org in organizations) == 147
    ministry = gazetteer.organization_by_name("工信部")
    assert ministry is not None and ministry.name == "工业和信息化部"
    institute = gazetteer.organization_by_name("中科院大连化学物理研究所")
    assert institute is not None and institute.kind == "institute"
    assert gazetteer.organization_by_name("大连化学物理研究所") == institute


# ---- patterns


def test_head_words_type_names() -> None:
    heads = gazetteer.head_words()
    assert {h.type for h in heads} <= set(ENTITY_TYPES)
    assert all(0 <= h.priority <= 100 for h in heads)
    keys = [(h.head, h.type) for h in heads]
    assert len(keys) == len(set(keys))
    by_head = {(h.head, h.type) for h in heads}
    for head, etype in [
        ("高新区", "Zone"),
        ("有限公司", "Enterprise"),
        ("研究院", "Organization"),
        ("大赛", "Programme"),
        ("实施意见", "PolicyDocument"),
        ("产业", "Industry"),
    ]:
        assert (head, etype) in by_head
    assert [len(h.head) for h in heads] == sorted((len(h.head) for h in heads), reverse=True)


def test_talent_cues() -> None:
    cues = gazetteer.talent_cues()
    words = [c.cue for c in cues]
    assert len(words) == len(set(words))
    assert {"引才", "聘任", "人才"} <= set(words)
    assert {c.kind for c in cues} <= {"verb", "noun", "policy", "suffix"}


# ---- surface forms


def test_surface_forms_rank_official_names_first() -> None:
    forms = gazetteer.surface_forms()
    pudong = forms["浦东新区"]
    assert pudong[0].type == "Place" and pudong[0].official
    assert any(f.type == "Zone" and f.name == "上海浦东新区" for f in pudong)
    jilin = forms["吉林"]
    assert jilin[0].name == "吉林省" and jilin[0].source_id == "place:22"
    assert forms["张江高新区"][0].source_id == "zone:上海张江高新技术产业开发区"


def test_surface_forms_include_folded_full_width_names() -> None:
    forms = gazetteer.surface_forms()
    assert forms["中国(上海)自由贸易试验区"] == forms["中国（上海）自由贸易试验区"]


def _matches(text: str) -> Iterator[tuple[str, str, str]]:
    automaton = gazetteer.surface_automaton()
    for _end, (surface, candidates) in automaton.iter_long(text):  # type: ignore[attr-defined]
        yield surface, candidates[0].type, candidates[0].name


def test_automaton_finds_the_longest_names_in_a_sentence() -> None:
    text = "张江高新区与苏州工业园区签约，共建集成电路和生物医药产业园，浙大参与。"
    found = list(_matches(text))
    assert ("张江高新区", "Zone", "上海张江高新技术产业开发区") in found
    assert ("苏州工业园区", "Zone", "苏州工业园区") in found
    assert ("集成电路", "Industry", "集成电路") in found
    assert ("生物医药产业", "Industry", "生物医药产业") in found
    assert ("浙大", "Organization", "浙江大学") in found
    # 苏州 inside 苏州工业园区 is not reported on its own: the longest match wins.
    assert not any(surface == "苏州" for surface, _, _ in found)


# ---- errors


@pytest.fixture
def fresh_caches() -> Iterator[None]:
    _clear_caches()
    yield
    _clear_caches()


def test_a_file_without_its_columns_names_the_file_and_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    bad = tmp_path / "regions.csv"
    bad.write_text("name,kind\n长三角,economic_region\n", encoding="utf-8")
    monkeypatch.setattr(gazetteer, "data_file", lambda name: tmp_path / name)
    with pytest.raises(InputError, match=r"regions\.csv: missing column\(s\) short_names"):
        gazetteer.regions()


def test_a_bad_kind_names_the_value(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    bad = tmp_path / "organizations.csv"
    bad.write_text("name,short_names,kind,source\n甲大学,,school,x\n", encoding="utf-8")
    monkeypatch.setattr(gazetteer, "data_file", lambda name: tmp_path / name)
    monkeypatch.setattr(gazetteer, "_places_index", lambda: {})
    with pytest.raises(InputError, match=r"'school'.*university"):
        gazetteer.organizations()


def test_a_missing_file_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches: None
) -> None:
    monkeypatch.setattr(gazetteer, "data_file", lambda name: tmp_path / name)
    with pytest.raises(InputError, match=r"talent_cues\.csv: gazetteer file not found"):
        gazetteer.talent_cues()
