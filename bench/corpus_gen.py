"""The benchmarks' synthetic corpus: deterministic articles recombined from the seed articles.

Shared by `search_bench.py` (in-memory articles) and `startup_bench.py` (Markdown folders) so
that both measure the same text. The seed articles are read from ../shared/seeds/ when they
exist, else a built-in word list is used. Changing anything here changes every benchmark's
corpus: keep the output byte-identical unless the README's results are rerun.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import opencc

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED = 20251002
DOC_BYTES = 4200
TRADITIONAL_SHARE = 0.25

_FALLBACK_WORDS = (
    "模型 训练 数据 发布 开源 强化学习 大型语言模型 网络 人工智能 软件 推理 评测 代理 工具 "
    "研究 团队 用户 平台 能力 问题 方法 系统 安全 对齐 产品 公司 芯片 算力 视频 图像 "
    "语音 的 是 在 了 和 the model is a of and to in for with GPT-5 Claude Karpathy "
    "Anthropic OpenAI agent data x.com"
)


class Generated(NamedTuple):
    number: int
    title: str
    body: str
    date: datetime


def seed_sentences() -> list[str]:
    """The sentences the articles are made of (from the seeds, or the fallback word list)."""
    texts = [p.read_text("utf-8", "replace") for p in sorted(SEEDS.glob("*.txt"))]
    if not texts:
        rng = random.Random(SEED)
        return [
            " ".join(rng.choice(_FALLBACK_WORDS.split()) for _ in range(rng.randint(4, 20))) + "。"
            for _ in range(3000)
        ]
    sentences: list[str] = []
    for text in texts:
        text = re.sub(r"^---.*?---", "", text, flags=re.S)
        sentences += [s.strip() for s in re.split(r"(?<=[。！？!?.])\s*|\n+", text) if s.strip()]
    return sentences


def generate(size: int) -> Iterator[Generated]:
    """`size` articles of about DOC_BYTES UTF-8 bytes, a quarter in Traditional script.

    One generator (one random stream) for both benchmarks: the n-th article is the same
    whichever benchmark asks, as long as it asks for them in order.
    """
    rng = random.Random(SEED)
    sentences = seed_sentences()
    s2t = opencc.OpenCC("s2t")
    start = datetime(2023, 1, 1, tzinfo=UTC)
    for number in range(size):
        parts: list[str] = []
        length = 0
        while length < DOC_BYTES:
            sentence = rng.choice(sentences)
            parts.append(sentence)
            length += len(sentence.encode()) + 1
            if rng.random() < 0.2:
                parts.append("\n\n")
        body = " ".join(parts)
        title = rng.choice(sentences)[:40]
        if rng.random() < TRADITIONAL_SHARE:
            body, title = s2t.convert(body), s2t.convert(title)
        date = start + timedelta(minutes=rng.randrange(3 * 365 * 24 * 60))
        yield Generated(number, title, body, date)


def markdown_file(article: Generated) -> str:
    """The article as the startup benchmark writes it: YAML frontmatter (title, date, tags)."""
    number, title, body, date = article
    return (
        f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
        f"date: {date.isoformat()}\ntags: [bench, t{number % 7}]\n---\n\n{body}\n"
    )
