"""How long a `kg viz` page of a 5,000-node graph takes to become interactive in headless Chromium.

Generates an ecosystem-shaped graph (zones with their industries, programmes, talent policies,
enterprises, places, people and organizations; one evidence sentence per relation), writes its
page with `kg.viz.write_page`, opens it from a file in Debian's Chromium (network blocked) and
measures the time from navigation to the page's first drawing of the laid-out graph
(`window.kg.readyAt`, set on vis-network's first `afterDrawing`). The baseline, in the same run,
is the same page for a 10-node graph: the ratio is what 5,000 nodes add over the fixed cost of
loading vis-network. Appends a row to bench/RESULTS.md (bench/results.py).

    .venv/bin/python bench/bench_viz.py              # 5,000 nodes, 3 runs each
    .venv/bin/python bench/bench_viz.py --nodes 2000 --runs 1 --no-record
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import psutil
from results import append_rows, commit, load, today

from kg.viz import write_page

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
TARGET_SECONDS = 3.0
VERBOSE = "--verbose" in sys.argv

# Share of the nodes per type, and how each zone links to the pools.
SHARES = {
    "Zone": 0.08,
    "Industry": 0.06,
    "Programme": 0.08,
    "TalentPolicy": 0.04,
    "Enterprise": 0.48,
    "Place": 0.06,
    "Person": 0.08,
    "Organization": 0.10,
    "PolicyDocument": 0.02,
}
PREFIX = {
    "Zone": "高新区",
    "Industry": "产业",
    "Programme": "创新大赛",
    "TalentPolicy": "引才",
    "Enterprise": "科技有限公司",
    "Place": "市",
    "Person": "人员",
    "Organization": "研究院",
    "PolicyDocument": "实施意见",
}


def ecosystem_graph(nodes: int, *, seed: int = 7) -> nx.MultiDiGraph:
    """A graph with the attributes `kg.analysis.project_graph` gives, shaped like an ecosystem."""
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    pools: dict[str, list[str]] = {}
    for etype, share in SHARES.items():
        count = max(1, round(nodes * share))
        pools[etype] = []
        for i in range(count):
            iri = f"https://w3id.org/kg-innovation/id/{etype}/{etype}{i}"
            graph.add_node(
                iri,
                type=etype,
                label=f"第{i}{PREFIX[etype]}",
                aliases=[],
                articles=rng.randint(1, 9),
                article_ids=[],
                first_date="2022-01-01",
                last_date="2024-12-31",
                indicators=[],
                iri=iri,
            )
            pools[etype].append(iri)
    # trim to exactly `nodes`, dropping enterprises
    extra = graph.number_of_nodes() - nodes
    for iri in pools["Enterprise"][len(pools["Enterprise"]) - extra :] if extra > 0 else []:
        graph.remove_node(iri)
    if extra > 0:
        pools["Enterprise"] = pools["Enterprise"][: len(pools["Enterprise"]) - extra]

    def relate(subject: str, predicate: str, obj: str) -> None:
        day = f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        graph.add_edge(
            subject,
            obj,
            key=predicate,
            predicate=predicate,
            articles=rng.randint(1, 4),
            article_ids=[],
            first_date=day,
            last_date=day,
            roles=[],
            evidence=[
                {
                    "sentence": f"{graph.nodes[subject]['label']}与{graph.nodes[obj]['label']}"
                    "的关系见于本句。",
                    "article": f"bench-{rng.randint(1, 10_000)}",
                    "title": "基准文章",
                    "date": day,
                    "url": "https://example.org/bench",
                    "start": 0,
                }
            ],
        )

    zones = pools["Zone"]
    regional = max(1, len(zones) // 8)
    for number, zone in enumerate(zones):
        # zones of one region share most of their industries and policies
        region = number % regional
        for pool, predicate, count in (
            ("Industry", "developsIndustry", 5),
            ("Programme", "hostsProgramme", 2),
            ("TalentPolicy", "adoptsTalentPolicy", 2),
        ):
            items = pools[pool]
            for _ in range(count):
                pick = (region * 7 + rng.randint(0, 6)) % len(items)
                if rng.random() < 0.2:
                    pick = rng.randrange(len(items))
                relate(zone, predicate, items[pick])
        relate(zone, "locatedIn", pools["Place"][region % len(pools["Place"])])
    for enterprise in pools["Enterprise"]:
        zone = rng.choice(zones)
        relate(enterprise, "locatedIn", zone)
        relate(enterprise, "operatesIn", rng.choice(pools["Industry"]))
    for person in pools["Person"]:
        relate(person, "holdsPositionIn", rng.choice(zones + pools["Organization"]))
    for org in pools["Organization"]:
        relate(org, "supports", rng.choice(pools["Programme"] + pools["Enterprise"]))
    for doc in pools["PolicyDocument"]:
        relate(doc, "issuedBy", rng.choice(pools["Organization"]))
        relate(doc, "supports", rng.choice(zones))
    for place in pools["Place"]:
        relate(place, "developsIndustry", rng.choice(pools["Industry"]))
    return graph


def children_cpu_seconds() -> float:
    """CPU seconds used so far by this process's children (Playwright's driver, Chromium)."""
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


@dataclass(frozen=True)
class Opening:
    ready: float  # seconds from navigation to the first drawing (the page's own clock)
    wall: float  # seconds around goto + wait, seen from here
    cpu: float  # CPU seconds the browser spent meanwhile: what the load of others cannot inflate
    errors: list[str]


def time_to_interactive(browser: Any, page_path: Path) -> Opening:
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    cpu = children_cpu_seconds()
    clock = time.perf_counter()
    page.goto(page_path.as_uri())
    page.wait_for_selector("html[data-kg-ready]", state="attached", timeout=120_000)
    wall = time.perf_counter() - clock
    cpu = children_cpu_seconds() - cpu
    ready_ms = page.evaluate("window.kg.readyAt")
    stages = page.evaluate("window.kg.timings")
    page.close()
    if VERBOSE:
        print("    stages (ms since navigation):", {k: round(v) for k, v in stages.items()})
    return Opening(float(ready_ms) / 1000, wall, cpu, errors)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-record", action="store_true", help="Do not append to RESULTS.md.")
    parser.add_argument("--verbose", action="store_true", help="Print the page's stage times.")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is missing: install Debian's chromium (make browser)", file=sys.stderr)
        return 1
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="kg-bench-viz-") as tmp:
        big_graph = ecosystem_graph(args.nodes)
        clock = time.perf_counter()
        big = write_page(big_graph, Path(tmp) / "big.html", title="bench")
        python_seconds = time.perf_counter() - clock
        small = write_page(ecosystem_graph(10), Path(tmp) / "small.html", title="baseline")
        print(
            f"page: {big.nodes} nodes, {big.edges} edges, {big.bytes / 1e6:.1f} MB, "
            f"written in {python_seconds:.1f}s (measures, layout, HTML); large mode: {big.large}"
        )
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            big_runs: list[Opening] = []
            small_runs: list[Opening] = []
            for _ in range(args.runs):
                small_runs.append(time_to_interactive(browser, small.path))
                run = time_to_interactive(browser, big.path)
                if run.errors:
                    print("console errors:", run.errors, file=sys.stderr)
                    return 1
                big_runs.append(run)
                print(
                    f"  run: interactive {run.ready:.2f}s (wall {run.wall:.2f}s, "
                    f"browser CPU {run.cpu:.2f}s)"
                )
            browser.close()
    load_seen = load()
    interactive = statistics.median(r.ready for r in big_runs)
    cpu = statistics.median(r.cpu for r in big_runs)
    baseline = statistics.median(r.ready for r in small_runs)
    ratio = interactive / baseline
    verdict = "met" if interactive < TARGET_SECONDS else "MISSED"
    print(
        f"interactive: {interactive:.2f}s median of {args.runs}, browser CPU {cpu:.2f}s "
        f"(baseline 10-node page {baseline:.2f}s, ratio {ratio:.1f}x; load {load_seen}); "
        f"target < {TARGET_SECONDS:.0f}s: {verdict}"
    )
    if not args.no_record:
        append_rows(
            "kg viz: a 5,000-node page in headless Chromium (bench/bench_viz.py)",
            "Time from navigation to the first drawing of the laid-out graph (window.kg.readyAt),"
            " median of the runs; baseline: the same page for 10 nodes, in the same run. Python s"
            " is the time to write the page (measures, layout, HTML); browser CPU s, the CPU time"
            " Chromium spent meanwhile, is what others' load on this shared machine cannot"
            " inflate. Target < 3 s.",
            [
                "date",
                "commit",
                "load",
                "nodes",
                "edges",
                "page MB",
                "Python s",
                "interactive s",
                "baseline s (10 nodes)",
                "ratio",
                "target < 3 s",
            ],
            [
                [
                    today(),
                    commit(),
                    load_seen,
                    big.nodes,
                    big.edges,
                    f"{big.bytes / 1e6:.1f}",
                    f"{python_seconds:.1f}",
                    f"{interactive:.2f} (browser CPU {cpu:.2f})",
                    f"{baseline:.2f}",
                    f"{ratio:.1f}x",
                    verdict,
                ]
            ],
        )
        print("appended to bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
