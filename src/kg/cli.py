"""The `kg` command: each command parses its options, calls one library function, and prints.

Errors from the library (`KgError`) become one-line messages without a traceback, here and
nowhere else. Exit codes: 0 done; 1 error; 2 usage error; 3 done but some inputs were skipped;
4 the store is busy.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kg import __version__
from kg.errors import EXIT_SKIPPED, KgError

if TYPE_CHECKING:
    from kg.build import BuildReport

F = TypeVar("F", bound=Callable[..., Any])


class KgGroup(click.Group):
    """Turns a KgError anywhere below into a message and its exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    envvar="KG_STORE",
    default="kg-store",
    show_default=True,
    metavar="PATH|URL",
    help="The store: a directory (embedded Oxigraph) or a SPARQL endpoint URL. Env: KG_STORE.",
)
@click.version_option(__version__, prog_name="kg")
@click.pass_context
def cli(ctx: click.Context, store: str) -> None:
    """Build a knowledge graph of innovation ecosystems from Chinese articles.

    \b
    Example:
      kg build articles/ && kg stats
    """
    ctx.obj = {"store": store}


def store_location(ctx: click.Context) -> str:
    return str(ctx.obj["store"])


@contextmanager
def opened_store(ctx: click.Context, *, read_only: bool = False) -> Iterator[Any]:
    from kg.rdf.store import open_store

    store = open_store(store_location(ctx), read_only=read_only)
    try:
        yield store
    finally:
        store.close()


def show_progress() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar with articles/s on a terminal; nothing on a pipe or in CI."""
    if not show_progress():
        yield None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} articles"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task(label, total=None, rate="")

        def advance(n: int) -> None:
            progress.advance(task, n)
            speed = progress.tasks[0].speed
            if speed:
                progress.update(task, rate=f"{speed:,.1f} articles/s")

        yield advance


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], title: str = "") -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Cells are data (titles, names, literals): escaped, so "[b]" or "[/]" print as written.
    table = Table(title=escape(title) if title else None, show_lines=False)
    for header in headers:
        table.add_column(escape(header))
    for row in rows:
        table.add_row(*("" if v is None else escape(str(v)) for v in row))
    Console(soft_wrap=False).print(table)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def report_skipped(skipped: Sequence[Any]) -> None:
    for item in skipped:
        click.echo(f"skipped {item}", err=True)


# ---------------------------------------------------------------- build


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--encoding", help="Read every file in this encoding instead of detecting it.")
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=lambda: os.cpu_count() or 1,
    show_default="all cores",
    help="Extract in this many processes.",
)
@click.option(
    "--executor",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="Extract in local processes, or on a Dask cluster (needs --scheduler).",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler, e.g. tcp://10.0.0.5:8786.")
@click.option(
    "--report",
    "report_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the build summary to this file as JSON.",
)
@click.option(
    "--watch",
    is_flag=True,
    help="After the build, stay running and build again whenever an input changes "
    "(the pipeline stays loaded; the store is free between builds). Ctrl-C stops.",
)
@click.pass_context
def build(
    ctx: click.Context,
    inputs: tuple[str, ...],
    encoding: str | None,
    workers: int,
    executor: str,
    scheduler: str | None,
    report_file: Path | None,
    watch: bool,
) -> None:
    """Read articles and write them into the store.

    INPUTS are files (.txt .md .html .jsonl), directories (recursive), globs, or - for stdin.
    An article already in the store with the same content is left alone. A file that cannot be
    read is reported and skipped; the exit code is then 3.

    \b
    Example:
      kg build ../shared/corpus/dev 'news/*.jsonl' --report build.json
      kg build news/ --executor dask --scheduler tcp://10.0.0.5:8786
      kg build news/ --watch
    """
    if (executor == "dask") != (scheduler is not None):
        raise click.UsageError("--executor dask and --scheduler ADDRESS go together")
    if watch and "-" in inputs:
        raise click.UsageError("--watch builds again when files change: it cannot watch stdin (-)")

    def build_once() -> BuildReport:
        from kg.build import build as run_build

        with opened_store(ctx) as store, progress_bar("building") as advance:
            report = run_build(
                inputs,
                store,
                encoding=encoding,
                workers=workers,
                progress=advance,
                scheduler=scheduler,
            )
        echo_build_report(report, report_file)
        return report

    report = build_once()
    if watch:
        watch_and_build(inputs, build_once)
    elif report.skipped:
        ctx.exit(EXIT_SKIPPED)


def echo_build_report(report: BuildReport, report_file: Path | None) -> None:
    for notice in report.notices:
        click.echo(f"note: {notice}", err=True)
    report_skipped(report.skipped)
    stages = ", ".join(f"{k} {v:.2f}s" for k, v in sorted(report.stage_seconds.items()))
    click.echo(
        f"built {report.built}, unchanged {report.unchanged}, skipped {len(report.skipped)} "
        f"articles; added {report.entities} entities, {report.relations} relations, "
        f"{report.indicators} indicators in {report.seconds:.2f}s "
        f"({report.articles_per_second:.1f} articles/s; {stages or 'no work'})"
    )
    if report_file:
        report_file.write_text(
            json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )


def watch_roots(inputs: Sequence[str]) -> list[Path]:
    """What to watch for INPUTS: each file or directory, and for a glob the directory it starts
    in (a file the glob will match may not exist yet)."""
    import glob

    roots = []
    for raw in inputs:
        path = Path(raw)
        while glob.has_magic(str(path)) or not path.exists():
            if path.parent == path:
                break
            path = path.parent
        roots.append(path)
    return roots


def watch_and_build(inputs: Sequence[str], build_once: Callable[[], BuildReport]) -> None:
    """Build again after every change to the inputs, until Ctrl-C.

    While another process reads or writes the store, the rebuild waits for it (a change is
    never dropped); a rebuild that fails otherwise is reported and the watch goes on.
    """
    from watchfiles import watch

    from kg.build import preload

    preload()
    roots = watch_roots(inputs)
    click.echo(f"watching {', '.join(map(str, roots))} for changes (Ctrl-C stops)", err=True)
    try:
        for _ in watch(*roots, raise_interrupt=False):
            rebuild(build_once)
    except KeyboardInterrupt:
        pass  # Ctrl-C while a rebuild waited or ran: what was written is whole


def rebuild(build_once: Callable[[], BuildReport]) -> None:
    """One rebuild of a watching build: it waits while another process holds the store."""
    import time

    from kg.errors import StoreBusyError

    waiting = False
    while True:
        try:
            build_once()
            return
        except StoreBusyError as exc:
            if not waiting:
                click.echo(f"waiting: {exc}", err=True)
                waiting = True
            time.sleep(BUSY_RETRY_SECONDS)
        except KgError as exc:
            click.echo(f"error: {exc}", err=True)
            return


# How often a watching build tries again while another process holds the store.
BUSY_RETRY_SECONDS = 0.5


@cli.command()
@click.argument("article_ids", nargs=-1, required=True)
@click.pass_context
def remove(ctx: click.Context, article_ids: tuple[str, ...]) -> None:
    """Delete articles, and what only they supported, from the store.

    \b
    Example:
      kg remove dev-17
    """
    from kg.build import remove_article

    missing = []
    with opened_store(ctx) as store:
        for article_id in article_ids:
            if remove_article(store, article_id):
                click.echo(f"removed {article_id}")
            else:
                missing.append(article_id)
    if missing:
        raise KgError(f"no article {', '.join(missing)} in the store; 'kg articles' lists the ids")


# ---------------------------------------------------------------- inspect


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def stats(ctx: click.Context, fmt: str) -> None:
    """Count articles, triples, named graphs and entities by type.

    \b
    Example:
      kg stats --format json
    """
    from kg.query import store_stats

    with opened_store(ctx, read_only=True) as store:
        counts = store_stats(store)
    if fmt == "json":
        echo_json(counts)
        return
    rows: list[tuple[str, Any]] = [
        ("articles", counts["articles"]),
        ("triples", counts["triples"]),
        ("named graphs", counts["graphs"]),
    ]
    rows += [(f"entities: {t}", n) for t, n in counts["entities"].items()]
    print_table(["what", "count"], rows)


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def articles(ctx: click.Context, fmt: str) -> None:
    """List the articles in the store: id, title, date, source.

    \b
    Example:
      kg articles --format json
    """
    from kg.query import list_articles

    with opened_store(ctx, read_only=True) as store:
        rows = list_articles(store)
    if fmt == "json":
        echo_json([row.__dict__ for row in rows])
        return
    print_table(
        ["id", "title", "date", "source"], [(r.id, r.title, r.date, r.source) for r in rows]
    )


# ---------------------------------------------------------------- extract


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "table"]), default="json")
@click.option("--encoding", help="Read every file in this encoding instead of detecting it.")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True)
@click.pass_context
def extract(
    ctx: click.Context, inputs: tuple[str, ...], fmt: str, encoding: str | None, workers: int
) -> None:
    """Print the entities, relations and indicators of articles, without storing them.

    json prints one line an article in the gold format of ANNOTATION.md, with evidence.

    \b
    Example:
      kg extract ../shared/corpus/dev/dev-01.txt --format table
    """
    from kg.extract import extract_many
    from kg.ingest import Notice, Skipped, read_inputs

    skipped: list[Skipped] = []

    def good_articles() -> Iterator[Any]:
        for item in read_inputs(inputs, encoding=encoding):
            if isinstance(item, Skipped):
                skipped.append(item)
            elif isinstance(item, Notice):
                click.echo(f"note: {item}", err=True)
            else:
                yield item

    with progress_bar("extracting") as advance:
        for extraction in extract_many(good_articles(), workers=workers):
            if isinstance(extraction, Skipped):
                skipped.append(extraction)  # the extractor failed on this article
                continue
            if fmt == "json":
                click.echo(json.dumps(extraction.to_json(), ensure_ascii=False))
            else:
                print_extraction_table(extraction)
            if advance:
                advance(1)
    report_skipped(skipped)
    if skipped:
        ctx.exit(EXIT_SKIPPED)


def print_extraction_table(extraction: Any) -> None:
    art = extraction.article
    click.echo(f"\n{art.title}  ({art.date or 'no date'}, {art.file or art.id})")
    print_table(
        ["type", "name", "aliases"],
        [(e.type, e.name, "、".join(e.aliases)) for e in extraction.entities],
        title="entities",
    )
    print_table(
        ["subject", "predicate", "object"],
        [(r.subject, r.predicate, r.object) for r in extraction.relations],
        title="relations",
    )
    print_table(
        ["subject", "name", "value", "unit", "comparator", "year", "kind"],
        [
            (i.subject, i.name, i.value, i.unit, i.comparator, i.year, i.kind)
            for i in extraction.indicators
        ],
        title="indicators",
    )


# ---- eval


@cli.command(name="eval")
@click.option(
    "--gold",
    "gold_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Gold annotations (JSON Lines, format of ANNOTATION.md); articles are read from 'file'.",
)
@click.option(
    "--cluener",
    "cluener_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Instead, score the statistical recogniser on a labelled CLUENER2020 file (JSON Lines).",
)
@click.option("--per-doc", is_flag=True, help="Also score each article.")
@click.option("--errors", "show_errors", is_flag=True, help="List misses and false positives.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def eval_(
    ctx: click.Context,
    gold_file: Path | None,
    cluener_file: Path | None,
    per_doc: bool,
    show_errors: bool,
    fmt: str,
) -> None:
    """Score extraction against gold annotations: precision, recall and F1.

    Entities (overall and per type), relations (overall and per predicate) and indicators,
    matched as ANNOTATION.md says. With --cluener, the statistical recogniser's spans per
    CLUENER label, per kg type, and micro-averaged over company, government, organization, name.

    \b
    Example:
      kg eval --gold ../shared/corpus/gold/dev.jsonl --per-doc
      kg eval --cluener ../shared/benchmarks/cluener2020/dev.json
    """
    if cluener_file is not None:
        from kg.evaluate_cluener import evaluate_cluener

        report = evaluate_cluener(cluener_file)
        if fmt == "json":
            echo_json(report.to_json())
        else:
            print_cluener_tables(report)
        return
    from kg.evaluate import evaluate

    if gold_file is None:
        raise click.UsageError("give --gold FILE (or --cluener FILE)")
    result = evaluate(gold_file)
    if fmt == "json":
        echo_json(result.to_json(per_doc=per_doc, errors=show_errors))
        return
    print_eval_tables(result, per_doc=per_doc, show_errors=show_errors)


def print_cluener_tables(report: Any) -> None:
    headers = ["", "P", "R", "F1", "tp", "fp", "fn"]

    def rows(scores: Any) -> list[tuple[Any, ...]]:
        return [
            (
                s.label,
                f"{s.precision:.3f}",
                f"{s.recall:.3f}",
                f"{s.f1:.3f}",
                s.true_positives,
                s.false_positives,
                s.false_negatives,
            )
            for s in scores
        ]

    title = (
        f"{report.texts} texts, {report.characters_per_second:,.0f} characters/s; "
        "micro over company+government+organization+name"
    )
    print_table(headers, rows([report.micro]), title=title)
    print_table(headers, rows(report.types), title="kg types")
    print_table(headers, rows(report.labels), title="CLUENER labels")


def print_eval_tables(result: Any, *, per_doc: bool, show_errors: bool) -> None:
    def row(name: str, s: Any) -> tuple[str, str, str, str, int, int, int]:
        return (
            name,
            f"{s.precision:.3f}",
            f"{s.recall:.3f}",
            f"{s.f1:.3f}",
            s.tp,
            s.predicted,
            s.gold,
        )

    headers = ["", "P", "R", "F1", "tp", "predicted", "gold"]
    rows = [row(part, result.total(part)) for part in ("entities", "relations", "indicators")]
    print_table(headers, rows, title=f"{len(result.docs)} articles")
    print_table(
        headers, [row(t, s) for t, s in result.breakdown("by_type").items()], "entities by type"
    )
    print_table(
        headers,
        [row(p, s) for p, s in result.breakdown("by_predicate").items()],
        "relations by predicate",
    )
    if per_doc:
        print_table(
            ["article", "entities F1", "relations F1", "indicators F1"],
            [
                (d.id, f"{d.entities.f1:.3f}", f"{d.relations.f1:.3f}", f"{d.indicators.f1:.3f}")
                for d in result.docs
            ],
            "per article",
        )
    if show_errors:
        for doc in result.docs:
            for error in doc.errors:
                item = {k: v for k, v in error.items() if k not in {"part", "error"}}
                click.echo(
                    f"{doc.id}\t{error['part']}\t{error['error']}\t"
                    + json.dumps(item, ensure_ascii=False)
                )


# ---- rdf model


@cli.command()
@click.option(
    "--file",
    "rdf_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Validate this RDF file (.ttl .nt .nq .trig .rdf .jsonld) instead of the store.",
)
@click.pass_context
def validate(ctx: click.Context, rdf_file: Path | None) -> None:
    """Check the graph against the SHACL shapes of ontology/shapes.ttl.

    Prints each violation (focus node and its label, path, message); exit code 1 if any.

    \b
    Example:
      kg validate
      kg validate --file export.trig
    """
    from kg.validate import validate_file, validate_store

    if rdf_file is not None:
        report = validate_file(rdf_file)
    else:
        with opened_store(ctx, read_only=True) as store:
            report = validate_store(store)
    for violation in report.violations:
        click.echo(str(violation))
    click.echo(report.summary())
    if not report.conforms:
        ctx.exit(1)


@cli.command()
@click.option("--type", "entity_type", help="Only entities of this type (Zone, Industry, ...).")
@click.option("--search", help="Only entities whose name or an alias contains this text.")
@click.option("--limit", type=click.IntRange(min=1), help="At most this many entities.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@click.pass_context
def entities(
    ctx: click.Context, entity_type: str | None, search: str | None, limit: int | None, fmt: str
) -> None:
    """List the canonical entities with their aliases and how many articles mention them.

    \b
    Example:
      kg entities --type Zone --search 高新区
    """
    from kg.entities import list_entities

    with opened_store(ctx, read_only=True) as store:
        rows = list_entities(store, entity_type=entity_type, search=search, limit=limit)
    if fmt == "json":
        echo_json([{**row.__dict__, "aliases": list(row.aliases)} for row in rows])
        return
    print_table(
        ["type", "name", "aliases", "articles"],
        [(r.type, r.name, "、".join(r.aliases), r.articles) for r in rows],
    )


# ---- analysis and viz


def selection_options(*, with_type: bool = True) -> Callable[[F], F]:
    """The selectors of `kg export`, for `kg analyze` and `kg viz`: which part of the graph."""

    def decorate(func: F) -> F:
        options = [
            click.option("--entity", help="Only this entity's neighbourhood (name or alias)."),
            click.option(
                "--radius",
                type=click.IntRange(min=0),
                default=1,
                show_default=True,
                help="Hops around --entity, --zone, --industry or --province.",
            ),
            click.option("--zone", help="Only this zone and what relates to it."),
            click.option("--industry", help="Only this industry and what relates to it."),
            click.option(
                "--province", help="Only entities in this province and what relates to them."
            ),
            click.option("--since", metavar="DATE", help="Only articles on or after DATE."),
            click.option("--until", metavar="DATE", help="Only articles on or before DATE."),
            click.option(
                "--query",
                "query_file",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                help="Only the triples of this SPARQL CONSTRUCT query (a .rq file).",
            ),
        ]
        if with_type:
            options.append(
                click.option(
                    "--type",
                    "types",
                    multiple=True,
                    metavar="TYPE",
                    help="Only entities of this type (repeatable): Zone, Industry, ...",
                )
            )
        for option in reversed(options):
            func = option(func)
        return func

    return decorate


def selectors_of(options: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of kg.select.select_subgraph from the selector options."""
    query_file = options.get("query_file")
    return {
        "entity": options.get("entity"),
        "radius": options.get("radius"),
        "types": tuple(options.get("types") or ()),
        "zone": options.get("zone"),
        "industry": options.get("industry"),
        "province": options.get("province"),
        "since": options.get("since"),
        "until": options.get("until"),
        "construct_query": query_file.read_text(encoding="utf-8") if query_file else None,
    }


def describe_selection(options: dict[str, Any]) -> str:
    """The selectors in use, for a page title: 'zone 稀土高新区, since 2023-01-01'."""
    parts = []
    for key, value in options.items():
        if key == "radius" or not value:
            continue
        if key in ("entity", "zone", "industry", "province") and options.get("radius") != 1:
            value = f"{value} ±{options.get('radius')}"
        elif key == "query_file":
            value = Path(value).name
        elif isinstance(value, tuple):
            value = "/".join(value)
        parts.append(f"{key} {value}")
    return ", ".join(parts)


def analysis_graph(
    ctx: click.Context, options: dict[str, Any], *, evidence: bool = False, indicators: bool = False
) -> Any:
    """The selected graph; sentences and indicators only for the commands that show them."""
    from kg.analysis import selected_graph

    with opened_store(ctx, read_only=True) as store:
        return selected_graph(
            store, evidence=evidence, indicators=indicators, **selectors_of(options)
        )


def print_report(report: Any, fmt: str) -> None:
    """A kg.analysis.Report as a table (names shown as text, not as rich markup), JSON or CSV."""
    if fmt == "json":
        echo_json(report.data)
        return
    if fmt == "csv":
        click.echo(report.to_csv(), nl=False)
        return
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    # Names fold onto more lines rather than being cut, and markup in them stays text.
    table = Table(title=escape(report.title), box=box.SIMPLE_HEAD, pad_edge=False)
    for i, header in enumerate(report.headers):
        widest = max((len(str(row[i])) for row in report.rows), default=0)
        table.add_column(escape(header), overflow="fold", no_wrap=max(widest, len(header)) <= 12)
    for row in report.rows:
        table.add_row(*("" if v is None else escape(str(v)) for v in row))
    console = Console(soft_wrap=False)
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 160  # a pipe or a file has no width; 80 columns would cut the names
    console.print(table)
    for note in report.notes:
        click.echo(note)


REPORT_FORMAT = click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table"
)


@cli.group(cls=KgGroup)
def analyze() -> None:
    """Measures, communities, paths, zone profiles, similar zones and rankings (networkx).

    Each subcommand takes the selectors of 'kg export' (--zone, --since, ...) and --format
    table|json|csv.

    \b
    Example:
      kg analyze measures --limit 10
      kg analyze zone 稀土高新区 --format json
    """


@analyze.command(name="measures")
@selection_options()
@click.option(
    "--limit", type=click.IntRange(min=0), default=20, show_default=True, help="0 shows all."
)
@REPORT_FORMAT
@click.pass_context
def analyze_measures(ctx: click.Context, /, limit: int, fmt: str, **options: Any) -> None:
    """Entities ranked by PageRank, with degree, betweenness, community and component.

    \b
    Example:
      kg analyze measures --type Zone --limit 10
    """
    from kg.analysis import measures_report

    print_report(measures_report(analysis_graph(ctx, options), limit=limit), fmt)


@analyze.command(name="communities")
@selection_options()
@REPORT_FORMAT
@click.pass_context
def analyze_communities(ctx: click.Context, /, fmt: str, **options: Any) -> None:
    """Communities of the graph (Louvain, seeded), largest first, most central members first.

    \b
    Example:
      kg analyze communities --format json
    """
    from kg.analysis import communities_report

    print_report(communities_report(analysis_graph(ctx, options)), fmt)


@analyze.command(name="path")
@click.argument("source")
@click.argument("target")
@selection_options()
@REPORT_FORMAT
@click.pass_context
def analyze_path(ctx: click.Context, /, source: str, target: str, fmt: str, **options: Any) -> None:
    """A shortest chain of relations between two entities, with the sentence behind each step.

    \b
    Example:
      kg analyze path 春晖杯 稀土产业
    """
    from kg.analysis import path_report

    print_report(path_report(analysis_graph(ctx, options, evidence=True), source, target), fmt)


@analyze.command(name="zone")
@click.argument("name")
@selection_options()
@REPORT_FORMAT
@click.pass_context
def analyze_zone(ctx: click.Context, /, name: str, fmt: str, **options: Any) -> None:
    """Profile of a zone: places, industries, programmes, talent policies, enterprises,
    people, partner zones and indicators (targets).

    \b
    Example:
      kg analyze zone 稀土高新区
    """
    from kg.analysis import zone_report

    print_report(zone_report(analysis_graph(ctx, options, indicators=True), name), fmt)


@analyze.command(name="similar")
@click.argument("name")
@selection_options()
@click.option(
    "--limit", type=click.IntRange(min=0), default=10, show_default=True, help="0 shows all."
)
@REPORT_FORMAT
@click.pass_context
def analyze_similar(ctx: click.Context, /, name: str, limit: int, fmt: str, **options: Any) -> None:
    """Zones most like a zone: Jaccard similarity of their industries, programmes and policies.

    \b
    Example:
      kg analyze similar 稀土高新区 --limit 5
    """
    from kg.analysis import similar_report

    print_report(similar_report(analysis_graph(ctx, options), name, limit=limit), fmt)


@analyze.command(name="top")
@click.option(
    "--type",
    "entity_type",
    required=True,
    help="What to rank: Industry, TalentPolicy, Programme, Enterprise, ...",
)
@selection_options(with_type=False)
@click.option(
    "--limit", type=click.IntRange(min=0), default=20, show_default=True, help="0 shows all."
)
@REPORT_FORMAT
@click.pass_context
def analyze_top(
    ctx: click.Context, /, entity_type: str, limit: int, fmt: str, **options: Any
) -> None:
    """Industries, programmes or policies ranked by how many zones adopt them.

    \b
    Example:
      kg analyze top --type Industry --limit 10
    """
    from kg.analysis import top_report

    print_report(top_report(analysis_graph(ctx, options), entity_type, limit=limit), fmt)


@cli.command()
@selection_options()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default="kg-graph.html",
    show_default=True,
    help="The HTML file to write.",
)
@click.option("--title", help="The page's title (default: kg and the selectors).")
@click.option(
    "--large",
    "large_threshold",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Above this many nodes, lay out in Python and draw without physics.",
)
@click.pass_context
def viz(
    ctx: click.Context, /, output: Path, title: str | None, large_threshold: int, **options: Any
) -> None:
    """Write an interactive HTML page of the graph that opens offline, from a file.

    Colour and shape by type, size by PageRank, Chinese edge labels, evidence sentences on
    hover and click, a search box, and filters by type and relation.

    \b
    Example:
      kg viz -o ecosystem.html
      kg viz --entity 稀土高新区 --radius 2 -o zone.html
    """
    from kg.viz import write_page

    described = describe_selection(options)
    page_title = title or "kg 知识图谱" + (f"（{described}）" if described else "")
    graph = analysis_graph(ctx, options, evidence=True, indicators=True)
    info = write_page(graph, output, title=page_title, large_threshold=large_threshold)
    click.echo(
        f"wrote {info.path} ({info.nodes} entities, {info.edges} relations, "
        f"{info.bytes / 1_000_000:.1f} MB{', laid out in Python' if info.large else ''})"
    )
    if not info.nodes:
        click.echo(
            "the graph is empty: build articles first (kg build) or widen the selectors", err=True
        )


# ---- query, serve, export

QUERY_FORMATS = ("table", "csv", "tsv", "json", "md", "turtle", "nt", "jsonld")
EXPORT_FORMATS = ("turtle", "nt", "nquads", "trig", "jsonld", "graphml", "gexf", "csv")


def read_query_text(sparql: str | None, query_file: Any) -> str:
    """The query from the argument, -f FILE, or stdin when neither is given and stdin is a pipe."""
    if sparql is not None and query_file is not None:
        raise click.UsageError("give the query as an argument or with -f, not both")
    if query_file is not None:
        return str(query_file.read())
    if sparql is not None:
        return sparql
    if sys.stdin.isatty():
        raise click.UsageError("give a query: kg query 'SELECT ...', kg query -f FILE.rq, or stdin")
    return sys.stdin.read()


@cli.command("query")
@click.argument("sparql", required=False)
@click.option(
    "-f",
    "--file",
    "query_file",
    type=click.File("r", encoding="utf-8"),
    help="Read the query from this file (.rq); - for stdin.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(QUERY_FORMATS),
    default="table",
    show_default=True,
    help="SELECT/ASK: table csv tsv json (SPARQL JSON) md. CONSTRUCT/DESCRIBE: turtle nt jsonld.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="Stop the query after this many seconds (it runs in a worker process).",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Allow SERVICE, which sends part of the query to other endpoints over the network.",
)
@click.pass_context
def query_command(
    ctx: click.Context,
    sparql: str | None,
    query_file: Any,
    fmt: str,
    timeout: float | None,
    allow_service: bool,
) -> None:
    """Run a SPARQL query over the store (the union of the article graphs) and print the answer.

    The prefixes kg: kgid: rdf: rdfs: xsd: owl: skos: dcterms: prov: schema: org: are declared
    already. A fact that several articles state appears once per article: use DISTINCT. Example
    queries are in examples/queries/.

    \b
    Example:
      kg query 'SELECT DISTINCT ?zone ?industry WHERE {
                  ?z a kg:Zone ; rdfs:label ?zone ; kg:developsIndustry ?i .
                  ?i rdfs:label ?industry } LIMIT 10'
      kg query -f examples/queries/01-zones-hosting-programmes.rq --format csv > zones.csv
      echo 'ASK { ?z a kg:Zone }' | kg query --format json
    """
    from kg.query import run_query

    text = read_query_text(sparql, query_file)
    with opened_store(ctx, read_only=True) as store:
        answer = run_query(store, text, timeout=timeout, allow_service=allow_service)
    if fmt == "table" and answer.kind != "graph":
        headers, rows = answer.table()
        print_table(headers, rows)
        if answer.kind == "solutions":
            click.echo(f"{len(rows)} result{'s' if len(rows) != 1 else ''}", err=True)
        return
    click.echo(answer.render(fmt), nl=False)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=7878,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the query editor in a browser.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    metavar="SECONDS",
    help="Stop a query after this many seconds (504).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Return at most this many results or triples a query.",
)
@click.option("--cors", is_flag=True, help="Let web pages of other origins query the endpoint.")
@click.option(
    "--allow-update",
    is_flag=True,
    help="Serve the store itself, read-write, and accept SPARQL updates (no build meanwhile).",
)
@click.option(
    "--allow-service",
    is_flag=True,
    help="Allow SERVICE and LOAD, which reach other servers and files.",
)
@click.option("--quiet", is_flag=True, help="Do not print a line for each request.")
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    open_browser: bool,
    timeout: float,
    limit: int,
    cors: bool,
    allow_update: bool,
    allow_service: bool,
    quiet: bool,
) -> None:
    """Serve the store as a SPARQL endpoint with a query editor (YASGUI) in the browser.

    Oxigraph's server answers on a snapshot of the store taken at start, so builds can go on;
    restart to serve what they added. Read-only, loopback only, queries stopped after --timeout,
    at most --limit results, no SERVICE, no CORS, unless you say otherwise. The endpoint is
    /query (SPARQL 1.1 Protocol: JSON, XML, CSV, TSV; Turtle, N-Triples, RDF/XML, JSON-LD).

    \b
    Example:
      kg serve --open
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * { ?s ?p ?o } LIMIT 3' \\
           http://127.0.0.1:7878/query
    """
    import webbrowser

    from kg.serve import ServeOptions
    from kg.serve import serve as start_server

    def log(line: str) -> None:
        click.echo(line, err=True)

    options = ServeOptions(
        host=host,
        port=port,
        timeout=timeout,
        limit=limit,
        cors=cors,
        allow_update=allow_update,
        allow_service=allow_service,
        log=None if quiet else log,
    )
    server = start_server(store_location(ctx), options)
    mode = "read-write" if allow_update else "read-only snapshot"
    click.echo(f"serving {store_location(ctx)} ({mode}) at {server.url}", nl=True)
    click.echo(f"  query editor  {server.url}\n  SPARQL        {server.url}query")
    click.echo(f"  timeout {timeout:g} s, at most {limit} results; Ctrl-C stops")
    sys.stdout.flush()
    if open_browser:
        webbrowser.open(server.url)
    server.run()
    click.echo("stopped")


@cli.command()
@selection_options()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(EXPORT_FORMATS),
    help="The format; by default the output's suffix tells (.ttl .nt .nq .trig .jsonld "
    ".graphml .gexf .csv, .gz compresses RDF), else Turtle.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    help="The file to write (for csv: a directory, or NAME.csv for NAME-nodes/-edges.csv); "
    "stdout without it.",
)
@click.pass_context
def export(ctx: click.Context, /, fmt: str | None, output: Path | None, **options: Any) -> None:
    """Write a part of the graph (or all of it) for another tool.

    RDF keeps the provenance (assertions with their sentences, articles): N-Quads, TriG and
    JSON-LD keep each article's named graph; Turtle and N-Triples merge them. GraphML and GEXF
    (Gephi, Cytoscape) and CSV (nodes + edges, for pandas) hold the entity network with labels,
    types, colours, article counts and evidence sentences. Selectors combine (AND).

    \b
    Example:
      kg export --zone 包头稀土高新区 -o baotou.ttl
      kg export --entity 稀土新材料 --radius 2 --since 2023 -o rare-earth.gexf
      kg export --industry 生物医药 --format csv -o biomed/
      kg export --query my-construct.rq --format nt
    """
    from kg.export import export_graph

    with opened_store(ctx, read_only=True) as store:
        report = export_graph(
            store,
            output,
            fmt=fmt,
            **selectors_of(options),
        )
    if report.paths:
        network = (
            f", {report.nodes} entities and {report.edges} relations"
            if report.nodes is not None
            else ""
        )
        where = ", ".join(str(p) for p in report.paths)
        click.echo(f"wrote {where} ({report.format}: {report.quads} quads selected{network})")
    if report.quads == 0:
        click.echo("the selection is empty: widen the selectors or build articles", err=True)


@cli.command()
@click.argument("output", type=click.Path(path_type=Path), required=False)
@click.pass_context
def dump(ctx: click.Context, output: Path | None) -> None:
    """Write the whole store as N-Quads (streamed; OUTPUT.gz compresses; stdout without OUTPUT).

    \b
    Example:
      kg dump kg-store.nq.gz
      kg --store http://127.0.0.1:7878 load kg-store.nq.gz
    """
    from kg.export import dump_store

    with opened_store(ctx, read_only=True) as store:
        count = dump_store(store, output)
    if output is not None:
        click.echo(f"wrote {count} quads to {output}")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.pass_context
def load(ctx: click.Context, inputs: tuple[str, ...]) -> None:
    """Add the quads of N-Quads or TriG files (.gz too; - for stdin) to the store.

    Made for a dump of kg dump: load it into an empty store or a SPARQL server (--store URL).

    \b
    Example:
      kg --store /tmp/copy load kg-store.nq.gz
      kg --store http://127.0.0.1:7878 load kg-store.nq.gz
    """
    from kg.export import load_store

    with opened_store(ctx) as store:
        count = load_store(store, inputs)
    click.echo(f"loaded {count} quads into {store_location(ctx)}")


def main() -> None:
    cli(prog_name="kg")


if __name__ == "__main__":
    main()
