//! What `spanbench agreement` and `spanbench eval` compute, as values with the JSON
//! shapes they print.

use rayon::prelude::*;
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use super::coding::{self, pairs};
use super::confusion::{self, Confusion};
use super::disagreements::{self, Disagreements};
use super::gamma::{self, GammaOptions, GammaResult};
use super::nervaluate::{self, SchemeCounts, Scores};
use super::pairwise_f1::{self, PairCounts};
use super::{ALL_LABELS, AgreementError, Figure, Selection, Undefined};
use crate::model::Corpus;

/// What to compare.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AgreementOptions {
    /// `None`: every annotator except the gold layer.
    pub annotators: Option<Vec<String>>,
    /// `None`: every label of the schema.
    pub labels: Option<Vec<String>>,
    /// `None`: gamma is not computed (reported as undefined, "not computed").
    pub gamma: Option<GammaOptions>,
}

/// One pair of annotators and one label (or `*`): A is the reference, B the prediction.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PairReport {
    pub a: String,
    pub b: String,
    pub label: String,
    #[serde(flatten)]
    pub scores: Scores,
    /// Symmetric pairwise F1 ([`super::pairwise_f1`]).
    pub f1: Figure,
    pub cohen_kappa: Figure,
}

/// One label (or `*`) over all annotators.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct LabelReport {
    pub fleiss_kappa: Figure,
    pub krippendorff_alpha: Figure,
}

/// An ordered list serialised as a JSON object.
#[derive(Clone, Debug, PartialEq)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<T> Ordered<T> {
    pub fn get(&self, key: &str) -> Option<&T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Everything `spanbench agreement` reports. Serialises to
/// `{"annotators", "documents", "pairs", "labels", "gamma", "gamma_detail"}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AgreementReport {
    pub annotators: Vec<String>,
    /// Documents annotated by at least two of the annotators.
    pub documents: usize,
    /// Per pair (in annotator order), `*` then each label.
    pub pairs: Vec<PairReport>,
    /// `*` then each label.
    pub labels: Ordered<LabelReport>,
    pub gamma: Figure,
    /// How gamma was obtained: disorders, documents, units, samples.
    pub gamma_detail: GammaResult,
    /// Documents annotated, per annotator.
    #[serde(skip)]
    pub documents_per_annotator: Vec<usize>,
    #[serde(skip)]
    pub disagreements: Disagreements,
}

/// Per-pair sums over the documents both annotated.
#[derive(Clone, Default)]
struct PairSums {
    overall: SchemeCounts,
    per_label: Vec<SchemeCounts>,
    f1_all: PairCounts,
    f1_label: Vec<PairCounts>,
}

impl PairSums {
    fn new(labels: usize) -> Self {
        Self {
            per_label: vec![SchemeCounts::default(); labels],
            f1_label: vec![PairCounts::default(); labels],
            ..Default::default()
        }
    }

    fn add(mut self, o: PairSums) -> PairSums {
        self.overall.add(&o.overall);
        for (a, b) in self.per_label.iter_mut().zip(&o.per_label) {
            a.add(b);
        }
        self.f1_all.add(&o.f1_all);
        for (a, b) in self.f1_label.iter_mut().zip(&o.f1_label) {
            a.add(b);
        }
        self
    }
}

fn pair_sums(sel: &Selection, a: usize, b: usize) -> PairSums {
    let labels = sel.labels.len();
    sel.docs
        .par_iter()
        .filter_map(|d| Some((d.sets[a].as_ref()?, d.sets[b].as_ref()?)))
        .fold(
            || PairSums::new(labels),
            |mut acc, (ta, tb)| {
                let (overall, per) = nervaluate::compare_by_label(ta, tb, labels);
                acc.overall.add(&overall);
                for (x, y) in acc.per_label.iter_mut().zip(&per) {
                    x.add(y);
                }
                let (all, per) = pairwise_f1::count_by_label(ta, tb, labels);
                acc.f1_all.add(&all);
                for (slot, c) in acc.f1_label.iter_mut().zip(&per) {
                    slot.add(c);
                }
                acc
            },
        )
        .reduce(|| PairSums::new(labels), PairSums::add)
}

/// Computes every agreement measure over the selected annotators and labels.
pub fn agreement(
    corpus: &Corpus,
    opts: &AgreementOptions,
) -> Result<AgreementReport, AgreementError> {
    let sel = Selection::resolve(
        corpus,
        opts.annotators.as_deref(),
        opts.labels.as_deref(),
        2,
        false,
    )?;
    Ok(agreement_of(&sel, opts.gamma.as_ref()))
}

/// [`agreement`] over a resolved selection.
pub fn agreement_of(sel: &Selection, gamma_opts: Option<&GammaOptions>) -> AgreementReport {
    let n = sel.annotators.len();
    let codings = coding::code(sel);
    let mut out_pairs = Vec::new();
    for (p, (a, b)) in pairs(n).into_iter().enumerate() {
        let sums = pair_sums(sel, a, b);
        let row = |label: &str, counts: &SchemeCounts, f1: &PairCounts, kappa: Figure| PairReport {
            a: sel.annotators[a].clone(),
            b: sel.annotators[b].clone(),
            label: label.to_string(),
            scores: counts.scores(),
            f1: f1.f1(),
            cohen_kappa: kappa,
        };
        out_pairs.push(row(
            ALL_LABELS,
            &sums.overall,
            &sums.f1_all,
            codings.all.cohen[p].kappa(),
        ));
        for (l, name) in sel.labels.iter().enumerate() {
            out_pairs.push(row(
                name,
                &sums.per_label[l],
                &sums.f1_label[l],
                codings.labels[l].cohen[p].kappa(),
            ));
        }
    }
    let mut labels = vec![(
        ALL_LABELS.to_string(),
        LabelReport {
            fleiss_kappa: codings.all.fleiss.kappa(),
            krippendorff_alpha: codings.all.alpha.alpha(),
        },
    )];
    for (l, name) in sel.labels.iter().enumerate() {
        labels.push((
            name.clone(),
            LabelReport {
                fleiss_kappa: codings.labels[l].fleiss.kappa(),
                krippendorff_alpha: codings.labels[l].alpha.alpha(),
            },
        ));
    }
    let undefined = |why: Undefined| GammaResult {
        gamma: Figure::Undefined(why),
        observed_disorder: Figure::Undefined(why),
        expected_disorder: Figure::Undefined(why),
        documents: 0,
        units: 0,
        samples: 0,
    };
    let gamma_detail = match gamma_opts {
        Some(g) => gamma::gamma(sel, g).unwrap_or_else(|_| undefined(Undefined::AlignmentFailed)),
        None => undefined(Undefined::NotComputed),
    };
    AgreementReport {
        annotators: sel.annotators.clone(),
        documents: sel
            .docs
            .iter()
            .filter(|d| d.sets.iter().filter(|s| s.is_some()).count() >= 2)
            .count(),
        pairs: out_pairs,
        labels: Ordered(labels),
        gamma: gamma_detail.gamma,
        gamma_detail,
        documents_per_annotator: (0..n).map(|a| sel.documents_of(a)).collect(),
        disagreements: disagreements::find(sel, None),
    }
}

/// Everything `spanbench eval` reports. Serialises to
/// `{"overall": {scheme: {...}}, "per_label": {label: {scheme: {...}}}, "confusion": {...}}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvalReport {
    pub overall: Scores,
    pub per_label: Ordered<Scores>,
    /// Reference label -> predicted label -> count, with [`confusion::NONE`].
    pub confusion: Ordered<Ordered<u64>>,
    /// Documents both layers annotated, which the scores are over.
    #[serde(skip)]
    pub documents: usize,
    #[serde(skip)]
    pub gold: String,
    #[serde(skip)]
    pub pred: String,
}

/// Scores layer `pred` against layer `gold` (nervaluate's four schemes, overall and
/// per label, and the label confusion) over the documents both annotated.
pub fn evaluate(
    corpus: &Corpus,
    gold: &str,
    pred: &str,
    labels: Option<&[String]>,
) -> Result<EvalReport, AgreementError> {
    let names = [gold.to_string(), pred.to_string()];
    let sel = Selection::resolve(corpus, Some(&names), labels, 2, true)?;
    Ok(evaluate_of(&sel))
}

/// [`evaluate`] over a resolved selection of two annotators (reference first).
pub fn evaluate_of(sel: &Selection) -> EvalReport {
    let nl = sel.labels.len();
    let mut overall = SchemeCounts::default();
    let mut per = vec![SchemeCounts::default(); nl];
    let mut conf = Confusion::new(nl);
    let mut documents = 0;
    for d in &sel.docs {
        let (Some(t), Some(p)) = (&d.sets[0], &d.sets[1]) else {
            continue;
        };
        documents += 1;
        let (o, pl) = nervaluate::compare_by_label(t, p, nl);
        overall.add(&o);
        for (x, y) in per.iter_mut().zip(&pl) {
            x.add(y);
        }
        confusion::tally(t, p, &mut conf);
    }
    let name = |i: usize| {
        if i == nl {
            confusion::NONE.to_string()
        } else {
            sel.labels[i].clone()
        }
    };
    EvalReport {
        overall: overall.scores(),
        per_label: Ordered(
            sel.labels
                .iter()
                .zip(&per)
                .map(|(l, c)| (l.clone(), c.scores()))
                .collect(),
        ),
        confusion: Ordered(
            (0..=nl)
                .map(|i| {
                    (
                        name(i),
                        Ordered((0..=nl).map(|j| (name(j), conf.cells[i][j])).collect()),
                    )
                })
                .collect(),
        ),
        documents,
        gold: sel.annotators[0].clone(),
        pred: sel.annotators[1].clone(),
    }
}
