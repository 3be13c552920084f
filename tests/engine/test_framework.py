import re
import textwrap
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egovindex import methodologies
from egovindex.engine import Framework, FrameworkError

SMALL = """
id: small
version: "1"
name: Small
index:
  code: idx
  aggregation: mean
  children:
    - {code: a, weight: 0.5}
    - code: b
      weight: 0.5
      aggregation: mean
      normalisation: minmax
      children:
        - {code: b1, normalisation: zscore, cap: 120}
        - {code: b2, normalisation: zscore}
"""


def test_every_packaged_methodology_loads() -> None:
    ids = methodologies.available()
    egdi = [f"egdi-{y}" for y in (2003, 2004, 2005, 2008, 2010, 2012, 2014, 2016, 2018, 2020, 2022, 2024)]
    assert [*egdi, "service-index-766", "vn-ict-2016"] == [i for i in ids if not i.startswith("dti-")]
    assert {"dti-2022", "dti-2025"} < set(ids)
    for mid in egdi:
        fw = methodologies.load(mid)
        assert fw.root == "egdi" and fw.edition == int(mid[5:])
        assert [c.code for c in fw.index.children] == ["osi", "tii", "hci"]
        assert all(n.verified for n in fw.nodes), f"{mid}: every node says how sure it is"


@pytest.mark.parametrize("year", [2008, 2010])
def test_2008_and_2010_weigh_osi_034(year: int) -> None:
    assert methodologies.egdi(year).index.child_weights() == [0.34, 0.33, 0.33]


@pytest.mark.parametrize("year", [2003, 2014, 2024])
def test_other_editions_weigh_components_equally(year: int) -> None:
    assert methodologies.egdi(year).index.child_weights() == pytest.approx([1 / 3] * 3)


def test_tii_from_2020_has_four_indicators_capped_at_120() -> None:
    for year in (2020, 2022, 2024):
        tii = methodologies.egdi(year).node("tii")
        assert len(tii.children) == 4 and all(c.cap == 120 for c in tii.children)
    assert all(c.cap is None for c in methodologies.egdi(2018).node("tii").children)


def test_hci_weights_from_2014() -> None:
    hci = methodologies.egdi(2024).node("hci")
    assert [c.code for c in hci.children] == [
        "adult_literacy_pct",
        "ger_combined",
        "expected_years_schooling",
        "mean_years_schooling",
    ]
    assert hci.child_weights() == pytest.approx([1 / 3, 2 / 9, 2 / 9, 2 / 9])


def test_groups_and_classes() -> None:
    assert [(g.name, g.min) for g in methodologies.egdi(2024).groups] == [
        ("Very High", 0.75),
        ("High", 0.5),
        ("Middle", 0.25),
        ("Low", 0.0),
    ]
    assert len(methodologies.egdi(2020).classes) == 16
    assert methodologies.egdi(2018).classes == ()


def test_errors_name_the_file_and_yaml_path() -> None:
    text = SMALL.replace("{code: b2, normalisation: zscore}", "{code: b2, normalisation: rankit}")
    with pytest.raises(FrameworkError) as err:
        Framework.from_yaml(text, source="methodologies/small.yaml")
    message = str(err.value)
    assert "methodologies/small.yaml" in message
    assert "index.children[1](b).children[1](b2).normalisation" in message
    assert "unknown normalisation 'rankit'" in message


def test_unknown_keys_and_bad_weights_are_rejected() -> None:
    with pytest.raises(FrameworkError, match=re.escape("index.children[0](a).wieght")):
        Framework.from_yaml(SMALL.replace("{code: a, weight: 0.5}", "{code: a, wieght: 0.5}"))
    with pytest.raises(FrameworkError, match=re.escape("sum to 0.9")):
        Framework.from_yaml(SMALL.replace("{code: a, weight: 0.5}", "{code: a, weight: 0.4}"))
    with pytest.raises(FrameworkError, match="every child"):
        Framework.from_yaml(SMALL.replace("{code: a, weight: 0.5}", "{code: a}"))
    with pytest.raises(FrameworkError, match="not valid YAML"):
        Framework.from_yaml("id: [", source="x.yaml")


def test_duplicate_codes_are_rejected() -> None:
    with pytest.raises(FrameworkError, match="more than one node"):
        Framework.from_yaml(SMALL.replace("code: b2", "code: a"))


@given(st.lists(st.integers(1, 1000), min_size=2, max_size=6))
def test_sibling_weights_summing_to_one_are_accepted_others_rejected(raw: list[int]) -> None:
    total = sum(raw)
    exact = [str(Fraction(w, total)) for w in raw]
    kids = "\n".join(f"    - {{code: c{i}, weight: '{w}'}}" for i, w in enumerate(exact))
    text = f"id: p\nversion: '1'\nname: P\nindex:\n  code: idx\n  children:\n{kids}\n"
    fw = Framework.from_yaml(text)
    assert sum(fw.index.child_weights()) == pytest.approx(1.0)
    bad = text.replace(f"weight: '{exact[0]}'", f"weight: '{Fraction(raw[0] + total, total)}'")
    with pytest.raises(FrameworkError, match="sum to"):
        Framework.from_yaml(bad)


def test_prune_drop_and_reweigh() -> None:
    fw = Framework.from_yaml(SMALL)
    assert [n.code for n in fw.prune(["b"]).leaves] == ["a", "b"]
    assert [n.code for n in fw.leaves] == ["a", "b1", "b2"]
    assert fw.drop(["a"]).index.child_weights() == [1.0]
    assert fw.with_weights({"a": 0.25, "b": 0.75}).index.child_weights() == [0.25, 0.75]
    with pytest.raises(ValueError, match="sum to"):
        fw.with_weights({"a": 0.3})
    assert fw.subtree("b").root == "b"
    assert fw.digest() != fw.with_weights({"a": 0.25, "b": 0.75}).digest()
    assert fw.digest() == Framework.from_yaml(textwrap.dedent(SMALL)).digest()
