"""Explanations: an event's cause chain with its references followed, and the causes of paired differences."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from azalai.analysis.explain import explain_difference, explain_event
from azalai.errors import InputError
from azalai.model.engine import prepare, simulate, simulate_batch, simulate_prepared
from azalai.policy.loader import load_policy
from azalai.policy.schema import Policy

pytestmark = pytest.mark.xdist_group("engine")

DAYS = 365


def _policy(pid: str, base: str = "baseline-2016", **levers) -> Policy:
    data = load_policy(base).model_dump(exclude_none=True)
    data["id"] = pid
    data["levers"].update(levers)
    return Policy.model_validate(data)


def _links(ev) -> list[dict]:
    return json.loads(ev["cause_json"])


def azalai(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "azalai.cli.main", *args], capture_output=True, text=True,
                          timeout=900, env=env)  # fmt: skip


@pytest.fixture(scope="module")
def interdiction_runs():
    """Runs under heavy interdiction, where seizures aggrieve signatories."""
    pol = _policy("heavy-interdiction", "counter-trafficking", barkhane_tempo=2.5, minusma_posture=1.0,
                  minusma_toc_units=1.0, state_collusion=0.0, business_respected=0.2)  # fmt: skip
    prep = prepare("mali-2016", pol, DAYS)
    _, evs = simulate_batch(prep, list(range(12)), with_events=True)
    return evs


def _first(frames, pred):
    for ev in frames:
        for _, row in ev.iterrows():
            if pred(row):
                return ev, row
    return None, None


def test_seizure_caused_clash_is_explained(interdiction_runs):
    ev, clash = _first(interdiction_runs, lambda r: r["sub_event_type"] == "Armed clash"
                       and any(lk["kind"] == "seizure" for lk in _links(r)))  # fmt: skip
    assert clash is not None, "no clash with a seizure link in 12 runs under heavy interdiction"
    ex = explain_event(ev, clash["event_id_cnty"])
    assert ex.event_id == clash["event_id_cnty"] and ex.mechanism == "violence"
    kinds = [lk["kind"] for lk in ex.links]
    assert "seizure" in kinds
    sz = next(lk for lk in ex.links if lk["kind"] == "seizure")
    assert "convoy seized at" in sz["text"]
    # The referenced seizure event is found and shown, before the clash and at the seized place.
    assert sz.get("ref_event"), ex.text()
    ref = next(r for r in ex.referenced if r.via == "seizure")
    seized = ev[ev["event_id_cnty"] == ref.event_id].iloc[0]
    assert seized["sub_event_type"] == "Looting/property destruction" and seized["mechanism"] == "trafficking"
    assert seized["day"] <= clash["day"]
    assert any(lk["kind"] == "seizure" and lk["index"] == sz["index"] for lk in _links(seized))
    text = ex.text()
    assert clash["event_id_cnty"] in text and ref.event_id in text and "<- seizure" in text
    # Also by number alone.
    num = clash["event_id_cnty"].rsplit("-", 1)[1]
    assert explain_event(ev, num).event_id == clash["event_id_cnty"]


def test_sweep_points_to_its_attack(interdiction_runs):
    ev, sweep = _first(interdiction_runs, lambda r: r["sub_event_type"] == "Arrests"
                       and any(lk["kind"] == "attack" and lk["index"] >= 0 for lk in _links(r)))  # fmt: skip
    assert sweep is not None
    ex = explain_event(ev, sweep["event_id_cnty"])
    att = next(lk for lk in ex.links if lk["kind"] == "attack")
    prefix = sweep["event_id_cnty"].rsplit("-", 1)[0]
    assert att["ref_event"] == f"{prefix}-{att['index'] + 1}"
    ref = next(r for r in ex.referenced if r.via == "attack")
    attack = ev[ev["event_id_cnty"] == ref.event_id].iloc[0]
    assert attack["mechanism"] == "violence" and attack["day"] <= sweep["day"]
    assert int(attack["fatalities"]) == round(att["value"])
    d = ex.to_dict()
    assert d["referenced"][0]["event_id"] == ref.event_id
    json.dumps(d)


def test_operation_tip_is_followed_with_the_tip_frame():
    res = simulate("mali-2016", _policy("weak-vetting", vetting=0.0, barkhane_tempo=2.0), seed=2, days=DAYS)
    ops = res.events[res.events["cause_json"].str.contains('"false_tip"')]
    assert len(ops), "no operation on a false tip with vetting 0"
    row = ops.iloc[0]
    ex = explain_event(res.events, row["event_id_cnty"], tips=res.tips)
    tip = next(lk for lk in ex.links if lk["kind"] == "tip")
    assert ex.tips and ex.tips[0]["tip_id"] == tip["index"] and ex.tips[0]["true"] is False
    assert "FALSE tip" in ex.text()
    prot = res.events[(res.events["event_type"] == "Protests") & res.events["cause_json"].str.contains('"misdirected"')]
    if len(prot):  # a protest against a misdirected operation leads back to the operation
        pe = explain_event(res.events, prot.iloc[0]["event_id_cnty"], tips=res.tips)
        assert any(r.via == "tip" and r.mechanism == "operations" for r in pe.referenced)


def test_bad_event_ids_are_input_errors():
    res = simulate("mali-2016", "baseline-2016", seed=1, days=60)
    with pytest.raises(InputError, match="no event"):
        explain_event(res.events, "AZ1-999999")
    with pytest.raises(InputError, match="no event"):
        explain_event(res.events, "garbage")


def test_difference_explanation_names_the_mechanism():
    none, always = _policy("no-sweeps", sweeps=0.0), _policy("all-sweeps", sweeps=1.0)
    ra = simulate_prepared(prepare("mali-2016", none, DAYS), 4)
    rb = simulate_prepared(prepare("mali-2016", always, DAYS), 4)
    assert rb.outcomes["detentions"] > 0
    ex = explain_difference(ra.events, rb.events, ra.outcomes, rb.outcomes, label_a="no-sweeps", label_b="all-sweeps")
    det = [s for s in ex.sentences if "detention" in s]
    assert det and "more detentions" in det[0] and "in sweeps at" in det[0]
    t = ex.table[ex.table["category"] == "detentions"]
    assert t["a"].sum() == 0 and t["diff"].sum() == pytest.approx(rb.outcomes["detentions"])
    same = explain_difference(ra.events, ra.events, ra.outcomes, ra.outcomes)
    assert same.sentences == ["The runs under A and B produced the same events."]


def test_interdiction_difference_mentions_seizures_and_clash_causes():
    ct = "counter-terrorism"
    heavy = _policy("heavy-interdiction", "counter-trafficking", barkhane_tempo=2.5, minusma_posture=1.0,
                    minusma_toc_units=1.0, state_collusion=0.0)  # fmt: skip
    pa, pb = prepare("mali-2016", ct, DAYS), prepare("mali-2016", heavy, DAYS)
    seeds = list(range(6))
    oa, ea = simulate_batch(pa, seeds, with_events=True)
    ob, eb = simulate_batch(pb, seeds, with_events=True)
    ex = explain_difference(ea, eb, oa, ob, label_a=ct, label_b="heavy-interdiction")
    assert ex.n_pairs == 6
    assert any("convoy seizures" in s and "heavy-interdiction" in s for s in ex.sentences), ex.sentences
    sig = ex.table[ex.table["category"] == "signatory_clashes"]
    if len(sig) and sig["b"].sum() > 0:
        assert all(
            g.startswith(("follow seizures", "follow a breakdown", "arise from tension")) for g in sig["group"]
        )


def test_cli_explain_rerun_and_compare():
    res = simulate("mali-2016", "baseline-2016", seed=3, days=120)
    eid = res.events.iloc[len(res.events) // 2]["event_id_cnty"]
    p = azalai("explain", eid, "--policy", "baseline-2016", "--seed", "3", "--days", "120")
    assert p.returncode == 0, p.stderr
    assert eid in p.stdout and "mechanism:" in p.stdout
    p = azalai("explain", "AZ3-999999", "--policy", "baseline-2016", "--seed", "3", "--days", "120")
    assert p.returncode == 2 and "no event" in p.stderr and "Traceback" not in p.stderr
    p = azalai("explain", "--compare", "counter-terrorism", "counter-trafficking", "--seed", "1", "--days", "120",
               "--format", "json")  # fmt: skip
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["sentences"] and data["label_b"] == "counter-trafficking"
    p = azalai("explain", "--compare", "counter-terrorism", "nope", "--seed", "1")
    assert p.returncode == 2 and "nope" in p.stderr
    p = azalai("explain", "AZ0-1")
    assert p.returncode == 2 and "--run" in p.stderr


def test_cli_explain_from_the_store(tmp_path):
    from azalai.experiment.runs import insert_frame, insert_run, new_run_id
    from azalai.experiment.store import open_store

    res = simulate("mali-2016", "baseline-2016", seed=5, days=200)
    db = tmp_path / "store.duckdb"
    con = open_store(db)
    rid = new_run_id("single")
    insert_run(con, rid, "single", res.meta, 1, status="done")
    insert_frame(con, "run_events", rid, 5, res.events)
    insert_frame(con, "run_tips", rid, 5, res.tips)
    con.close()
    sweeps = res.events[res.events["sub_event_type"] == "Arrests"]
    eid = sweeps.iloc[0]["event_id_cnty"] if len(sweeps) else res.events.iloc[-1]["event_id_cnty"]
    p = azalai("explain", eid, "--run", rid, "--store", str(db))
    assert p.returncode == 0, p.stderr
    assert eid in p.stdout
    if len(sweeps):
        assert "<- attack:" in p.stdout
    p = azalai("explain", eid, "--run", "no-such-run", "--store", str(db))
    assert p.returncode == 2 and "no run 'no-such-run'" in p.stderr
    p = azalai("explain", "AZ5-999999", "--run", rid, "--store", str(db))
    assert p.returncode == 2 and "no event" in p.stderr
