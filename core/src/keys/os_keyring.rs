//! The database key in the OS keyring through the `keyring` crate: one entry per workspace,
//! service `appcare-inbox`, account `workspace-<id>`.

use crate::error::{CoreError, Result};
use crate::secret::DbKey;
use zeroize::Zeroizing;

const SERVICE: &str = "appcare-inbox";

fn entry(workspace_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, &format!("workspace-{workspace_id}")).map_err(unavailable)
}

fn unavailable(err: keyring::Error) -> CoreError {
    // keyring errors describe the platform failure, never the secret.
    CoreError::KeyringUnavailable {
        detail: err.to_string(),
    }
}

/// Stores a new key for a workspace.
pub fn store(workspace_id: &str, key: &DbKey) -> Result<()> {
    entry(workspace_id)?
        .set_secret(key.as_bytes())
        .map_err(unavailable)
}

/// Loads a workspace's key; `KeyMissing` when the keyring works but holds no entry.
pub fn load(workspace_id: &str) -> Result<DbKey> {
    match entry(workspace_id)?.get_secret() {
        Ok(bytes) => {
            let bytes = Zeroizing::new(bytes);
            DbKey::from_bytes(&bytes).ok_or(CoreError::WrongKey)
        }
        Err(keyring::Error::NoEntry) => Err(CoreError::KeyMissing),
        Err(err) => Err(unavailable(err)),
    }
}

/// Removes a workspace's key (used when creation fails half-way, and by tests).
pub fn delete(workspace_id: &str) -> Result<()> {
    match entry(workspace_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(err) => Err(unavailable(err)),
    }
}

/// Whether a keyring is reachable at all, with the reason when it is not.
pub fn probe() -> Result<()> {
    match keyring::Entry::store_status() {
        Ok(()) => Ok(()),
        Err(err) => Err(CoreError::KeyringUnavailable {
            detail: err.to_string(),
        }),
    }
}
