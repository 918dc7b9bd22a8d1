"""The README's Python snippets run as written, in order, in one namespace."""
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_snippets_run(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert len(blocks) >= 3
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["nn"].MLP([3, 4, 4, 1]).num_parameters() == 41
    assert namespace["loss"].item() < 0.1        # the XOR network learned


def test_readme_opens_with_the_commands_ci_runs():
    text = README.read_text()
    ci = (README.parent / ".ci" / "run").read_text()
    test_command = 'python -m pip install -e ".[test]" && python -m pytest'
    assert test_command in text and test_command in ci
