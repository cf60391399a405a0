"""Run one planned submission in a fresh kernel, in a temporary folder, under a time limit."""

import asyncio
import json
import logging
import os
import secrets
import shutil
import subprocess
import tempfile
import textwrap
import time
from pathlib import Path

import nbformat
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook
from traitlets import default

from .probe import STATUSES

PROBE = "__import__('course_lib.grade.probe', fromlist=['probe'])"
_QUIET = logging.getLogger("course_lib.grade.nbclient")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


class _ThisPython(KernelSpecManager):
    """Every kernel is this very Python (the one with the course installed), whatever kernelspecs
    the machine has: a ``python3`` spec of another environment would lack course_lib."""

    def get_kernel_spec(self, kernel_name):
        from ipykernel.kernelspec import get_kernel_dict

        spec = {k: v for k, v in get_kernel_dict().items() if k in KernelSpec.class_trait_names()}
        return KernelSpec(resource_dir="", name=kernel_name, **spec)


class _KernelManager(AsyncKernelManager):
    @default("kernel_spec_manager")
    def _kernel_spec_manager_default(self):
        return _ThisPython(parent=self)


def _cells(plan, chapter, results_path, tokens=None):
    """The notebook the kernel runs: preamble, the learner's cells, bracketed canonical checkers.

    A canonical checker cell runs as ``probe.begin(name, token)``, then its code inside ``try:``,
    then ``probe.end(name)`` in ``finally:`` (recorded even when the cell raises). Without
    ``tokens``: the plain cells, for the temporary copy written to disk."""
    cells = [
        new_code_cell(
            f"{PROBE}.install({str(results_path)!r}, {chapter.names!r})",
            metadata={"grader": "preamble"},
        )
    ]
    for kind, item in plan.steps:
        if kind == "learner":
            cells.append(new_code_cell(item, metadata={"grader": "learner"}))
        elif tokens is None:
            cells.append(new_code_cell(item.source, metadata={"grader": "check"}))
        else:
            # One cell (one kernel round trip): begin, the canonical checker cell, end.
            source = (
                f"{PROBE}.begin({item.name!r}, {tokens[item.name]!r})\n"
                f"try:\n{textwrap.indent(item.source, '    ')}\n"
                f"finally:\n    {PROBE}.end({item.name!r})"
            )
            cells.append(new_code_cell(source, metadata={"grader": "check", "exercise": item.name}))
    return cells


def _error_of(cell):
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            return f"{out.get('ename', 'Error')}: {out.get('evalue', '')}".strip()
    return None


async def run_submission(plan, chapter, timeout, kernel_name="python3"):
    """Grade one submission; returns ``{exercise: (status, message)}`` for the planned checks."""
    folder = Path(tempfile.mkdtemp(prefix="course-grade-"))
    results_path = folder / "results.jsonl"
    outcome, last_error = {}, None
    tokens = {ex.name: secrets.token_hex(16) for kind, ex in plan.steps if kind == "check"}
    try:
        # on disk: the cells without the tokens (the kernel's folder is readable by the notebook)
        nbformat.write(
            new_notebook(cells=_cells(plan, chapter, results_path)),
            folder / f"{chapter.name}.ipynb",
        )
        nb = new_notebook(
            cells=_cells(plan, chapter, results_path, tokens),
            metadata={
                "kernelspec": {
                    "name": kernel_name,
                    "display_name": "Python 3",
                    "language": "python",
                }
            },
        )
        env = dict(os.environ, COURSE_STRICT="0", MPLBACKEND="agg")
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=kernel_name,
            kernel_manager_class=_KernelManager,
            allow_errors=True,
            shutdown_kernel="immediate",
            log=_QUIET,
            resources={"metadata": {"path": str(folder)}},
            # learners' code stays out of the instructor's ~/.ipython history database
            extra_arguments=["--HistoryManager.enabled=False"],
        )
        stopped = None
        # The kernel process's own stderr (ZMQ start-up warnings) is not the learner's: cell output
        # comes over the kernel protocol.
        async with client.async_setup_kernel(
            env=env, cwd=str(folder), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        ):
            deadline = time.monotonic() + timeout  # the notebook's own time, kernel start aside
            for index, cell in enumerate(nb.cells):
                left = deadline - time.monotonic()
                if left <= 0:
                    stopped = ("timeout", f"the notebook did not finish within {timeout:g} s")
                    break
                client.timeout = max(1, int(left + 0.999))
                try:
                    await client.async_execute_cell(
                        cell, index, store_history=cell.metadata["grader"] in ("learner", "check")
                    )
                except CellTimeoutError:
                    stopped = ("timeout", f"the notebook did not finish within {timeout:g} s")
                    break
                except DeadKernelError:
                    stopped = (
                        "error",
                        "the kernel died (does the notebook call exit() or use all memory?)",
                    )
                    break
                role, error = cell.metadata["grader"], _error_of(cell)
                if role == "preamble" and error:
                    stopped = ("error", f"the grader could not start in this environment: {error}")
                    break
                if role == "learner" and error:
                    last_error = error
                if role == "check":
                    outcome[cell.metadata["exercise"]] = error
        records = _read_records(results_path, tokens)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    graded = {}
    for kind, ex in plan.steps:
        if kind != "check" or ex.name in graded:
            continue
        found = records.get(ex.name, [])
        if not found:
            graded[ex.name] = stopped or ("error", "the checker did not run")
        elif len(found) > 1:
            graded[ex.name] = (
                "error",
                "no credit: the grader's results file was written by the notebook's code.",
            )
        else:
            graded[ex.name] = _judge(found[0], outcome.get(ex.name), last_error)
    return graded


def _read_records(path, tokens):
    """``{exercise: [records carrying that check's token]}``; other lines are ignored."""
    records = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                record = json.loads(line)
                name = record["exercise"]
                if record.get("token") == tokens.get(name):
                    records.setdefault(name, []).append(record)
            except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
                continue
    return records


def _judge(record, cell_error, last_error):
    """One exercise's ``(status, message)`` from the probe's record and the checker cell's error."""
    if record.get("tampering"):
        return "error", f"no credit: {record['tampering']}."
    results = record.get("results") or []
    if len(results) > 1:
        return (
            "error",
            "no credit: the checker reported more than once (does your code call a checker?).",
        )
    if not results:
        if cell_error:
            hint = (
                f" (an earlier cell raised {last_error})"
                if last_error and "NameError" in cell_error
                else ""
            )
            return "error", f"the checker cell raised {cell_error}{hint}"
        return "error", "the checker reported nothing"
    status, message = results[0]
    return STATUSES.get(status, "error"), message


def run_all(jobs, timeout, workers, on_done):
    """Run ``jobs`` (``(key, plan, chapter)``) ``workers`` at a time; ``on_done(key, graded)``."""

    async def main():
        gate = asyncio.Semaphore(max(1, workers))

        async def one(key, plan, chapter):
            async with gate:
                try:
                    graded = await run_submission(plan, chapter, timeout)
                except Exception as exc:  # noqa: BLE001 - one broken run must not stop the class
                    graded = {
                        ex.name: (
                            "error",
                            f"the grader failed on this notebook: {type(exc).__name__}: {exc}",
                        )
                        for kind, ex in plan.steps
                        if kind == "check"
                    }
                on_done(key, graded)

        await asyncio.gather(*(one(*job) for job in jobs))

    asyncio.run(main())
