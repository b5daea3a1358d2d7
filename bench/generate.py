"""Synthetic articles for benchmarks: any count, reproducible from a seed.

Templates and vocabularies are this project's own; the zone, place and industry names they fill
in come from the real-world lists in data/ where those exist (every event, enterprise, person,
programme and figure is invented). Articles vary in length (two paragraphs to seed size, about
2,800 characters, and beyond; about 1,300 characters on average) and script (about one in ten is
traditional, converted with OpenCC).

    python bench/generate.py --count 100000 --seed 7 -o /tmp/articles.jsonl
    python bench/generate.py --count 200 --format txt -o /tmp/articles/
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

FALLBACK_ZONES = ["甲市高新区", "乙市经开区", "丙州高新区", "丁城经济技术开发区", "戊江新区"]
FALLBACK_PLACES = ["甲市", "乙市", "丙州", "丁城", "戊江"]
FALLBACK_INDUSTRIES = ["新材料", "集成电路", "生物医药", "新能源汽车", "人工智能", "储能", "光伏"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬鹏辉建国志宏晓东"
    "海波宁远航立新文博思源嘉怡子涵浩然"
)
ENTERPRISE_HEADS = ["科技有限公司", "集团", "股份有限公司", "新材料有限公司", "智能装备有限公司"]
ENTERPRISE_STEMS = "华瑞宏泰恒远鼎盛博源中科星辰启明天合睿达嘉禾锦程"
PROGRAMME_FORMS = ["“{w}杯”创新创业大赛", "“{w}英才计划”", "“{w}行动”", "{w}人才周"]
POLICY_FORMS = ["“{w}引才”", "“{w}式聘任”", "“{w}计划”"]
WORDS = ["星火", "领航", "聚才", "启航", "凤鸣", "飞鹰", "揽月", "逐梦", "攀登", "鲲鹏"]
ROLES = ["党工委书记", "管委会主任", "党工委副书记", "管委会副主任"]
# Measures with the unit and range they are reported in.
MEASURES = [
    ("技术合同成交额", "亿元", 1, 900),
    ("高新技术企业数量", "家", 10, 3000),
    ("地区生产总值", "亿元", 50, 9000),
    ("规上工业产值", "亿元", 10, 5000),
    ("研发投入", "万元", 100, 90000),
    ("新增人才", "名", 50, 20000),
    ("孵化器数量", "个", 2, 200),
    ("研发投入强度", "%", 1, 12),
]

# One paragraph template is picked at a time; {placeholders} are filled per paragraph from the
# article's own pool (one main zone and place, a few industries, enterprises and people), so a long
# article repeats its subject as news does without repeating the same sentence.
PARAGRAPHS = [
    "{date_cn},{zone}召开{year}年工作会议。会议提出,{zone}将聚焦{ind1}、{ind2}和{ind3}等产业,"
    "力争{measure}达到{value}{unit}以上。",
    "{zone}{role}{person}在接受记者采访时表示,{zone}将深入实施创新驱动发展战略,"
    "加快培育{ind1}产业集群,推动{ind2}产业链延链补链强链。",
    "{year}年,{zone}实现{measure}{value}{unit},同比增长{pct}%。全区新增{ind1}企业{count}家。",
    "{enterprise}落户{zone},将投资{value}亿元建设{ind2}生产基地,达产后可实现年产值{value2}亿元。",
    "为吸引高层次人才,{zone}举办{programme},并采取{policy}等方式引进急需紧缺人才{count}名。",
    "{zone}支持{enterprise}开展{ind3}关键核心技术攻关,推动产学研深度融合。",
    "目前,{zone}已集聚{ind1}相关企业{count}家,形成了较为完整的产业链条。",
    "{zone}位于{place},是{place}发展{ind2}产业的主阵地。年内,{zone}计划新建孵化器{small}个。",
    "{place}人民政府印发《{place}关于加快{ind1}产业发展的若干措施》,明确到{year2}年"
    "{ind1}产业规模突破{value}亿元。",
    "“我们来到{zone}已经{small}年了。”{enterprise}总经理{person}说,企业去年研发投入{value2}亿元,"
    "新申请发明专利{count}件。",
    "{enterprise}与{enterprise2}签署战略合作协议,双方将在{ind3}领域共建联合实验室。",
    "记者了解到,{zone}今年以来累计引进{ind2}项目{small}个,总投资{value}亿元,"
    "其中超10亿元项目{small2}个。",
    "在{zone}的{enterprise2}车间里,一条条智能化生产线正满负荷运转。{person2}介绍,"
    "订单已经排到了{year2}年。",
    "下一步,{zone}将围绕{ind1}、{ind3}两大主导产业,完善“孵化+加速+产业化”全链条服务体系。",
]
# Paragraphs per article: mostly news-sized, about one in six seed-sized or longer.
LENGTHS = (3, 4, 6, 8, 10, 12, 14, 16, 20, 24, 32, 40, 48)


def _read_names(filename: str, column: str, limit: int = 5000) -> list[str]:
    path = DATA / filename
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [row.get(column, "").strip() for row in csv.DictReader(handle)]
    return [r for r in rows if r][:limit]


class Vocabulary:
    def __init__(self) -> None:
        self.zones = _read_names("zones.csv", "name") or FALLBACK_ZONES
        self.places = [
            p for p in _read_names("places.csv", "name") if len(p) >= 2
        ] or FALLBACK_PLACES
        self.industries = _read_names("industries.csv", "name") or FALLBACK_INDUSTRIES


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _enterprise(rng: random.Random) -> str:
    stem = "".join(rng.choice(ENTERPRISE_STEMS) for _ in range(2))
    return stem + rng.choice(ENTERPRISE_HEADS)


def article(rng: random.Random, vocab: Vocabulary, n: int) -> dict[str, str]:
    """One synthetic article as a JSON Lines object."""
    day = date(2022, 1, 1) + timedelta(days=rng.randrange(0, 1400))
    zone = rng.choice(vocab.zones)
    place = rng.choice(vocab.places)
    pool = vocab.industries if len(vocab.industries) >= 5 else FALLBACK_INDUSTRIES
    # the templates add 产业 themselves
    industries = [name.removesuffix("产业") or name for name in rng.sample(pool, 5)]
    enterprises = [_enterprise(rng) for _ in range(rng.randint(2, 4))]
    people = [_person(rng) for _ in range(rng.randint(1, 3))]
    programme = rng.choice(PROGRAMME_FORMS).format(w=rng.choice(WORDS))
    policy = rng.choice(POLICY_FORMS).format(w=rng.choice(WORDS))

    def paragraph() -> str:
        measure, unit, low, high = rng.choice(MEASURES)
        ind1, ind2, ind3 = rng.sample(industries, 3)
        enterprise, enterprise2 = rng.sample(enterprises, 2)
        fill = {
            "date_cn": f"{day.month}月{day.day}日",
            "year": str(day.year),
            "year2": str(day.year + rng.randint(1, 5)),
            "zone": zone,
            "place": place,
            "ind1": ind1,
            "ind2": ind2,
            "ind3": ind3,
            "measure": measure,
            "value": str(rng.randint(low, high)),
            "value2": str(rng.randint(10, 500)),
            "unit": unit,
            "pct": f"{rng.uniform(1, 30):.1f}",
            "count": str(rng.randint(5, 900)),
            "small": str(rng.randint(2, 20)),
            "small2": str(rng.randint(1, 5)),
            "role": rng.choice(ROLES),
            "person": rng.choice(people),
            "person2": rng.choice(people),
            "enterprise": enterprise,
            "enterprise2": enterprise2,
            "programme": programme,
            "policy": policy,
        }
        return rng.choice(PARAGRAPHS).format(**fill)

    body = "\n".join(paragraph() for _ in range(rng.choice(LENGTHS)))
    title = f"{zone}推动{industries[0]}产业高质量发展"
    return {
        "id": f"syn-{n:07d}",
        "title": title,
        "date": day.isoformat(),
        "source": "合成新闻社",
        "url": f"https://example.org/synthetic/{n}",
        "text": body,
    }


def generate(count: int, seed: int) -> Iterator[dict[str, str]]:
    """`count` articles; the same seed gives the same articles."""
    rng = random.Random(seed)
    vocab = Vocabulary()
    converter = None
    for n in range(count):
        item = article(rng, vocab, n)
        if rng.random() < 0.1:
            if converter is None:
                import opencc

                converter = opencc.OpenCC("s2t")
            item["title"] = converter.convert(item["title"])
            item["text"] = converter.convert(item["text"])
        yield item


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", choices=("jsonl", "txt"), default="jsonl")
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    if args.format == "jsonl":
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", encoding="utf-8") as out:
            for item in generate(args.count, args.seed):
                out.write(json.dumps(item, ensure_ascii=False) + "\n")
    else:
        args.output.mkdir(parents=True, exist_ok=True)
        for item in generate(args.count, args.seed):
            text = f"{item['title']}\n来源:{item['source']} 日期:{item['date']}\n{item['text']}\n"
            (args.output / f"{item['id']}.txt").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
