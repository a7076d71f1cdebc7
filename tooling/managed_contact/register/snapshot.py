"""The register on disk: policy data, case files and the deletion log, loaded strictly."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RegisterNotFound
from ..sealing.tokens import CaseKey
from .files import NotAFile, kind_of, not_a_file, read_regular
from .findings import Finding, Severity
from .loading import MAX_BYTES, Document, load_bytes
from .model import Case, DeletionLog
from .personal import comment_findings, open_document
from .policy import POLICY_FILES, Policy
from .progress import Progress, counted
from .validation import validate

#: Finds a case's key by case id: a keystore's `get`. None where there is no keystore.
Keys = Callable[[str], CaseKey | None]

#: Where a fictional demo register keeps its committed keystore.
DEMO_KEYSTORE = "demo-keystore"
CASE_NAME = re.compile(r"MC-[0-9]{4}-[0-9]{4}\.yaml\Z")
DELETIONS_NAME = "deletions.yaml"
DELETIONS_FILE = f"cases/{DELETIONS_NAME}"
MISSING_POLICY = "MC503"


@dataclass(frozen=True)
class CaseFile:
    """A case file that loaded and validated."""

    path: Path
    file: str
    doc: Document
    case: Case
    #: How many personal values are stood in for by a placeholder (no key, or a bad token):
    #: the rules that read personal text skip this case and say so.
    placeholders: int = 0

    @property
    def sealed(self) -> bool:
        """Whether some personal values could not be read (the check ran without them)."""
        return self.placeholders > 0


@dataclass
class Register:
    """What was loaded from a register directory."""

    root: Path
    policy: Policy | None = None
    policy_docs: dict[str, Document] = field(default_factory=dict)
    cases: list[CaseFile] = field(default_factory=list)
    case_files: list[Path] = field(default_factory=list)
    stray: list[Path] = field(default_factory=list)
    deletions: DeletionLog | None = None
    deletions_doc: Document | None = None

    def case(self, case_id: str) -> CaseFile | None:
        for loaded in self.cases:
            if loaded.case.id == case_id:
                return loaded
        return None


def find_root(start: Path) -> Path:
    """The register directory containing `start`: the nearest one with `policy/` and `cases/`."""
    start = start.resolve()
    for candidate in [start, *start.parents]:
        if (candidate / "policy").is_dir() and (candidate / "cases").is_dir():
            return candidate
    raise RegisterNotFound(
        f"{start} is not inside a register: no directory above it has both policy/ and cases/"
    )


def display(root: Path, path: Path) -> str:
    """A path as people see it in findings: relative to the register."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


#: Loads one file of the register, named by its path in the register ("policy/people.yaml"):
#: the document and the problems found, or None when there is no such file. The same loading
#: serves the working tree and a git revision.
FileLoader = Callable[[str], tuple[Document | None, list[Finding]] | None]


def load_disk_file(path: Path, file: str) -> tuple[Document | None, list[Finding]] | None:
    """Load one file on disk strictly, never following a link nor opening anything but a
    regular file (that is MC020, see `files`); None when nothing is at `path`."""
    # The folders between the register and the file (cases/, policy/) are not followed
    # either: a linked cases/ would bring in files from anywhere.
    folders = () if Path(file).is_absolute() else Path(file).parts[:-1]
    root = path.parents[len(folders)] if folders else path.parent
    for depth in range(1, len(folders) + 1):
        if kind_of_or_none(root.joinpath(*folders[:depth])) == "a symbolic link":
            shown = "/".join(folders[:depth]) + "/"
            return None, [not_a_file(file, f"in {shown}, which is a symbolic link")]
    try:
        read = read_regular(path, MAX_BYTES)
    except FileNotFoundError:
        return None
    except NotAFile as exc:
        return None, [not_a_file(file, exc.kind)]
    return load_bytes(read.data, file, size=read.size)


def kind_of_or_none(path: Path) -> str | None:
    """`files.kind_of`, None where nothing is there."""
    try:
        return kind_of(path)
    except FileNotFoundError:
        return None


def disk_files(root: Path) -> FileLoader:
    """A `FileLoader` for the register on disk at `root`."""

    def load(file: str) -> tuple[Document | None, list[Finding]] | None:
        return load_disk_file(root / file, file)

    return load


def policy_from(load: FileLoader) -> tuple[Policy | None, dict[str, Document], list[Finding]]:
    """Load and validate every policy file; the policy is None if any is missing or invalid."""
    findings: list[Finding] = []
    docs: dict[str, Document] = {}
    parts: dict[str, object] = {}
    for name, model in POLICY_FILES.items():
        file = f"policy/{name}.yaml"
        loaded = load(file)
        if loaded is None:
            findings.append(
                Finding(
                    file,
                    1,
                    1,
                    "",
                    MISSING_POLICY,
                    Severity.ERROR,
                    f"policy file missing: create {file} (see schemas/{name}.schema.json)",
                )
            )
            continue
        doc, problems = loaded
        findings.extend(problems)
        if doc is None or problems:
            continue
        docs[name] = doc
        value, problems = validate(model, doc)
        findings.extend(problems)
        if value is not None:
            parts[name] = value
    if len(parts) != len(POLICY_FILES):
        return None, docs, findings
    return Policy.model_validate(parts), docs, findings


def deletions_from(load: FileLoader) -> tuple[DeletionLog | None, Document | None, list[Finding]]:
    """The deletion log (empty when there is none yet)."""
    loaded = load(DELETIONS_FILE)
    if loaded is None:
        return DeletionLog(), None, []
    doc, findings = loaded
    if doc is None or findings:
        return None, doc, findings
    log, problems = validate(DeletionLog, doc)
    return log, doc, problems


def case_from(
    path: Path,
    file: str,
    loaded: tuple[Document | None, list[Finding]],
    keys: Keys | None = None,
    people: Mapping[str, str] | None = None,
) -> tuple[CaseFile | None, Document | None, list[Finding]]:
    """Open the sealed values of one loaded case file (with its key from `keys`, if any) and
    validate it (`people`, id → name, for the messages). Findings about sealing do not stop the
    case being judged."""
    doc, findings = loaded
    if doc is None or findings:
        return None, doc, findings
    case_id = path.stem
    key = keys(case_id) if keys is not None and CASE_NAME.match(path.name) else None
    opened = open_document(doc, case_id, key)
    problems = comment_findings(doc.text, file) + opened.findings
    case, invalid = validate(Case, doc, people)
    if case is None:
        return None, doc, problems + invalid
    return CaseFile(path, file, doc, case, opened.placeholders), doc, problems


def load_policy(root: Path) -> tuple[Policy | None, dict[str, Document], list[Finding]]:
    """Policy data from the register on disk."""
    return policy_from(disk_files(root))


def load_deletions(root: Path) -> tuple[DeletionLog | None, Document | None, list[Finding]]:
    """The deletion log on disk."""
    return deletions_from(disk_files(root))


def load_case(
    root: Path, path: Path, keys: Keys | None = None
) -> tuple[CaseFile | None, Document | None, list[Finding]]:
    """Load, open and validate one case file on disk."""
    file = display(root, path)
    loaded = load_disk_file(path, file)
    if loaded is None:
        raise FileNotFoundError(path)
    return case_from(path, file, loaded, keys)


def case_paths(root: Path) -> list[Path]:
    """Everything in cases/ but hidden files (such as .gitkeep) and the deletion log."""
    return sorted(
        p
        for p in (root / "cases").iterdir()
        if not p.name.startswith(".") and p.name != DELETIONS_NAME
    )


def assemble(
    root: Path,
    load: FileLoader,
    files: Iterable[str],
    stray: Iterable[Path] = (),
    keys: Keys | None = None,
    progress: Progress | None = None,
    not_files: Mapping[str, str] | None = None,
) -> tuple[Register, list[Finding]]:
    """A `Register` of the policy, the deletion log and the case `files` that exist.

    Files in cases/ not named like a case go to `Register.stray`, with `stray` (e.g. folders),
    for rules.check_register to report. `not_files` are the paths in cases/ that are not
    regular files (path -> what they are, from `files.kind_of`): each is MC020, never read.
    """
    register = Register(root, stray=list(stray))
    register.policy, register.policy_docs, findings = policy_from(load)
    register.deletions, register.deletions_doc, problems = deletions_from(load)
    findings.extend(problems)
    for file, kind in sorted((not_files or {}).items()):
        findings.append(not_a_file(file, kind))
        if CASE_NAME.match(file.rpartition("/")[2]):
            register.case_files.append(root / file)
    people = {p.id: p.name for p in register.policy.people.people} if register.policy else None
    for file in counted(sorted(files), progress, "reading cases"):
        name = file.rpartition("/")[2]
        if name == DELETIONS_NAME:
            continue
        path = root / file
        if not CASE_NAME.match(name):
            register.stray.append(path)
            continue
        found = load(file)
        if found is None:
            continue
        register.case_files.append(path)
        loaded, _, problems = case_from(path, file, found, keys, people)
        findings.extend(problems)
        if loaded is not None:
            register.cases.append(loaded)
    return register, findings


def load_register(
    root: Path,
    only: list[Path] | None = None,
    keys: Keys | None = None,
    progress: Progress | None = None,
) -> tuple[Register, list[Finding]]:
    """Load policy, deletion log and case files on disk (all of them, or only those given),
    opening sealed values with `keys` where given."""
    if not (root / "cases").is_dir():
        raise RegisterNotFound(f"{root} has no cases/ directory")
    paths = case_paths(root) if only is None else sorted(only)
    files: list[str] = []
    folders: list[Path] = []
    not_files: dict[str, str] = {}
    for path in paths:
        try:
            kind = kind_of(path)
        except FileNotFoundError:
            kind = None
        if kind is None:
            files.append(display(root, path))
        elif kind == "a folder" and not CASE_NAME.match(path.name):
            folders.append(path)  # not where a case would be: MC106, move it out
        else:
            not_files[display(root, path)] = kind
    return assemble(root, disk_files(root), files, folders, keys, progress, not_files)


def demo_keystore(root: Path) -> Path | None:
    """The committed keystore of a register marked as the fictional demo (``demo: true`` in
    policy/settings.yaml), else None: a real register's keys are never in its work tree."""
    path = root / "policy" / "settings.yaml"
    loaded = load_disk_file(path, "policy/settings.yaml")
    if loaded is None:
        return None
    doc, findings = loaded
    if (
        doc is None
        or findings
        or not isinstance(doc.data, dict)
        or doc.data.get("demo") is not True
    ):
        return None
    return root / DEMO_KEYSTORE
