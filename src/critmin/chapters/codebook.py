"""The codebook chapter (notebooks/codebook.ipynb): what each code means, an example claim from the table, its
coding rule and how many claims carry it; the counts come from :mod:`critmin.analysis.claims`."""

from __future__ import annotations

import pandas as pd

from critmin.analysis.claims import codebook_entries, codes
from critmin.text import md_escape, num

__all__ = ["CODEBOOK_SECTIONS", "CODEBOOK_TITLES", "codebook_section", "codebook_summary"]

CODEBOOK_SECTIONS = {
    "stance": "A claim's stance towards the USSM–FWO deal or US minerals cooperation. Each claim gets exactly one.",
    "stance_reason": "The ground of a sceptical claim. Only sceptical claims get one, and they must.",
    "theme": "What a claim is about. A claim gets one or more themes, separated by semicolons in the table.",
    "speaker_group": "Who made the claim, coded by the capacity in which they spoke. One per claim.",
    "reliability": "How close the source we read is to the statement itself. One per claim.",
}
CODEBOOK_TITLES = {"stance": "Stances", "stance_reason": "Reasons for scepticism", "theme": "Themes",
                   "speaker_group": "Speaker groups", "reliability": "Source reliability"}


def codebook_summary(df: pd.DataFrame, codebook: pd.DataFrame) -> str:
    """How many codes the codebook has per group and how many claims and voices they code."""
    counts = {t: len(codes(t, codebook)) for t in CODEBOOK_SECTIONS}
    return (f"The codebook has **{num(sum(counts.values()))} codes** in {num(len(counts))} groups: "
            + ", ".join(f"{num(n)} {CODEBOOK_TITLES[t].lower()}" for t, n in counts.items())
            + f". They code **{num(len(df))} claims** from **{num(df['speaker'].nunique())} voices**. "
            "Claims are paraphrases in our own words, with at most a few quoted words; the examples below are "
            "quoted from the claims table, not from the speakers. Stance codes a claim, never a person: a voice's "
            "position is the mean of its claims' stance scores (+1 favours the US, 0 balanced, −1 sceptical). "
            "The metrics used to test checkable claims are defined in the claims-and-evidence chapter.")


def codebook_section(code_type: str, df: pd.DataFrame, codebook: pd.DataFrame) -> str:
    """One section of the codebook page in Markdown: each code's label, definition, an example claim from the
    table, the coding rule and how many claims carry it."""
    parts = [f"## {CODEBOOK_TITLES[code_type]}", CODEBOOK_SECTIONS[code_type]]
    for r in codebook_entries(code_type, df, codebook).itertuples():
        n = f"{num(r.claims)} claim{'' if r.claims == 1 else 's'} in the table"
        example = (f"> “{md_escape(r.example_claim)}” — paraphrase of **{md_escape(r.example_speaker)}**"
                   f" ({md_escape(r.example_outlet)})" if isinstance(r.example_claim, str)
                   else "> (no example in the table)")
        parts.append(f"### {md_escape(r.label)} (`{r.code}`)\n\n{md_escape(r.definition)}\n\n"
                     f"{example}\n\n**Coding rule.** {md_escape(r.coding_rule)} *({n}.)*")
    return "\n\n".join(parts)
