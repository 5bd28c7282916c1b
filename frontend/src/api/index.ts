import { ApiClient } from './client';
import { createAuthApi } from './auth';

export { ApiClient } from './client';
export type { AuthMode, RequestOptions } from './client';
export { createAuthApi } from './auth';
export type {
  AuthApi,
  EmailChangeConfirmInput,
  EmailChangeInput,
  LoginInput,
  PasswordChangeInput,
  PasswordResetInput,
  ProfileChanges,
  RegisterInput,
} from './auth';
export type { DeletionConfirmation, ExportDocument, ExportPart } from './account';
export { ApiError, errorMessage, formatWait, isApiError } from './errors';
export { createSocialApi } from './social';
export type { SocialApi, NewPost, PageParams, PostChanges, PostsPage, RequestsPage } from './social';
export type { CommentsPage, MarkRead, NotificationsPage, ReactionsPage } from './conversation';
export type { ReportsPage } from './reports';
export type * from './types';

/** The app-wide client: same-origin /api unless VITE_API_BASE says otherwise. */
export const apiClient = new ApiClient({ baseUrl: import.meta.env.VITE_API_BASE || '/api' });
export const authApi = createAuthApi(apiClient);
