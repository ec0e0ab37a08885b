"""`python -m bench NAME [options]`: run one benchmark (locomo, decisions, speed, tune ...)."""

from __future__ import annotations

import sys

USAGE = (
    "usage: python -m bench {locomo,decisions,speed,embedding,tune,mcp,churn,mem0} [options]"
    "  (--help after the name)"
)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(USAGE)
        raise SystemExit(0 if len(sys.argv) >= 2 else 2)
    name, rest = sys.argv[1], sys.argv[2:]
    if name == "locomo":
        from bench import locomo

        locomo.main(rest)
    elif name == "decisions":
        from bench import decisions

        decisions.main(rest)
    elif name == "embedding":
        from bench import embedding

        embedding.main(rest)
    elif name == "tune":
        from bench import tune

        tune.main(rest)
    elif name == "speed":
        from bench import speed

        speed.main(rest)
    elif name == "churn":
        from bench import index_churn

        index_churn.main(rest)
    elif name == "mcp":
        from bench import mcp_latency

        mcp_latency.main(rest)
    elif name == "mem0":
        from bench import mem0

        mem0.main(rest)
    else:
        print(f"unknown benchmark {name!r}\n{USAGE}", file=sys.stderr)
        raise SystemExit(2)


if __name__ == "__main__":
    main()
