"""The codebook chapter's summary and sections."""

from __future__ import annotations

from critmin.analysis import claims
from critmin.chapters import codebook as codebook_chapter


def test_codebook_summary_and_sections(df, codebook):
    n_codes = sum(len(claims.codes(t, codebook)) for t in codebook_chapter.CODEBOOK_SECTIONS)
    text = codebook_chapter.codebook_summary(df, codebook)
    assert text.startswith(f"The codebook has **{n_codes} codes** in 5 groups: ")
    assert f"They code **{len(df)} claims** from **{df['speaker'].nunique()} voices**." in text
    for code_type, title in codebook_chapter.CODEBOOK_TITLES.items():
        section = codebook_chapter.codebook_section(code_type, df, codebook)
        assert section.startswith(f"## {title}\n\n{codebook_chapter.CODEBOOK_SECTIONS[code_type]}")
        assert section.count("\n### ") == len(claims.codes(code_type, codebook))
        assert section.count("**Coding rule.**") == len(claims.codes(code_type, codebook))
