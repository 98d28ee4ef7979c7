/**
 * Generated from the server's OpenAPI document (/api/openapi.json) by openapi-typescript.
 * Do not edit: change the zod schemas under src/ and run `npm run gen:api-types`.
 */


export interface paths {
  "/api/auth/signup": {
    /** Create an account; a verification link is mailed (the answer is the same for an existing email) */
    post: {
      requestBody: {
        content: {
          "application/json": {
            email: string;
            /** @description At least 8 characters; long passphrases welcome (up to 1024), never truncated */
            password: string;
          };
        };
      };
      responses: {
        /** @description Verification mail on its way */
        201: {
          content: {
            "application/json": {
              /** @description Always "verification_sent" */
              status: string;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/auth/verify-email": {
    /** Verify an email address with the token from the mailed link (single use, 24 h) */
    post: {
      requestBody: {
        content: {
          "application/json": {
            token: string;
          };
        };
      };
      responses: {
        /** @description Verified */
        200: {
          content: {
            "application/json": {
              /** @description Always "verified" */
              status: string;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/auth/resend-verification": {
    /** Mail a new verification link to an unverified account (same answer for any email) */
    post: {
      requestBody: {
        content: {
          "application/json": {
            email: string;
          };
        };
      };
      responses: {
        /** @description Accepted */
        202: {
          content: {
            "application/json": {
              /** @description Always "accepted" */
              status: string;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/auth/forgot-password": {
    /** Mail a password-reset link (same answer for any email) */
    post: {
      requestBody: {
        content: {
          "application/json": {
            email: string;
          };
        };
      };
      responses: {
        /** @description Accepted */
        202: {
          content: {
            "application/json": {
              /** @description Always "accepted" */
              status: string;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/auth/reset-password": {
    /** Set a new password with the token from the mailed link (single use, 1 h); ends every session */
    post: {
      requestBody: {
        content: {
          "application/json": {
            token: string;
            password: string;
          };
        };
      };
      responses: {
        /** @description Password changed */
        200: {
          content: {
            "application/json": {
              /** @description Always "password_reset" */
              status: string;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/auth/login": {
    /** Log in with email and password */
    post: {
      requestBody: {
        content: {
          "application/json": {
            email: string;
            password: string;
          };
        };
      };
      responses: {
        /** @description Tokens */
        200: {
          content: {
            "application/json": components["schemas"]["TokenPair"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/auth/refresh": {
    /** Exchange a refresh token for new tokens (the old refresh token is spent) */
    post: {
      requestBody?: {
        content: {
          "application/json": {
            /** @description Omit to use the refresh cookie (then x-csrf-token is required) */
            refresh_token?: string;
          };
        };
      };
      responses: {
        /** @description Tokens */
        200: {
          content: {
            "application/json": components["schemas"]["TokenPair"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/auth/logout": {
    /** End the session a refresh token (body or cookie) belongs to */
    post: {
      requestBody?: {
        content: {
          "application/json": {
            /** @description Omit to use the refresh cookie (then x-csrf-token is required) */
            refresh_token?: string;
          };
        };
      };
      responses: {
        /** @description Logged out */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/me": {
    /** The authenticated user */
    get: {
      responses: {
        /** @description User */
        200: {
          content: {
            "application/json": components["schemas"]["User"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/me/password": {
    /** Change your password (the current one is required); every other session ends */
    post: {
      requestBody: {
        content: {
          "application/json": {
            current_password: string;
            new_password: string;
          };
        };
      };
      responses: {
        /** @description Changed; how many other sessions ended */
        200: {
          content: {
            "application/json": {
              sessions_revoked: number;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/me/sessions": {
    /** Your live login sessions (devices), newest first */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
        };
      };
      responses: {
        /** @description Sessions */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["Session"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Sign out all your other sessions (or all of them with include_current=true) */
    delete: {
      parameters: {
        query?: {
          /** @description Also end the session making this call */
          include_current?: "true" | "false";
        };
      };
      responses: {
        /** @description How many sessions ended */
        200: {
          content: {
            "application/json": {
              revoked: number;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/me/sessions/{id}": {
    /** Sign out one of your sessions (its refresh token stops working at once) */
    delete: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Revoked */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/me/notification-preferences": {
    /** Which notices you also get by mail (every mail on until changed) */
    get: {
      responses: {
        /** @description Your preferences */
        200: {
          content: {
            "application/json": components["schemas"]["NotificationPreferences"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Turn notice mails on or off (in-app alerts always stay); audited */
    patch: {
      requestBody: {
        content: {
          "application/json": components["schemas"]["NotificationPreferencesChange"];
        };
      };
      responses: {
        /** @description All your preferences after the change */
        200: {
          content: {
            "application/json": components["schemas"]["NotificationPreferences"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/integrations/test": {
    /** Check unsaved credentials (the body of a create) with a cheap provider call; stores nothing */
    post: {
      requestBody: {
        content: {
          "application/json": components["schemas"]["CreateIntegration"];
        };
      };
      responses: {
        /** @description The verdict (nothing stored) */
        200: {
          content: {
            "application/json": components["schemas"]["CredentialCheck"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Too many checks; retry after Retry-After */
        429: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/integrations/test": {
    /** Check unsaved credentials for a team integration (owner or admin); stores nothing */
    post: {
      parameters: {
        path: {
          teamId: string;
        };
      };
      requestBody: {
        content: {
          "application/json": components["schemas"]["CreateIntegration"];
        };
      };
      responses: {
        /** @description The verdict (nothing stored) */
        200: {
          content: {
            "application/json": components["schemas"]["CredentialCheck"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Too many checks; retry after Retry-After */
        429: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/integrations": {
    /** List your integrations */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["Integration"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Store a provider key */
    post: {
      requestBody: {
        content: {
          "application/json": components["schemas"]["CreateIntegration"];
        };
      };
      responses: {
        /** @description Stored */
        201: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/integrations/{id}": {
    /** One integration (masked) */
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Integration */
        200: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Delete an integration and its key */
    delete: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Deleted */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Update an integration; api_key replaces the stored key */
    patch: {
      parameters: {
        path: {
          id: string;
        };
      };
      requestBody: {
        content: {
          "application/json": components["schemas"]["UpdateIntegration"];
        };
      };
      responses: {
        /** @description Updated */
        200: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/integrations/{id}/test": {
    /** Check the stored key with a cheap provider call; stores status, last_error, last_checked_at and the model list */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Checked */
        200: {
          content: {
            "application/json": components["schemas"]["IntegrationCheck"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/integrations/{id}/disable": {
    /** Take an integration out of service: requests skip it (routes fall over to their next target) until it is enabled; the key is kept */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      requestBody?: {
        content: {
          "application/json": components["schemas"]["DisableIntegration"];
        };
      };
      responses: {
        /** @description Disabled (already disabled: unchanged) */
        200: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/integrations/{id}/enable": {
    /** Put a disabled integration back into service */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Enabled (already enabled: unchanged) */
        200: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/keys": {
    /** List your platform keys */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["PlatformKey"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Create a platform key (shown once) */
    post: {
      requestBody: {
        content: {
          "application/json": components["schemas"]["CreatePlatformKey"];
        };
      };
      responses: {
        /** @description Created */
        201: {
          content: {
            "application/json": components["schemas"]["CreatedPlatformKey"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/keys/{id}": {
    /** One platform key (never the secret) */
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Key */
        200: {
          content: {
            "application/json": components["schemas"]["PlatformKey"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Revoke a platform key (every replica, within a second) */
    delete: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Revoked */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/keys/{id}/roll": {
    /** Replace a key: a new key with the same settings (shown once); the old one is revoked now or after a grace period */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      requestBody: {
        content: {
          "application/json": components["schemas"]["RollPlatformKey"];
        };
      };
      responses: {
        /** @description The replacement (its key shown only here) and the old key */
        201: {
          content: {
            "application/json": components["schemas"]["RolledPlatformKey"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description The key is revoked or expired, or a team key whose team you left */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/usage": {
    /**
     * Your usage records, newest first; with group_by, aggregates from the rollup
     * @description Without `group_by`: a page of records, newest first (keyset: `cursor`), with every filter, `from`/`to` when given, `fallback`, `request_id` (a record id or x-request-id), and the key and integration names. With `group_by` (`day` or `hour`, optionally followed by dimensions, e.g. `day,model`): rows per bucket in `tz` and dimension, plus totals. `team_id` switches to a team you are a member of (404 otherwise).
     */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
          /** @description day or hour, optionally followed by dimensions (model, service, key, integration, status, error_source), e.g. day,model */
          group_by?: string;
          /** @description Start (inclusive); default 30 days before `to`. Moved down to a quarter hour. */
          from?: string;
          /** @description End (exclusive); default now. Moved up to a quarter hour. */
          to?: string;
          /** @description IANA time zone of days, hours and timestamps; default UTC */
          tz?: string;
          /** @description A team you are a member of */
          team_id?: string;
          key_id?: string;
          integration_id?: string;
          model?: string;
          service?: string;
          /** @description success (<400), error (>=400), a status class, or (list and CSV only) an exact status such as 429 */
          status?: string;
          error_source?: "user" | "provider" | "platform";
          /** @description Only requests a fallback served (true), or only the others (false) */
          fallback?: "true" | "false";
          /** @description A record id or x-request-id (exact) */
          request_id?: string;
        };
      };
      responses: {
        /** @description Page, or aggregates when group_by is given */
        200: {
          content: {
            "application/json": ({
              data: components["schemas"]["UsageLogRow"][];
              next_cursor: string | null;
            }) | components["schemas"]["UsageAggregate"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/usage/facets": {
    /** Filter options for your usage: your keys and integrations (names, last 4) and the models and services seen */
    get: {
      parameters: {
        query?: {
          /** @description A team you are a member of */
          team_id?: string;
        };
      };
      responses: {
        /** @description Options */
        200: {
          content: {
            "application/json": components["schemas"]["UsageFacets"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/usage/{id}": {
    /**
     * One request: summary, upstream attempts, the price used and the response headers
     * @description `id` is the record id or the request id (x-request-id). Another tenant's request answers 404.
     */
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description The request */
        200: {
          content: {
            "application/json": components["schemas"]["UsageDetail"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/usage.csv": {
    /**
     * Your usage records in a range as CSV (streamed, no row cap)
     * @description The same scope, range and filters as GET /api/usage; timestamps are ISO 8601 with the offset of `tz`.
     */
    get: {
      parameters: {
        query?: {
          /** @description Start (inclusive); default 30 days before `to`. Moved down to a quarter hour. */
          from?: string;
          /** @description End (exclusive); default now. Moved up to a quarter hour. */
          to?: string;
          /** @description IANA time zone of days, hours and timestamps; default UTC */
          tz?: string;
          /** @description A team you are a member of */
          team_id?: string;
          key_id?: string;
          integration_id?: string;
          model?: string;
          service?: string;
          /** @description success (<400), error (>=400), a status class, or (list and CSV only) an exact status such as 429 */
          status?: string;
          error_source?: "user" | "provider" | "platform";
          /** @description Only requests a fallback served (true), or only the others (false) */
          fallback?: "true" | "false";
        };
      };
      responses: {
        /** @description CSV, header row first */
        200: {
          content: {
            "text/csv": string;
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/budgets": {
    /** Budgets you can see, with this month’s spend */
    get: {
      responses: {
        /** @description Budgets */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["Budget"][];
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Create or replace the budget of a user, team, platform key or integration */
    put: {
      requestBody: {
        content: {
          "application/json": components["schemas"]["PutBudget"];
        };
      };
      responses: {
        /** @description Replaced */
        200: {
          content: {
            "application/json": components["schemas"]["Budget"];
          };
        };
        /** @description Created */
        201: {
          content: {
            "application/json": components["schemas"]["Budget"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/budgets/{id}": {
    /** One budget */
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Budget */
        200: {
          content: {
            "application/json": components["schemas"]["Budget"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Delete a budget */
    delete: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Deleted */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/notifications": {
    /** Your in-app notifications, newest first (100) */
    get: {
      parameters: {
        query?: {
          unread?: "true" | "false";
        };
      };
      responses: {
        /** @description Notifications */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["Notification"][];
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/notifications/{id}/read": {
    /** Mark a notification read */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Read */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/alerts": {
    /** Your alerts: unread first, then newest first */
    get: {
      parameters: {
        query?: {
          limit?: number;
          cursor?: string;
          /** @description true: unread alerts only */
          unread?: "true" | "false";
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["Alert"][];
              next_cursor: string | null;
              unread_count: number;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/alerts/{id}/read": {
    /** Mark an alert read */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Read */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/alerts/read-all": {
    /** Mark every alert read */
    post: {
      responses: {
        /** @description How many were unread */
        200: {
          content: {
            "application/json": {
              marked: number;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/budgets/{id}/test-alert": {
    /** Send a test alert to the budget’s channels (in-app, mail, webhook) */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Sent */
        200: {
          content: {
            "application/json": {
              /** @description People notified in-app and by mail */
              recipients: number;
              /**
               * @description none: the budget has no webhook_url; not_configured: no SWITCHBOARD_WEBHOOK_SECRET
               * @enum {string}
               */
              webhook: "delivered" | "failed" | "not_configured" | "none";
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Too many test alerts */
        429: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams": {
    /** Teams you are in, with your role */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["TeamSummary"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Create a team; you become its owner */
    post: {
      requestBody: {
        content: {
          "application/json": {
            name: string;
          };
        };
      };
      responses: {
        /** @description Created */
        201: {
          content: {
            "application/json": components["schemas"]["Team"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}": {
    /** One of your teams */
    get: {
      parameters: {
        path: {
          teamId: string;
        };
      };
      responses: {
        /** @description Team */
        200: {
          content: {
            "application/json": components["schemas"]["TeamSummary"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Delete a team and its secrets (owner) */
    delete: {
      parameters: {
        path: {
          teamId: string;
        };
      };
      responses: {
        /** @description Deleted */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Rename a team (owner or admin) */
    patch: {
      parameters: {
        path: {
          teamId: string;
        };
      };
      requestBody: {
        content: {
          "application/json": {
            name: string;
          };
        };
      };
      responses: {
        /** @description Team */
        200: {
          content: {
            "application/json": components["schemas"]["Team"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/members": {
    /** Members of a team */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
        };
        path: {
          teamId: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["TeamMember"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/members/{userId}": {
    /** Remove a member, or leave the team when userId is yours (the last owner cannot) */
    delete: {
      parameters: {
        path: {
          teamId: string;
          userId: string;
        };
      };
      responses: {
        /** @description Removed */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Change a member’s role (owners manage everyone, admins manage members) */
    patch: {
      parameters: {
        path: {
          teamId: string;
          userId: string;
        };
      };
      requestBody: {
        content: {
          "application/json": {
            /** @enum {string} */
            role: "owner" | "admin" | "member";
          };
        };
      };
      responses: {
        /** @description Member */
        200: {
          content: {
            "application/json": components["schemas"]["TeamMember"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/invitations": {
    /** Pending invitations (owner or admin) */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
        };
        path: {
          teamId: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["TeamInvitation"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Invite someone by mail (owner or admin; only owners invite owners and admins) */
    post: {
      parameters: {
        path: {
          teamId: string;
        };
      };
      requestBody: {
        content: {
          "application/json": {
            email: string;
            /**
             * @default member
             * @enum {string}
             */
            role?: "owner" | "admin" | "member";
          };
        };
      };
      responses: {
        /** @description Invitation (the token is only in the mail) */
        201: {
          content: {
            "application/json": components["schemas"]["TeamInvitation"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/invitations/{id}": {
    /** Revoke a pending invitation */
    delete: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      responses: {
        /** @description Revoked */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/invitations/{id}/resend": {
    /** Mail a pending invitation again with a new link and expiry (the old link stops working) */
    post: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      responses: {
        /** @description Invitation */
        200: {
          content: {
            "application/json": components["schemas"]["TeamInvitation"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/invitations/lookup": {
    /** The team and role an invitation offers (the invited, logged-in user only; the token stays out of URLs) */
    post: {
      requestBody: {
        content: {
          "application/json": {
            token: string;
          };
        };
      };
      responses: {
        /** @description Invitation preview */
        200: {
          content: {
            "application/json": components["schemas"]["TeamInvitationPreview"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/invitations/decline": {
    /** Decline an invitation mailed to your address */
    post: {
      requestBody: {
        content: {
          "application/json": {
            token: string;
          };
        };
      };
      responses: {
        /** @description Declined */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/invitations/accept": {
    /** Accept an invitation mailed to your address; you join with the invited role */
    post: {
      requestBody: {
        content: {
          "application/json": {
            token: string;
          };
        };
      };
      responses: {
        /** @description The team joined */
        200: {
          content: {
            "application/json": components["schemas"]["Team"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A member of the team without the role this needs */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description last_owner: the team would be left without an owner; conflict: already a member */
        409: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/integrations": {
    /** List a team’s integrations (any member) */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
        };
        path: {
          teamId: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["Integration"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Store a team provider key (owner or admin) */
    post: {
      parameters: {
        path: {
          teamId: string;
        };
      };
      requestBody: {
        content: {
          "application/json": components["schemas"]["CreateIntegration"];
        };
      };
      responses: {
        /** @description Stored */
        201: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/integrations/{id}": {
    /** One team integration (masked) */
    get: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      responses: {
        /** @description Integration */
        200: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Delete a team integration and its key */
    delete: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      responses: {
        /** @description Deleted */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Update a team integration; api_key replaces the stored key (owner or admin) */
    patch: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      requestBody: {
        content: {
          "application/json": components["schemas"]["UpdateIntegration"];
        };
      };
      responses: {
        /** @description Updated */
        200: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/integrations/{id}/test": {
    /** Check a team key with a cheap provider call (any member) */
    post: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      responses: {
        /** @description Checked */
        200: {
          content: {
            "application/json": components["schemas"]["IntegrationCheck"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/integrations/{id}/disable": {
    /** Take a team integration out of service until it is enabled (owner or admin) */
    post: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      requestBody?: {
        content: {
          "application/json": components["schemas"]["DisableIntegration"];
        };
      };
      responses: {
        /** @description Disabled (already disabled: unchanged) */
        200: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/integrations/{id}/enable": {
    /** Put a disabled team integration back into service (owner or admin) */
    post: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      responses: {
        /** @description Enabled (already enabled: unchanged) */
        200: {
          content: {
            "application/json": components["schemas"]["Integration"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/routes": {
    /** Your routes (virtual models) */
    get: {
      responses: {
        /** @description Routes */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["Route"][];
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/routes/preview": {
    /** The candidate order the gateway would use now for this (unsaved) route, given breaker states */
    post: {
      requestBody: {
        content: {
          "application/json": components["schemas"]["PutRoute"];
        };
      };
      responses: {
        /** @description The candidate order now */
        200: {
          content: {
            "application/json": components["schemas"]["RoutePreview"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/routes/preview": {
    /** Preview a team route’s candidate order (any member) */
    post: {
      parameters: {
        path: {
          teamId: string;
        };
      };
      requestBody: {
        content: {
          "application/json": components["schemas"]["PutRoute"];
        };
      };
      responses: {
        /** @description The candidate order now */
        200: {
          content: {
            "application/json": components["schemas"]["RoutePreview"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/routes/{name}": {
    /** One of your routes */
    get: {
      parameters: {
        path: {
          name: string;
        };
      };
      responses: {
        /** @description Route */
        200: {
          content: {
            "application/json": components["schemas"]["Route"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Create or replace a route */
    put: {
      parameters: {
        path: {
          name: string;
        };
      };
      requestBody: {
        content: {
          "application/json": components["schemas"]["PutRoute"];
        };
      };
      responses: {
        /** @description Replaced */
        200: {
          content: {
            "application/json": components["schemas"]["Route"];
          };
        };
        /** @description Created */
        201: {
          content: {
            "application/json": components["schemas"]["Route"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Delete a route */
    delete: {
      parameters: {
        path: {
          name: string;
        };
      };
      responses: {
        /** @description Deleted */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/routes": {
    /** A team’s routes (any member) */
    get: {
      parameters: {
        path: {
          teamId: string;
        };
      };
      responses: {
        /** @description Routes */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["Route"][];
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/routes/{name}": {
    /** One team route (any member) */
    get: {
      parameters: {
        path: {
          teamId: string;
          name: string;
        };
      };
      responses: {
        /** @description Route */
        200: {
          content: {
            "application/json": components["schemas"]["Route"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Create or replace a team route (owner or admin) */
    put: {
      parameters: {
        path: {
          teamId: string;
          name: string;
        };
      };
      requestBody: {
        content: {
          "application/json": components["schemas"]["PutRoute"];
        };
      };
      responses: {
        /** @description Replaced */
        200: {
          content: {
            "application/json": components["schemas"]["Route"];
          };
        };
        /** @description Created */
        201: {
          content: {
            "application/json": components["schemas"]["Route"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Delete a team route (owner or admin) */
    delete: {
      parameters: {
        path: {
          teamId: string;
          name: string;
        };
      };
      responses: {
        /** @description Deleted */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/integrations/{id}/health": {
    /** The status of one of your integrations and the circuit breaker of its endpoint */
    get: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Health */
        200: {
          content: {
            "application/json": components["schemas"]["IntegrationHealth"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/teams/{teamId}/integrations/{id}/health": {
    /** The status of a team integration and the circuit breaker of its endpoint (owner or admin) */
    get: {
      parameters: {
        path: {
          teamId: string;
          id: string;
        };
      };
      responses: {
        /** @description Health */
        200: {
          content: {
            "application/json": components["schemas"]["IntegrationHealth"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/events": {
    /** Live events (SSE): integration.status, usage.created, budget.alert, key.revoked, session.revoked, resync */
    get: {
      parameters: {
        header?: {
          "last-event-id"?: string;
        };
      };
      responses: {
        /** @description An event stream (text/event-stream); see docs/api.md for each event */
        200: {
          content: {
            "text/event-stream": string;
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/audit": {
    /** Audit events: yours, or a team’s with team_id (owners and admins), newest first */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
          team_id?: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["AuditEvent"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description A team member without the owner or admin role */
        403: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/users": {
    /** All users (platform admins) */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
          /** @description Case-insensitive fragment of the email address */
          email?: string;
          /** @description An email fragment (case-insensitive) or a user id */
          query?: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["AdminUser"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/users/{id}/make-admin": {
    /** Make a user a platform admin (audited) */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Admin */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/users/{id}/remove-admin": {
    /** Remove a user’s platform admin role (not your own; audited) */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description No longer admin */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/users/{id}/revoke-sessions": {
    /** Sign a user out everywhere: every session ends on every replica (audited) */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Sessions ended */
        200: {
          content: {
            "application/json": {
              revoked: number;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/users/{id}/resend-verification": {
    /** Mail an unverified user a new verification link (audited) */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Sent */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/audit": {
    /** The platform audit log, newest first, by actor, action and target */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
          /** @description The acting user id */
          actor?: string;
          /** @description An action (user.disabled), or a prefix ending in a dot (user.) */
          action?: string;
          /** @description The target id (user, team, key, …) */
          target?: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["AuditEvent"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/users/{id}/disable": {
    /** Disable a user: no login or refresh, sessions revoked, their keys stop serving */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Disabled */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/users/{id}/enable": {
    /** Enable a disabled user */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Enabled */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/teams": {
    /** All teams (platform admins) */
    get: {
      parameters: {
        query?: {
          /** @description Page size (1–1000) */
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
          /** @description Case-insensitive fragment of the team name */
          query?: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["AdminTeam"][];
              next_cursor: string | null;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/teams/{id}/disable": {
    /** Disable a team: its keys and secrets stop serving */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Disabled */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/teams/{id}/enable": {
    /** Enable a disabled team */
    post: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Enabled */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/usage": {
    /**
     * Platform-wide usage totals per UTC day and service
     * @description Without group_by: totals per UTC day and service. With group_by: the aggregate of GET /api/usage over every tenant (team_id filters).
     */
    get: {
      parameters: {
        query?: {
          /** @description day or hour, optionally followed by dimensions (model, service, key, integration, status, error_source), e.g. day,model */
          group_by?: string;
          /** @description Start (inclusive); default 30 days before `to`. Moved down to a quarter hour. */
          from?: string;
          /** @description End (exclusive); default now. Moved up to a quarter hour. */
          to?: string;
          /** @description IANA time zone of days, hours and timestamps; default UTC */
          tz?: string;
          /** @description A team you are a member of */
          team_id?: string;
          key_id?: string;
          integration_id?: string;
          model?: string;
          service?: string;
          /** @description success (<400), error (>=400), a status class, or (list and CSV only) an exact status such as 429 */
          status?: string;
          error_source?: "user" | "provider" | "platform";
          /** @description Only requests a fallback served (true), or only the others (false) */
          fallback?: "true" | "false";
        };
      };
      responses: {
        /** @description Totals */
        200: {
          content: {
            "application/json": ({
              data: components["schemas"]["AdminUsageTotal"][];
              next_cursor: string | null;
              from: string;
              to: string;
            }) | components["schemas"]["UsageAggregate"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/health": {
    /** Circuit breakers and latency / error moving averages (this process) */
    get: {
      responses: {
        /** @description Health */
        200: {
          content: {
            "application/json": components["schemas"]["GatewayHealth"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/prices": {
    /** The effective price catalog (bundled, file and overrides), per model */
    get: {
      parameters: {
        query?: {
          limit?: number;
          /** @description next_cursor from the previous page */
          cursor?: string;
          service?: "openai" | "anthropic" | "cohere" | "gemini" | "stability" | "midjourney" | "runway" | "openai_compatible" | "local";
          /** @description Case-insensitive fragment of the model id */
          model?: string;
        };
      };
      responses: {
        /** @description Page */
        200: {
          content: {
            "application/json": {
              data: components["schemas"]["CatalogEntry"][];
              next_cursor: string | null;
              catalog_version: string;
            };
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
    /** Add a price override (effective from a date, default now) */
    post: {
      requestBody: {
        content: {
          "application/json": components["schemas"]["CreatePriceOverride"];
        };
      };
      responses: {
        /** @description Created */
        201: {
          content: {
            "application/json": components["schemas"]["PriceOverride"];
          };
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
  "/api/admin/prices/{id}": {
    /** Delete a price override */
    delete: {
      parameters: {
        path: {
          id: string;
        };
      };
      responses: {
        /** @description Deleted */
        204: {
          content: never;
        };
        /** @description Invalid request (source: user) */
        400: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Missing or invalid credentials */
        401: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Not found, or not yours */
        404: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Body too large */
        413: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
        /** @description Storage unavailable; nothing was changed */
        503: {
          content: {
            "application/json": components["schemas"]["Error"];
          };
        };
      };
    };
  };
}

export type webhooks = Record<string, never>;

export interface components {
  schemas: {
    IntegrationStatusEvent: {
      id: string;
      team_id?: string;
      /** @enum {string} */
      status: "healthy" | "degraded" | "failing" | "disabled" | "unchecked";
      /** @enum {string} */
      breaker: "closed" | "open" | "half_open";
      last_error?: {
        /** @enum {string} */
        source: "user" | "provider" | "platform";
        code: string;
        message: string;
      };
      checked_at: string | null;
      /** @description Why it is disabled (only with status "disabled") */
      disabled_reason?: string;
      /**
       * @description Who disabled the integration itself: a person, or the auto-disable policy (only when it is disabled, not its team)
       * @enum {string}
       */
      disabled_by?: "user" | "system";
      /** @description When the auto-disable policy checks its key again (only when the policy disabled it) */
      retry_at?: string;
    };
    Error: {
      error: {
        message: string;
        type: string;
        code: string;
        /** @enum {string} */
        source: "user" | "platform" | "provider";
        param: string | null;
      };
    };
    TokenPair: {
      access_token: string;
      /** @enum {string} */
      token_type: "Bearer";
      /** @description Access token lifetime in seconds */
      expires_in: number;
      /** @description Absent in cookie mode (x-switchboard-client: web): the token is in the __Host-switchboard_refresh cookie */
      refresh_token?: string;
    };
    User: {
      id: string;
      email: string;
      is_admin: boolean;
      email_verified: boolean;
      created_at: string;
    };
    Session: {
      id: string;
      ip: string | null;
      user_agent: string | null;
      created_at: string;
      last_used_at: string;
      expires_at: string;
      /** @description The session of the access token making this call */
      current: boolean;
    };
    NotificationPreferences: {
      /** @description Mail me when a budget I own (or my team’s, as owner or admin) crosses an alert threshold, and its test alerts */
      email_budget_alerts: boolean;
      /** @description Mail me when a provider rejects a stored key of mine (or my team’s, as owner or admin) */
      email_integration_alerts: boolean;
    };
    NotificationPreferencesChange: {
      /** @description Mail me when a budget I own (or my team’s, as owner or admin) crosses an alert threshold, and its test alerts */
      email_budget_alerts?: boolean;
      /** @description Mail me when a provider rejects a stored key of mine (or my team’s, as owner or admin) */
      email_integration_alerts?: boolean;
    };
    CredentialCheck: {
      /** @description True when the provider accepted the key */
      ok: boolean;
      /** @enum {string} */
      status: "active" | "invalid" | "quota_exceeded" | "unreachable";
      /** @description Duration of the provider call */
      latency_ms: number | null;
      /** @description The provider’s own model ids, when the check lists them */
      models?: string[];
      error?: components["schemas"]["CheckError"];
    };
    CheckError: {
      /** @enum {string} */
      source: "user" | "provider" | "platform";
      code: string;
      message: string;
    };
    CreateIntegration: {
      /** @enum {string} */
      service: "openai" | "anthropic" | "cohere" | "gemini" | "stability" | "midjourney" | "runway" | "openai_compatible" | "local";
      /** @description The provider key. Write-only: never returned. */
      api_key: string;
      name?: string;
      /** @description Provider base URL override, in the form its official SDK takes (OpenAI: https://api.openai.com/v1) */
      base_url?: string | null;
      rate_limit?: components["schemas"]["RateLimit"];
      monthly_quota?: components["schemas"]["MonthlyQuota"];
    };
    RateLimit: {
      /** @description Requests per second */
      rps?: number;
      /** @description Requests per minute */
      rpm?: number;
      /** @description Tokens per minute */
      tpm?: number;
    } | null;
    MonthlyQuota: {
      /** @description Monthly spend limit in micro-dollars */
      limit_micros: number;
    } | null;
    Integration: {
      id: string;
      service: string;
      name: string;
      /** @description The last 4 characters of the stored key */
      key_last4: string;
      base_url: string | null;
      /** @enum {string} */
      status: "active" | "invalid" | "quota_exceeded" | "unreachable";
      last_error: string | null;
      last_checked_at: string | null;
      rate_limit: components["schemas"]["RateLimit"];
      monthly_quota: components["schemas"]["MonthlyQuota"];
      /** @description The provider’s own model ids, as of the last successful key check (null: never listed) */
      models: string[] | null;
      team_id: string | null;
      /** @description Set while disabled: requests skip it (POST …/disable; POST …/enable undoes it) */
      disabled_at: string | null;
      /** @description Why it is disabled, in words (null while enabled) */
      disabled_reason: string | null;
      /**
       * @description Who disabled it: a person (`user`, never re-enabled automatically) or the auto-disable policy after repeated key rejections (`system`); null while enabled
       * @enum {string|null}
       */
      disabled_by: "user" | "system" | null;
      /** @description When the auto-disable policy checks the stored key again and re-enables it if the provider accepts it (only while disabled by `system`) */
      retry_at: string | null;
      created_at: string;
      updated_at: string;
      /**
       * @description As the live integration.status event says it (status and breaker together)
       * @enum {string}
       */
      health: "healthy" | "degraded" | "failing" | "disabled" | "unchecked";
      /**
       * @description The worse of its endpoint’s and its own circuit breaker
       * @enum {string}
       */
      breaker: "closed" | "open" | "half_open";
      /** @description Median latency of its successful requests in the last 24 hours */
      latency_p50_ms: number | null;
      /** @description Requests that used it in the last 24 hours */
      requests_24h: number;
      /** @description Its latest request within the last 24 hours (null: none in that window) */
      last_used_at: string | null;
      /** @description Spend through it this calendar month (UTC), against monthly_quota (null: no quota) */
      quota_spent_micros: number | null;
    };
    UpdateIntegration: {
      /** @enum {string} */
      service?: "openai" | "anthropic" | "cohere" | "gemini" | "stability" | "midjourney" | "runway" | "openai_compatible" | "local";
      /** @description The provider key. Write-only: never returned. */
      api_key?: string;
      name?: string;
      /** @description Provider base URL override, in the form its official SDK takes (OpenAI: https://api.openai.com/v1) */
      base_url?: string | null;
      rate_limit?: components["schemas"]["RateLimit"];
      monthly_quota?: components["schemas"]["MonthlyQuota"];
    };
    IntegrationCheck: components["schemas"]["Integration"] & ({
      /** @description The provider’s own model list, as of the last successful check */
      models?: string[] | null;
      /** @description False when the service has no key check (midjourney, local): nothing was changed */
      checked: boolean;
      /** @description Duration of the provider call */
      latency_ms: number | null;
      /** @description True when the stored status is active */
      ok: boolean;
      error?: components["schemas"]["CheckError"];
    });
    DisableIntegration: {
      /** @description Shown to the owner beside the "disabled" status (default "Disabled manually.") */
      reason?: string;
    };
    PlatformKey: {
      id: string;
      name: string;
      key_last4: string;
      team_id: string | null;
      models: string[] | null;
      rate_limit: {
        rps?: number;
        rpm?: number;
        tpm?: number;
      } | null;
      monthly_budget_micros: number | null;
      expires_at: string | null;
      /** @description When the key stops (or stopped) working; in the future while a roll’s grace period runs (status stays "active" until then) */
      revoked_at: string | null;
      last_used_at: string | null;
      created_at: string;
      /** @enum {string} */
      status: "active" | "expired" | "revoked";
    };
    CreatedPlatformKey: components["schemas"]["PlatformKey"] & {
      /** @description The key (sk-sb-…). Shown only in this response: store it now. */
      key: string;
    };
    CreatePlatformKey: {
      name: string;
      /** @description Act for this team (you must be a member) */
      team_id?: string | null;
      /** Format: date-time */
      expires_at?: string | null;
      /** @description Allow-list of models, e.g. ["openai/gpt-4o-mini", "anthropic/*"]; absent = any */
      models?: string[] | null;
      rate_limit?: {
        rps?: number;
        rpm?: number;
        tpm?: number;
      } | null;
      monthly_budget_micros?: number | null;
    };
    RolledPlatformKey: components["schemas"]["CreatedPlatformKey"] & {
      replaced: components["schemas"]["PlatformKey"];
    };
    RollPlatformKey: {
      /**
       * @description Seconds the old key keeps working: 0 revokes it now; the web app offers 0, 3600 and 86400
       * @example 3600
       */
      revoke_old_in: number;
    };
    UsageLogRow: components["schemas"]["UsageRecord"] & ({
      key_name: string | null;
      key_last4: string | null;
      integration_name: string | null;
      /** @description Last 4 characters of the provider key (never more) */
      integration_last4: string | null;
    });
    UsageRecord: {
      id: string;
      /** @description The x-request-id the AI response carried */
      request_id: string;
      service: string;
      model: string;
      operation: string;
      stream: boolean;
      integration_id: string | null;
      key_id: string | null;
      team_id: string | null;
      /** @description Null when the provider did not report it */
      input_tokens: number | null;
      output_tokens: number | null;
      cached_input_tokens: number | null;
      /** @description Images generated (image requests) */
      image_count: number | null;
      /** @description Seconds of video generated (video jobs) */
      video_seconds: number | null;
      /** @description Cost in micro-dollars; null when unknown */
      cost_micros: number | null;
      /** @description False when the model has no catalog price */
      priced: boolean;
      /** @description The price catalog version the cost was computed with */
      catalog_version: string | null;
      estimated: boolean;
      /** @description HTTP status the client received */
      status: number;
      error_code: string | null;
      /** @enum {string|null} */
      error_source: "user" | "platform" | "provider" | null;
      fallback: boolean;
      latency_ms: number;
      ttft_ms: number | null;
      /** @description The model (or route name) the client asked for; `model` is the one that served */
      requested_model: string | null;
      created_at: string;
    };
    UsageAggregate: {
      group_by: string[];
      tz: string;
      /** @description Effective start, ISO 8601 in tz */
      from: string;
      to: string;
      data: components["schemas"]["UsageAggregateRow"][];
      totals: components["schemas"]["UsageMetrics"];
    };
    UsageAggregateRow: components["schemas"]["UsageMetrics"] & ({
      /** @description Start of the day or hour in tz, ISO 8601 with offset */
      bucket: string;
      model?: string;
      service?: string;
      key_id?: string | null;
      integration_id?: string | null;
      /** @description 2xx, 4xx, 5xx, … */
      status_class?: string;
      error_source?: string | null;
    });
    UsageMetrics: {
      requests: number;
      /** @description Requests answered with status >= 400 */
      errors: number;
      errors_by_source: {
        user: number;
        provider: number;
        platform: number;
      };
      /** @description Sum of reported counts */
      input_tokens: number;
      output_tokens: number;
      /** @description Sum over priced requests */
      cost_micros: number;
      unpriced_requests: number;
      estimated_requests: number;
      /** @description From a log histogram: accurate to one cell (×1.58) */
      latency_p50_ms: number | null;
      latency_p95_ms: number | null;
      latency_p99_ms: number | null;
      ttft_p50_ms: number | null;
      fallback_requests: number;
    };
    UsageFacets: {
      models: string[];
      services: string[];
      keys: {
          id: string;
          name: string;
          key_last4: string;
        }[];
      integrations: {
          id: string;
          name: string;
          service: string;
          key_last4: string;
        }[];
    };
    UsageDetail: components["schemas"]["UsageLogRow"] & ({
      /** @description Upstream attempts in order (empty when none was made or the record predates them) */
      attempts: components["schemas"]["UsageAttempt"][];
      /** @description The catalog price in force at the time of the request (micro-dollars per million tokens) */
      price: ({
        input_micros_per_mtok: number | null;
        output_micros_per_mtok: number | null;
        cached_input_micros_per_mtok: number | null;
        source: string;
      }) | null;
      /** @description The x-request-id and x-switchboard-* headers Switchboard set on the response */
      response_headers: {
        [key: string]: string;
      };
    });
    UsageAttempt: {
      service: string;
      model: string;
      integration_id: string | null;
      integration_name: string | null;
      /** @description Status of the attempt (0: no answer, e.g. breaker open) */
      status: number;
      duration_ms: number;
      error_code: string | null;
      /** @enum {string|null} */
      error_source: "user" | "platform" | "provider" | null;
      /**
       * @description What followed this attempt
       * @enum {string|null}
       */
      next: "retry" | "fallback" | null;
    };
    Budget: {
      id: string;
      /** @enum {string} */
      scope: "user" | "team" | "key" | "integration";
      scope_id: string;
      limit_micros: number;
      alert_thresholds: number[];
      hard_limit: boolean;
      webhook_url: string | null;
      /** @description The current period, YYYY-MM (UTC) */
      period: string;
      /** @description Settled spend of the period */
      spent_micros: number;
      /** @description Worst-case cost held by requests in flight */
      reserved_micros: number;
      created_at: string;
      updated_at: string;
    };
    PutBudget: {
      /** @enum {string} */
      scope: "user" | "team" | "key" | "integration";
      /**
       * @description The user, team, platform key or integration id; defaults to yourself for scope "user"
       * @example 01JB8ZQ6Q3V8Y3J0K9QK7T1M2N
       */
      scope_id?: string;
      /** @description Monthly limit (calendar month UTC) in micro-dollars */
      limit_micros: number;
      /** @description Percentages of the limit that alert once per month; default [50, 80, 100] */
      alert_thresholds?: number[];
      /** @description true (default): refuse requests that would exceed it (402 budget_exceeded); false: alert only */
      hard_limit?: boolean;
      /** @description Also POST alerts here, signed (needs SWITCHBOARD_WEBHOOK_SECRET) */
      webhook_url?: string | null;
    };
    Notification: {
      id: string;
      kind: string;
      title: string;
      body: string;
      data?: unknown;
      read_at: string | null;
      created_at: string;
    };
    Alert: {
      id: string;
      /** @description budget.threshold, budget.test, integration.invalid, … */
      kind: string;
      title: string;
      body: string;
      data?: unknown;
      read_at: string | null;
      created_at: string;
    };
    TeamSummary: components["schemas"]["Team"] & {
      /** @description Members of the team */
      member_count: number;
      /** @description Settled spend of the team this calendar month (UTC), micro-dollars */
      month_spend_micros: number;
    };
    Team: {
      id: string;
      name: string;
      /**
       * @description Your role in the team
       * @enum {string}
       */
      role: "owner" | "admin" | "member";
      /** @description Disabled by a platform admin: its keys and secrets do not serve */
      disabled: boolean;
      created_at: string;
      updated_at: string;
    };
    TeamMember: {
      user_id: string;
      email: string;
      /** @enum {string} */
      role: "owner" | "admin" | "member";
      joined_at: string;
      /** @description Their latest session use (in the member list); null if never */
      last_active_at?: string | null;
    };
    TeamInvitation: {
      id: string;
      team_id: string;
      email: string;
      /** @enum {string} */
      role: "owner" | "admin" | "member";
      invited_by: string | null;
      created_at: string;
      expires_at: string;
    };
    TeamInvitationPreview: {
      team_id: string;
      team_name: string;
      /** @enum {string} */
      role: "owner" | "admin" | "member";
      email: string;
      expires_at: string;
    };
    Route: {
      name: string;
      owner: {
        /** @enum {string} */
        kind: "user" | "team";
        id: string;
      };
      /** @enum {string} */
      strategy: "priority" | "cost" | "latency" | "weighted";
      targets: {
          /** @example openai/gpt-4o-mini */
          model: string;
          integration_id?: string;
          weight?: number;
        }[];
      constraints: ({
        max_input_price_per_mtok_micros?: number;
        max_output_price_per_mtok_micros?: number;
        capabilities?: ("tools" | "vision" | "json")[];
        min_context?: number;
      }) | null;
      fallback_local: boolean;
      created_at: string;
      updated_at: string;
    };
    RoutePreview: {
      candidates: ({
          model: string;
          /** @description The integration a call would use (the pinned one, else the owner’s key for the service); null without one */
          integration_id: string | null;
          /** @enum {string} */
          breaker: "closed" | "open" | "half_open";
          /** @description true when a call now would skip this candidate */
          skipped: boolean;
          /** @enum {string|null} */
          reason: "breaker_open" | "no_integration" | "integration_disabled" | null;
        })[];
      fallback_local: boolean;
    };
    PutRoute: {
      /** @enum {string} */
      strategy: "priority" | "cost" | "latency" | "weighted";
      targets: {
          /** @example openai/gpt-4o-mini */
          model: string;
          integration_id?: string;
          weight?: number;
        }[];
      constraints?: {
        max_input_price_per_mtok_micros?: number;
        max_output_price_per_mtok_micros?: number;
        capabilities?: ("tools" | "vision" | "json")[];
        min_context?: number;
      };
      fallback_local?: boolean;
    };
    IntegrationHealth: {
      id: string;
      service: string;
      status: string;
      last_error: string | null;
      last_checked_at: string | null;
      endpoint: string | null;
      /** @enum {string} */
      breaker: "closed" | "open" | "half_open";
      breaker_retry_after_ms: number;
    };
    AuditEvent: {
      id: string;
      /** @example integration.updated */
      action: string;
      actor_user_id: string | null;
      team_id: string | null;
      target_kind: string | null;
      target_id: string | null;
      /** @description Settings before/after; never key material */
      metadata: {
        [key: string]: unknown;
      } | null;
      ip: string | null;
      user_agent: string | null;
      created_at: string;
    };
    AdminUser: {
      id: string;
      email: string;
      is_admin: boolean;
      email_verified: boolean;
      disabled: boolean;
      created_at: string;
      /** @description Priced usage of the current UTC month, micro-dollars */
      spend_this_month_micros: number;
      teams: {
          id: string;
          name: string;
          role: string;
        }[];
      /** @description The latest use of any of their sessions (ISO 8601); null if never signed in */
      last_active_at: string | null;
    };
    AdminTeam: {
      id: string;
      name: string;
      member_count: number;
      disabled: boolean;
      created_at: string;
      /** @description Priced usage of the current UTC month, micro-dollars */
      spend_this_month_micros: number;
    };
    AdminUsageTotal: {
      /** @description UTC day, YYYY-MM-DD */
      day: string;
      service: string;
      requests: number;
      /** @description null when no request of the group reported a count */
      input_tokens: number | null;
      output_tokens: number | null;
      /** @description Micro-dollars; null when no request of the group was priced */
      cost_micros: number | null;
    };
    GatewayHealth: {
      breakers: ({
          /** @description `<service> <base URL origin>` */
          key: string;
          /** @enum {string} */
          state: "closed" | "open" | "half_open";
          consecutive_failures: number;
          failure_rate: number;
          retry_after_ms: number;
        })[];
      models: ({
          model: string;
          ttft_ms: number | null;
          /** @description Output tokens per second after the first byte (streams) or over the whole call (JSON) */
          tokens_per_second: number | null;
          error_rate: number;
          samples: number;
        })[];
      /** @description ok, or why not */
      db?: string;
      /** @description ok, disabled (no REDIS_URL), or unreachable */
      redis?: string;
      /** @description ok, or behind (applied/expected) */
      migrations?: string;
      jobs?: ({
        depth: number;
        running: number;
        oldest_queued_age_seconds: number | null;
      }) | null;
      workers?: {
          id: string;
          last_beat_at: string;
          alive: boolean;
        }[] | null;
      breaker_counts?: {
        per_provider: {
            closed: number;
            open: number;
            half_open: number;
            service: string;
          }[];
        per_integration: {
          closed: number;
          open: number;
          half_open: number;
          not_closed: ({
              id: string;
              /** @description The integration’s service (null if it no longer exists); never its owner */
              service: string | null;
              /** @enum {string} */
              state: "closed" | "open" | "half_open";
              retry_after_ms: number;
            })[];
        };
      };
      errors_15m?: {
        window_minutes: number;
        requests: number;
        errors: {
          user: number;
          provider: number;
          platform: number;
        };
        error_rate: {
          user: number;
          provider: number;
          platform: number;
        };
      } | null;
    };
    CatalogEntry: {
      service: string;
      model: string;
      prices: components["schemas"]["Price"][];
    };
    Price: {
      /** @description The override id (source `override`), else null */
      id: string | null;
      /** @enum {string} */
      source: "bundled" | "file" | "override";
      /** @description ISO 8601; null: since always */
      effective_from: string | null;
      /** @description The price a request made now is charged */
      in_force: boolean;
      input_micros_per_mtok: number | null;
      output_micros_per_mtok: number | null;
      cached_input_micros_per_mtok: number | null;
      cache_write_micros_per_mtok: number | null;
      per_image_micros: number | null;
      /** @description `<size>` / `<size>/<quality>` / `default` → micro-dollars per image */
      per_image_variants: {
        [key: string]: number;
      } | null;
      per_second_micros: number | null;
    };
    PriceOverride: {
      id: string;
      service: string;
      model: string;
      effective_from: string | null;
      input_micros_per_mtok: number | null;
      output_micros_per_mtok: number | null;
      cached_input_micros_per_mtok: number | null;
      cache_write_micros_per_mtok: number | null;
      per_image_micros: number | null;
      per_second_micros: number | null;
      created_at: string;
    };
    CreatePriceOverride: {
      /** @enum {string} */
      service: "openai" | "anthropic" | "cohere" | "gemini" | "stability" | "midjourney" | "runway" | "openai_compatible" | "local";
      model: string;
      /** @description Micro-dollars per million input tokens */
      input_micros_per_mtok?: number | null;
      output_micros_per_mtok?: number | null;
      /** @description Cache reads */
      cached_input_micros_per_mtok?: number | null;
      cache_write_micros_per_mtok?: number | null;
      /** @description Micro-dollars per image (replaces any per-variant prices) */
      per_image_micros?: number | null;
      /** @description Micro-dollars per second of video */
      per_second_micros?: number | null;
      /** @description Default: now */
      effective_from?: string;
    };
  };
  responses: never;
  parameters: {
  };
  requestBodies: never;
  headers: never;
  pathItems: never;
}

export type $defs = Record<string, never>;

export type external = Record<string, never>;

export type operations = Record<string, never>;
