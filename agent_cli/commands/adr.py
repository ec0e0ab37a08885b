"""`agentmem adr export` and `adr import`: the decision log as a folder of MADR files.

The service does the format; these commands only move files between a folder and it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from agent_cli.options import JsonOpt, config_of, project_of

app = typer.Typer(
    name="adr",
    help="The decision log as Architecture Decision Records (MADR 4 files; Nygard and "
    "adr-tools files import too).",
    no_args_is_help=True,
    rich_markup_mode=None,
)


@app.command("export")
def export(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Folder to write NNNN-slug.md files and README.md to.")
    ],
    json_out: JsonOpt = False,
) -> None:
    """Write the project's decisions as MADR files, plus an index README.md."""
    from agent_cli.output import call, fail, print_json, say

    config = config_of(ctx)
    project = project_of(ctx, config)
    exported = call(config, lambda c: c.adr_export(project), as_json=json_out)
    for file in exported.files:
        # The names come from the service: refuse any that would leave the folder.
        if Path(file.name).name != file.name or file.name.startswith("."):
            fail(f"the service sent an unsafe file name {file.name!r}; nothing was written")
    if out.exists() and not out.is_dir():
        fail(f"{out} is a file, not a folder: pass a folder to --out", as_json=json_out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file in exported.files:
        path = out / file.name
        if not path.exists() or path.read_text(encoding="utf-8") != file.content:
            path.write_text(file.content, encoding="utf-8")
            written.append(file.name)
    if json_out:
        names = [f.name for f in exported.files]
        print_json({"project": project, "out": str(out), "files": names, "written": written})
        return
    decisions = len(exported.files) - 1
    say(
        f"Exported {decisions} decision{'s' * (decisions != 1)} of {project} to {out} "
        f"({len(written)} file{'s' * (len(written) != 1)} written, the rest unchanged)"
    )


@app.command("import")
def import_(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(help="Folder of NNNN-slug.md files (MADR, Nygard or adr-tools).")
    ],
    json_out: JsonOpt = False,
) -> None:
    """Read a folder of ADR files into the project; files already imported change nothing."""
    from agent_cli.output import call, fail, print_json, say, table
    from memory_service.schemas.adr import AdrFile, AdrImport

    config = config_of(ctx)
    project = project_of(ctx, config)
    if not folder.is_dir():
        fail(f"{folder} is not a folder: pass the folder holding the .md files", as_json=json_out)
    paths = sorted(p for p in folder.glob("*.md") if p.is_file())
    if not paths:
        fail(f"{folder} holds no .md files: pass the folder of the ADRs", as_json=json_out)
    try:
        texts = {p.name: p.read_text(encoding="utf-8") for p in paths}
    except UnicodeDecodeError as exc:
        fail(f"a file in {folder} is not UTF-8 text ({exc.reason}): save it as UTF-8")

    def draft() -> AdrImport:
        files = [AdrFile(name=name, content=text) for name, text in texts.items()]
        return AdrImport(files=files, actor=config.agent)

    result = call(config, lambda c: c.adr_import(project, draft()), as_json=json_out)
    if json_out:
        print_json(result)
        return
    table(
        f"Imported into {project}",
        ["file", "result", "adr", "id"],
        ((f.name, f.result, f.number, f.memory_id) for f in result.files),
    )
    say(
        f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.skipped} skipped"
    )
