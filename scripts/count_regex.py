"""Count the regular expressions written inline in the code, per package, and those kept as data.

An inline regular expression is a call to re.compile / re.search / re.match / re.fullmatch /
re.sub / re.subn / re.findall / re.finditer / re.split, or to the grammar's own ``compiled(...)``
(a macro pattern compiled once), found by reading each module's syntax tree (not by grep, so
strings and comments that mention ``re.`` are not counted).

Each call is also sorted by what its pattern is applied to:
  text   prose or cell text (the default: most patterns in this project read words);
  other  a file name, a key, a macro pattern or another pattern, judged by the name of the
         argument the pattern is applied to (``path``, ``name``, ``key``, ``pattern``...);
  ?      a compiled pattern whose uses this script cannot see (passed to another module).
For a compiled pattern the uses in the same module (``NAME.search(x)``...) decide; when any use
reads text the pattern counts as text.

Rules kept as data: lines of the package's .jsonl files that carry a "regex" or "pattern" key.
Compiles: the inline calls that compile a pattern (re.compile, compiled()) whose pattern is no
string literal: built at run time from a data row, a macro or a label (``re.compile(row["pattern"])``,
``re.compile(rf"{re.escape(label)}:")``), so a package's data rules and built patterns show where
they are compiled.

    python scripts/count_regex.py [--src src/gepnec_extract] [--list records]
"""

from __future__ import annotations

import argparse
import ast
import json
from collections import Counter
from pathlib import Path

RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}
PATTERN_METHODS = {"search", "match", "fullmatch", "sub", "subn", "findall", "finditer", "split"}
# argument names that say the pattern reads something other than prose or cell text
NOT_TEXT_HINTS = ("path", "doc_id", "key", "pattern", "url", "file", "version", "stem", "expanded", "suffix")
PACKAGES = ("ingest", "nlp", "records")


def package_of(path: Path, src: Path) -> str:
    first = path.relative_to(src).parts[0]
    return first if first in PACKAGES else "other"


def subject_argument(call: ast.Call, method: str, offset: int = 0) -> ast.expr | None:
    """The argument holding the string a pattern is applied to: NAME.search(x), NAME.sub(r, x);
    offset 1 for re.search(pattern, x), re.sub(pattern, r, x)."""
    index = (1 if method in ("sub", "subn") else 0) + offset
    return call.args[index] if len(call.args) > index else None


def reads_text(argument: ast.expr | None) -> bool:
    if argument is None:
        return True
    source = ast.unparse(argument).lower()
    return not any(hint in source for hint in NOT_TEXT_HINTS)


def is_re_call(node: ast.AST) -> str | None:
    """'search', 'compile'... when node is re.<function>(...), 'compile' for compiled(...)."""
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "re" \
            and func.attr in RE_FUNCTIONS:
        return func.attr
    if isinstance(func, ast.Name) and func.id == "compiled":
        return "compile"
    return None


def assigned_names(tree: ast.AST) -> dict[int, str]:
    """id(call) -> the name a compiled pattern is bound to (NAME = re.compile(...))."""
    names: dict[int, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            names[id(node.value)] = node.targets[0].id
    return names


def uses_of(tree: ast.AST, name: str) -> list[ast.expr | None]:
    """The subjects of NAME.search(x), NAME.sub(r, x)... in the module."""
    subjects = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in PATTERN_METHODS \
                and isinstance(node.func.value, ast.Name) and node.func.value.id == name:
            subjects.append(subject_argument(node, node.func.attr))
    return subjects


def classify(call: ast.Call, kind: str, tree: ast.AST, names: dict[int, str]) -> str:
    if kind != "compile":
        return "text" if reads_text(subject_argument(call, kind, offset=1)) else "other"
    bound = names.get(id(call))
    subjects = uses_of(tree, bound) if bound else []
    if not subjects:
        # a pattern given to a method call on the spot (compiled(...).finditer(x)) or kept elsewhere
        return "?" if bound else "text"
    return "text" if any(reads_text(s) for s in subjects) else "other"


def builds_pattern(call: ast.Call, kind: str) -> bool:
    """A compile whose pattern is no plain string literal (a data row, a macro, an f-string)."""
    if kind != "compile" or not call.args:
        return False
    pattern = call.args[0]
    return not (isinstance(pattern, ast.Constant) and isinstance(pattern.value, str))


def inline_calls(path: Path) -> list[tuple[int, str, str, bool]]:
    """(line, function, applied-to, built at run time) for each inline regular expression of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = assigned_names(tree)
    found = []
    for node in ast.walk(tree):
        kind = is_re_call(node)
        if kind:
            found.append((node.lineno, kind, classify(node, kind, tree, names), builds_pattern(node, kind)))
    return sorted(found)


def data_rules(path: Path) -> int:
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            count += isinstance(row, dict) and ("regex" in row or "pattern" in row)
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--src", type=Path, default=Path(__file__).resolve().parent.parent / "src" / "gepnec_extract")
    parser.add_argument("--list", action="append", default=[], help="print each call of this package")
    args = parser.parse_args()
    inline: dict[str, Counter] = {p: Counter() for p in (*PACKAGES, "other")}
    as_data: Counter = Counter()
    built: Counter = Counter()
    for path in sorted(args.src.rglob("*.py")):
        package = package_of(path, args.src)
        for line, kind, applied, is_built in inline_calls(path):
            inline[package][applied] += 1
            built[package] += is_built
            if package in args.list:
                print(f"  {path.relative_to(args.src)}:{line} re.{kind} -> {applied}{' (built)' if is_built else ''}")
    for path in sorted(args.src.rglob("*.jsonl")):
        as_data[package_of(path, args.src)] += data_rules(path)
    print(f"{'package':<9} {'inline':>6} {'text':>5} {'other':>5} {'?':>3} {'as data':>7} {'compiles':>8}")
    for package, counts in inline.items():
        total = sum(counts.values())
        print(f"{package:<9} {total:>6} {counts['text']:>5} {counts['other']:>5} {counts['?']:>3} {as_data[package]:>7}"
              f" {built[package]:>8}")


if __name__ == "__main__":
    main()
