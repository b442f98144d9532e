"""The author's live preview: a local page showing a template's variants as the file is edited."""

from __future__ import annotations

import click


@click.command()
@click.argument("path", metavar="BANK_OR_TEMPLATE", type=click.Path())
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--seeds", type=click.IntRange(1, 100_000), default=100, show_default=True,
              help="How many seeds the slider covers.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop after this many seconds (default: run until Ctrl-C).")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser.")
def preview(path, port, seeds, timeout, open_browser):
    """Preview a bank file or folder in the browser while you edit it.

    Serves a page on 127.0.0.1 only (never on the network) with each
    template's variants (a seed slider and a list of seeds), the key, the
    feedback of every option with its misconception, the worked explanation
    and the quality report of the test-wiseness linter. The page reloads
    itself when a bank file changes; a file that does not load shows its
    problems with file and line instead.

    \b
    Example:
        qbank preview my-bank
        qbank preview my-bank/states.yaml --port 8765
    """
    from ..authoring.preview import Preview
    from ..authoring.server import PreviewServer
    from ..errors import InputError

    state = Preview.open(path, seeds=seeds)
    try:
        server = PreviewServer(state, port=port).start()
    except OSError as exc:
        raise InputError(f"--port {port}: cannot listen on 127.0.0.1:{port} ({exc.strerror})") from None
    click.echo(f"Previewing {path} at {server.url} (Ctrl-C to stop)", err=True)
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    server.serve(duration=timeout)
