"""Execute every notebook once and print how long each takes (the course's budget: < 20 s each).

Usage: python benchmarks/notebook_times.py [paths...]   (default: chapters/ and solutions/)
Prints a table; exits 1 if a notebook fails or takes longer than the budget.
"""

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

BUDGET_S = 20.0
ROOT = Path(__file__).resolve().parents[1]


def main(paths):
    paths = [Path(p) for p in paths] or sorted((ROOT / "chapters").glob("*.ipynb")) + \
        sorted((ROOT / "solutions").glob("*.ipynb"))
    slow = []
    print(f"{'notebook':40s} {'seconds':>8s}")
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        seconds = time.perf_counter() - start
        print(f"{path.parent.name + '/' + path.name:40s} {seconds:8.1f}")
        if seconds > BUDGET_S:
            slow.append(path.name)
    if slow:
        print(f"over the {BUDGET_S:.0f} s budget: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
