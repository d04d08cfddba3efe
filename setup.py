"""Build hook: ship the example zones inside the package, as ``sim/examples/<zone>/``.

The files are copied from ``scenarios/`` when the package is built, so the packaged examples
cannot drift from the checkout's (``zonesim init --example`` reads them; in a checkout it
reads ``scenarios/`` directly). Keep EXAMPLES in step with ``sim/scenario/scaffold.py``
(tests/cli/test_init.py checks it). Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: example zone -> (folder in the checkout, glob patterns of its files)
EXAMPLES = {
    "jiaozuo": ("scenarios", ("*.yaml", "spaces/*.yaml")),
    "incubator": ("scenarios/examples/incubator", ("*.yaml",)),
}


def example_files(root: Path = ROOT) -> dict[str, Path]:
    """Packaged path (under ``sim/``) -> source file, for every example zone."""
    files = {}
    for zone, (folder, patterns) in EXAMPLES.items():
        source = root / folder
        for pattern in patterns:
            for path in sorted(source.glob(pattern)):
                if path.is_file():
                    rel = path.relative_to(source).as_posix()
                    files[f"examples/{zone}/{rel}"] = path
    return files


def copy_examples(package_dir: Path, root: Path = ROOT) -> list[Path]:
    """Copy the example zones into ``package_dir`` (the built ``sim/``)."""
    written = []
    for rel, source in example_files(root).items():
        target = package_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        written.append(target)
    return written


class BuildPyWithExamples(build_py):
    def run(self) -> None:
        super().run()
        if not self.dry_run and not getattr(self, "editable_mode", False):
            copy_examples(Path(self.build_lib) / "sim")


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildPyWithExamples})
