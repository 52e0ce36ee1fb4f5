"""Tests for the public-opinion classifier: normalisation, rules, guards, levels, model, stream."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from services.opinion import Classifier, classify_stream, normalize, train_command
from services.opinion.model import Model, ModelParams, train
from services.opinion.rules import Rules, default_rules

PARK_CSV = Path(__file__).resolve().parents[1] / "data" / "park_opinion_sentences.csv"


@pytest.fixture(scope="module")
def rules_only() -> Classifier:
    """Return a classifier without a model."""
    return Classifier(None)


def _park_rows() -> list[dict[str, str]]:
    """Return the park sentence set."""
    with PARK_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- normalisation -------------------------------------------------------------------------

def test_normalize_turns_fullwidth_into_halfwidth() -> None:
    assert normalize("ＡＢＣ　１２３！") == "ABC 123!"


def test_normalize_turns_traditional_into_simplified() -> None:
    assert normalize("園區發生火災") == "园区发生火灾"


def test_normalize_strips_urls_and_emoji_and_collapses_spaces() -> None:
    assert normalize("看看  https://t.cn/A6xyz 😡😡 偷排\n\n污水") == "看看 偷排 污水"


def test_normalize_keeps_words_of_bracketed_emoticons_and_shortens_runs() -> None:
    assert normalize("太臭了[怒]！！！！！") == "太臭了怒!!"


def test_normalize_of_empty_text_is_empty() -> None:
    assert normalize("") == ""


# --- rule categories and levels ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "category", "level"), [
    ("园区某企业夜间偷排污水，臭味熏人", "pollution", "orange"),
    ("居民拨打12345投诉物业不作为", "complaint", "yellow"),
    ("园区一仓库起火", "accident", "orange"),
    ("园区化工厂发生爆炸", "accident", "red"),
    ("清淤时两名工人中毒", "accident", "red"),
    ("企业因违法排污被罚款十万元", "enforcement", "orange"),
    ("企业被责令停产整改", "enforcement", "orange"),
    ("园区干部涉嫌受贿被留置", "integrity", "orange"),
    ("园区电子厂拖欠工资，工人讨薪", "business_risk", "yellow"),
    ("村民拉横幅堵住园区大门", "mass_incident", "red"),
])
def test_each_rule_category_flags_its_words_at_its_level(
        rules_only: Classifier, text: str, category: str, level: str) -> None:
    verdict = rules_only.classify_one(text)
    assert verdict.neg == 1
    assert verdict.sentiment == "negative"
    cats = [r["category"] for r in verdict.reasons if r["kind"] == "rule"]
    assert category in cats
    assert verdict.level == level


def test_rule_reason_names_the_matched_words(rules_only: Classifier) -> None:
    verdict = rules_only.classify_one("网友曝光园区企业偷排")
    rule = next(r for r in verdict.reasons if r.get("category") == "pollution")
    assert rule == {"kind": "rule", "category": "pollution", "level": "orange", "words": ["偷排"]}


def test_gap_word_matches_words_in_between(rules_only: Classifier) -> None:
    verdict = rules_only.classify_one("企业被责令立即停产整改")
    assert verdict.neg == 1
    words = [w for r in verdict.reasons for w in r.get("words", [])]
    assert any(w.startswith("责令立即停产") for w in words)


def test_the_most_severe_category_sets_the_level(rules_only: Classifier) -> None:
    assert rules_only.classify_one("工人投诉车间泄漏，三人中毒").level == "red"
    assert rules_only.classify_one("居民投诉企业偷排").level == "orange"


def test_rules_read_from_the_packaged_yaml_can_be_extended() -> None:
    rules = Rules({"categories": {"pollution": {"level": "orange", "words": ["冒黄烟"]}}})
    assert rules.match("烟囱冒黄烟").level == "orange"
    assert default_rules().categories


def test_unknown_level_in_lexicon_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown level"):
        Rules({"categories": {"x": {"level": "purple", "words": ["a"]}}})


# --- guards ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "园区开展消防应急演练，模拟化工仓库起火后人员疏散",
    "经检测未发现超标排放",
    "严厉打击偷排行为",
    "企业已完成整改，经复查整改到位",
    "园区污水均达标排放",
    "园区新建污水处理厂投入运行",
    "园区全年安全生产零事故",
    "园区大气污染防治成效明显",
    "园区开展火灾隐患排查",
])
def test_guards_make_harmless_sentences_not_negative(rules_only: Classifier, text: str) -> None:
    verdict = rules_only.classify_one(text)
    assert verdict.neg == 0
    assert verdict.level is None


def test_guard_acts_only_in_its_own_clause(rules_only: Classifier) -> None:
    verdict = rules_only.classify_one("园区加强污染防治，但某企业仍在偷排")
    assert verdict.neg == 1
    assert verdict.level == "orange"


def test_guard_inside_a_compound_removes_only_that_word(rules_only: Classifier) -> None:
    assert rules_only.classify_one("污水处理厂超标排放").neg == 1
    assert rules_only.classify_one("污水处理厂附近出现大量死鱼").neg == 1


def test_negated_guard_is_no_guard(rules_only: Classifier) -> None:
    assert rules_only.classify_one("企业至今未完成整改，仍有异味").neg == 1
    assert rules_only.classify_one("企业检测不合格").neg == 1


def test_finding_in_the_clause_breaks_the_guard(rules_only: Classifier) -> None:
    assert rules_only.classify_one("排查发现企业偷排").neg == 1


def test_guarded_words_are_reported_as_guard_reasons(rules_only: Classifier) -> None:
    verdict = rules_only.classify_one("严厉打击偷排行为")
    assert {"kind": "guard", "words": ["打击"], "suppressed": ["偷排"]} in verdict.reasons


def test_positive_news_is_positive_and_plain_news_neutral(rules_only: Classifier) -> None:
    assert rules_only.classify_one("园区荣获国家级绿色园区称号").sentiment == "positive"
    assert rules_only.classify_one("园区召开年度工作会议").sentiment == "neutral"


def test_traditional_script_is_classified_like_simplified(rules_only: Classifier) -> None:
    verdict = rules_only.classify_one("園區某公司拖欠工資，工人討薪")
    assert verdict.neg == 1
    assert verdict.level == "yellow"


# --- the park sentence set, rules only ---------------------------------------------------------

def test_park_sentence_set_has_enough_varied_rows() -> None:
    rows = _park_rows()
    assert len(rows) >= 120
    assert {r["neg"] for r in rows} == {"0", "1"}
    assert len({r["text"] for r in rows}) == len(rows)


def test_rules_alone_flag_every_park_negative_and_at_most_a_tenth_of_the_rest(
        rules_only: Classifier) -> None:
    rows = _park_rows()
    verdicts = rules_only.classify([r["text"] for r in rows])
    missed = [r["text"] for r, v in zip(rows, verdicts, strict=True)
              if r["neg"] == "1" and not v.neg]
    false = [r["text"] for r, v in zip(rows, verdicts, strict=True)
             if r["neg"] == "0" and v.neg]
    others = sum(1 for r in rows if r["neg"] == "0")
    assert missed == []
    assert len(false) <= 0.10 * others, false


# --- model ---------------------------------------------------------------------------------

_TINY = [
    ("企业偷排污水被曝光", 1), ("园区发生火灾", 1), ("工人讨薪无果", 1),
    ("公司亏损严重股价暴跌", 1),
    ("业绩大幅下滑遭监管问询", 1), ("产品质量问题频发遭投诉", 1), ("高管涉嫌违法被调查", 1),
    ("项目烂尾业主维权", 1), ("股价跌停市值蒸发", 1), ("债务违约评级下调", 1),
    ("员工被拖欠工资", 1), ("工厂异味扰民", 1), ("企业被罚款", 1), ("资金链断裂停产", 1),
    ("园区召开工作会议", 0), ("公司签约新项目", 0), ("业绩同比增长", 0), ("新厂房竣工投产", 0),
    ("园区举办招聘会", 0), ("公司获评高新技术企业", 0), ("股价上涨创新高", 0),
    ("园区发布环境质量公报", 0), ("企业参加博览会", 0), ("公司发布年度报告", 0),
    ("园区开通公交线路", 0), ("新材料项目落户园区", 0), ("园区举行篮球比赛", 0),
    ("公司完成融资", 0),
]


def test_tiny_model_round_trips_through_save_and_load(tmp_path: Path) -> None:
    model = train(_TINY, ModelParams(min_df=1))
    path = tmp_path / "opinion.joblib"
    model.save(path)
    loaded = Model.load(path)
    texts = ["企业偷排被罚款", "园区召开会议"]
    assert loaded.predict_proba(texts) == pytest.approx(model.predict_proba(texts))
    assert loaded.predict_proba(texts)[0] > loaded.predict_proba(texts)[1]


def test_model_scores_in_batches_give_the_same_figures(tmp_path: Path) -> None:
    model = train(_TINY, ModelParams(min_df=1))
    texts = [t for t, _ in _TINY]
    assert model.predict_proba(texts, batch=3) == pytest.approx(model.predict_proba(texts))


def test_model_blends_nb_weighted_and_three_way_learners() -> None:
    rows = [(t, n, 0 if n else (2 if "增长" in t or "获评" in t else 1)) for t, n in _TINY]
    model = train(rows, ModelParams(min_df=1))
    assert [(h.kind, h.hi - h.lo) for h in model.heads] == [("general", 1), ("general", 3)]
    assert model.domains == [] and model.weights.shape[1] == 4
    plain = train(_TINY, ModelParams(min_df=1, nb_weighting=False, three_class=False))
    assert [(h.kind, h.hi - h.lo) for h in plain.heads] == [("general", 1)]
    for m in (model, plain):
        probs = m.predict_proba(["企业偷排被罚款", "园区召开会议"])
        assert all(0.0 <= p <= 1.0 for p in probs) and probs[0] > probs[1]


def _two_sources() -> list[tuple[str, int, int | None, str]]:
    """Headline-like and forum-like rows where 跌 is bad news only in the forum."""
    news = [(f"{c}公司{w}", n, None, "news") for c in "甲乙丙丁戊己庚辛壬癸" for w, n in (
        ("股价下跌百分之三", 0), ("发布年度报告", 0), ("签约新项目", 0), ("被立案调查", 1),
        ("遭证监会处罚", 1), ("召开股东大会", 0))]
    forum = [(f"{c}{w}", n, 1 if not n else 0, "forum") for c in "啊哎呀哦嗯唉哈嘿呵喔"
             for w, n in (
        ("又跌了亏惨了", 1), ("跌成狗了割肉吧", 1), ("明天应该会涨", 0), ("今天收盘持平", 0),
        ("主力又在砸盘", 1), ("大家周末愉快", 0))]
    return news + forum


def test_two_sources_get_experts_mixed_by_a_guess_from_the_text_alone(tmp_path: Path) -> None:
    rows = _two_sources()
    model = train(rows, ModelParams(min_df=1, domain_min_rows=20))
    assert model.domains == ["forum", "news"] and model.meta["domains"] == ["forum", "news"]
    kinds = [(h.kind, h.domain, h.member) for h in model.heads]
    assert ("domain", None, 0) in kinds
    assert {("expert", d, m) for d in ("forum", "news") for m in (0, 1)} <= set(kinds)
    probs = model.predict_proba(["啊又跌了亏惨了", "甲公司召开股东大会"])
    assert probs[0] > 0.5 > probs[1]
    path = tmp_path / "m.joblib"
    model.save(path)
    assert Model.load(path).predict_proba(["啊又跌了亏惨了"]) == pytest.approx(probs[:1])
    # too few rows of a source, or experts turned off: the general learners only
    assert train(rows, ModelParams(min_df=1)).domains == []
    assert train(rows, ModelParams(min_df=1, domain_min_rows=20,
                                   domain_experts=False)).domains == []


def test_earlier_format_model_files_still_load_and_score_as_before(tmp_path: Path) -> None:
    import joblib
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [normalize(t) for t, _ in _TINY]
    y = np.asarray([n for _, n in _TINY])
    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3)).fit(texts)
    feats = vec.transform(texts)
    ratio = np.linspace(0.5, 1.5, feats.shape[1]).astype(np.float32)
    clf = LogisticRegression(C=10).fit(feats.multiply(ratio).tocsr(), y)
    clf3 = LogisticRegression(C=10).fit(feats, np.where(y == 1, 0, 1 + (np.arange(len(y)) % 2)))
    probe = ["企业偷排被罚款", "园区召开会议"]
    feats_probe = vec.transform([normalize(t) for t in probe])
    old1 = clf.predict_proba(feats_probe.multiply(ratio).tocsr())[:, 1]
    old2 = (old1 + clf3.predict_proba(feats_probe)[:, 0]) / 2
    params = ModelParams(min_df=1)
    for fmt, extra, want in (("officebot-opinion-model/1", {}, old1),
                             ("officebot-opinion-model/2",
                              {"ratio": ratio, "classifier3": clf3}, old2)):
        path = tmp_path / "old.joblib"
        blob = {"format": fmt, "vectorizer": vec, "classifier": clf, "params": params,
                "meta": {}, **extra}
        if fmt.endswith("/1"):
            blob["classifier"] = LogisticRegression(C=10).fit(feats, y)
            want = blob["classifier"].predict_proba(feats_probe)[:, 1]
        joblib.dump(blob, path)
        assert Model.load(path).predict_proba(probe) == pytest.approx(want, abs=1e-5)


def test_loading_a_file_that_is_no_model_fails(tmp_path: Path) -> None:
    import joblib

    path = tmp_path / "x.joblib"
    joblib.dump({"hello": 1}, path)
    with pytest.raises(ValueError, match="not an opinion model"):
        Model.load(path)


def test_training_with_one_class_only_fails() -> None:
    with pytest.raises(ValueError, match="both"):
        train([("a", 1), ("b", 1)])


def test_train_command_reads_csv_folders_and_extra_rows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with (data / "a.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "neg", "src"])
        writer.writerows([(t, n, "x") for t, n in _TINY[:20]])
    out = tmp_path / "m" / "opinion.joblib"
    metrics = train_command([data], out, extra_rows=_TINY[20:],
                            holdout=0.2, params=ModelParams(min_df=1))
    assert out.exists()
    assert metrics["rows"] == len(_TINY)
    assert metrics["held_out"] == int(len(_TINY) * 0.2)
    assert 0.0 <= metrics["f1"] <= 1.0


def test_classifier_with_model_flags_model_negatives_and_reports_the_score(
        tmp_path: Path) -> None:
    model = train(_TINY, ModelParams(min_df=1, threshold=0.5))
    classifier = Classifier(None, model=model)
    verdict = classifier.classify_one("股价跌停 业绩下滑")
    kinds = [r["kind"] for r in verdict.reasons]
    assert "model" in kinds
    if verdict.neg:
        assert verdict.level == "yellow"
    assert 0.0 <= verdict.score <= 1.0


def test_guard_overrides_a_weak_model_score() -> None:
    class Fixed(Model):
        def predict_proba(self, texts, batch=2048, normalized=False):  # type: ignore[override]
            return [0.7] * len(texts)

    base = train(_TINY, ModelParams(min_df=1))
    classifier = Classifier(None, model=Fixed(base.vectorizer, base.weights, base.bias,
                                              base.heads, base.params))
    assert classifier.classify_one("园区开展消防应急演练").neg == 0
    assert classifier.classify_one("园区召开会议").neg == 1


# --- stream --------------------------------------------------------------------------------

def test_classify_stream_answers_each_line_and_reports_a_bad_one() -> None:
    lines = [json.dumps({"text": "企业偷排污水"}, ensure_ascii=False), "not json",
             json.dumps({"text": 5}), "", json.dumps({"id": 7, "text": "园区召开会议"})]
    out = io.StringIO()
    status = classify_stream(io.StringIO("\n".join(lines) + "\n"), out, None)
    answers = [json.loads(x) for x in out.getvalue().splitlines()]
    assert status == 1
    assert len(answers) == 4
    assert answers[0]["neg"] == 1
    assert answers[0]["level"] == "orange"
    assert "error" in answers[1]
    assert "error" in answers[2]
    assert answers[3] == {"id": 7, "neg": 0, "score": 0.0, "level": None,
                          "sentiment": "neutral", "reasons": []}


def test_classify_stream_with_a_missing_model_reports_an_error(tmp_path: Path) -> None:
    out = io.StringIO()
    status = classify_stream(io.StringIO(""), out, tmp_path / "none.joblib")
    assert status == 2
    assert "error" in json.loads(out.getvalue())


class _Recorder(io.StringIO):
    """A stdout that remembers how many complete lines it held at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed_at: list[int] = []

    def flush(self) -> None:
        self.flushed_at.append(len(self.getvalue().splitlines()))


class _Terminal(io.StringIO):
    """A stdin that says it is a terminal and checks each line was answered before the next."""

    def __init__(self, text: str, out: _Recorder) -> None:
        super().__init__(text)
        self.out = out
        self.read_lines = 0

    def isatty(self) -> bool:
        return True

    def __next__(self) -> str:
        assert len(self.out.getvalue().splitlines()) == self.read_lines, "a line was not answered"
        line = super().__next__()
        self.read_lines += 1
        return line


def test_classify_stream_in_batches_flushes_after_each_batch_with_answers_in_order() -> None:
    lines = [json.dumps({"id": i, "text": "企业偷排污水" if i % 3 else "园区召开会议"},
                        ensure_ascii=False) for i in range(10)]
    lines.insert(4, "not json")
    out = _Recorder()
    status = classify_stream(io.StringIO("\n".join(lines) + "\n"), out, None, batch=4)
    answers = [json.loads(x) for x in out.getvalue().splitlines()]
    assert status == 1
    assert out.flushed_at == [4, 8, 11]
    assert [a.get("id") for a in answers] == [0, 1, 2, 3, None, 4, 5, 6, 7, 8, 9]
    assert "error" in answers[4]
    assert [a["neg"] for a in answers if "id" in a] == [0, 1, 1, 0, 1, 1, 0, 1, 1, 0]


def test_classify_stream_from_a_terminal_answers_each_line_before_reading_the_next() -> None:
    lines = [json.dumps({"id": i, "text": "园区召开会议"}, ensure_ascii=False) for i in range(3)]
    out = _Recorder()
    stdin = _Terminal("\n".join(lines) + "\n", out)
    assert classify_stream(stdin, out, None) == 0
    assert out.flushed_at == [1, 2, 3]


def test_classify_stream_gives_the_same_verdicts_in_batches_as_one_by_one(
        tmp_path: Path) -> None:
    texts = ["企业偷排污水被罚", "园区召开会议", "员工讨薪", "项目顺利投产", "环保督察发现问题"]
    lines = "".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts * 20)
    one, many = io.StringIO(), io.StringIO()
    classify_stream(io.StringIO(lines), one, None, batch=1)
    classify_stream(io.StringIO(lines), many, None, batch=64)
    assert one.getvalue() == many.getvalue()
    assert len(many.getvalue().splitlines()) == 100
