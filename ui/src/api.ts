// The only module that talks to the Rust side. One typed function per command.
// Every command rejects with an ApiError object ({ code, message }).
import { invoke } from "@tauri-apps/api/core";
import type { AppStatus } from "./bindings/AppStatus";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { AuditStatus } from "./bindings/AuditStatus";
import type { CreateWorkspaceRequest } from "./bindings/CreateWorkspaceRequest";
import type { Enrolment } from "./bindings/Enrolment";
import type { EnrolmentDone } from "./bindings/EnrolmentDone";
import type { FirstRunInfo } from "./bindings/FirstRunInfo";
import type { NewUserRequest } from "./bindings/NewUserRequest";
import type { Overview } from "./bindings/Overview";
import type { RecoverySignIn } from "./bindings/RecoverySignIn";
import type { Role } from "./bindings/Role";
import type { SessionPolicy } from "./bindings/SessionPolicy";
import type { TeamSummary } from "./bindings/TeamSummary";
import type { UserSummary } from "./bindings/UserSummary";

export async function appStatus(): Promise<AppStatus> {
  return invoke<AppStatus>("app_status");
}

export async function firstRunInfo(): Promise<FirstRunInfo> {
  return invoke<FirstRunInfo>("first_run_info");
}

export async function createWorkspace(request: CreateWorkspaceRequest): Promise<AppStatus> {
  return invoke<AppStatus>("create_workspace", { request });
}

export async function openWorkspace(passphrase: string): Promise<AppStatus> {
  return invoke<AppStatus>("open_workspace", { passphrase });
}

export async function signIn(username: string, password: string): Promise<AppStatus> {
  return invoke<AppStatus>("sign_in", { username, password });
}

export async function submitCode(code: string): Promise<AppStatus> {
  return invoke<AppStatus>("submit_code", { code });
}

export async function submitRecoveryCode(code: string): Promise<RecoverySignIn> {
  return invoke<RecoverySignIn>("submit_recovery_code", { code });
}

export async function startEnrolment(): Promise<Enrolment> {
  return invoke<Enrolment>("start_enrolment");
}

export async function confirmEnrolment(code: string): Promise<EnrolmentDone> {
  return invoke<EnrolmentDone>("confirm_enrolment", { code });
}

export async function unlock(code: string): Promise<AppStatus> {
  return invoke<AppStatus>("unlock", { code });
}

export async function lock(): Promise<AppStatus> {
  return invoke<AppStatus>("lock");
}

export async function signOut(): Promise<AppStatus> {
  return invoke<AppStatus>("sign_out");
}

export async function overview(): Promise<Overview> {
  return invoke<Overview>("overview");
}

export async function listUsers(): Promise<UserSummary[]> {
  return invoke<UserSummary[]>("list_users");
}

export async function createUser(request: NewUserRequest): Promise<UserSummary> {
  return invoke<UserSummary>("create_user", { request });
}

export async function setUserRole(userId: number, role: Role): Promise<UserSummary> {
  return invoke<UserSummary>("set_user_role", { user_id: userId, role });
}

export async function setUserTeams(userId: number, teamIds: number[]): Promise<UserSummary> {
  return invoke<UserSummary>("set_user_teams", { user_id: userId, team_ids: teamIds });
}

export async function disableUser(userId: number): Promise<UserSummary> {
  return invoke<UserSummary>("disable_user", { user_id: userId });
}

export async function enableUser(userId: number): Promise<UserSummary> {
  return invoke<UserSummary>("enable_user", { user_id: userId });
}

export async function resetAuthenticator(userId: number, adminCode: string): Promise<UserSummary> {
  return invoke<UserSummary>("reset_authenticator", { user_id: userId, admin_code: adminCode });
}

export async function listTeams(): Promise<TeamSummary[]> {
  return invoke<TeamSummary[]>("list_teams");
}

export async function createTeam(name: string): Promise<TeamSummary> {
  return invoke<TeamSummary>("create_team", { name });
}

export async function sessionPolicy(): Promise<SessionPolicy> {
  return invoke<SessionPolicy>("session_policy");
}

export async function setSessionPolicy(policy: SessionPolicy): Promise<SessionPolicy> {
  return invoke<SessionPolicy>("set_session_policy", { policy });
}

export async function verifyAudit(): Promise<AuditStatus> {
  return invoke<AuditStatus>("verify_audit");
}

export async function recentAudit(limit: number): Promise<AuditEntry[]> {
  return invoke<AuditEntry[]>("recent_audit", { limit });
}
