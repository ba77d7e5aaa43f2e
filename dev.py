#!/usr/bin/env python3
"""Set up auditkit and run its jobs with nothing but Python 3.11+ on the machine.

    python3 dev.py demo   # create .venv, install auditkit, run the demo audit, print index.html
    python3 dev.py test   # create .venv, install auditkit with test tools, run the whole test suite

Both are safe to run again: the install step is skipped while pyproject.toml is unchanged.
System packages (a CJK font for charts, Chromium for the browser test, PostgreSQL for the findings
register's tests, LibreOffice Calc to save a returned worklist sheet as an office suite does) come
from apt-get when the machine has it and we are root; elsewhere the command
to run is printed instead.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".auditkit-installed"
# Debian packages: what each job needs beyond Python.
SYSTEM_PACKAGES = {
    "demo": ["fonts-wqy-microhei"],
    "test": ["fonts-wqy-microhei", "chromium", "postgresql", "libreoffice-calc-nogui"],
}


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs under whatever python3 the machine has)
        print(
            f"auditkit needs Python 3.11 or newer; this is {sys.version.split()[0]}",
            file=sys.stderr,
        )
        return 2
    if len(argv) < 1 or argv[0] not in ("demo", "test"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    job, rest = argv[0], argv[1:]
    install_system_packages(SYSTEM_PACKAGES[job])
    install_python_packages()
    byte_compile_auditkit()
    if job == "demo":
        return run([str(BIN / "auditkit"), "demo", *rest])
    # With no arguments: the whole suite on every core (pytest-xdist); with arguments, as given.
    return run([str(BIN / "python"), "-m", "pytest", *(rest or ["-n", "auto"])])


def install_python_packages() -> None:
    """Create .venv and install auditkit (editable) with its test tools, unless already current."""
    if not (BIN / "python").exists() and not (BIN / "python.exe").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    recipe = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.is_file() and STAMP.read_text().strip() == recipe:
        return
    print("installing auditkit and its dependencies into .venv ...", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    check([*pip, "install", "--upgrade", "pip"])
    check([*pip, "install", "-e", f"{ROOT}[test]"])
    STAMP.write_text(recipe + "\n")


def byte_compile_auditkit() -> None:
    """Write auditkit's bytecode, as pip does for the packages it installs but not for an editable
    install: where PYTHONDONTWRITEBYTECODE is set (some CI images set it), every run's CLI, worker
    and kernel would otherwise compile auditkit from source again, 0.85 s a run. Quick when current
    (only changed modules are compiled); Python ignores a .pyc older than its source."""
    check([str(BIN / "python"), "-m", "compileall", "-q", str(ROOT / "auditkit")])


def install_system_packages(packages: list[str]) -> None:
    """apt-get install the missing Debian packages when we can; otherwise say what is missing."""
    if not shutil.which("dpkg-query"):
        return
    missing = [name for name in packages if not _installed(name)]
    if not missing:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends", *missing]
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            f"note: missing system packages {', '.join(missing)}; install them with: sudo {' '.join(command)}"
        )
        return
    print(f"installing system packages: {', '.join(missing)} ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    check(["apt-get", "update", "-qq"], env=env)
    check([*command[:2], "-qq", *command[2:]], env=env)


def _installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return result.returncode == 0 and "install ok installed" in result.stdout


def check(command: list[str], env: dict | None = None) -> None:
    result = subprocess.run(command, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(command)}")


def run(command: list[str]) -> int:
    return subprocess.run(command, cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
