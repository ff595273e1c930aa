#!/usr/bin/env python3
"""Re-runs every `$ multilevel …`, `$ cat …` and `$ jq …` line in the fenced blocks of docs/*.md
and replaces each block's output with what the release build prints now (stdout, then stderr with
the repository path written as /path/to/Multilevel). Run from the repository root after
`swift build -c release`; prints which blocks changed."""
import os, re, subprocess, sys, tempfile

root = os.getcwd()
binary = os.path.join(root, ".build/release/multilevel")
work = tempfile.mkdtemp()

def run(command):
    shell = command.replace("multilevel ", binary + " ", 1) if command.startswith("multilevel ") else command
    done = subprocess.run(shell, shell=True, cwd=root, capture_output=True, text=True,
                          env=dict(os.environ, TMPDIR=work))
    return done.stdout + done.stderr.replace(root, "/path/to/Multilevel")

for path in sys.argv[1:] or ["docs/sleepstudy.md", "docs/radon.md"]:
    text = open(path).read()
    def replace(match):
        body = match.group(1)
        lines = body.split("\n")
        # Blocks that show only a command (its output follows in other blocks) stay as they are.
        if not lines[0].startswith("$ ") or all(l.startswith("$ ") for l in lines):
            return match.group(0)
        commands = [l[2:] for l in lines if l.startswith("$ ")]
        out = []
        for command in commands:
            out.append("$ " + command)
            printed = run(command).rstrip("\n")
            if printed:
                out.append(printed)
        return "```\n" + "\n".join(out) + "\n```"
    new = re.sub(r"```\n(.*?)\n```", replace, text, flags=re.S)
    if new != text:
        open(path, "w").write(new)
        print(f"{path}: changed")
    else:
        print(f"{path}: unchanged")
