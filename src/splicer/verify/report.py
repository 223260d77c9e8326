"""The verify report as a step table (text), JSON, and a self-contained HTML page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files

import jinja2

from splicer.verify.model import Step, Verdict, VerifyReport

TEMPLATE = "verify_report.html.j2"
COLUMNS = ("step", "what", "request", "server", "session id", "DATA", "verdict")


def step_rows(report: VerifyReport) -> list[tuple[str, ...]]:
    """One row per step: number, what it does, request, server that answered, session id, DATA, verdict."""
    rows: list[tuple[str, ...]] = []
    for step in report.steps:
        seen = step.observation
        if seen is None:
            rows.append((str(step.number), step.title, "", "", "", "", str(step.verdict).upper()))
            continue
        server = seen.answered_by or (seen.error and "(no answer)") or f"HTTP {seen.status}"
        rows.append((
            str(step.number),
            step.title,
            seen.request,
            server,
            seen.session_id or "",
            seen.data or "",
            str(step.verdict).upper(),
        ))
    return rows


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    line = "  ".join("{:<%d}" % width for width in widths)
    return [line.format(*header).rstrip(), line.format(*("-" * w for w in widths)).rstrip()] + [
        line.format(*row).rstrip() for row in rows
    ]


def render_text(report: VerifyReport) -> str:
    """The step table with the modules, the topology and the verdict, for a terminal."""
    out = [f"splicer verify: {report.app}" + (f" (spliced with {report.spliced_with})" if report.spliced_with else "")]
    if report.url:
        out.append(f"front door: {report.url}")
    for module in report.modules:
        other = f"{module.other_manager} filter"
        if module.has_filter:
            state = f"HttpSessionFilter and {other} (two session managers)" if module.other_manager else "HttpSessionFilter"
        else:
            state = f"{other} (not emulated)" if module.other_manager else "NO HttpSessionFilter"
        interval = "" if module.replication_interval is None else f", replicationInterval={module.replication_interval} s"
        tested = " (tested)" if module.tested else ""
        out.append(f"module {module.name} {module.context_root}: {state}{interval}{tested}")
    if report.topology:
        out.append("topology: " + ", ".join(f"{e.role} {e.name}" + (f" {e.address}" if e.address else "")
                                            for e in report.topology))
    out.append("")
    out.extend(_table(COLUMNS, step_rows(report)))
    out.append("")
    skipped = [step for step in report.steps if step.verdict is Verdict.SKIP]
    for step in report.steps:
        if step.detail and step.verdict in (Verdict.FAIL, Verdict.WARN):
            out.append(f"step {step.number} {str(step.verdict).upper()}: {step.title}: {step.detail}")
    if skipped:
        numbers = ", ".join(str(step.number) for step in skipped)
        out.append(f"steps {numbers} SKIP: {skipped[0].detail or 'not run'}")
    for module in report.unspliced:
        out.append(f"FAIL: {module.advice(report.app)}")
    for problem in report.problems:
        out.append(f"FAIL: {problem}")
    out.append(f"verdict: {report.verdict} ({report.duration:.1f} s)")
    return "\n".join(out) + "\n"


def render_json(report: VerifyReport) -> str:
    return json.dumps(report.to_json(), indent=2) + "\n"


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    verdict: str
    label: str


@dataclass(frozen=True)
class Marker:
    x: float
    label: str
    anchor: str = "start"  # labels in the right half end at their line, so none is cut off


@dataclass(frozen=True)
class Timeline:
    """Where to draw: one lane per server, a dot per request, a line per action."""

    width: int
    height: int
    left: int
    lanes: list[tuple[str, float]]
    dots: list[Dot]
    markers: list[Marker]
    ticks: list[tuple[float, str]]


def timeline(report: VerifyReport, width: int = 960, lane_height: int = 44) -> Timeline:
    left, right, top = 150, 20, 100
    verdicts = {step.number: step.verdict for step in report.steps}
    names: list[str] = []
    for endpoint in report.topology:
        if endpoint.role == "server" and endpoint.name not in names:
            names.append(endpoint.name)
    for _, seen in report.requests:
        who = seen.answered_by or "(no answer)"
        if who not in names:
            names.append(who)
    # Times count from the scenario's start (the processes' start-up is not on the axis).
    end = max([*(seen.at for _, seen in report.requests), *(event.at for event in report.events), 1.0]) * 1.03
    span = width - left - right

    def x_of(at: float) -> float:
        return round(left + span * at / end, 1)

    lane_y = {name: top + lane_height * (index + 0.5) for index, name in enumerate(names)}
    dots = [
        Dot(x_of(seen.at), lane_y[seen.answered_by or "(no answer)"],
            str(verdicts.get(number, Verdict.SKIP)),
            f"step {number} at {seen.at:.2f} s: {seen.request} -> {seen.answered_by or seen.error}")
        for number, seen in report.requests
    ]
    markers = [Marker(x, f"{event.at:.1f} s {event.label}", "end" if x > left + span / 2 else "start")
               for event in report.events for x in [x_of(event.at)]]
    step = max(1, round(end / 10))
    ticks = [(x_of(t), f"{t} s") for t in range(0, int(end) + 1, step)]
    height = int(top + lane_height * max(1, len(names)) + 30)
    return Timeline(width, height, left, list(lane_y.items()), dots, markers, ticks)


def _environment() -> jinja2.Environment:
    # Read through importlib.resources so the template is found inside an installed wheel.
    source = (files("splicer.templates") / TEMPLATE).read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals["Verdict"] = Verdict
    env.filters["upper_verdict"] = lambda verdict: str(verdict).upper()
    env.loader = jinja2.DictLoader({TEMPLATE: source})
    return env


def render_html(report: VerifyReport) -> str:
    """A self-contained page: verdict, modules, topology, step table, SVG timeline."""
    template = _environment().get_template(TEMPLATE)
    steps_and_rows: list[tuple[Step, tuple[str, ...]]] = list(zip(report.steps, step_rows(report), strict=True))
    return template.render(report=report, rows=steps_and_rows, columns=COLUMNS, timeline=timeline(report))
