/** Shapes of the JSON the API returns. Field names follow the wire format. */

/** The caller's own account (GET /api/auth/me): only its owner sees the email. */
export interface User {
  id: string;
  username: string;
  email: string;
  /** RFC 3339 timestamp. */
  created_at: string;
  /** 1–50 characters on one line; null when the person has none. */
  display_name: string | null;
  /** Up to 300 characters; null when the person has none. */
  bio: string | null;
  /** True only for the people who look after reports; a server that predates it leaves it out (false). */
  operator?: boolean;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  /** Lifetime of the access token, in seconds. */
  expires_in: number;
}

/** Returned by register, login and refresh. */
export interface SessionResponse extends TokenResponse {
  user: User;
}

export interface MessageResponse {
  message: string;
}

/** The body of every error response: {"error":{"code","message"}}. */
export interface ErrorBody {
  error: {
    code: string;
    message: string;
  };
}

/* ------------------------------------------------------------------ social */

/** A person as other people see them. */
export interface UserRef {
  id: string;
  username: string;
  /**
   * Shown to their connections and to people they asked to connect; null
   * for everyone else (the server decides), and when they have none.
   */
  display_name: string | null;
}

/** How the caller stands with another person. */
export type Relationship = 'self' | 'none' | 'outgoing_request' | 'incoming_request' | 'connected' | 'blocked';

export interface Connection {
  user: UserRef;
  /** RFC 3339 timestamp. */
  connected_at: string;
  /** The caller's own tags on this person. */
  tag_ids: string[];
}

/** The fixed palette a tag's colour comes from. */
export type TagColor = 'family' | 'friends' | 'inner' | 'work' | 'custom' | 'generic';

export interface Tag {
  id: string;
  name: string;
  color: TagColor;
  created_at: string;
}

export type Audience = 'connections' | 'tags' | 'private';

export const REACTION_KINDS = ['heart', 'thumbs_up', 'laugh', 'wow', 'sad', 'thanks'] as const;
export type ReactionKind = (typeof REACTION_KINDS)[number];

/** A post's reactions as the caller sees them. */
export interface Reactions {
  /** Only the kinds someone chose (n > 0). */
  counts: Partial<Record<ReactionKind, number>>;
  /** The caller's own reaction, if any (at most one per person). */
  mine: ReactionKind | null;
}

export interface Post {
  id: string;
  author: UserRef;
  content: string;
  audience: Audience;
  created_at: string;
  edited_at: string | null;
  /** Present only when the caller is the author. */
  tag_ids?: string[];
  comment_count: number;
  reactions: Reactions;
}

export interface Comment {
  id: string;
  post_id: string;
  author: UserRef;
  content: string;
  created_at: string;
  edited_at: string | null;
}

/** One person's reaction, in the "who reacted" list. */
export interface Reaction {
  user: UserRef;
  kind: ReactionKind;
  created_at: string;
}

/** Who can see a post now (author only). */
export interface PostAudienceList {
  users: UserRef[];
  count: number;
}

export type NotificationKind =
  | 'connection_request'
  | 'request_accepted'
  | 'comment_on_my_post'
  | 'comment_on_thread'
  | 'reactions_on_my_post';

export interface Notification {
  id: string;
  kind: NotificationKind;
  /** The latest person it is about. */
  actor: UserRef;
  /** How many more people it gathers ("ann and 2 others reacted"). */
  others: number;
  post_id?: string | null;
  comment_id?: string | null;
  created_at: string;
  read: boolean;
}

export interface EmailSettings {
  on_request: boolean;
  on_accept: boolean;
}

/** One page of a list, newest first. */
export interface PageInfo {
  next_cursor: string | null;
}

export interface ConnectionRequest {
  user: UserRef;
  created_at: string;
}

export interface ConnectionsResponse {
  connections: Connection[];
  count: number;
  limit: number;
}

export type SendRequestResponse =
  | { status: 'pending' }
  | { status: 'connected'; connection: Connection };

/** GET /api/users/{id}. */
export interface UserProfile {
  user: UserRef;
  relationship: Relationship;
  connected_at: string | null;
  /** Only for connections (and oneself); null otherwise or when they have none. */
  bio: string | null;
}

export interface SearchResult extends UserRef {
  relationship: Relationship;
}

/** Someone the caller blocked (GET /api/blocks). */
export interface Block {
  user: UserRef;
  /** When they were blocked, RFC 3339. */
  created_at: string;
}

/* ------------------------------------------------------ reports, moderation */

export const REPORT_REASONS = [
  'spam',
  'harassment',
  'hate',
  'violence_or_self_harm',
  'sexual_content',
  'impersonation',
  'other',
] as const;
export type ReportReason = (typeof REPORT_REASONS)[number];

/** What a report is about: a person, a post, or a comment (with its post's id). */
export type ReportTarget =
  | { type: 'user'; id: string }
  | { type: 'post'; id: string }
  | { type: 'comment'; id: string; post_id: string };

/** POST /api/reports. */
export interface NewReport {
  target: ReportTarget;
  reason: ReportReason;
  /** Up to 500 characters; left out when there is none. */
  note?: string;
}

export type ReportStatus = 'open' | 'closed';
export type ReportResolution = 'dismissed' | 'removed' | 'suspended';

/** One report as the moderation desk sees it (GET /api/moderation/reports). */
export interface ModerationReport {
  id: string;
  status: ReportStatus;
  /** One of REPORT_REASONS (a newer server may know more). */
  reason: string;
  note: string | null;
  created_at: string;
  /** null when the reporter's account is gone. */
  reporter: UserRef | null;
  target: { type: ReportTarget['type']; id: string; post_id: string | null };
  /** The reported person, or the author of the reported post or comment; null when the account is gone. */
  subject: UserRef | null;
  subject_suspended: boolean;
  /** The post or comment text as it is now, or the person's bio; null when it was removed or is gone. */
  content: { text: string | null; created_at: string } | null;
  closed_at: string | null;
  resolution: ReportResolution | null;
  closing_note: string | null;
}

/* ------------------------------------------------------------ invitations */

export type InvitationStatus = 'pending' | 'joined' | 'cancelled' | 'expired';

/** An invitation the caller sent (GET /api/invitations). */
export interface Invitation {
  id: string;
  email: string;
  status: InvitationStatus;
  created_at: string;
  expires_at: string;
}
