"""Hand-made articles and extractions (our own short texts) for the RDF model tests.

Three articles about made-up zones in real places: the first two share a zone (under different
names) and an industry, so that linking, provenance and removal have something to show.
"""

from __future__ import annotations

from kg.link import PlaceInfo, TableGazetteer, ZoneInfo
from kg.model import Article, Entity, Evidence, Extraction, Indicator, Relation

GAZETTEER = TableGazetteer(
    [
        PlaceInfo("广东省", "广东省", "province", "44"),
        PlaceInfo("东莞市", "东莞市", "city", "4419", province="广东省"),
        PlaceInfo("四川省", "四川省", "province", "51"),
        PlaceInfo("绵阳市", "绵阳市", "city", "5107", province="四川省"),
    ],
    [
        ZoneInfo(
            "东莞松山湖高新区",
            "东莞松山湖高新技术产业开发区",
            ("松山湖高新区",),
            level="national",
            province="广东省",
            city="东莞市",
        ),
        ZoneInfo(
            "绵阳高新区",
            "绵阳高新技术产业开发区",
            level="national",
            province="四川省",
            city="绵阳市",
        ),
    ],
)


def _evidence(article: Article, sentence: str, component: str, confidence: float) -> Evidence:
    text = article.full_text
    start = text.index(sentence)
    return Evidence(sentence, start, start + len(sentence), component, confidence)


def first_article() -> Extraction:
    art = Article(
        id="qinghe-1",
        title="松山湖高新区办好“湾区青禾杯”",
        text=(
            "东莞松山湖高新技术产业开发区举办第二届“湾区青禾杯”创新大赛。"
            "园区大力发展氢能产业链，青禾光电股份有限公司落户园区。"
            "力争到2025年氢能产业规模突破50亿元。"
            "党工委书记林一帆表示，将推行“带土移植”引才方式。"
        ),
        date="2024-05-01",
        source="湾区科技报",
        url="https://news.example.org/qinghe/1.html",
        file="qinghe-1.txt",
    )

    def ev(sentence: str, component: str = "rules", confidence: float = 0.9) -> Evidence:
        return _evidence(art, sentence, component, confidence)

    s1 = "东莞松山湖高新技术产业开发区举办第二届“湾区青禾杯”创新大赛。"
    s2 = "园区大力发展氢能产业链，青禾光电股份有限公司落户园区。"
    s3 = "力争到2025年氢能产业规模突破50亿元。"
    s4 = "党工委书记林一帆表示，将推行“带土移植”引才方式。"
    return Extraction(
        article=art,
        entities=(
            Entity("Zone", "东莞松山湖高新技术产业开发区", ("松山湖高新区", "园区"), (ev(s1),)),
            Entity("Programme", "湾区青禾杯创新大赛", ("湾区青禾杯",), (ev(s1, "quoted"),)),
            Entity("Industry", "氢能产业链", (), (ev(s2),)),
            Entity("Enterprise", "青禾光电股份有限公司", (), (ev(s2, "head-words", 0.8),)),
            Entity("Organization", "东莞松山湖高新区党工委", ("党工委",), (ev(s4),)),
            Entity("Person", "林一帆", (), (ev(s4, "person", 0.75),)),
            Entity("TalentPolicy", "带土移植", (), (ev(s4, "quoted"),)),
            Entity("Place", "东莞", (), ()),
        ),
        relations=(
            Relation("松山湖高新区", "hostsProgramme", "湾区青禾杯", None, (ev(s1),)),
            Relation(
                "东莞松山湖高新技术产业开发区", "developsIndustry", "氢能产业链", None, (ev(s2),)
            ),
            Relation("青禾光电股份有限公司", "locatedIn", "园区", None, (ev(s2),)),
            Relation("林一帆", "holdsPositionIn", "党工委", "书记", (ev(s4, "person", 0.75),)),
            Relation("松山湖高新区", "adoptsTalentPolicy", "带土移植", None, (ev(s4),)),
        ),
        indicators=(
            Indicator("松山湖高新区", "氢能产业规模", 50, "亿元", ">", 2025, "target", (ev(s3),)),
        ),
    )


def second_article() -> Extraction:
    art = Article(
        id="qinghe-2",
        title="松山湖高新区氢能企业增至30家",
        text="松山湖高新区去年新增氢能企业12家，总数达30家。燃料电池是氢能的重要方向。",
        date="2025-01-10",
        source="东莞日报",
    )
    s1 = "松山湖高新区去年新增氢能企业12家，总数达30家。"
    s2 = "燃料电池是氢能的重要方向。"
    return Extraction(
        article=art,
        entities=(
            Entity("Zone", "松山湖高新区", (), (_evidence(art, s1, "gazetteer", 1.0),)),
            Entity("Industry", "氢能", (), (_evidence(art, s1, "gazetteer", 1.0),)),
            Entity("Industry", "燃料电池", (), (_evidence(art, s2, "gazetteer", 1.0),)),
            Entity("Place", "东莞", (), ()),
        ),
        relations=(
            Relation(
                "松山湖高新区", "developsIndustry", "氢能", None, (_evidence(art, s1, "r", 0.7),)
            ),
            Relation("燃料电池", "partOf", "氢能", None, (_evidence(art, s2, "r", 0.6),)),
        ),
        indicators=(
            Indicator(
                "松山湖高新区",
                "氢能企业",
                30,
                "家",
                "=",
                2024,
                "actual",
                (_evidence(art, s1, "n", 0.9),),
            ),
        ),
    )


def third_article() -> Extraction:
    art = Article(
        id="qinghe-3",
        title="绵阳高新区发布人才新政",
        text="绵阳高新区实施“带土移植”计划，力争2025年新材料产业产值达到3亿元。",
        date="2024-08-08",
        source="绵州科技",
    )
    s1 = art.text
    return Extraction(
        article=art,
        entities=(
            Entity("Zone", "绵阳高新区", (), (_evidence(art, s1, "gazetteer", 1.0),)),
            Entity("TalentPolicy", "带土移植", (), (_evidence(art, s1, "quoted", 0.9),)),
            Entity("Industry", "新材料", (), (_evidence(art, s1, "gazetteer", 1.0),)),
        ),
        relations=(
            Relation(
                "绵阳高新区",
                "adoptsTalentPolicy",
                "带土移植",
                None,
                (_evidence(art, s1, "r", 0.8),),
            ),
            Relation(
                "绵阳高新区", "developsIndustry", "新材料", None, (_evidence(art, s1, "r", 0.8),)
            ),
        ),
        indicators=(
            Indicator(
                "绵阳高新区",
                "新材料产业产值",
                3,
                "亿元",
                ">=",
                2025,
                "target",
                (_evidence(art, s1, "n", 0.9),),
            ),
        ),
    )


def all_articles() -> list[Extraction]:
    return [first_article(), second_article(), third_article()]
