"""SVG snapshots of the main screens on the bundled corpus, at a fixed size.

Update after an intended change with `uv run pytest tests/ui/test_snapshots.py --snapshot-update`
and look at the report before committing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from tests.ui.conftest import settle, wait_until_ready
from tuireader.corpus.parse import bundled_corpus_path
from tuireader.session.loading import STDIN_NAME, SingleSource
from tuireader.store.config import Config
from tuireader.ui.app import TuiReaderApp

SIZE = (120, 36)
# No read marks appearing mid-snapshot: the dwell is longer than any snapshot takes.
STILL = Config(mark_read_after_seconds=3600)


def bundled_app() -> TuiReaderApp:
    return TuiReaderApp(bundled_corpus_path(), config=STILL, watch=False)


async def ready(pilot: Pilot[Any]) -> None:
    await wait_until_ready(pilot)
    await settle(pilot)


def test_main_screen(snap_compare: Any) -> None:
    assert snap_compare(bundled_app(), terminal_size=SIZE, run_before=ready)


def test_main_screen_at_80x24(snap_compare: Any) -> None:
    assert snap_compare(bundled_app(), terminal_size=(80, 24), run_before=ready)


def test_main_screen_at_60x20(snap_compare: Any) -> None:
    assert snap_compare(bundled_app(), terminal_size=(60, 20), run_before=ready)


def test_search_results_for_a_chinese_query(snap_compare: Any) -> None:
    async def search(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("slash", *"强化学习")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(bundled_app(), terminal_size=SIZE, run_before=search)


def test_link_list(snap_compare: Any) -> None:
    async def links(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("slash", *"Tinker", "enter")
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(bundled_app(), terminal_size=SIZE, run_before=links)


def test_help_screen(snap_compare: Any) -> None:
    async def help_screen(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        await pilot.press("question_mark")
        await settle(pilot)

    assert snap_compare(bundled_app(), terminal_size=SIZE, run_before=help_screen)


def test_a_file_named_on_the_command_line(snap_compare: Any) -> None:
    # `tuireader corpus/karpathy-….txt`: its folder, with that file open and selected.
    app = TuiReaderApp(
        bundled_corpus_path(),
        config=STILL,
        watch=False,
        open_path="karpathy-six-ai-revolutions-2025-zh-tw.txt",
    )
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_an_article_from_stdin(snap_compare: Any) -> None:
    data = (bundled_corpus_path() / "2025-10-02-ai-news-digest.md").read_bytes()
    source = SingleSource(STDIN_NAME, data=data)
    app = TuiReaderApp(Path("."), config=STILL, watch=False, single=source)
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


DOC_SITE = """# 部署指南

{{< tip >}}
先备份数据。
{{< /tip >}}

<details>
<summary>为什么要备份？</summary>

升级会改写 **元数据**。

</details>

```python
def backup(path: str) -> None:
    print(f"backing up {path} to the cloud storage bucket, this line is long")
```
"""


def test_html_details_hugo_shortcode_and_code_box_at_80x24(snap_compare: Any) -> None:
    source = SingleSource("guide.md", data=DOC_SITE.encode())
    app = TuiReaderApp(Path("."), config=STILL, watch=False, single=source)
    assert snap_compare(app, terminal_size=(80, 24), run_before=ready)
