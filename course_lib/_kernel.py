"""Where the code runs: one helper used both by the training loop and by the widgets."""


def in_kernel():
    """True inside a Jupyter kernel (a notebook), False in plain Python, pytest or a script."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with JupyterLab
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None
