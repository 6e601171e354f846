"""The model registry: which models exist (``manifest.toml``), where their bytes are, and whether
they are the bytes they should be. Code never downloads a model.

* The **default set** comes from PyPI packages: files are read from site-packages (the Whisper
  base model arrives in two halves and is joined once into the cache) and checked against the
  manifest's sha256 before first use; a stamp (size + mtime + hash) avoids re-hashing 145 MB at
  every start.
* The **production set** is copied by the installer from a model store
  (``hotelbox models install --from DIR``, files at ``DIR/<name>/<path>``) into
  ``speech.model_dir``. Where the manifest has no sha256 (upstream files this build machine
  cannot reach), the store's ``pins.toml`` — written once by ``hotelbox models pin`` after the
  installer checked the files against upstream — is the reference, and a copy of the pins goes
  with the model so ``hotelbox models verify`` and the box re-check it later.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from hotelbox.errors import ModelError

log = logging.getLogger(__name__)
PINS = "pins.toml"


@dataclass(frozen=True)
class ModelFile:
    path: str
    sha256: str | None = None
    size: int | None = None
    parts: tuple[str, ...] = ()  # "package:relative/path" pieces, joined in order
    upstream: str | None = None  # the file's name where it comes from


@dataclass(frozen=True)
class ModelSpec:
    name: str
    kind: str  # stt | tts
    engine: str  # faster-whisper | vosk | piper
    language: str
    set: str  # default | production | test | site
    licence: str
    source: str
    files: tuple[ModelFile, ...] = ()
    package_dir: str | None = None  # a whole directory inside a package (Vosk)
    phonemes: str | None = None  # espeak-ng language of a Kokoro voice (es, pt-br, en-us)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ModelSpec:
        files = tuple(
            ModelFile(
                path=f["path"],
                sha256=f.get("sha256") or None,
                size=f.get("size"),
                parts=tuple(f.get("parts", ())),
                upstream=f.get("upstream"),
            )
            for f in d.get("files", [])
        )
        return cls(
            name=d["name"],
            kind=d["kind"],
            engine=d["engine"],
            language=d["language"],
            set=d.get("set", "site"),
            licence=d.get("licence", ""),
            source=d.get("source", ""),
            files=files,
            package_dir=d.get("package_dir"),
            phonemes=d.get("phonemes"),
        )

    @property
    def from_packages(self) -> bool:
        return bool(self.package_dir) or (bool(self.files) and all(f.parts for f in self.files))

    def packages_installed(self) -> bool:
        names = {p.split(":", 1)[0] for f in self.files for p in f.parts}
        if self.package_dir:
            names.add(self.package_dir.split(":", 1)[0])
        return all(importlib.util.find_spec(n) is not None for n in names)


def load_manifest(extra: Path | None = None) -> dict[str, ModelSpec]:
    """The shipped manifest, plus a site manifest (same format) when given."""
    text = resources.files("hotelbox.speech").joinpath("manifest.toml").read_text(encoding="utf-8")
    models = {m["name"]: ModelSpec.from_dict(m) for m in tomllib.loads(text)["models"]}
    if extra is not None:
        try:
            site = tomllib.loads(extra.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ModelError(
                f"cannot read the site model manifest {extra}: {exc}", code="manifest_invalid"
            ) from exc
        for m in site.get("models", []):
            models[m["name"]] = ModelSpec.from_dict({"set": "site", **m})
    return models


def package_path(ref: str) -> Path:
    package, _, rel = ref.partition(":")
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise ModelError(f"the package {package} is not installed", code="model_missing")
    return Path(spec.origin).parent / rel


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _stamp_ok(path: Path, sha256: str) -> bool:
    stamp = path.with_name(path.name + ".verified")
    try:
        data = json.loads(stamp.read_text())
        st = path.stat()
    except (OSError, ValueError):
        return False
    return bool(data == {"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns})


def _write_stamp(path: Path, sha256: str) -> None:
    st = path.stat()
    stamp = path.with_name(path.name + ".verified")
    with contextlib.suppress(OSError):  # read-only location: we simply hash again next time
        stamp.write_text(json.dumps({"sha256": sha256, "size": st.st_size, "mtime_ns": st.st_mtime_ns}))


def _join(sources: list[Path], dest: Path) -> None:
    tmp = dest.with_suffix(dest.suffix + ".part")
    with tmp.open("wb") as out:
        for src in sources:
            with src.open("rb") as part:
                shutil.copyfileobj(part, out, 16 << 20)
    os.replace(tmp, dest)


def check_file(path: Path, expected: str | None, *, stamp: bool = True) -> str:
    """Hash a file and compare (stamped, so an unchanged file is not hashed twice)."""
    if not path.is_file():
        raise ModelError(f"model file missing: {path}", code="model_missing")
    if expected and stamp and _stamp_ok(path, expected):
        return expected
    actual = sha256_file(path)
    if expected and actual != expected:
        raise ModelError(
            f"model file {path} has sha256 {actual[:12]}…, expected {expected[:12]}…", code="model_corrupt"
        )
    if expected and stamp:
        _write_stamp(path, expected)
    return actual


@dataclass
class ModelStore:
    """Where models live on this box: the cache (joined package models), the model dir (store)."""

    model_dir: Path
    cache_dir: Path
    manifest: dict[str, ModelSpec] = field(default_factory=load_manifest)

    def spec(self, name: str) -> ModelSpec:
        spec = self.manifest.get(name)
        if spec is None:
            raise ModelError(f"no model called {name!r} in the manifest", code="model_unknown")
        return spec

    def locate(self, name: str, *, verify: bool = True) -> Path:
        """The directory holding the model's files, checked; raises ModelError with a clear code."""
        spec = self.spec(name)
        if spec.package_dir:
            path = package_path(spec.package_dir)
            if not path.is_dir():
                raise ModelError(f"{name}: {path} is not there", code="model_missing")
            return path
        if spec.from_packages:
            return self._assemble(spec, verify)
        return self._from_store(spec, verify)

    def _assemble(self, spec: ModelSpec, verify: bool) -> Path:
        target = self.cache_dir / spec.name
        target.mkdir(parents=True, exist_ok=True)
        for f in spec.files:
            sources = [package_path(p) for p in f.parts]
            dest = target / f.path
            if len(sources) == 1:  # one piece: link to site-packages, no copy
                if not (dest.is_symlink() and dest.resolve() == sources[0].resolve()):
                    if not sources[0].is_file():
                        raise ModelError(f"{spec.name}: {sources[0]} is missing", code="model_missing")
                    dest.unlink(missing_ok=True)
                    dest.symlink_to(sources[0])
            elif not dest.is_file() or dest.stat().st_size != (f.size or -1):
                _join(sources, dest)
            if not verify:
                continue
            try:  # the stamp sits in the cache; stat() follows the link to site-packages
                check_file(dest, f.sha256)
            except ModelError as exc:
                if len(sources) == 1 or exc.code != "model_corrupt":
                    raise  # the package itself is damaged: reinstall it (or the fallback model serves)
                log.error("joined model file damaged, joining it again path=%s code=model_corrupt", dest)
                _join(sources, dest)  # the cache is ours: rebuild it from the packages
                check_file(dest, f.sha256)
        return target

    def _pins(self, directory: Path) -> dict[str, str]:
        try:
            return dict(tomllib.loads((directory / PINS).read_text(encoding="utf-8")).get("sha256", {}))
        except (OSError, tomllib.TOMLDecodeError):
            return {}

    def _from_store(self, spec: ModelSpec, verify: bool) -> Path:
        directory = self.model_dir / spec.name
        if not directory.is_dir():
            raise ModelError(
                f"{spec.name} is not installed in {self.model_dir} (hotelbox models install --from DIR)",
                code="model_missing",
            )
        if verify:
            pins = self._pins(directory)
            for rel in self._file_list(spec, directory):
                check_file(directory / rel, _expected(spec, rel) or pins.get(rel))
        return directory

    def _file_list(self, spec: ModelSpec, directory: Path) -> list[str]:
        if spec.files:
            return [f.path for f in spec.files]
        return sorted(
            str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file() and p.name != PINS
        )

    # -- installer commands ------------------------------------------------------------------------
    def pin_store(self, store: Path) -> dict[str, dict[str, str]]:
        """Hash every model in a store into ``store/pins.toml`` (run once, after checking upstream)."""
        pins: dict[str, dict[str, str]] = {}
        for spec in self.manifest.values():
            directory = store / spec.name
            if spec.from_packages or not directory.is_dir():
                continue
            pins[spec.name] = {rel: sha256_file(directory / rel) for rel in self._file_list(spec, directory)}
        (store / PINS).write_text(_pins_toml(pins), encoding="utf-8")
        return pins

    def install(self, store: Path, names: list[str] | None = None) -> list[str]:
        """Copy models from a store into the model dir, each file checked before it is used."""
        try:
            store_pins: dict[str, dict[str, str]] = tomllib.loads((store / PINS).read_text(encoding="utf-8"))
        except OSError:
            store_pins = {}
        installed: list[str] = []
        unchanged: list[str] = []
        self.last_unchanged = unchanged
        for spec in self.manifest.values():
            source = store / spec.name
            if spec.from_packages or not source.is_dir() or (names and spec.name not in names):
                continue
            pins = store_pins.get(spec.name, {})
            hashes: dict[str, str] = {}
            for rel in self._file_list(spec, source):
                expected = _expected(spec, rel) or pins.get(rel)
                if not expected:
                    raise ModelError(
                        f"{spec.name}/{rel} has no sha256 in the manifest or {store / PINS}: "
                        "check the files against upstream, then run `hotelbox models pin --store DIR`",
                        code="model_unpinned",
                    )
                hashes[rel] = check_file(source / rel, expected, stamp=False)
            target = self.model_dir / spec.name
            if self._pins(target) == hashes and all((target / rel).is_file() for rel in hashes):
                unchanged.append(spec.name)  # the same bytes are there already
                continue
            tmp = target.with_name(target.name + ".installing")
            shutil.rmtree(tmp, ignore_errors=True)
            shutil.copytree(source, tmp, ignore=shutil.ignore_patterns(PINS, "*.verified"))
            (tmp / PINS).write_text(_pins_toml({"sha256": hashes}, flat=True), encoding="utf-8")
            old = target.with_name(target.name + ".previous")
            shutil.rmtree(old, ignore_errors=True)
            if target.exists():
                target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
            installed.append(spec.name)
        return installed

    last_unchanged: list[str] = field(default_factory=list)  # set by install(): already in place

    def status(self) -> list[dict[str, Any]]:
        out = []
        for spec in self.manifest.values():
            row: dict[str, Any] = {
                "name": spec.name,
                "kind": spec.kind,
                "engine": spec.engine,
                "language": spec.language,
                "set": spec.set,
                "licence": spec.licence,
                "source": spec.source,
            }
            if spec.from_packages:
                row["present"] = spec.packages_installed()
            else:
                row["present"] = (self.model_dir / spec.name).is_dir()
            out.append(row)
        return out

    def verify(self, name: str) -> str:
        """'ok', or why not (for ``hotelbox models verify`` and ``doctor``)."""
        try:
            self.locate(name, verify=True)
        except ModelError as exc:
            return f"{exc.code}: {exc}"
        return "ok"


def _expected(spec: ModelSpec, rel: str) -> str | None:
    for f in spec.files:
        if f.path == rel:
            return f.sha256
    return None


def _pins_toml(pins: dict[str, dict[str, str]], flat: bool = False) -> str:
    lines = ["# sha256 of every file, written by hotelbox (models pin / install)"]
    for section, files in pins.items():
        lines.append(f'\n["{section}"]' if not flat else f"\n[{section}]")
        lines.extend(f'"{rel}" = "{digest}"' for rel, digest in sorted(files.items()))
    return "\n".join(lines) + "\n"
