"""Does the spliced application keep its sessions when a server dies? Start, drive, report.

``verify_app(VerifyOptions(app, properties))`` runs the check on the emulated topology,
``verify_url(RealDeployment(url, stop, start))`` on a real deployment; both return a
``VerifyReport`` whose ``ok`` is the answer, rendered by ``render_text``/``render_json``/
``render_html``.
"""

from __future__ import annotations

from splicer.verify.model import ModuleCheck, Step, Verdict, VerifyReport
from splicer.verify.process import TopologyError
from splicer.verify.realdeploy import RealDeployment, run_verify_url, verify_url
from splicer.verify.report import render_html, render_json, render_text
from splicer.verify.run import VerifyOptions, run_verify, verify_app

__all__ = [
    "ModuleCheck", "RealDeployment", "Step", "TopologyError", "Verdict", "VerifyOptions", "VerifyReport",
    "render_html", "render_json", "render_text", "run_verify", "run_verify_url", "verify_app", "verify_url",
]
