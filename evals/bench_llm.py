"""Benchmark: wall time of `grade --llm` over the dev split's answers (117, as `grade eval --llm`
grades a split) with `--jobs 8` against `--jobs 1`, on the local fake OpenAI-compatible server
(tests/fake_llm_server.py) answering each request after one second (the compiled rubric cached,
the LLM cache bypassed). Prints the times and their ratio (the aim: 1/6 or less); asserts nothing.

    python evals/bench_llm.py [--answers N] [--delay 1.0]   (about 2.5 minutes; --answers 40 is quicker,
    but then start-up is a larger share of the parallel run)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.fake_llm_server import FakeLLMServer  # noqa: E402 - the repository's own fake server


def _run(grade: str, files: list[str], jobs: int, server: FakeLLMServer, home: str) -> float:
    env = {**os.environ, "OPENAI_BASE_URL": server.url, "OPENAI_API_KEY": "sk-bench", "NO_COLOR": "1",
           "GRADE_HOME": home}
    start = time.perf_counter()
    out = subprocess.run([grade, "--llm", "--no-cache", "--jobs", str(jobs), "--format", "json", *files],
                         env=env, cwd=REPO, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"bench_llm: grade --jobs {jobs} failed ({out.returncode}): {out.stderr.strip()}")
    assert len(json.loads(out.stdout)) == len(files)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--answers", type=int, default=0, help="the first N dev answers (default: all)")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds the server takes per request")
    args = parser.parse_args()
    grade = shutil.which("grade") or sys.exit("bench_llm: `grade` is not on PATH; pip install . first")
    files = [str(p) for p in sorted((REPO / "evals" / "corpus" / "dev").glob("*.md"))][:args.answers or None]

    server = FakeLLMServer().start()

    def slow(body, srv):
        time.sleep(args.delay)
        return 200, {}, json.dumps(srv._grade(body, "good"))

    server.default = slow
    home = tempfile.mkdtemp(prefix="grade-bench-")  # --no-cache: nothing from the LLM cache is used
    subprocess.run([grade, files[0]], env={**os.environ, "GRADE_HOME": home}, cwd=REPO, check=True,
                   stdout=subprocess.DEVNULL)  # the compiled rubric cached, as after any first run
    try:
        parallel = _run(grade, files, 8, server, home)
        serial = _run(grade, files, 1, server, home)
    finally:
        server.stop()
    print(f"grade --llm, {len(files)} answers, the server answering each request after {args.delay:g} s")
    print(f"  --jobs 1  {serial:6.1f} s")
    print(f"  --jobs 8  {parallel:6.1f} s")
    print(f"  ratio     {parallel / serial:6.3f}  (aim: 1/6 = 0.167 or less)")


if __name__ == "__main__":
    main()
