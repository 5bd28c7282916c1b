//! Alerts to the operators over SNS: the moderation topic (apart from the
//! alarms' topic), whose subscribers are the operators' addresses. An alert
//! says that something waits on the desk and what kind of thing it is;
//! never who reported whom, and never a word anyone wrote.

use crate::domain::moderation::{ReportReason, ReportTarget};

/// Publishes to the moderation topic, if one is configured.
#[derive(Clone)]
pub struct Alerts {
    topic: Option<(aws_sdk_sns::Client, String)>,
}

/// What an alert says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The email subject (SNS: at most 100 characters).
    pub subject: String,
    /// The text.
    pub message: String,
}

impl Alert {
    /// A new report waits on the desk: its kind and reason, and where to go.
    pub fn new_report(target: &ReportTarget, reason: ReportReason, site: Option<&str>) -> Self {
        let desk = site.map_or_else(
            || "the Moderation screen of the app".to_owned(),
            |site| format!("{site}/moderation"),
        );
        Self {
            subject: "Intentional Social: a new report waits for an operator".into(),
            message: format!(
                "A {kind} was reported ({reason}).\n\nOpen {desk} to read the report and act on it. \
                 This message holds nothing of what was reported, on purpose.\n",
                kind = target.kind(),
                reason = reason.as_str().replace('_', " "),
            ),
        }
    }
}

impl Alerts {
    /// Alerts to `topic_arn`; none without one.
    pub fn new(sdk_config: &aws_config::SdkConfig, topic_arn: Option<String>) -> Self {
        Self {
            topic: topic_arn.map(|arn| (aws_sdk_sns::Client::new(sdk_config), arn)),
        }
    }

    /// Publishes `alert` (1 SNS Publish). A failure is logged and dropped:
    /// the report is on the desk whether or not its alert went out.
    pub async fn send(&self, alert: Alert) {
        let Some((client, arn)) = &self.topic else {
            tracing::info!(
                event = "moderation_alert_skipped",
                "no moderation topic configured"
            );
            return;
        };
        match client
            .publish()
            .topic_arn(arn)
            .subject(alert.subject)
            .message(alert.message)
            .send()
            .await
        {
            Ok(_) => tracing::info!(
                event = "moderation_alert_sent",
                "moderation alert published"
            ),
            Err(error) => tracing::error!(
                event = "moderation_alert_failed",
                error = %aws_smithy_types::error::display::DisplayErrorContext(&error),
                "moderation alert not published"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::PostId;

    #[test]
    fn a_report_alert_names_the_kind_and_reason_only() {
        let alert = Alert::new_report(
            &ReportTarget::Post(PostId::new()),
            ReportReason::ViolenceOrSelfHarm,
            Some("https://social.example"),
        );
        assert!(alert.subject.len() <= 100);
        assert!(
            alert
                .message
                .contains("A post was reported (violence or self harm)")
        );
        assert!(alert.message.contains("https://social.example/moderation"));
    }
}
