//! @mentions in notes: which colleagues a note names (`@username`, as the window completes
//! it), refused when one of them may not see the conversation, so a note never points
//! someone at a conversation they cannot open.

use crate::error::{CoreError, Result};
use crate::ids::{ConversationId, UserId};
use crate::service::Caller;
use crate::store::conversations as conv_store;
use crate::store::users as user_store;
use rusqlite::Connection;

/// The most colleagues one note may name.
pub const MAX_MENTIONS: usize = 20;

/// The usernames a note names: `@` at the start or after a space or an opening bracket,
/// then 3 to 64 username characters; a trailing `.`, `-` or `@` (end of a sentence)
/// is not part of the name. Each once, in order.
pub fn mentioned_usernames(body: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let chars: Vec<char> = body.chars().collect();
    let is_name = |c: char| c.is_ascii_alphanumeric() || ".-_@".contains(c);
    let mut i = 0;
    while i < chars.len() {
        let starts = chars[i] == '@'
            && (i == 0 || chars[i - 1].is_whitespace() || "([{".contains(chars[i - 1]));
        if !starts {
            i += 1;
            continue;
        }
        let mut end = i + 1;
        while end < chars.len() && is_name(chars[end]) {
            end += 1;
        }
        let name: String = chars[i + 1..end].iter().collect();
        let name = name.trim_end_matches(['.', '-', '@']).to_string();
        if (3..=64).contains(&name.chars().count()) && !out.contains(&name) {
            out.push(name);
        }
        i = end.max(i + 1);
    }
    out
}

/// The colleagues `body` names who are users of this workspace, checked: each must be able
/// to see `conversation`; the caller naming themselves is left out. Unknown names are text.
pub(crate) fn resolve(
    conn: &Connection,
    caller: &Caller,
    conversation: ConversationId,
    body: &str,
) -> Result<Vec<UserId>> {
    let mut users = Vec::new();
    for username in mentioned_usernames(body) {
        let Some(user) = user_store::by_username(conn, &username)? else {
            continue;
        };
        if user.id == caller.user || users.contains(&user.id) {
            continue;
        }
        let them = Caller {
            user: user.id,
            role: user.role,
            teams: user_store::team_ids_of(conn, user.id)?,
        };
        if user.disabled || conv_store::visible(conn, them.viewer(), conversation)?.is_none() {
            return Err(CoreError::invalid(
                "note",
                format!(
                    "{} cannot see this conversation, so they cannot be mentioned here; \
                     transfer it or ask a lead",
                    user.display_name
                ),
            ));
        }
        users.push(user.id);
        if users.len() > MAX_MENTIONS {
            return Err(CoreError::invalid(
                "note",
                "mention at most 20 colleagues in one note",
            ));
        }
    }
    Ok(users)
}

#[cfg(test)]
mod tests {
    use super::mentioned_usernames;

    #[test]
    fn names_follow_an_at_sign_at_a_word_start() {
        assert_eq!(
            mentioned_usernames("@kim please check, and (@sam.lee) too. Thanks @ana."),
            vec!["kim", "sam.lee", "ana"]
        );
        assert_eq!(
            mentioned_usernames("mail ana@example.com, @kim and @kim again"),
            vec!["kim"]
        );
        assert_eq!(
            mentioned_usernames("@al is too short; @ alone"),
            Vec::<String>::new()
        );
        assert_eq!(
            mentioned_usernames("@ops@corp.example, done"),
            vec!["ops@corp.example"]
        );
    }
}
