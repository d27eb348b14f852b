#!/usr/bin/env python3
"""Shopfloor from a fresh clone, with nothing but Python 3.11+ and git.

    python3 dev.py run     set up .venv, migrate, seed the demo once, serve http://127.0.0.1:8000
    python3 dev.py check   ruff, the test suite on SQLite, again on PostgreSQL + Redis when
                           DATABASE_URL / REDIS_URL are set, browser tests in headless Chromium

Under CI=true a missing service, browser or system library fails the run instead of skipping.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / "python"
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Debian packages the checks need: the browser, and what WeasyPrint renders PDFs with.
SYSTEM_PACKAGES = {
    "/usr/bin/chromium": ["chromium"],
    "libpango-1.0.so.0": ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"],
    "/usr/bin/pdftotext": ["poppler-utils"],
}


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def fail(message: str) -> None:
    print(f"\033[31mdev.py: {message}\033[0m", file=sys.stderr, flush=True)
    sys.exit(1)


def run(*args, env=None, check=True) -> int:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if check and result.returncode != 0:
        fail(f"{' '.join(map(str, args[:3]))} … exited with {result.returncode}")
    return result.returncode


def ensure_venv(extras: str) -> None:
    """Create .venv and install the project; reinstall only when pyproject.toml changes."""
    if sys.version_info < (3, 11):
        fail("Shopfloor needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("Creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / ".shopfloor-installed"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"Installing Shopfloor{extras} and its dependencies")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f".{extras}")
    stamp.write_text(digest)


def _library_present(name: str) -> bool:
    if name.startswith("/"):
        return Path(name).exists()
    result = subprocess.run(["ldconfig", "-p"], capture_output=True, text=True)
    return name in result.stdout


def ensure_system_packages() -> None:
    missing = [pkg for marker, pkgs in SYSTEM_PACKAGES.items() if not _library_present(marker) for pkg in pkgs]
    if not missing:
        return
    if shutil.which("apt-get") and os.geteuid() == 0:
        say(f"Installing system packages: {' '.join(missing)}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        run("apt-get", "update", "-qq", env=env, check=False)
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env)
        return
    message = f"missing system packages: {' '.join(missing)} (apt-get install -y {' '.join(missing)})"
    if CI:
        fail(message)
    print(f"dev.py: {message}; the browser and PDF tests will be skipped.", file=sys.stderr)


def wait_for_port(url: str, name: str) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or {"postgres": 5432, "redis": 6379}.get(
        parts.scheme.split("+")[0].replace("postgresql", "postgres"), 0)
    try:
        with socket.create_connection((host, port), timeout=5):
            return
    except OSError as exc:
        fail(f"{name} at {host}:{port} is not reachable ({exc}).")


def check() -> None:
    ensure_venv("[dev]")
    ensure_system_packages()
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if CI and not (database_url and redis_url):
        fail("CI=true needs DATABASE_URL (PostgreSQL) and REDIS_URL (Redis).")
    say("ruff")
    run(BIN / "ruff", "check", *[p for p in ("src", "tests", "bench", "dev.py") if (ROOT / p).exists()])
    base_env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    base_env.update(SHOPFLOOR_DATA_DIR=str(ROOT / "var" / "test"), PYTHONUNBUFFERED="1")
    if CI:
        base_env["SHOPFLOOR_REQUIRE_BROWSER"] = "1"
    suites = [("SQLite with the in-memory channel layer", base_env)]
    if database_url:
        wait_for_port(database_url, "PostgreSQL")
        if redis_url:
            wait_for_port(redis_url, "Redis")
        env = {**base_env, "DATABASE_URL": database_url, "SHOPFLOOR_DATA_DIR": str(ROOT / "var" / "test-pg")}
        if redis_url:
            env["REDIS_URL"] = redis_url
        suites.append(("PostgreSQL" + (" with Redis" if redis_url else ""), env))
    results = run_suites(suites)
    failed = [name for name, code in results if code != 0]
    if failed:
        fail(f"tests failed on: {', '.join(failed)}")
    say("all checks passed")


def pytest_command(env: dict) -> list:
    # A temporary directory per suite: two suites side by side never clean up each other's files.
    return [PYTHON, "-m", "pytest", "-q", "--create-db", "-p", "no:cacheprovider",
            f"--basetemp={Path(env['SHOPFLOOR_DATA_DIR']) / 'pytest-tmp'}", *sys.argv[2:]]


def run_suites(suites: list[tuple[str, dict]]) -> list[tuple[str, int]]:
    """Run the suite once per database; [(name, pytest's exit code)].

    With two cores or more the suites run side by side, each on its own database, data directory
    and ports (the whole check takes as long as the longest suite instead of their sum). The last
    suite prints as it goes; the others write a log that is printed when they end.
    SHOPFLOOR_CHECK_JOBS=1 runs them one after the other.
    """
    jobs = int(os.environ.get("SHOPFLOOR_CHECK_JOBS") or min(len(suites), os.cpu_count() or 1))
    if jobs < 2 or len(suites) < 2:
        results = []
        for name, env in suites:
            say(f"tests on {name}")
            results.append((name, exit_code(run(*pytest_command(env), env=env, check=False))))
        return results
    say(f"tests on {' and on '.join(name for name, _ in suites)}, side by side")
    background = []
    for name, env in suites[:-1]:
        log_path = Path(env["SHOPFLOOR_DATA_DIR"]) / "pytest.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log = log_path.open("w")
        process = subprocess.Popen([str(a) for a in pytest_command(env)], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
        background.append((name, process, log, log_path))
    name, env = suites[-1]
    say(f"tests on {name} (the other suites' output follows when they end)")
    results = [(name, exit_code(run(*pytest_command(env), env=env, check=False)))]
    for name, process, log, log_path in background:
        code = process.wait()
        log.close()
        say(f"tests on {name}")
        print(log_path.read_text(), end="", flush=True)
        results.insert(0, (name, exit_code(code)))
    return results


def exit_code(code: int) -> int:
    if code == 5:
        print("dev.py: pytest collected no tests.", file=sys.stderr)
    return code


def serve() -> None:
    ensure_venv("")
    env = {**os.environ}
    env.setdefault("SHOPFLOOR_DATA_DIR", str(ROOT / "var"))
    args = [BIN / "shopfloor", "serve", "--demo", *sys.argv[2:]]
    os.execve(str(args[0]), [str(a) for a in args], env)


def main() -> None:
    commands = {"run": serve, "check": check}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        sys.exit(2)
    commands[sys.argv[1]]()


if __name__ == "__main__":
    main()
