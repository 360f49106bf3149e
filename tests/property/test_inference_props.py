"""The publisher-token inference revises exactly what its plain statement says."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.model import Result, Verdict
from provenance.verify import infer_publisher_tokens
from tests.conftest import file_report


def revised(results: list[Result]) -> set[int]:
    """The rule read straight off its docstring: which files it revises."""
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for index, result in enumerate(results):
        if result.verdict in (Verdict.OK, Verdict.MISMATCH) and result.expected:
            groups[result.expected].append(index)
    out: set[int] = set()
    for members in groups.values():
        texts = {results[i].actual for i in members}
        unmatched = all(results[i].verdict is Verdict.MISMATCH for i in members)
        if len(members) >= 2 and len(texts) >= 2 and unmatched:
            out.update(members)
    return out


_RESULTS = st.lists(
    st.builds(
        lambda verdict, expected, actual, n: file_report(
            f"f{n}.txt", verdict, "d", expected=expected, actual=actual
        ),
        st.sampled_from([Verdict.OK, Verdict.MISMATCH, Verdict.MALFORMED, Verdict.UNREADABLE]),
        st.sampled_from([None, "", "a" * 32, "b" * 32, "c" * 32]),
        st.sampled_from([None, "1" * 32, "2" * 32]),
        st.integers(0, 99),
    ),
    max_size=12,
)


@settings(max_examples=2000)
@given(_RESULTS)
def test_inference_is_the_plain_rule(results: list[Result]) -> None:
    inferred = infer_publisher_tokens(results)
    expected = revised(results)
    for index, (before, after) in enumerate(zip(results, inferred, strict=True)):
        if index in expected:
            assert after.verdict is Verdict.UNVERIFIABLE
            assert after.detail.startswith(f"token {before.expected} ends ")
            assert after.footer is not None and before.footer is not None
            footer = replace(after.footer, verdict=before.footer.verdict)
            assert replace(after, footer=footer, detail=before.detail) == before
        else:
            assert after == before
