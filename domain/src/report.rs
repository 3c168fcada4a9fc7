//! The single reporting form (DESIGN "Reports and results"): one report per reporting
//! requirement, holding the narrative under the programme's sections, the indicator values of
//! the period with their disaggregated parts, and the expenditures per budget line in the
//! grant's currency; its workflow; and the per-line money summary a response shows.
//!
//! Everything here is pure: the use cases gather the facts (the grant's indicators and budget
//! lines, the programme's template and regions, the expenditures of earlier reports) and ask.

use crate::budget::BudgetLine;
use crate::ids::{BudgetLineId, IndicatorId, RequirementId};
use crate::indicator::{Dimension, IndicatorKind, MAX_COUNT};
use crate::money::{Currency, Money};
use crate::text::LocalizedText;
use crate::{DomainError, FieldError};
use std::collections::{BTreeMap, HashSet};

/// Longest section key.
pub const MAX_SECTION_KEY_CHARS: usize = 40;
/// Most sections a template has.
pub const MAX_SECTIONS: usize = 20;
/// Longest narrative text of one section, per language.
pub const MAX_SECTION_CHARS: usize = 20_000;
/// Longest qualitative value or note.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Most parts one value is broken down into (every category of every dimension).
pub const MAX_PARTS: usize = 200;
/// Most review comments given at once.
pub const MAX_COMMENTS: usize = 50;
/// Longest comment.
pub const MAX_COMMENT_CHARS: usize = 5_000;

crate::state_machine! {
    /// A report's state (DESIGN "Workflows": `due → draft → submitted → accepted |
    /// revision_requested → submitted …`). `edit` saves the form: a due report becomes a draft,
    /// one sent back for revision stays so until it is submitted again.
    entity "report", ReportStatus, ReportAction;
    states {
        Due = "due",
        Draft = "draft",
        Submitted = "submitted",
        Accepted = "accepted",
        RevisionRequested = "revision_requested"
    }
    actions {
        Edit = "edit",
        Submit = "submit",
        Accept = "accept",
        RequestRevision = "request_revision"
    }
    transitions {
        (Due, Edit) => Draft,
        (Draft, Edit) => Draft,
        (RevisionRequested, Edit) => RevisionRequested,
        (Draft, Submit) => Submitted,
        (RevisionRequested, Submit) => Submitted,
        (Submitted, Accept) => Accepted,
        (Submitted, RequestRevision) => RevisionRequested
    }
}

impl ReportStatus {
    /// Whether the report has been handed in (submitted or accepted): an overdue report is one
    /// that has not.
    pub const fn delivered(self) -> bool {
        matches!(self, Self::Submitted | Self::Accepted)
    }
}

/// A narrative section of the programme's template.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Section {
    /// Its key (`activities`).
    pub key: String,
    /// Whether a report must fill it in to be submitted.
    pub required: bool,
}

/// The narrative sections a programme's reports have.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Template(Vec<Section>);

impl Default for Template {
    /// `activities` and `results` (required), `challenges` and `next_steps`.
    fn default() -> Self {
        let s = |key: &str, required| Section {
            key: key.to_owned(),
            required,
        };
        Self(vec![
            s("activities", true),
            s("results", true),
            s("challenges", false),
            s("next_steps", false),
        ])
    }
}

impl Template {
    /// Checks a template: 1 to [`MAX_SECTIONS`] sections, keys of `a-z 0-9 _` starting with a
    /// letter, each once.
    pub fn parse(sections: Vec<Section>) -> Result<Self, DomainError> {
        let mut errors = Vec::new();
        if sections.is_empty() || sections.len() > MAX_SECTIONS {
            errors.push(FieldError::new(
                "",
                "length",
                format!("a template has 1 to {MAX_SECTIONS} sections"),
            ));
        }
        let mut seen = HashSet::new();
        for (i, s) in sections.iter().enumerate() {
            let ok = s.key.len() <= MAX_SECTION_KEY_CHARS
                && s.key.starts_with(|c: char| c.is_ascii_lowercase())
                && s.key
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if !ok {
                errors.push(FieldError::new(
                    format!("{i}.key"),
                    "format",
                    format!("a section key is 1 to {MAX_SECTION_KEY_CHARS} of a-z, 0-9 and _, starting with a letter"),
                ));
            } else if !seen.insert(s.key.as_str()) {
                errors.push(FieldError::new(
                    format!("{i}.key"),
                    "duplicate",
                    "each section once",
                ));
            }
        }
        if errors.is_empty() {
            Ok(Self(sections))
        } else {
            Err(DomainError::Invalid(errors))
        }
    }

    /// The sections, in order.
    pub fn sections(&self) -> &[Section] {
        &self.0
    }

    /// Checks a change of the template. Before any report of the programme is saved, anything
    /// goes; after, reports already hold text under its sections and were checked against its
    /// required ones, so a section may only be added, and only as optional: removing one, or
    /// changing whether one is required, is refused with the sections named.
    pub fn check_change(&self, next: &Self, reports_exist: bool) -> Result<(), DomainError> {
        if !reports_exist {
            return Ok(());
        }
        let mut changed: Vec<&str> = Vec::new();
        for old in &self.0 {
            match next.0.iter().find(|s| s.key == old.key) {
                Some(s) if s.required == old.required => {}
                _ => changed.push(&old.key),
            }
        }
        for new in &next.0 {
            if new.required && !self.0.iter().any(|s| s.key == new.key) {
                changed.push(&new.key);
            }
        }
        if changed.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Conflict(format!(
                "The programme's reports use its template: sections may only be added as \
                 optional ones, and {} would be removed, added as required or change whether \
                 required.",
                changed.join(", ")
            )))
        }
    }
}

/// A reported value, of its indicator's kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A count, 0 to [`MAX_COUNT`].
    Count(i64),
    /// A share: numerator out of denominator.
    Percentage {
        /// How many of them.
        numerator: i64,
        /// Out of how many.
        denominator: i64,
    },
    /// A text.
    Qualitative(String),
}

impl Value {
    /// The kind this value is of.
    pub const fn kind(&self) -> IndicatorKind {
        match self {
            Self::Count(_) => IndicatorKind::Count,
            Self::Percentage { .. } => IndicatorKind::Percentage,
            Self::Qualitative(_) => IndicatorKind::Qualitative,
        }
    }

    /// What disaggregated parts add up to: the count, or the numerator.
    pub const fn total(&self) -> Option<i64> {
        match self {
            Self::Count(n) => Some(*n),
            Self::Percentage { numerator, .. } => Some(*numerator),
            Self::Qualitative(_) => None,
        }
    }
}

/// One disaggregated part of a value: how many of the total fall in a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The dimension.
    pub dimension: Dimension,
    /// The category of that dimension (`female`, `18-29`, `KZ-39`).
    pub category: String,
    /// How many.
    pub count: i64,
}

/// The value of one indicator for the report's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorValue {
    /// The indicator.
    pub indicator: IndicatorId,
    /// The value.
    pub value: Value,
    /// Its breakdown: for each dimension given, the parts add up to the total.
    pub parts: Vec<Part>,
    /// A note.
    pub note: Option<String>,
}

/// An indicator of the grant, as the form's rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorFacts {
    /// The indicator.
    pub id: IndicatorId,
    /// Its code (named in errors).
    pub code: String,
    /// Its kind.
    pub kind: IndicatorKind,
    /// The dimensions it is reported by.
    pub dimensions: Vec<Dimension>,
}

/// What was spent on one budget line in the report's period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expenditure {
    /// The grant's budget line.
    pub line: BudgetLineId,
    /// How much, in the grant's currency.
    pub amount: Money,
    /// A note.
    pub note: Option<String>,
}

/// The contents of the form.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Form {
    /// Narrative texts by section key.
    pub narrative: BTreeMap<String, LocalizedText>,
    /// Indicator values.
    pub values: Vec<IndicatorValue>,
    /// Expenditures by budget line.
    pub expenditures: Vec<Expenditure>,
}

/// What the form is checked against.
#[derive(Debug, Clone, Copy)]
pub struct FormFacts<'a> {
    /// The programme's sections.
    pub template: &'a Template,
    /// The grant's indicators.
    pub indicators: &'a [IndicatorFacts],
    /// The programme's regions (the categories of [`Dimension::Region`]).
    pub regions: &'a [String],
    /// The grant's budget lines.
    pub lines: &'a [BudgetLine],
    /// The grant's currency.
    pub currency: Currency,
}

/// Checks the narrative: only the template's sections.
fn check_narrative(
    narrative: &BTreeMap<String, LocalizedText>,
    template: &Template,
    errors: &mut Vec<FieldError>,
) {
    for key in narrative.keys() {
        if !template.sections().iter().any(|s| &s.key == key) {
            errors.push(FieldError::new(
                format!("narrative.{key}"),
                "unknown_section",
                format!(
                    "the programme's sections are {}",
                    template
                        .sections()
                        .iter()
                        .map(|s| s.key.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    }
}

fn check_value(
    v: &IndicatorValue,
    facts: &IndicatorFacts,
    regions: &[String],
    at: &str,
    errors: &mut Vec<FieldError>,
) {
    if v.value.kind() != facts.kind {
        errors.push(FieldError::new(
            format!("{at}.value"),
            "kind",
            format!("{} is a {} indicator", facts.code, facts.kind.as_str()),
        ));
        return;
    }
    match &v.value {
        Value::Count(n) if !(0..=MAX_COUNT).contains(n) => errors.push(FieldError::new(
            format!("{at}.value"),
            "range",
            format!("a count is between 0 and {MAX_COUNT}"),
        )),
        Value::Percentage {
            numerator,
            denominator,
        } => {
            if !(1..=MAX_COUNT).contains(denominator) {
                errors.push(FieldError::new(
                    format!("{at}.denominator"),
                    "range",
                    format!("a denominator is between 1 and {MAX_COUNT}"),
                ));
            } else if !(0..=*denominator).contains(numerator) {
                errors.push(FieldError::new(
                    format!("{at}.numerator"),
                    "range",
                    "a numerator is between 0 and the denominator",
                ));
            }
        }
        Value::Qualitative(text) => {
            let n = text.trim().chars().count();
            if n == 0 || n > MAX_TEXT_CHARS {
                errors.push(FieldError::new(
                    format!("{at}.value"),
                    "length",
                    format!("a qualitative value is 1 to {MAX_TEXT_CHARS} characters"),
                ));
            }
        }
        Value::Count(_) => {}
    }
    if v.note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_TEXT_CHARS)
    {
        errors.push(FieldError::new(
            format!("{at}.note"),
            "max_length",
            format!("a note is at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    check_parts(v, facts, regions, at, errors);
}

/// The parts: only for counted values, along the indicator's dimensions, each category of
/// the dimension once, never negative, and per dimension adding up to the total.
fn check_parts(
    v: &IndicatorValue,
    facts: &IndicatorFacts,
    regions: &[String],
    at: &str,
    errors: &mut Vec<FieldError>,
) {
    let Some(total) = v.value.total() else {
        if !v.parts.is_empty() {
            errors.push(FieldError::new(
                format!("{at}.parts"),
                "not_disaggregated",
                "a qualitative value has no parts",
            ));
        }
        return;
    };
    if v.parts.len() > MAX_PARTS {
        errors.push(FieldError::new(
            format!("{at}.parts"),
            "max_items",
            format!("at most {MAX_PARTS} parts"),
        ));
        return;
    }
    let mut seen = HashSet::new();
    let mut sums: BTreeMap<&'static str, i64> = BTreeMap::new();
    for (j, p) in v.parts.iter().enumerate() {
        let here = format!("{at}.parts.{j}");
        if !facts.dimensions.contains(&p.dimension) {
            errors.push(FieldError::new(
                format!("{here}.dimension"),
                "not_disaggregated",
                format!("{} is not reported by {}", facts.code, p.dimension.as_str()),
            ));
            continue;
        }
        if !p
            .dimension
            .categories(regions)
            .contains(&p.category.as_str())
        {
            errors.push(FieldError::new(
                format!("{here}.category"),
                "one_of",
                format!(
                    "{} is one of {}",
                    p.dimension.as_str(),
                    p.dimension.categories(regions).join(", ")
                ),
            ));
            continue;
        }
        if !seen.insert((p.dimension, p.category.as_str())) {
            errors.push(FieldError::new(
                format!("{here}.category"),
                "duplicate",
                "each category of a dimension once",
            ));
            continue;
        }
        if !(0..=MAX_COUNT).contains(&p.count) {
            errors.push(FieldError::new(
                format!("{here}.count"),
                "range",
                format!("a part is between 0 and {MAX_COUNT}"),
            ));
            continue;
        }
        *sums.entry(p.dimension.as_str()).or_default() += p.count;
    }
    for (dimension, sum) in sums {
        if sum != total {
            errors.push(FieldError::new(
                format!("{at}.parts"),
                "sum",
                format!("the parts by {dimension} add up to {sum}, not to the total {total}"),
            ));
        }
    }
}

fn check_values(values: &[IndicatorValue], facts: &FormFacts<'_>, errors: &mut Vec<FieldError>) {
    let mut seen = HashSet::new();
    for (i, v) in values.iter().enumerate() {
        let at = format!("indicator_values.{i}");
        let Some(indicator) = facts.indicators.iter().find(|f| f.id == v.indicator) else {
            errors.push(FieldError::new(
                format!("{at}.indicator_id"),
                "not_in_grant",
                "the grant does not carry this indicator",
            ));
            continue;
        };
        if !seen.insert(v.indicator) {
            errors.push(FieldError::new(
                format!("{at}.indicator_id"),
                "duplicate",
                "each indicator once",
            ));
            continue;
        }
        check_value(v, indicator, facts.regions, &at, errors);
    }
}

fn check_expenditures(exps: &[Expenditure], facts: &FormFacts<'_>, errors: &mut Vec<FieldError>) {
    let mut seen = HashSet::new();
    for (i, e) in exps.iter().enumerate() {
        let at = format!("expenditures.{i}");
        if !facts.lines.iter().any(|l| l.id == e.line) {
            errors.push(FieldError::new(
                format!("{at}.budget_line_id"),
                "not_in_grant",
                "not a budget line of this grant",
            ));
        } else if !seen.insert(e.line) {
            errors.push(FieldError::new(
                format!("{at}.budget_line_id"),
                "duplicate",
                "each budget line once",
            ));
        }
        if e.amount.currency() != facts.currency {
            errors.push(FieldError::new(
                format!("{at}.amount.currency"),
                "currency",
                format!(
                    "expenditures are in the grant's currency, {}",
                    facts.currency
                ),
            ));
        }
        if e.amount.minor() < 0 {
            errors.push(FieldError::new(
                format!("{at}.amount.amount"),
                "min",
                "an expenditure is not negative",
            ));
        }
        if e.note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_TEXT_CHARS)
        {
            errors.push(FieldError::new(
                format!("{at}.note"),
                "max_length",
                format!("a note is at most {MAX_TEXT_CHARS} characters"),
            ));
        }
    }
}

fn result(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// Checks a saved form: everything in it is consistent (a draft may be incomplete).
pub fn check_form(form: &Form, facts: &FormFacts<'_>) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    check_narrative(&form.narrative, facts.template, &mut errors);
    check_values(&form.values, facts, &mut errors);
    check_expenditures(&form.expenditures, facts, &mut errors);
    result(errors)
}

/// Checks a form for submission: consistent ([`check_form`]) and complete: every required
/// section written, a value for every indicator of the grant.
pub fn check_submission(form: &Form, facts: &FormFacts<'_>) -> Result<(), DomainError> {
    let mut errors = match check_form(form, facts) {
        Ok(()) => Vec::new(),
        Err(DomainError::Invalid(e)) => e,
        Err(other) => return Err(other),
    };
    for s in facts.template.sections().iter().filter(|s| s.required) {
        let written = form
            .narrative
            .get(&s.key)
            .is_some_and(|t| t.translations().values().any(|v| !v.trim().is_empty()));
        if !written {
            errors.push(FieldError::new(
                format!("narrative.{}", s.key),
                "required",
                format!("the section {} is required", s.key),
            ));
        }
    }
    for ind in facts.indicators {
        if !form.values.iter().any(|v| v.indicator == ind.id) {
            errors.push(FieldError::new(
                "indicator_values",
                "missing",
                format!("a value for {} is required", ind.code),
            ));
        }
    }
    result(errors)
}

/// Review comments as a request gives them, per section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// What it is about: a narrative section key, `indicator_values`, `expenditures` or
    /// `general`.
    pub section: String,
    /// The comment.
    pub text: String,
}

/// Checks comments: 1 to [`MAX_COMMENTS`] when `required`, each about a section of the
/// template or `indicator_values`, `expenditures` or `general`, 1 to [`MAX_COMMENT_CHARS`].
pub fn check_comments(
    comments: &[Comment],
    template: &Template,
    required: bool,
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if (required && comments.is_empty()) || comments.len() > MAX_COMMENTS {
        errors.push(FieldError::new(
            "comments",
            "length",
            format!("1 to {MAX_COMMENTS} comments say what to revise"),
        ));
    }
    for (i, c) in comments.iter().enumerate() {
        let known = ["indicator_values", "expenditures", "general"].contains(&c.section.as_str())
            || template.sections().iter().any(|s| s.key == c.section);
        if !known {
            errors.push(FieldError::new(
                format!("comments.{i}.section"),
                "unknown_section",
                "a comment is about a narrative section, indicator_values, expenditures or general",
            ));
        }
        let n = c.text.trim().chars().count();
        if n == 0 || n > MAX_COMMENT_CHARS {
            errors.push(FieldError::new(
                format!("comments.{i}.text"),
                "length",
                format!("a comment is 1 to {MAX_COMMENT_CHARS} characters"),
            ));
        }
    }
    result(errors)
}

/// What one comment posted on its own is about, checked: a section of the template or
/// `general`, and 1 to [`MAX_COMMENT_CHARS`] characters of text (fields `section`, `text`).
pub fn check_comment(comment: &Comment, template: &Template) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    let known = comment.section == "general"
        || template.sections().iter().any(|s| s.key == comment.section);
    if !known {
        errors.push(FieldError::new(
            "section",
            "unknown_section",
            format!(
                "a comment is about one of the programme's sections ({}) or general",
                template
                    .sections()
                    .iter()
                    .map(|s| s.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let n = comment.text.trim().chars().count();
    if n == 0 || n > MAX_COMMENT_CHARS {
        errors.push(FieldError::new(
            "text",
            "length",
            format!("a comment is 1 to {MAX_COMMENT_CHARS} characters"),
        ));
    }
    result(errors)
}

/// Whether a report in `status` takes comments: in every status but `due` (nothing saved yet
/// to comment on), which is a conflict naming the state.
pub fn check_commentable(status: ReportStatus) -> Result<(), DomainError> {
    if status == ReportStatus::Due {
        return Err(DomainError::InvalidTransition {
            entity: "report",
            action: "comment",
            from: status.as_str(),
            allowed: status.allowed_actions(),
        });
    }
    Ok(())
}

/// What differs between a submission and the one before it: the narrative sections, the
/// indicators and the budget lines whose content changed (added, removed or edited), each
/// sorted. Everything the form holds, for the first submission.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Changed {
    /// Narrative section keys.
    pub sections: Vec<String>,
    /// Indicators whose value, parts or note differ.
    pub indicators: Vec<IndicatorId>,
    /// Budget lines whose expenditure (amount or note) differs.
    pub lines: Vec<BudgetLineId>,
}

/// A value with its parts in a fixed order, so that the order parts were given in does not
/// count as a change.
fn normalized(v: &IndicatorValue) -> IndicatorValue {
    let mut v = v.clone();
    v.parts.sort_by(|a, b| {
        (a.dimension.as_str(), &a.category).cmp(&(b.dimension.as_str(), &b.category))
    });
    v
}

/// The keys present in either map whose entries differ.
fn differing<K: Ord + Clone, V: PartialEq>(a: &BTreeMap<K, V>, b: &BTreeMap<K, V>) -> Vec<K> {
    let keys: std::collections::BTreeSet<&K> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// What changed from `previous` (`None`: this is the first submission) to `current`.
pub fn diff(previous: Option<&Form>, current: &Form) -> Changed {
    let empty = Form::default();
    let before = previous.unwrap_or(&empty);
    let values = |f: &Form| -> BTreeMap<IndicatorId, IndicatorValue> {
        f.values
            .iter()
            .map(|v| (v.indicator, normalized(v)))
            .collect()
    };
    let spent = |f: &Form| -> BTreeMap<BudgetLineId, (Money, Option<String>)> {
        f.expenditures
            .iter()
            .map(|e| (e.line, (e.amount, e.note.clone())))
            .collect()
    };
    Changed {
        sections: differing(&before.narrative, &current.narrative),
        indicators: differing(&values(before), &values(current)),
        lines: differing(&spent(before), &spent(current)),
    }
}

/// One budget line's money as a report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSummary {
    /// The line.
    pub line: BudgetLineId,
    /// Its budget.
    pub budget: Money,
    /// Spent in this report's period.
    pub this_period: Money,
    /// Spent up to and including this period.
    pub to_date: Money,
    /// Budget left.
    pub remaining: Money,
    /// `(to_date − budget) / budget` in hundredths of a percent, rounded toward zero (negative:
    /// under budget); `None` for a line budgeted at zero.
    pub variance_basis_points: Option<i64>,
}

/// The money summary of every budget line: `before` holds what earlier reports spent per line
/// (minor units), `form` this period's expenditures.
pub fn summarize(
    lines: &[BudgetLine],
    form: &[Expenditure],
    before: &[(BudgetLineId, i64)],
) -> Vec<LineSummary> {
    lines
        .iter()
        .map(|l| {
            let currency = l.amount.currency();
            let now: i64 = form
                .iter()
                .filter(|e| e.line == l.id)
                .map(|e| e.amount.minor())
                .sum();
            let earlier: i64 = before
                .iter()
                .filter(|(id, _)| *id == l.id)
                .map(|(_, m)| *m)
                .sum();
            let to_date = earlier.saturating_add(now);
            let budget = l.amount.minor();
            let variance_basis_points = (budget != 0).then(|| {
                let bp = (i128::from(to_date) - i128::from(budget)) * 10_000 / i128::from(budget);
                i64::try_from(bp).unwrap_or(if bp < 0 { i64::MIN } else { i64::MAX })
            });
            LineSummary {
                line: l.id,
                budget: l.amount,
                this_period: Money::from_minor(now, currency),
                to_date: Money::from_minor(to_date, currency),
                remaining: Money::from_minor(budget.saturating_sub(to_date), currency),
                variance_basis_points,
            }
        })
        .collect()
}

/// A tranche tied to a report that is not accepted yet (DESIGN: a tranche may wait for a
/// report; 409 `report-not-accepted` naming the requirement and the report's status).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportNotAccepted {
    /// The requirement whose report the tranche waits for.
    pub requirement: RequirementId,
    /// That report's status (`due` while nobody has saved it).
    pub status: ReportStatus,
}

impl std::fmt::Display for ReportNotAccepted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "The tranche waits for the report of requirement {}, which is {}, not accepted.",
            self.requirement,
            self.status.as_str()
        )
    }
}

/// Whether a tranche may be approved or paid: one tied to a requirement only once that
/// requirement's report is accepted (`report` is `None` while no report exists: `due`).
pub fn check_tranche_report(
    requirement: Option<RequirementId>,
    report: Option<ReportStatus>,
) -> Result<(), ReportNotAccepted> {
    let Some(requirement) = requirement else {
        return Ok(());
    };
    match report.unwrap_or(ReportStatus::Due) {
        ReportStatus::Accepted => Ok(()),
        status => Err(ReportNotAccepted {
            requirement,
            status,
        }),
    }
}

/// Hundredths of a percent as a decimal string with two places: `-2500` → `-25.00`.
pub fn percent_string(basis_points: i64) -> String {
    let sign = if basis_points < 0 { "-" } else { "" };
    let abs = basis_points.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::Workflow;
    use uuid::Uuid;

    fn kzt() -> Currency {
        Currency::parse("KZT").unwrap()
    }

    fn ind(n: u128) -> IndicatorId {
        IndicatorId::from_uuid(Uuid::from_u128(n))
    }

    fn line(n: u128, minor: i64) -> BudgetLine {
        BudgetLine {
            id: BudgetLineId::from_uuid(Uuid::from_u128(100 + n)),
            category: "staff".into(),
            description: "Salaries".into(),
            amount: Money::from_minor(minor, kzt()),
        }
    }

    fn text(s: &str) -> LocalizedText {
        LocalizedText::parse([("en".to_owned(), s.to_owned())].into(), MAX_SECTION_CHARS).unwrap()
    }

    struct World {
        template: Template,
        indicators: Vec<IndicatorFacts>,
        regions: Vec<String>,
        lines: Vec<BudgetLine>,
    }

    fn world() -> World {
        World {
            template: Template::default(),
            indicators: vec![
                IndicatorFacts {
                    id: ind(1),
                    code: "PEOPLE".into(),
                    kind: IndicatorKind::Count,
                    dimensions: vec![Dimension::Sex, Dimension::Region],
                },
                IndicatorFacts {
                    id: ind(2),
                    code: "SHARE".into(),
                    kind: IndicatorKind::Percentage,
                    dimensions: vec![],
                },
                IndicatorFacts {
                    id: ind(3),
                    code: "STORY".into(),
                    kind: IndicatorKind::Qualitative,
                    dimensions: vec![],
                },
            ],
            regions: vec!["KZ-39".into(), "KZ-75".into()],
            lines: vec![line(1, 300_000), line(2, 100_000)],
        }
    }

    fn facts(w: &World) -> FormFacts<'_> {
        FormFacts {
            template: &w.template,
            indicators: &w.indicators,
            regions: &w.regions,
            lines: &w.lines,
            currency: kzt(),
        }
    }

    fn part(dimension: Dimension, category: &str, count: i64) -> Part {
        Part {
            dimension,
            category: category.into(),
            count,
        }
    }

    fn complete(w: &World) -> Form {
        Form {
            narrative: [
                ("activities".to_owned(), text("Trainings")),
                ("results".to_owned(), text("150 trained")),
            ]
            .into(),
            values: vec![
                IndicatorValue {
                    indicator: ind(1),
                    value: Value::Count(150),
                    parts: vec![
                        part(Dimension::Sex, "female", 90),
                        part(Dimension::Sex, "male", 60),
                        part(Dimension::Region, "KZ-39", 150),
                    ],
                    note: None,
                },
                IndicatorValue {
                    indicator: ind(2),
                    value: Value::Percentage {
                        numerator: 3,
                        denominator: 4,
                    },
                    parts: vec![],
                    note: Some("of trainees".into()),
                },
                IndicatorValue {
                    indicator: ind(3),
                    value: Value::Qualitative("A law was amended".into()),
                    parts: vec![],
                    note: None,
                },
            ],
            expenditures: vec![Expenditure {
                line: w.lines[0].id,
                amount: Money::from_minor(75_000, kzt()),
                note: None,
            }],
        }
    }

    fn fields(r: Result<(), DomainError>) -> Vec<(String, &'static str)> {
        match r {
            Err(DomainError::Invalid(e)) => e.into_iter().map(|e| (e.field, e.code)).collect(),
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn the_report_workflow_allows_only_its_edges() {
        use ReportAction::{Accept, Edit, RequestRevision, Submit};
        use ReportStatus::{Accepted, Draft, Due, RevisionRequested, Submitted};
        assert_eq!(Due.next(Edit).unwrap(), Draft);
        assert_eq!(Draft.next(Submit).unwrap(), Submitted);
        assert_eq!(Submitted.next(RequestRevision).unwrap(), RevisionRequested);
        assert_eq!(RevisionRequested.next(Edit).unwrap(), RevisionRequested);
        assert_eq!(RevisionRequested.next(Submit).unwrap(), Submitted);
        assert_eq!(Submitted.next(Accept).unwrap(), Accepted);
        for (from, action) in [
            (Due, Submit),
            (Submitted, Edit),
            (Accepted, Edit),
            (Accepted, RequestRevision),
            (Draft, Accept),
        ] {
            match from.next(action) {
                Err(DomainError::InvalidTransition { from: f, .. }) => assert_eq!(f, from.as_str()),
                other => panic!("{from:?} {action:?}: {other:?}"),
            }
        }
        assert_eq!(Accepted.allowed_actions(), Vec::<&str>::new());
        assert!(Submitted.delivered() && Accepted.delivered() && !RevisionRequested.delivered());
    }

    #[test]
    fn a_complete_form_passes_and_a_draft_may_be_partial() {
        let w = world();
        assert_eq!(check_submission(&complete(&w), &facts(&w)), Ok(()));
        assert_eq!(check_form(&Form::default(), &facts(&w)), Ok(()));
    }

    #[test]
    fn submission_needs_the_required_sections_and_every_indicator() {
        let w = world();
        let mut f = complete(&w);
        f.narrative.remove("results");
        f.values.remove(2);
        assert_eq!(
            fields(check_submission(&f, &facts(&w))),
            vec![
                ("narrative.results".to_owned(), "required"),
                ("indicator_values".to_owned(), "missing")
            ]
        );
    }

    #[test]
    fn every_value_rule_names_its_field() {
        let w = world();
        let mut f = complete(&w);
        f.narrative.insert("budget".into(), text("x"));
        f.values[0].parts = vec![
            part(Dimension::Sex, "female", 90),
            part(Dimension::Sex, "male", 50),
            part(Dimension::Sex, "female", 10),
            part(Dimension::AgeBand, "18-29", 150),
            part(Dimension::Region, "KZ-11", 150),
            part(Dimension::Region, "KZ-39", -1),
        ];
        f.values[1].value = Value::Percentage {
            numerator: 5,
            denominator: 4,
        };
        f.values[2].value = Value::Count(3);
        f.values.push(IndicatorValue {
            indicator: ind(9),
            value: Value::Count(1),
            parts: vec![],
            note: None,
        });
        f.values.push(f.values[1].clone());
        assert_eq!(
            fields(check_form(&f, &facts(&w))),
            vec![
                ("narrative.budget".to_owned(), "unknown_section"),
                (
                    "indicator_values.0.parts.2.category".to_owned(),
                    "duplicate"
                ),
                (
                    "indicator_values.0.parts.3.dimension".to_owned(),
                    "not_disaggregated"
                ),
                ("indicator_values.0.parts.4.category".to_owned(), "one_of"),
                ("indicator_values.0.parts.5.count".to_owned(), "range"),
                ("indicator_values.0.parts".to_owned(), "sum"),
                ("indicator_values.1.numerator".to_owned(), "range"),
                ("indicator_values.2.value".to_owned(), "kind"),
                ("indicator_values.3.indicator_id".to_owned(), "not_in_grant"),
                ("indicator_values.4.indicator_id".to_owned(), "duplicate"),
            ]
        );
    }

    #[test]
    fn counts_are_never_negative_and_percentages_have_a_denominator() {
        let w = world();
        let mut f = complete(&w);
        f.values[0].value = Value::Count(-1);
        f.values[0].parts.clear();
        f.values[1].value = Value::Percentage {
            numerator: 0,
            denominator: 0,
        };
        f.values[2].value = Value::Qualitative("  ".into());
        assert_eq!(
            fields(check_form(&f, &facts(&w))),
            vec![
                ("indicator_values.0.value".to_owned(), "range"),
                ("indicator_values.1.denominator".to_owned(), "range"),
                ("indicator_values.2.value".to_owned(), "length"),
            ]
        );
    }

    #[test]
    fn expenditures_are_per_line_of_the_grant_in_its_currency() {
        let w = world();
        let mut f = complete(&w);
        let eur = Currency::parse("EUR").unwrap();
        f.expenditures = vec![
            Expenditure {
                line: w.lines[0].id,
                amount: Money::from_minor(-5, kzt()),
                note: None,
            },
            Expenditure {
                line: w.lines[0].id,
                amount: Money::from_minor(5, kzt()),
                note: None,
            },
            Expenditure {
                line: BudgetLineId::from_uuid(Uuid::from_u128(999)),
                amount: Money::from_minor(5, eur),
                note: None,
            },
        ];
        assert_eq!(
            fields(check_form(&f, &facts(&w))),
            vec![
                ("expenditures.0.amount.amount".to_owned(), "min"),
                ("expenditures.1.budget_line_id".to_owned(), "duplicate"),
                ("expenditures.2.budget_line_id".to_owned(), "not_in_grant"),
                ("expenditures.2.amount.currency".to_owned(), "currency"),
            ]
        );
    }

    #[test]
    fn each_line_shows_budget_spent_remaining_and_variance() {
        let w = world();
        let form = complete(&w).expenditures;
        let before = [(w.lines[0].id, 150_000), (w.lines[0].id, 25_000)];
        let s = summarize(&w.lines, &form, &before);
        assert_eq!(s[0].this_period.minor(), 75_000);
        assert_eq!(s[0].to_date.minor(), 250_000);
        assert_eq!(s[0].remaining.minor(), 50_000);
        assert_eq!(
            s[0].variance_basis_points.map(percent_string).as_deref(),
            Some("-16.66")
        );
        assert_eq!(s[1].to_date.minor(), 0);
        assert_eq!(
            s[1].variance_basis_points.map(percent_string).as_deref(),
            Some("-100.00")
        );
        assert_eq!(
            summarize(&[line(3, 0)], &[], &[])[0].variance_basis_points,
            None
        );
        assert_eq!(percent_string(1250), "12.50");
        assert_eq!(percent_string(-5), "-0.05");
    }

    #[test]
    fn templates_and_comments_are_checked() {
        let s = |key: &str| Section {
            key: key.into(),
            required: false,
        };
        assert!(Template::parse(vec![s("activities"), s("impact_2")]).is_ok());
        assert_eq!(
            fields(Template::parse(vec![s("Activities"), s("x"), s("x")]).map(|_| ())),
            vec![
                ("0.key".to_owned(), "format"),
                ("2.key".to_owned(), "duplicate")
            ]
        );
        assert!(Template::parse(vec![]).is_err());
        let t = Template::default();
        let c = |section: &str, text: &str| Comment {
            section: section.into(),
            text: text.into(),
        };
        assert!(
            check_comments(
                &[c("results", "Add numbers"), c("expenditures", "Receipts?")],
                &t,
                true
            )
            .is_ok()
        );
        assert_eq!(
            fields(check_comments(
                &[c("budget", "x"), c("general", " ")],
                &t,
                true
            )),
            vec![
                ("comments.0.section".to_owned(), "unknown_section"),
                ("comments.1.text".to_owned(), "length")
            ]
        );
        assert_eq!(
            fields(check_comments(&[], &t, true)),
            vec![("comments".to_owned(), "length")]
        );
        assert!(check_comments(&[], &t, false).is_ok());
    }

    #[test]
    fn a_template_in_use_only_gains_optional_sections() {
        let s = |key: &str, required| Section {
            key: key.into(),
            required,
        };
        let t = Template::default();
        let free = Template::parse(vec![s("story", true)]).unwrap();
        assert_eq!(t.check_change(&free, false), Ok(()));
        let mut more = t.sections().to_vec();
        more.push(s("photos", false));
        assert_eq!(
            t.check_change(&Template::parse(more).unwrap(), true),
            Ok(())
        );
        let mut broken = t.sections()[1..].to_vec();
        broken[1].required = true;
        broken.push(s("impact", true));
        match t.check_change(&Template::parse(broken).unwrap(), true) {
            Err(DomainError::Conflict(m)) => {
                assert!(m.contains("activities, challenges, impact"), "{m}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_first_submission_changes_everything_it_holds() {
        let w = world();
        let f = complete(&w);
        let c = diff(None, &f);
        assert_eq!(
            c.sections,
            vec!["activities".to_owned(), "results".to_owned()]
        );
        assert_eq!(c.indicators, vec![ind(1), ind(2), ind(3)]);
        assert_eq!(c.lines, vec![w.lines[0].id]);
        assert_eq!(diff(None, &Form::default()), Changed::default());
    }

    #[test]
    fn an_unchanged_resubmission_changes_nothing_even_with_parts_reordered() {
        let w = world();
        let f = complete(&w);
        let mut again = f.clone();
        again.values[0].parts.reverse();
        assert_eq!(diff(Some(&f), &again), Changed::default());
    }

    #[test]
    fn edited_added_and_removed_entries_are_changes() {
        let w = world();
        let before = complete(&w);
        let mut after = before.clone();
        // An edited section, a removed one and a new one.
        after
            .narrative
            .insert("results".into(), text("160 trained"));
        after.narrative.remove("activities");
        after.narrative.insert("challenges".into(), text("Snow"));
        // A changed part, a changed note, a removed value.
        after.values[0].parts[0].count = 91;
        after.values[0].parts[1].count = 59;
        after.values[1].note = None;
        after.values.remove(2);
        // A changed amount and a new line.
        after.expenditures[0].amount = Money::from_minor(75_001, kzt());
        after.expenditures.push(Expenditure {
            line: w.lines[1].id,
            amount: Money::from_minor(0, kzt()),
            note: None,
        });
        let c = diff(Some(&before), &after);
        assert_eq!(
            c.sections,
            vec![
                "activities".to_owned(),
                "challenges".to_owned(),
                "results".to_owned()
            ]
        );
        assert_eq!(c.indicators, vec![ind(1), ind(2), ind(3)]);
        assert_eq!(c.lines, vec![w.lines[0].id, w.lines[1].id]);
        // Only a note of an expenditure.
        let mut noted = before.clone();
        noted.expenditures[0].note = Some("receipts".into());
        let c = diff(Some(&before), &noted);
        assert_eq!(
            (c.sections.len(), c.indicators.len(), c.lines),
            (0, 0, vec![w.lines[0].id])
        );
    }

    #[test]
    fn a_comment_is_about_a_section_or_general_and_never_on_a_due_report() {
        let t = Template::default();
        let c = |section: &str, text: &str| Comment {
            section: section.into(),
            text: text.into(),
        };
        assert!(check_comment(&c("results", "Add numbers"), &t).is_ok());
        assert!(check_comment(&c("general", "Thanks"), &t).is_ok());
        assert_eq!(
            fields(check_comment(&c("budget", " "), &t)),
            vec![
                ("section".to_owned(), "unknown_section"),
                ("text".to_owned(), "length")
            ]
        );
        assert_eq!(
            fields(check_comment(
                &c("results", &"x".repeat(MAX_COMMENT_CHARS + 1)),
                &t
            )),
            vec![("text".to_owned(), "length")]
        );
        for s in ReportStatus::ALL {
            let r = check_commentable(*s);
            if *s == ReportStatus::Due {
                assert!(matches!(
                    r,
                    Err(DomainError::InvalidTransition { from: "due", .. })
                ));
            } else {
                assert_eq!(r, Ok(()), "{s:?}");
            }
        }
    }

    #[test]
    fn a_tranche_tied_to_a_report_waits_for_its_acceptance() {
        let r = RequirementId::from_uuid(Uuid::from_u128(7));
        assert_eq!(check_tranche_report(None, None), Ok(()));
        assert_eq!(
            check_tranche_report(Some(r), None),
            Err(ReportNotAccepted {
                requirement: r,
                status: ReportStatus::Due
            })
        );
        for s in [
            ReportStatus::Draft,
            ReportStatus::Submitted,
            ReportStatus::RevisionRequested,
        ] {
            let e = check_tranche_report(Some(r), Some(s)).unwrap_err();
            assert_eq!(e.status, s);
            assert!(e.to_string().contains(s.as_str()));
        }
        assert_eq!(
            check_tranche_report(Some(r), Some(ReportStatus::Accepted)),
            Ok(())
        );
    }
}
