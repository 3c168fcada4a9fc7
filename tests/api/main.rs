//! Integration tests: each test starts the real app on a random port and calls it over HTTP,
//! once against a fresh SQLite file and once against a fresh PostgreSQL database.

#[expect(
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "the test harness fails loudly by design"
)]
mod helpers;

#[cfg(test)]
mod action_items;
#[cfg(test)]
mod applications;
#[cfg(test)]
mod attachments;
#[cfg(test)]
mod audit;
#[cfg(test)]
mod auth;
#[cfg(test)]
mod bounds;
#[cfg(test)]
mod calls;
#[cfg(test)]
mod contract;
#[cfg(test)]
mod dushanbe_conference;
#[cfg(test)]
mod errors;
#[cfg(test)]
mod files;
#[cfg(test)]
mod grants;
#[cfg(test)]
mod idempotency;
#[cfg(test)]
mod indicators;
#[cfg(test)]
mod meeting_series;
#[cfg(test)]
mod meetings;
#[cfg(test)]
mod members;
#[cfg(test)]
mod networks;
#[cfg(test)]
mod organizations;
#[cfg(test)]
mod outages;
#[cfg(test)]
mod platform;
#[cfg(test)]
mod programmes;
#[cfg(test)]
mod races;
#[cfg(test)]
mod recommendations;
#[cfg(test)]
mod report_reading;
#[cfg(test)]
mod report_rules;
#[cfg(test)]
mod report_templates;
#[cfg(test)]
mod reporting_year;
#[cfg(test)]
mod reports;
#[cfg(test)]
mod requirements;
#[cfg(test)]
mod results;
#[cfg(test)]
mod reviews;
#[cfg(test)]
mod schema;
#[cfg(test)]
mod social_camp;
#[cfg(test)]
mod training_attendance;
#[cfg(test)]
mod users;
#[cfg(test)]
mod visibility;
