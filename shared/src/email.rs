//! Outgoing email through SES v2: one-time codes and account notices.

use aws_sdk_sesv2::Client;
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message, MessageHeader};

use crate::domain::one_time_code::{CODE_TTL_SECONDS, CodePurpose};

/// An email could not be sent.
#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    /// SES is throttling (sending quota or rate).
    #[error("SES throttled the request")]
    Throttled,
    /// SES failed or refused (unverified identity, outage, ...): its error
    /// code or the kind of failure, never its message.
    #[error("SES request failed: {0}")]
    Unavailable(String),
}

/// An email ready to send: plain text, because it is calm and it renders everywhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// The one-click unsubscribe address of a notice (RFC 8058): sent as
    /// `List-Unsubscribe` with `List-Unsubscribe-Post`.
    pub unsubscribe: Option<String>,
}

impl Email {
    /// The message carrying a one-time code.
    pub fn code(purpose: CodePurpose, code: &str) -> Self {
        let minutes = CODE_TTL_SECONDS / 60;
        let (subject, why) = match purpose {
            CodePurpose::Register => (
                "Your Intentional Social sign-up code",
                "to finish creating your Intentional Social account",
            ),
            CodePurpose::PasswordReset => (
                "Your Intentional Social password reset code",
                "to choose a new password for your Intentional Social account",
            ),
            CodePurpose::EmailChange => (
                "Your Intentional Social email change code",
                "to make this the address of your Intentional Social account",
            ),
            CodePurpose::AccountDeletion => (
                "Your Intentional Social account deletion code",
                "to delete your Intentional Social account and everything in it, for good",
            ),
        };
        Self {
            subject: format!("{subject}: {code}"),
            unsubscribe: None,
            text: format!(
                "Hello,\n\nYour code is {code}. Enter it {why}.\n\nIt works once and expires in {minutes} minutes. \
                 If you did not ask for it, you can ignore this email: nothing happens without the code.\n\n— Intentional Social\n"
            ),
        }
    }

    /// Sent instead of a sign-up code when the address already has an account,
    /// so the sign-up form never reveals which addresses are registered.
    pub fn already_registered() -> Self {
        Self {
            unsubscribe: None,
            subject: "You already have an Intentional Social account".into(),
            text: "Hello,\n\nSomeone (hopefully you) tried to sign up for Intentional Social with this email address, \
                   but it already has an account. Sign in instead; if you forgot your password, use \
                   \"Forgot password\" on the sign-in page.\n\nIf this was not you, you can ignore this email.\n\n— Intentional Social\n"
                .into(),
        }
    }

    /// Sent after the account's password was changed (a completed reset): no
    /// code and no link, so it cannot be used to get in, and it says what
    /// to do if it was not the owner.
    pub fn password_changed() -> Self {
        Self {
            unsubscribe: None,
            subject: "Your Intentional Social password was changed".into(),
            text: "Hello,\n\nThe password of your Intentional Social account was just changed, and every \
                   device that was signed in to it was signed out.\n\nIf this was you, there is nothing to do.\n\n\
                   If it was not you, someone could read a code we sent to this email address. Secure this \
                   mailbox first: change its password. Then choose a new Intentional Social password with \
                   \"Forgot password\" on the sign-in page; that signs everyone else out again.\n\n\
                   We never ask for your password or a code by email.\n\n— Intentional Social\n"
                .into(),
        }
    }

    /// Sent to the account's address once it was deleted: what went, and
    /// that nothing of it is kept.
    pub fn account_deleted() -> Self {
        Self {
            unsubscribe: None,
            subject: "Your Intentional Social account was deleted".into(),
            text: "Hello,\n\nYour Intentional Social account was deleted, as you asked: your profile, posts, \
                   comments, reactions, connections, tags, requests and notifications are gone, and your \
                   connections no longer see you. We keep nothing of it. Your username can be taken again \
                   after 30 days; this address can sign up again at once.\n\n\
                   If this was not you, someone had your password or could read this mailbox: secure this \
                   mailbox, and write to the operators of your installation.\n\nThank you for the time you \
                   spent with us.\n\n— Intentional Social\n"
                .into(),
        }
    }

    /// Sent to the old address once an account moved to a new one: no link
    /// and no code, and what to do if it was not the owner.
    pub fn email_changed() -> Self {
        Self {
            unsubscribe: None,
            subject: "Your Intentional Social email address was changed".into(),
            text: "Hello,\n\nThe email address of your Intentional Social account was just changed; \
                   this address no longer signs in to it and gets no more codes.\n\n\
                   If this was you, there is nothing to do.\n\n\
                   If it was not you, someone signed in to your account. Reply to this email or write \
                   to the operators of your installation, with the time you got it.\n\n— Intentional Social\n"
                .into(),
        }
    }

    /// Sent to the author of a post or comment an operator removed: what
    /// (its kind and when it was written, never its text), and the
    /// operator's reason.
    pub fn content_removed(what: &str, written: &str, reason: &str) -> Self {
        Self {
            unsubscribe: None,
            subject: format!("Your {what} on Intentional Social was removed"),
            text: format!(
                "Hello,\n\nThe operators of this network removed your {what} written {written}.\n\n\
                 Their reason: {reason}\n\n\
                 If you think this was a mistake, reply to this email or write to the operators.\n\n\
                 — Intentional Social\n"
            ),
        }
    }

    /// Sent when a reset is asked for an address without an account.
    pub fn no_account() -> Self {
        Self {
            unsubscribe: None,
            subject: "Intentional Social password reset".into(),
            text: "Hello,\n\nSomeone asked to reset the Intentional Social password for this email address, \
                   but there is no account with it. If that was you, perhaps you signed up with another address.\n\n\
                   If this was not you, you can ignore this email.\n\n— Intentional Social\n"
                .into(),
        }
    }
}

impl Email {
    /// "ann wants to connect": the person's name and nothing else they
    /// wrote, with the way to turn these emails off.
    pub fn connection_request(from: &str, site: &str, unsubscribe: String) -> Self {
        Self {
            subject: format!("{from} wants to connect on Intentional Social"),
            text: format!(
                "Hello,\n\n{from} asked to connect with you on Intentional Social. \
                 See the request and answer it when you like: {site}/requests\n\n\
                 You get this email because you asked to hear about new requests. \
                 Turn these emails off: {unsubscribe}\n\n— Intentional Social\n"
            ),
            unsubscribe: Some(unsubscribe),
        }
    }

    /// An invitation from `from` (their username, and their display name if
    /// they set one): who, the link, how long it works, and the one-click
    /// way to receive no more. Nothing else they wrote.
    pub fn invitation(from: &str, link: &str, days: i64, opt_out: String) -> Self {
        Self {
            subject: format!("{from} invites you to Intentional Social"),
            text: format!(
                "Hello,\n\n{from} invites you to join them on Intentional Social, a calm social \
                 network without ads or algorithms: each person keeps at most 100 connections \
                 and reads what they share, newest first.\n\n\
                 Join, and be connected with {from} at once: {link}\n\n\
                 The link works for {days} days, for this address only.\n\n\
                 If you do not want invitations from anyone on Intentional Social, \
                 follow this link and you will get no more: {opt_out}\n\n— Intentional Social\n"
            ),
            unsubscribe: Some(opt_out),
        }
    }

    /// "ann accepted your request", likewise.
    pub fn request_accepted(by: &str, site: &str, unsubscribe: String) -> Self {
        Self {
            subject: format!("{by} accepted your request on Intentional Social"),
            text: format!(
                "Hello,\n\n{by} accepted your request: you are now connected on Intentional Social. \
                 {site}/connections\n\n\
                 You get this email because you asked to hear when a request is accepted. \
                 Turn these emails off: {unsubscribe}\n\n— Intentional Social\n"
            ),
            unsubscribe: Some(unsubscribe),
        }
    }
}

/// Sends email from the configured identity.
#[derive(Clone)]
pub struct Mailer {
    client: Client,
    from: String,
    configuration_set: Option<String>,
}

impl Mailer {
    /// A mailer sending as `from`.
    pub fn new(
        sdk_config: &aws_config::SdkConfig,
        from: String,
        configuration_set: Option<String>,
    ) -> Self {
        Self {
            client: Client::new(sdk_config),
            from,
            configuration_set,
        }
    }

    /// Sends `email` to `to`.
    pub async fn send(&self, to: &str, email: Email) -> Result<(), EmailError> {
        let utf8 = |data: String| {
            Content::builder()
                .data(data)
                .charset("UTF-8")
                .build()
                .map_err(|e| EmailError::Unavailable(e.to_string()))
        };
        let mut message = Message::builder()
            .subject(utf8(email.subject)?)
            .body(Body::builder().text(utf8(email.text)?).build());
        if let Some(address) = &email.unsubscribe {
            let header = |name: &str, value: String| {
                MessageHeader::builder()
                    .name(name)
                    .value(value)
                    .build()
                    .map_err(|e| EmailError::Unavailable(e.to_string()))
            };
            message = message
                .headers(header("List-Unsubscribe", format!("<{address}>"))?)
                .headers(header(
                    "List-Unsubscribe-Post",
                    "List-Unsubscribe=One-Click".into(),
                )?);
        }
        let message = message.build();
        self.client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(EmailContent::builder().simple(message).build())
            .set_configuration_set_name(self.configuration_set.clone())
            .send()
            .await
            .map_err(|error| match error.code() {
                Some("TooManyRequestsException" | "LimitExceededException" | "Throttling") => {
                    EmailError::Throttled
                }
                // Only the error's code or kind: SES messages can quote the
                // recipient ("…failed the check: ann@example.com"), and
                // this reaches the logs.
                code => EmailError::Unavailable(match (code, &error) {
                    (Some(code), _) => code.to_owned(),
                    (None, SdkError::DispatchFailure(_)) => "dispatch failure".into(),
                    (None, SdkError::TimeoutError(_)) => "timeout".into(),
                    (None, SdkError::ResponseError(_)) => "unreadable response".into(),
                    (None, _) => "service error without a code".into(),
                }),
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_emails_carry_the_code_and_its_lifetime() {
        let email = Email::code(CodePurpose::Register, "042917");
        assert!(email.subject.contains("042917"));
        assert!(email.text.contains("042917"));
        assert!(email.text.contains("10 minutes"));
        assert!(
            Email::code(CodePurpose::PasswordReset, "1")
                .subject
                .contains("reset")
        );
    }
}
