"""``openintern dev …``: tools for demos, development and benchmarks."""

from __future__ import annotations

import typer

app = typer.Typer(help="Development tools.", no_args_is_help=True)


@app.command("fake-llm")
def fake_llm(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8999, help="Port."),
) -> None:
    """Run the fake OpenAI/Anthropic-compatible server (scripted replies, tools, streaming)."""
    # The one place the product reaches into openintern.testing: a demo/benchmark tool.
    import contextlib

    from openintern.cli import aio
    from openintern.testing.fake_llm import serve

    with contextlib.suppress(KeyboardInterrupt):
        aio.run(serve(host, port))
