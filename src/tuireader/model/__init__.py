"""The records everything else works with, and what is derived from them without I/O.

- `articles`: `Article` (one entry of a folder), `CachedArticle`, `Problem`, `article_id`,
  `ARTICLE_SUFFIXES`.
- `links`: `Link` and `extract_links` (an article's links, found in its body when first asked
  for), `plain_inline` (inline Markdown reduced to text).
- `library`: `Library`, the loaded set ordered and filtered for the sidebar.
- `local_links`: `local_target`, where a relative link of a docs tree leads in the folder, and
  `heading_slug`.
- `text`: `sanitize_line` and `clean_text`, which keep control characters from the terminal.

Packages here import nothing in their `__init__`: a parse worker or the walk process imports
only the modules it needs, and each import on the way to the first frame costs start-up time.
"""
