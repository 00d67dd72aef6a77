//! Staff accounts over their life: disabling and re-enabling them, changing roles, resetting
//! passwords and ending sessions — and the rules that keep the ops room administrable.
//!
//! Owns what an account change may do and the events it records. The rules: an admin does not
//! disable or demote their own account (another admin does, so nobody locks themselves out by a
//! slip), and nobody — an admin or the command line — disables or demotes the last enabled
//! admin. Must not see secrets: a password reset is recorded without any hash.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::clock::Timestamp;
use crate::user::Role;

/// An account as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_id: Uuid,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
}

impl Account {
    /// Whether the account can administer the ops room now.
    pub fn is_enabled_admin(&self) -> bool {
        self.role == Role::Admin && !self.disabled
    }
}

/// Who asks for a change: a signed-in admin, or the command line on the server (no account).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffActor {
    Admin(Uuid),
    CommandLine,
}

impl StaffActor {
    /// The account recorded as having made a change; `None` for the command line.
    pub fn user_id(self) -> Option<Uuid> {
        match self {
            StaffActor::Admin(id) => Some(id),
            StaffActor::CommandLine => None,
        }
    }
}

/// A change of role and/or of the disabled state; `None` leaves that part as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AccountChange {
    pub role: Option<Role>,
    pub disabled: Option<bool>,
}

/// Why an account change is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The request names nothing to change.
    NothingToChange,
    /// An admin tried to disable or demote their own account.
    OwnAccount,
    /// The change would leave no enabled admin.
    LastAdmin,
}

impl Refusal {
    pub fn code(self) -> &'static str {
        match self {
            Refusal::NothingToChange => "nothing_to_change",
            Refusal::OwnAccount => "own_account",
            Refusal::LastAdmin => "last_admin",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Refusal::NothingToChange => "send \"role\", \"disabled\" or both",
            Refusal::OwnAccount => "you cannot disable or demote your own account; ask another admin",
            Refusal::LastAdmin => "this is the last enabled admin: enable or appoint another admin first",
        }
    }
}

/// What [`decide`] records: each becomes the log's event of the same name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountEvent {
    RoleChanged(UserRoleChanged),
    Disabled(UserAccountChanged),
    Enabled(UserAccountChanged),
}

/// Decide what `change` does to `account`, asked by `actor` while `enabled_admins` accounts
/// (this one included, if it is one) can administer the ops room. Returns the events to record,
/// none when the account already is as asked.
pub fn decide(
    actor: StaffActor,
    account: &Account,
    enabled_admins: u64,
    change: AccountChange,
    at: Timestamp,
) -> Result<Vec<AccountEvent>, Refusal> {
    if change == AccountChange::default() {
        return Err(Refusal::NothingToChange);
    }
    let role = change.role.unwrap_or(account.role);
    let disabled = change.disabled.unwrap_or(account.disabled);
    let loses_admin = account.is_enabled_admin() && (role != Role::Admin || disabled);
    if loses_admin && actor == StaffActor::Admin(account.user_id) {
        return Err(Refusal::OwnAccount);
    }
    if loses_admin && enabled_admins <= 1 {
        return Err(Refusal::LastAdmin);
    }
    let by = actor.user_id();
    let changed = || UserAccountChanged { user_id: account.user_id, name: account.name.clone(), by, at };
    let mut events = Vec::new();
    if role != account.role {
        events.push(AccountEvent::RoleChanged(UserRoleChanged {
            user_id: account.user_id,
            name: account.name.clone(),
            from: account.role,
            to: role,
            by,
            at,
        }));
    }
    match (account.disabled, disabled) {
        (false, true) => events.push(AccountEvent::Disabled(changed())),
        (true, false) => events.push(AccountEvent::Enabled(changed())),
        _ => {}
    }
    Ok(events)
}

/// An account was disabled or enabled, had its password reset, or had its sessions ended.
/// Carries no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserAccountChanged {
    pub user_id: Uuid,
    pub name: String,
    /// The admin who did it; absent when it was done on the server's command line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Uuid>,
    pub at: Timestamp,
}

impl UserAccountChanged {
    pub fn new(account: &Account, actor: StaffActor, at: Timestamp) -> Self {
        Self { user_id: account.user_id, name: account.name.clone(), by: actor.user_id(), at }
    }
}

/// An account's role changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRoleChanged {
    pub user_id: Uuid,
    pub name: String,
    pub from: Role,
    pub to: Role,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<Uuid>,
    pub at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Event;

    const AT: Timestamp = Timestamp(1_700_000_000_000);

    fn account(n: u128, role: Role, disabled: bool) -> Account {
        Account { user_id: Uuid::from_u128(n), name: format!("user{n}"), role, disabled }
    }

    fn kinds(events: &[AccountEvent]) -> Vec<&'static str> {
        events.iter().map(|e| Event::from(e.clone()).kind()).collect()
    }

    fn change(role: Option<Role>, disabled: Option<bool>) -> AccountChange {
        AccountChange { role, disabled }
    }

    #[test]
    fn an_admin_disables_and_enables_another_account() {
        let admin = StaffActor::Admin(Uuid::from_u128(1));
        let omar = account(2, Role::Operator, false);
        let events = decide(admin, &omar, 1, change(None, Some(true)), AT).unwrap();
        assert_eq!(kinds(&events), ["user_disabled"]);
        assert_eq!(
            events[0],
            AccountEvent::Disabled(UserAccountChanged {
                user_id: omar.user_id,
                name: "user2".into(),
                by: Some(Uuid::from_u128(1)),
                at: AT
            })
        );
        let disabled = Account { disabled: true, ..omar };
        assert_eq!(kinds(&decide(admin, &disabled, 1, change(None, Some(false)), AT).unwrap()), ["user_enabled"]);
        // Asking for what already is records nothing.
        assert!(decide(admin, &disabled, 1, change(None, Some(true)), AT).unwrap().is_empty());
        assert_eq!(decide(admin, &disabled, 1, change(None, None), AT), Err(Refusal::NothingToChange));
    }

    #[test]
    fn a_role_change_and_a_disabling_are_two_events() {
        let samira = account(3, Role::Supervisor, false);
        let events =
            decide(StaffActor::Admin(Uuid::from_u128(1)), &samira, 1, change(Some(Role::Admin), Some(true)), AT)
                .unwrap();
        assert_eq!(kinds(&events), ["user_role_changed", "user_disabled"]);
        let AccountEvent::RoleChanged(changed) = &events[0] else { panic!("{events:?}") };
        assert_eq!((changed.from, changed.to), (Role::Supervisor, Role::Admin));
    }

    #[test]
    fn nobody_disables_or_demotes_themselves() {
        let me = account(1, Role::Admin, false);
        let actor = StaffActor::Admin(me.user_id);
        for asked in [change(None, Some(true)), change(Some(Role::Supervisor), None)] {
            assert_eq!(decide(actor, &me, 5, asked, AT), Err(Refusal::OwnAccount), "{asked:?}");
        }
        // Changing nothing that matters on one's own account is fine.
        assert!(decide(actor, &me, 5, change(Some(Role::Admin), Some(false)), AT).unwrap().is_empty());
    }

    #[test]
    fn the_last_enabled_admin_stays() {
        let last = account(2, Role::Admin, false);
        for actor in [StaffActor::Admin(Uuid::from_u128(9)), StaffActor::CommandLine] {
            for asked in [change(None, Some(true)), change(Some(Role::Operator), None)] {
                assert_eq!(decide(actor, &last, 1, asked, AT), Err(Refusal::LastAdmin), "{actor:?} {asked:?}");
                assert!(decide(actor, &last, 2, asked, AT).is_ok(), "another admin remains");
            }
        }
        // A disabled admin is not one of the admins that count.
        let disabled_admin = account(4, Role::Admin, true);
        let events = decide(StaffActor::CommandLine, &disabled_admin, 0, change(Some(Role::Operator), None), AT);
        assert_eq!(kinds(&events.unwrap()), ["user_role_changed"]);
        // The command line leaves no actor in the event.
        let events =
            decide(StaffActor::CommandLine, &account(5, Role::Operator, false), 1, change(None, Some(true)), AT);
        let AccountEvent::Disabled(changed) = &events.unwrap()[0] else { panic!() };
        assert_eq!(changed.by, None);
    }
}
