//! Who sees a programme's results, and how much (DESIGN "Reports and results": the aggregate
//! of an active programme is public; "Who may do what": anonymous callers see aggregate
//! results).
//!
//! The programme's staff (admins, the managing organisation's members, funders' members: the
//! programme policy's `Manager` and `Involved`) see the full roll-up, grant by grant. Anyone
//! else who may read the programme (a signed-in user, once it is not a draft) sees the
//! aggregate without grantee detail, and so does an anonymous caller while the programme is
//! active. A grant's results are read like the grant (`access::grant`, right `Read`).

use super::Actor;
use super::programme::{ProgrammeFacts, ProgrammeRole, programme};

/// How much of a programme's results a caller sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultsView {
    /// Everything, with the breakdown by grant and grantee.
    Full,
    /// The aggregate, without any grantee detail.
    Aggregate,
}

/// What a caller (`None`: anonymous) sees of the results of a programme (`active`: its status
/// is `active`); `None` when they may not see them (404).
pub fn programme_results(
    actor: Option<&Actor>,
    facts: &ProgrammeFacts,
    active: bool,
) -> Option<ResultsView> {
    match actor {
        None => active.then_some(ResultsView::Aggregate),
        Some(actor) => programme(actor, facts).map(|role| match role {
            ProgrammeRole::Manager | ProgrammeRole::Involved => ResultsView::Full,
            ProgrammeRole::Reader => ResultsView::Aggregate,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::fixtures::*;
    use crate::access::programme::Circle;
    use crate::membership::OrgRole::{Accountant, Manager, Member, Owner};
    use ResultsView::{Aggregate, Full};

    /// Caller × programme status, from DESIGN: staff see everything, others the aggregate of a
    /// published programme, anonymous callers that of an active one.
    #[test]
    fn results_view_by_caller_and_status_table() {
        let facts = |draft| ProgrammeFacts {
            circle: Circle {
                managing: org(1),
                funders: vec![org(2)],
            },
            draft,
        };
        // (who, actor, [draft, active, closed])
        type Row = (&'static str, Option<Actor>, [Option<ResultsView>; 3]);
        let rows: Vec<Row> = vec![
            ("anonymous", None, [None, Some(Aggregate), None]),
            ("admin", Some(admin()), [Some(Full); 3]),
            (
                "managing owner",
                Some(member(1, org(1), Owner)),
                [Some(Full); 3],
            ),
            (
                "managing manager",
                Some(member(2, org(1), Manager)),
                [Some(Full); 3],
            ),
            (
                "managing accountant",
                Some(member(3, org(1), Accountant)),
                [Some(Full); 3],
            ),
            (
                "funder member",
                Some(member(4, org(2), Member)),
                [Some(Full); 3],
            ),
            (
                "outsider",
                Some(outsider()),
                [None, Some(Aggregate), Some(Aggregate)],
            ),
            (
                "grantee owner",
                Some(member(5, org(3), Owner)),
                [None, Some(Aggregate), Some(Aggregate)],
            ),
        ];
        for (who, actor, want) in rows {
            let got = [(true, false), (false, true), (false, false)]
                .map(|(draft, active)| programme_results(actor.as_ref(), &facts(draft), active));
            assert_eq!(got, want, "{who}");
        }
    }
}
